using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NSec.Cryptography;

namespace Symbolon.Intents;

/// <summary>The intent agreement (IEEE 7012 roster id <c>PDC-INTENT</c>) every responder accepts by offering.</summary>
public static class IntentAgreement
{
    /// <summary>The roster id.</summary>
    public const string Id = "PDC-INTENT";

    /// <summary>The exact text; its SHA-256 is <see cref="TextSha256"/>.</summary>
    public const string Text =
        "PDC-INTENT: Intent for offers only.\n" +
        "1. The responder uses this intent only to decide whether to make an offer and to make it.\n" +
        "2. The responder does not try to find out who sent the intent, and does not combine it with other data to do so.\n" +
        "3. The responder deletes the intent when it expires or is withdrawn, and any offer it made on it when that offer is not accepted.\n" +
        "4. Nothing about the person is disclosed until the person accepts an offer, and then only to the vendor whose offer was accepted, under the agreement named for the relationship that follows.\n";

    /// <summary>Lowercase hex SHA-256 of <see cref="Text"/>.</summary>
    public static string TextSha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)));
}

/// <summary>An intent's key pairs: Ed25519 to sign, X25519 to open offers. Fresh for every intent.</summary>
public sealed class IntentKeys : IDisposable
{
    private IntentKeys(Key sign, Key box)
    {
        SignKey = sign;
        BoxKey = box;
    }

    /// <summary>The Ed25519 private key.</summary>
    public Key SignKey { get; }

    /// <summary>The X25519 private key.</summary>
    public Key BoxKey { get; }

    /// <summary>The public halves, base64url, as <see cref="IntentDocument.Keys"/> carries them.</summary>
    public IntentPublicKeys PublicKeys => new(
        IntentCrypto.Encode(SignKey.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
        IntentCrypto.Encode(BoxKey.PublicKey.Export(KeyBlobFormat.RawPublicKey)));

    /// <summary>Makes two new key pairs.</summary>
    public static IntentKeys Create() =>
        new(
            Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }),
            Key.Create(KeyAgreementAlgorithm.X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <summary>Restores keys from <see cref="Export"/>'s 64 bytes (the Ed25519 seed, then the X25519 private key).</summary>
    public static IntentKeys Import(ReadOnlySpan<byte> privateKeys)
    {
        if (privateKeys.Length != 64)
        {
            throw new ArgumentException("Intent keys are 64 bytes.", nameof(privateKeys));
        }

        return new(
            Key.Import(SignatureAlgorithm.Ed25519, privateKeys[..32], KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }),
            Key.Import(KeyAgreementAlgorithm.X25519, privateKeys[32..], KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
    }

    /// <summary>The two private keys as 64 bytes, for storing sealed; the caller zeroes the array when done.</summary>
    public byte[] Export()
    {
        var sign = SignKey.Export(KeyBlobFormat.RawPrivateKey);
        var box = BoxKey.Export(KeyBlobFormat.RawPrivateKey);
        try
        {
            return [.. sign, .. box];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sign);
            CryptographicOperations.ZeroMemory(box);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        SignKey.Dispose();
        BoxKey.Dispose();
    }
}

/// <summary>
/// Signing, checking, sealing and opening the intent protocol's documents (docs/intent-exchange.md). Every method is
/// deterministic in what it accepts: a document that does not check returns false or null, never a partly trusted value.
/// </summary>
public static class IntentCrypto
{
    /// <summary>Domain label of a signed <see cref="IntentDocument"/>.</summary>
    public const string IntentLabel = "symbolon-intent-v1";

    /// <summary>Domain label of a signed <see cref="OfferDocument"/>.</summary>
    public const string OfferLabel = "symbolon-offer-v1";

    /// <summary>Domain label of a signed <see cref="AcceptanceDocument"/>.</summary>
    public const string AcceptanceLabel = "symbolon-acceptance-v1";

    /// <summary>Domain label of a request signed with an intent key (<see cref="SignRequest"/>).</summary>
    public const string RequestLabel = "symbolon-exchange-request-v1";

    /// <summary>Domain label of sealed envelopes.</summary>
    public const string SealLabel = "symbolon-seal-v1";

    /// <summary>How far a signed request's time may be from the exchange's clock.</summary>
    public static readonly TimeSpan RequestClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The JSON options of every protocol document: members as named, unknown members refused, depth 16.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        MaxDepth = 16,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>Base64url without padding.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>Decodes base64url; null when it is not valid or longer than <paramref name="maxBytes"/>.</summary>
    public static byte[]? Decode(string? text, int maxBytes = 1 << 20)
    {
        if (string.IsNullOrEmpty(text) || text.Length > (maxBytes * 4 / 3) + 4 || !Base64Url.IsValid(text))
        {
            return null;
        }

        try
        {
            var bytes = Base64Url.DecodeFromChars(text);
            return bytes.Length <= maxBytes ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Serializes a document and signs its bytes under a domain label.</summary>
    public static SignedDocument Sign<T>(T document, Key signKey, string label)
    {
        ArgumentNullException.ThrowIfNull(signKey);
        var payload = JsonSerializer.SerializeToUtf8Bytes(document, JsonOptions);
        return new SignedDocument(Encode(payload), Encode(SignatureAlgorithm.Ed25519.Sign(signKey, Labelled(label, payload))));
    }

    /// <summary>Checks a signature made with <paramref name="publicKey"/> (raw 32 bytes) and returns the payload bytes, or null.</summary>
    public static byte[]? Verify(SignedDocument? signedDocument, string label, ReadOnlySpan<byte> publicKey, int maxPayloadBytes = 64 * 1024)
    {
        if (signedDocument is null || publicKey.Length != 32)
        {
            return null;
        }

        var payload = Decode(signedDocument.Payload, maxPayloadBytes);
        var signature = Decode(signedDocument.Signature, 64);
        if (payload is null || signature is null || signature.Length != 64)
        {
            return null;
        }

        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
        {
            return null;
        }

        return SignatureAlgorithm.Ed25519.Verify(key, Labelled(label, payload), signature) ? payload : null;
    }

    /// <summary>
    /// Checks a signed intent against the signing key it names and returns it, or null when the signature, the JSON or
    /// the key does not hold. Content rules are <see cref="IntentRules.CheckIntent"/>'s.
    /// </summary>
    public static IntentDocument? VerifyIntent(SignedDocument? signedDocument, int maxPayloadBytes = IntentRules.MaxIntentBytes)
    {
        var unverified = Decode(signedDocument?.Payload, maxPayloadBytes);
        var document = unverified is null ? null : TryParse<IntentDocument>(unverified);
        var key = Decode(document?.Keys?.Sign, 32);
        if (document is null || key is null || Verify(signedDocument, IntentLabel, key, maxPayloadBytes) is null)
        {
            return null;
        }

        return document;
    }

    /// <summary>
    /// Checks a signed offer: signed by the key it names, which must equal <paramref name="expectedVendorKey"/> when given
    /// (the key the exchange relayed it under), and bound to <paramref name="intent"/> (id and key). Null when anything fails.
    /// </summary>
    public static OfferDocument? VerifyOffer(SignedDocument? signedDocument, IntentDocument intent, string? expectedVendorKey = null)
    {
        ArgumentNullException.ThrowIfNull(intent);
        var unverified = Decode(signedDocument?.Payload, IntentRules.MaxOfferBytes);
        var document = unverified is null ? null : TryParse<OfferDocument>(unverified);
        var key = Decode(document?.Vendor?.SignKey, 32);
        if (document is null || key is null || Verify(signedDocument, OfferLabel, key, IntentRules.MaxOfferBytes) is null)
        {
            return null;
        }

        if (document.IntentId != intent.Id || document.IntentKey != intent.Keys.Sign
            || (expectedVendorKey is not null && document.Vendor.SignKey != expectedVendorKey))
        {
            return null;
        }

        return document;
    }

    /// <summary>Checks an acceptance signed by the intent's key (<paramref name="intentSignKey"/>, base64url) and returns it, or null.</summary>
    public static AcceptanceDocument? VerifyAcceptance(SignedDocument? signedDocument, string intentSignKey)
    {
        var key = Decode(intentSignKey, 32);
        var payload = key is null ? null : Verify(signedDocument, AcceptanceLabel, key, IntentRules.MaxOfferBytes);
        return payload is null ? null : TryParse<AcceptanceDocument>(payload);
    }

    /// <summary>Parses protocol JSON, or null when it is not a valid document of that type.</summary>
    public static T? TryParse<T>(ReadOnlySpan<byte> json)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Seals bytes to an X25519 public key (base64url) under a context (the intent id).</summary>
    public static SealedEnvelope Seal(ReadOnlySpan<byte> plaintext, string recipientBoxKey, string context)
    {
        var recipientRaw = Decode(recipientBoxKey, 32) ?? throw new ArgumentException("Not an X25519 public key.", nameof(recipientBoxKey));
        var recipient = PublicKey.Import(KeyAgreementAlgorithm.X25519, recipientRaw, KeyBlobFormat.RawPublicKey);
        using var ephemeral = Key.Create(KeyAgreementAlgorithm.X25519);
        var ephemeralPublic = ephemeral.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        using var shared = KeyAgreementAlgorithm.X25519.Agree(ephemeral, recipient)
            ?? throw new CryptographicException("The recipient key is not usable.");
        using var key = DeriveKey(shared, ephemeralPublic, recipientRaw, context);
        var nonce = RandomNumberGenerator.GetBytes(AeadAlgorithm.ChaCha20Poly1305.NonceSize);
        var ciphertext = AeadAlgorithm.ChaCha20Poly1305.Encrypt(key, nonce, Encoding.UTF8.GetBytes(context), plaintext);
        return new SealedEnvelope(Encode(ephemeralPublic), Encode(nonce), Encode(ciphertext));
    }

    /// <summary>Opens an envelope with the recipient's X25519 private key, or returns null when it was not sealed to it under this context or was changed.</summary>
    public static byte[]? Open(SealedEnvelope? envelope, Key recipient, string context, int maxBytes = IntentRules.MaxOfferBytes)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var ephemeralRaw = Decode(envelope?.EphemeralKey, 32);
        var nonce = Decode(envelope?.Nonce, 12);
        var ciphertext = Decode(envelope?.Ciphertext, maxBytes);
        if (ephemeralRaw is null || ephemeralRaw.Length != 32 || nonce is null || nonce.Length != 12 || ciphertext is null)
        {
            return null;
        }

        if (!PublicKey.TryImport(KeyAgreementAlgorithm.X25519, ephemeralRaw, KeyBlobFormat.RawPublicKey, out var ephemeral) || ephemeral is null)
        {
            return null;
        }

        using var shared = KeyAgreementAlgorithm.X25519.Agree(recipient, ephemeral);
        if (shared is null)
        {
            return null;
        }

        using var key = DeriveKey(shared, ephemeralRaw, recipient.PublicKey.Export(KeyBlobFormat.RawPublicKey), context);
        if (ciphertext.Length < AeadAlgorithm.ChaCha20Poly1305.TagSize)
        {
            return null;
        }

        var plaintext = new byte[ciphertext.Length - AeadAlgorithm.ChaCha20Poly1305.TagSize];
        return AeadAlgorithm.ChaCha20Poly1305.Decrypt(key, nonce, Encoding.UTF8.GetBytes(context), ciphertext, plaintext) ? plaintext : null;
    }

    /// <summary>Signs a signed document's JSON and seals it: how an offer or an acceptance travels.</summary>
    public static SealedEnvelope SignAndSeal<T>(T document, Key signKey, string label, string recipientBoxKey, string context) =>
        Seal(JsonSerializer.SerializeToUtf8Bytes(Sign(document, signKey, label), JsonOptions), recipientBoxKey, context);

    /// <summary>Opens an envelope holding a <see cref="SignedDocument"/> (the signature is not checked here).</summary>
    public static SignedDocument? OpenSigned(SealedEnvelope? envelope, Key recipient, string context)
    {
        var bytes = Open(envelope, recipient, context);
        return bytes is null ? null : TryParse<SignedDocument>(bytes);
    }

    /// <summary>
    /// The <c>Authorization</c> value of a request the intent's holder makes at an exchange:
    /// <c>Intent t=&lt;unix seconds&gt;,sig=&lt;base64url&gt;</c>, the Ed25519 signature over the request label, the method,
    /// the path and query, the time and the body's SHA-256, one per line.
    /// </summary>
    public static string SignRequest(Key intentSignKey, string method, string pathAndQuery, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var time = now.ToUnixTimeSeconds();
        var signature = SignatureAlgorithm.Ed25519.Sign(intentSignKey, RequestBytes(method, pathAndQuery, time, body));
        return string.Create(CultureInfo.InvariantCulture, $"Intent t={time},sig={Encode(signature)}");
    }

    /// <summary>Checks <see cref="SignRequest"/>'s header against the intent's signing key (base64url) and the clock.</summary>
    public static bool VerifyRequest(string? authorization, string intentSignKey, string method, string pathAndQuery, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (authorization is null || !authorization.StartsWith("Intent ", StringComparison.Ordinal) || authorization.Length > 200)
        {
            return false;
        }

        long? time = null;
        byte[]? signature = null;
        foreach (var part in authorization[7..].Split(','))
        {
            var pair = part.Trim();
            if (pair.StartsWith("t=", StringComparison.Ordinal) && long.TryParse(pair[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                time = t;
            }
            else if (pair.StartsWith("sig=", StringComparison.Ordinal))
            {
                signature = Decode(pair[4..], 64);
            }
        }

        var key = Decode(intentSignKey, 32);
        if (time is null || signature is null || signature.Length != 64 || key is null
            || Math.Abs(now.ToUnixTimeSeconds() - time.Value) > (long)RequestClockSkew.TotalSeconds
            || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, key, KeyBlobFormat.RawPublicKey, out var publicKey) || publicKey is null)
        {
            return false;
        }

        return SignatureAlgorithm.Ed25519.Verify(publicKey, RequestBytes(method, pathAndQuery, time.Value, body), signature);
    }

    /// <summary>A blocklist entry: the first 16 bytes of HMAC-SHA256 under the salt of the vendor's raw Ed25519 key (base64url).</summary>
    public static string BlocklistEntry(ReadOnlySpan<byte> salt, string vendorSignKey)
    {
        var raw = Decode(vendorSignKey, 32) ?? throw new ArgumentException("Not an Ed25519 public key.", nameof(vendorSignKey));
        return Encode(HMACSHA256.HashData(salt, raw).AsSpan(0, 16));
    }

    /// <summary>A blocklist with a fresh salt for one intent.</summary>
    public static IntentBlocklist CreateBlocklist(IEnumerable<string> vendorSignKeys)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return new IntentBlocklist(Encode(salt), [.. vendorSignKeys.Distinct(StringComparer.Ordinal).Select(k => BlocklistEntry(salt, k))]);
    }

    /// <summary>True when the vendor's key is on the list.</summary>
    public static bool IsBlocked(IntentBlocklist? blocklist, string vendorSignKey)
    {
        var salt = Decode(blocklist?.Salt, 64);
        if (blocklist is null || salt is null || Decode(vendorSignKey, 32) is null)
        {
            return false;
        }

        var entry = BlocklistEntry(salt, vendorSignKey);
        return blocklist.Entries.Any(e => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(e), Encoding.ASCII.GetBytes(entry)));
    }

    /// <summary>A new random id with a prefix: the prefix and 22 base64url characters (128 bits).</summary>
    public static string NewId(string prefix) => prefix + Encode(RandomNumberGenerator.GetBytes(16));

    private static byte[] RequestBytes(string method, string pathAndQuery, long time, ReadOnlySpan<byte> body) =>
        Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"{RequestLabel}\n{method.ToUpperInvariant()}\n{pathAndQuery}\n{time}\n{Convert.ToHexStringLower(SHA256.HashData(body))}"));

    private static byte[] Labelled(string label, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[label.Length + 1 + payload.Length];
        Encoding.ASCII.GetBytes(label, bytes);
        bytes[label.Length] = (byte)'\n';
        payload.CopyTo(bytes.AsSpan(label.Length + 1));
        return bytes;
    }

    private static Key DeriveKey(SharedSecret shared, ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> recipientPublic, string context)
    {
        byte[] salt = [.. ephemeralPublic, .. recipientPublic];
        var info = Encoding.UTF8.GetBytes(SealLabel + "|" + context);
        return KeyDerivationAlgorithm.HkdfSha256.DeriveKey(shared, salt, info, AeadAlgorithm.ChaCha20Poly1305);
    }
}
