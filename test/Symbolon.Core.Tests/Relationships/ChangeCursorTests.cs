using Symbolon.Core.Relationships;

namespace Symbolon.Core.Tests.Relationships;

public class ChangeCursorTests
{
    [Theory]
    [InlineData(0L, "c_AAAAAAAAAAA")]
    [InlineData(1L, "c_AAAAAAAAAAE")]
    [InlineData(256L, "c_AAAAAAAAAQA")]
    [InlineData(long.MaxValue, "c_f_________8")]
    public void A_cursor_is_c_and_the_base64url_of_the_big_endian_sequence_and_reads_back(long sequence, string expected)
    {
        Assert.Equal(expected, ChangeCursor.Encode(sequence));
        Assert.True(ChangeCursor.TryDecode(expected, out var decoded));
        Assert.Equal(sequence, decoded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("c_")]
    [InlineData("AAAAAAAAAAE")]
    [InlineData("x_AAAAAAAAAAE")]
    [InlineData("c_AAAAAAAAAAF")]
    [InlineData("c_AAAAAAAAAAE=")]
    [InlineData("c_AAAAAAAAAA")]
    [InlineData("c_AAAAAAAAAAAE")]
    [InlineData("c_AAAAAAAAA+E")]
    [InlineData("c_gAAAAAAAAAA")]
    public void Anything_Encode_would_not_write_is_refused(string? cursor)
    {
        Assert.False(ChangeCursor.TryDecode(cursor, out var sequence));
        Assert.Equal(0, sequence);
    }
}
