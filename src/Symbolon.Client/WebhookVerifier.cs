using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Client;

/// <summary>
/// Checks that a webhook came from the vault and was not changed or replayed, as the Standard Webhooks specification
/// (standardwebhooks.com) defines it: an HMAC-SHA256 signature with the secret the vault issued at registration over
/// the message id, the timestamp and the exact body, and a timestamp close to now.
/// </summary>
/// <example>
/// <code>
/// var verifier = new WebhookVerifier(webhookSecret);
/// var body = await new StreamReader(request.Body).ReadToEndAsync();
/// var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString());
/// WebhookEvent received = verifier.Verify(body, headers); // throws WebhookVerificationException when forged
/// </code>
/// </example>
/// <remarks>
/// Verify the body exactly as received, before any JSON parsing: re-serialized JSON no longer matches the signature.
/// The vault retries a message with the same <c>webhook-id</c> until it is acknowledged with a 2xx response, so use
/// that id to drop repeats. Instances are immutable and safe to share between threads.
/// </remarks>
public sealed class WebhookVerifier
{
    /// <summary>The header carrying the message id, the same on every retry of a message.</summary>
    public const string IdHeader = "webhook-id";

    /// <summary>The header carrying the time of sending, in Unix seconds.</summary>
    public const string TimestampHeader = "webhook-timestamp";

    /// <summary>The header carrying one or more space-separated signatures, each <c>v1,</c> and base64.</summary>
    public const string SignatureHeader = "webhook-signature";

    private const string SecretPrefix = "whsec_";
    private const string SignatureVersion = "v1,";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.General);

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    /// <summary>Creates a verifier for one webhook secret.</summary>
    /// <param name="secret">The secret the vault issued, <c>whsec_</c> followed by base64 (the prefix may be left out).</param>
    /// <param name="tolerance">How far the timestamp may be from now, either way; 5 minutes when not given.</param>
    /// <param name="timeProvider">The clock to compare timestamps with; the system clock when not given.</param>
    /// <exception cref="ArgumentException">The secret is empty or not base64.</exception>
    public WebhookVerifier(string secret, TimeSpan? tolerance = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        try
        {
            _key = Convert.FromBase64String(encoded);
        }
        catch (FormatException e)
        {
            throw new ArgumentException("The webhook secret is not 'whsec_' followed by base64; copy it exactly as the vault issued it.", nameof(secret), e);
        }

        if (_key.Length == 0)
        {
            throw new ArgumentException("The webhook secret is empty.", nameof(secret));
        }

        Tolerance = tolerance ?? DefaultTolerance;
        ArgumentOutOfRangeException.ThrowIfLessThan(Tolerance, TimeSpan.Zero, nameof(tolerance));
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The tolerance used when none is given: 5 minutes.</summary>
    public static TimeSpan DefaultTolerance { get; } = TimeSpan.FromMinutes(5);

    /// <summary>How far a timestamp may be from now, in the past or the future.</summary>
    public TimeSpan Tolerance { get; }

    /// <summary>Verifies a webhook from its body and its request headers, and returns the event.</summary>
    /// <param name="body">The request body exactly as received (UTF-8 text).</param>
    /// <param name="headers">The request headers; names are matched without regard to case.</param>
    /// <returns>The verified event.</returns>
    /// <exception cref="WebhookVerificationException">A header is missing, the timestamp is outside the tolerance, or no signature matches.</exception>
    public WebhookEvent Verify(string body, IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(headers);
        return Verify(Header(headers, IdHeader), Header(headers, TimestampHeader), Header(headers, SignatureHeader), body);
    }

    /// <summary>Verifies a webhook from the values of its three headers and its body, and returns the event.</summary>
    /// <param name="messageId">The <c>webhook-id</c> header.</param>
    /// <param name="timestamp">The <c>webhook-timestamp</c> header.</param>
    /// <param name="signatures">The <c>webhook-signature</c> header.</param>
    /// <param name="body">The request body exactly as received (UTF-8 text).</param>
    /// <returns>The verified event.</returns>
    /// <exception cref="WebhookVerificationException">A value is missing, the timestamp is outside the tolerance, or no signature matches.</exception>
    public WebhookEvent Verify(string? messageId, string? timestamp, string? signatures, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        VerifySignature(messageId, timestamp, signatures, Encoding.UTF8.GetBytes(body));
        try
        {
            return JsonSerializer.Deserialize<WebhookEvent>(body, JsonOptions)
                ?? throw new WebhookVerificationException("The webhook is signed but its body is empty (null).");
        }
        catch (JsonException e)
        {
            throw new WebhookVerificationException("The webhook is signed but its body is not a webhook event: " + e.Message, e);
        }
    }

    /// <summary>Checks the signature and the timestamp of raw body bytes, without reading the body.</summary>
    /// <param name="messageId">The <c>webhook-id</c> header.</param>
    /// <param name="timestamp">The <c>webhook-timestamp</c> header.</param>
    /// <param name="signatures">The <c>webhook-signature</c> header.</param>
    /// <param name="body">The request body exactly as received.</param>
    /// <exception cref="WebhookVerificationException">A value is missing, the timestamp is outside the tolerance, or no signature matches.</exception>
    public void VerifySignature(string? messageId, string? timestamp, string? signatures, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(messageId))
        {
            throw new WebhookVerificationException($"The '{IdHeader}' header is missing.");
        }

        if (string.IsNullOrEmpty(timestamp))
        {
            throw new WebhookVerificationException($"The '{TimestampHeader}' header is missing.");
        }

        if (string.IsNullOrWhiteSpace(signatures))
        {
            throw new WebhookVerificationException($"The '{SignatureHeader}' header is missing.");
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            throw new WebhookVerificationException($"The '{TimestampHeader}' header is not a Unix time in whole seconds.");
        }

        var sentAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var now = _time.GetUtcNow();
        if (now - sentAt > Tolerance)
        {
            throw new WebhookVerificationException($"The webhook's timestamp is {(now - sentAt).TotalSeconds:0} s old, more than the {Tolerance.TotalSeconds:0} s allowed: it may be a replay.");
        }

        if (sentAt - now > Tolerance)
        {
            throw new WebhookVerificationException($"The webhook's timestamp is {(sentAt - now).TotalSeconds:0} s in the future, more than the {Tolerance.TotalSeconds:0} s allowed: check the clocks.");
        }

        Span<byte> expected = stackalloc byte[32];
        using (var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key))
        {
            hmac.AppendData(Encoding.UTF8.GetBytes(messageId + "." + timestamp + "."));
            hmac.AppendData(body);
            hmac.GetHashAndReset(expected);
        }

        // Several signatures appear while the vault rotates its secret; one match is enough. Other versions (for
        // example asymmetric "v1a") are not ours to check and are skipped.
        Span<byte> candidate = stackalloc byte[33];
        foreach (var signature in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (signature.StartsWith(SignatureVersion, StringComparison.Ordinal)
                && Convert.TryFromBase64String(signature[SignatureVersion.Length..], candidate, out var written)
                && written == expected.Length
                && CryptographicOperations.FixedTimeEquals(candidate[..written], expected))
            {
                return;
            }
        }

        throw new WebhookVerificationException("No signature in the 'webhook-signature' header matches: the body, the id or the timestamp was changed, or the secret is not the one the vault issued.");
    }

    private static string? Header(IReadOnlyDictionary<string, string> headers, string name)
    {
        if (headers.TryGetValue(name, out var value))
        {
            return value;
        }

        foreach (var (key, candidate) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A webhook failed verification: treat it as forged and answer it with an error status (for example 400).</summary>
public sealed class WebhookVerificationException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public WebhookVerificationException()
        : base("The webhook failed verification.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed, in a sentence.</param>
    public WebhookVerificationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What failed, in a sentence.</param>
    /// <param name="innerException">The cause.</param>
    public WebhookVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
