using System.Buffers.Binary;
using System.Buffers.Text;

namespace Symbolon.Core.Relationships;

/// <summary>
/// The cursor of one change-log entry as vendors see it, in webhooks and in the change feed: <c>c_</c> and the
/// base64url of the 8-byte big-endian sequence. It is opaque to vendors, so the format can change with a new prefix.
/// </summary>
internal static class ChangeCursor
{
    private const string Prefix = "c_";

    public static string Encode(long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, sequence);
        return Prefix + Base64Url.EncodeToString(bytes);
    }

    /// <summary>Reads a cursor; false for anything <see cref="Encode"/> would not have written.</summary>
    public static bool TryDecode(string? cursor, out long sequence)
    {
        sequence = 0;
        if (cursor is null || cursor.Length != Prefix.Length + 11 || !cursor.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[9];
        var text = cursor.AsSpan(Prefix.Length);
        if (!Base64Url.IsValid(text, out var length) || length != 8)
        {
            return false;
        }

        try
        {
            // Note: despite its name, TryDecodeFromChars throws on some input IsValid accepts (unused bits set).
            if (!Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != 8)
            {
                return false;
            }
        }
        catch (FormatException)
        {
            return false;
        }

        var decoded = BinaryPrimitives.ReadInt64BigEndian(bytes);

        // Note: base64 has several spellings of the same bytes (the unused low bits of the last character); only the
        // one Encode writes is accepted, so a cursor has exactly one text.
        if (decoded < 0 || !string.Equals(Encode(decoded), cursor, StringComparison.Ordinal))
        {
            return false;
        }

        sequence = decoded;
        return true;
    }
}
