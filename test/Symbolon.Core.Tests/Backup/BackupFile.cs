using System.Buffers.Binary;
using System.Text;

namespace Symbolon.Core.Tests.Backup;

/// <summary>
/// Reads the layout of a backup file so tests can damage it in precise places:
/// <c>magic(16) ‖ header length(4, big endian) ‖ header JSON ‖ chunks</c>, each chunk being
/// <c>plaintext length(4) ‖ ciphertext ‖ tag(16)</c>.
/// </summary>
internal sealed record BackupFile(byte[] Bytes, int HeaderOffset, int HeaderLength, IReadOnlyList<(int Offset, int Length)> Chunks)
{
    public const int MagicLength = 16;
    public const int TagLength = 16;

    public int PayloadOffset => HeaderOffset + HeaderLength;

    public string HeaderJson => Encoding.UTF8.GetString(Bytes, HeaderOffset, HeaderLength);

    public static BackupFile Parse(byte[] bytes)
    {
        var headerLength = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(MagicLength, 4));
        var offset = MagicLength + 4 + headerLength;
        var chunks = new List<(int, int)>();
        while (offset < bytes.Length)
        {
            var plainLength = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset, 4));
            var total = 4 + plainLength + TagLength;
            chunks.Add((offset, total));
            offset += total;
        }

        if (offset != bytes.Length)
        {
            throw new InvalidOperationException("The backup file does not end at a chunk boundary.");
        }

        return new BackupFile(bytes, MagicLength + 4, headerLength, chunks);
    }

    /// <summary>The offset, inside the whole file, of the first byte of <paramref name="text"/> in the header.</summary>
    public int HeaderIndexOf(string text)
    {
        var index = Bytes.AsSpan(HeaderOffset, HeaderLength).IndexOf(Encoding.UTF8.GetBytes(text));
        return index < 0 ? throw new InvalidOperationException($"'{text}' is not in the header: {HeaderJson}") : HeaderOffset + index;
    }

    public byte[] Flip(int index, byte mask = 0x01)
    {
        var copy = Bytes.ToArray();
        copy[index] ^= mask;
        return copy;
    }

    public byte[] Cut(int length) => Bytes[..length];
}
