using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Symbolon.Core.Webhooks;

/// <summary>
/// Signs webhook messages as the Standard Webhooks specification (standardwebhooks.com) has it, so that any of its
/// libraries, and <c>Symbolon.Client.WebhookVerifier</c>, can check them: the secret is <c>whsec_</c> and base64 of
/// random bytes; the signature is <c>v1,</c> and base64 of HMAC-SHA256 over <c>{id}.{timestamp}.{body}</c>.
/// </summary>
internal static class StandardWebhookSigner
{
    public const string SecretPrefix = "whsec_";
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>A new secret of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The HMAC key a secret stands for: the bytes after the prefix.</summary>
    public static byte[] KeyOf(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        return Convert.FromBase64String(encoded);
    }

    /// <summary>The <c>webhook-signature</c> header value for one message at one time.</summary>
    public static string Sign(byte[] key, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes(messageId + "." + timestamp.ToString(CultureInfo.InvariantCulture) + "."));
        hmac.AppendData(body);
        Span<byte> mac = stackalloc byte[32];
        hmac.GetHashAndReset(mac);
        return "v1," + Convert.ToBase64String(mac);
    }
}
