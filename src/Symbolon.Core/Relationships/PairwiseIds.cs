using System.Buffers.Text;
using System.Security.Cryptography;

namespace Symbolon.Core.Relationships;

/// <summary>
/// Identifiers a vendor sees. They are derived per relationship, so two vendors holding the same field
/// see different ids and cannot link the person by comparing them.
/// </summary>
internal static class PairwiseIds
{
    public static string FieldId(byte[] key, Guid recordId)
    {
        Span<byte> id = stackalloc byte[16];
        recordId.TryWriteBytes(id, bigEndian: true, out _);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, id, mac);
        return Base64Url.EncodeToString(mac[..16]);
    }

    /// <summary>An ETag over a response body, keyed per relationship so equal bodies at two vendors give different tags.</summary>
    public static string ETag(byte[] key, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, body, mac);
        return "\"" + Base64Url.EncodeToString(mac[..18]) + "\"";
    }

    /// <summary>A new random identifier: 128 bits, base64url.</summary>
    public static string NewSubject() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}
