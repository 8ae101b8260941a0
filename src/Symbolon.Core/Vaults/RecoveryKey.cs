using System.Security.Cryptography;
using System.Text;

namespace Symbolon.Core.Vaults;

/// <summary>
/// The recovery key: 256 random bits shown to the person once, written as RFC 4648 base32 in groups of four
/// (for example <c>K7QF-2M3A-...</c>) so it can be copied by hand without ambiguity.
/// </summary>
internal static class RecoveryKey
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    public const int ByteLength = 32;

    public static byte[] Generate() => RandomNumberGenerator.GetBytes(ByteLength);

    public static string Format(ReadOnlySpan<byte> key)
    {
        var text = new StringBuilder();
        int buffer = 0, bits = 0, written = 0;
        foreach (var b in key)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                Append(text, Alphabet[(buffer >> (bits - 5)) & 31], ref written);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            Append(text, Alphabet[(buffer << (5 - bits)) & 31], ref written);
        }

        return text.ToString();
    }

    /// <summary>Parses a typed recovery key, forgiving case, spaces and dashes.</summary>
    public static bool TryParse(string? text, out byte[] key)
    {
        key = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var output = new List<byte>(ByteLength);
        int buffer = 0, bits = 0;
        foreach (var raw in text)
        {
            if (raw is '-' or ' ' or '\t')
            {
                continue;
            }

            var index = Alphabet.IndexOf(char.ToUpperInvariant(raw), StringComparison.Ordinal);
            if (index < 0)
            {
                return false;
            }

            buffer = (buffer << 5) | index;
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)((buffer >> (bits - 8)) & 0xFF));
                bits -= 8;
            }
        }

        if (output.Count != ByteLength)
        {
            return false;
        }

        key = [.. output];
        return true;
    }

    private static void Append(StringBuilder text, char c, ref int written)
    {
        if (written > 0 && written % 4 == 0)
        {
            text.Append('-');
        }

        text.Append(c);
        written++;
    }
}
