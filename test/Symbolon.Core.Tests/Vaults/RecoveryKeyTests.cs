using System.Text.RegularExpressions;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Tests.Vaults;

public partial class RecoveryKeyTests
{
    // RFC 4648 base32 of the bytes 0x00..0x1F (checked against Python's base64.b32encode), grouped by four.
    private const string KnownText = "AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT-CQKR-MFYY-DENB-WHA5-DYPQ";
    private static readonly byte[] KnownBytes = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    [GeneratedRegex("^[A-Z2-7]{4}(-[A-Z2-7]{4}){12}$")]
    private static partial Regex ThirteenGroups();

    [Fact]
    public void Generate_gives_256_random_bits()
    {
        var first = RecoveryKey.Generate();
        var second = RecoveryKey.Generate();

        Assert.Equal(32, first.Length);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Format_is_thirteen_groups_of_four_base32_characters()
    {
        for (var i = 0; i < 50; i++)
        {
            var text = RecoveryKey.Format(RecoveryKey.Generate());
            Assert.Matches(ThirteenGroups(), text);
        }
    }

    [Fact]
    public void Format_is_standard_base32()
    {
        Assert.Equal(KnownText, RecoveryKey.Format(KnownBytes));
        Assert.Equal(string.Join('-', Enumerable.Repeat("AAAA", 13)), RecoveryKey.Format(new byte[32]));
        Assert.Equal(string.Join('-', Enumerable.Repeat("7777", 12)) + "-777Q", RecoveryKey.Format(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
    }

    [Fact]
    public void Parse_round_trips_formatted_keys()
    {
        for (var i = 0; i < 50; i++)
        {
            var key = RecoveryKey.Generate();
            Assert.True(RecoveryKey.TryParse(RecoveryKey.Format(key), out var parsed));
            Assert.Equal(key, parsed);
        }

        Assert.True(RecoveryKey.TryParse(KnownText, out var known));
        Assert.Equal(KnownBytes, known);
    }

    [Theory]
    [InlineData("aaaq-eaye-auda-ocaj-bifq-ydio-b4ib-ceqt-cqkr-mfyy-denb-wha5-dypq")]
    [InlineData("AaAq-EaYe-AuDa-OcAj-BiFq-YdIo-B4Ib-CeQt-CqKr-MfYy-DeNb-WhA5-DyPq")]
    [InlineData("AAAQ EAYE AUDA OCAJ BIFQ YDIO B4IB CEQT CQKR MFYY DENB WHA5 DYPQ")]
    [InlineData("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ")]
    [InlineData("  AAAQ--EAYE - AUDA\tOCAJ-BIFQ-YDIO-B4IB-CEQT-CQKR-MFYY-DENB-WHA5-DYPQ  ")]
    [InlineData("aaaqeaye-audaocaj bifqydio-b4ibceqt cqkrmfyy-denbwha5 dypq")]
    public void Parse_forgives_case_spaces_and_dashes(string typed)
    {
        Assert.True(RecoveryKey.TryParse(typed, out var key));
        Assert.Equal(KnownBytes, key);
    }

    [Theory]
    [InlineData("AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT-CQKR-MFYY-DENB-WHA5")]
    [InlineData("AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT-CQKR-MFYY-DENB-WHA5-DYP")]
    [InlineData("AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT-CQKR-MFYY-DENB-WHA5-DYPQ-A")]
    [InlineData("AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT-CQKR-MFYY-DENB-WHA5-DYPQ-AAAA")]
    [InlineData("AAAA")]
    public void Parse_rejects_a_wrong_length(string typed)
    {
        Assert.False(RecoveryKey.TryParse(typed, out var key));
        Assert.Empty(key);
    }

    [Theory]
    [InlineData("0AAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT-CQKR-MFYY-DENB-WHA5-DYPQ")]
    [InlineData("1AAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT-CQKR-MFYY-DENB-WHA5-DYPQ")]
    [InlineData("AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT-CQKR-MFYY-DENB-WHA8-DYPQ")]
    [InlineData("AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT-CQKR-MFYY-DENB-WHA9-DYPQ")]
    [InlineData("AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT-CQKR-MFYY-DENB-WHA5-DYP=")]
    [InlineData("AAAQ_EAYE_AUDA_OCAJ_BIFQ_YDIO_B4IB_CEQT_CQKR_MFYY_DENB_WHA5_DYPQ")]
    [InlineData("AAAQ.EAYE.AUDA.OCAJ.BIFQ.YDIO.B4IB.CEQT.CQKR.MFYY.DENB.WHA5.DYPQ")]
    [InlineData("ÄAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT-CQKR-MFYY-DENB-WHA5-DYPQ")]
    public void Parse_rejects_characters_outside_base32(string typed)
    {
        Assert.False(RecoveryKey.TryParse(typed, out var key));
        Assert.Empty(key);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("----")]
    public void Parse_rejects_nothing(string? typed)
    {
        Assert.False(RecoveryKey.TryParse(typed, out var key));
        Assert.Empty(key);
    }
}
