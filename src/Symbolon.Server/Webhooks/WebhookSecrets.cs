using System.Collections.Concurrent;
using Microsoft.AspNetCore.DataProtection;
using Symbolon.Core.Webhooks;

namespace Symbolon.Server.Webhooks;

/// <summary>
/// Webhook secrets at rest, protected with the host's data-protection keys (the data directory's <c>keys/</c>), not
/// with the vault's key, so that the outbox signs while the vault is locked. Registration uses
/// <see cref="Create"/> and shows the secret to the vendor once.
/// </summary>
internal sealed class WebhookSecrets(IDataProtectionProvider provider) : IWebhookSecretProtector
{
    private const int MaxCached = 100_000;
    private readonly IDataProtector _protector = provider.CreateProtector("Symbolon.Webhooks.Secret.v1");

    // Note: a fan-out to thousands of vendors would otherwise unprotect every secret again on each delivery round;
    // the server can read them at any time anyway, so keeping them in memory exposes nothing new.
    private readonly ConcurrentDictionary<string, string> _unprotected = new(StringComparer.Ordinal);

    /// <summary>A new secret, and the protected form to store.</summary>
    public (string Secret, string Protected) Create()
    {
        var secret = StandardWebhookSigner.NewSecret();
        return (secret, Protect(secret));
    }

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret)
    {
        if (_unprotected.TryGetValue(protectedSecret, out var secret))
        {
            return secret;
        }

        secret = _protector.Unprotect(protectedSecret);
        if (_unprotected.Count >= MaxCached)
        {
            _unprotected.Clear();
        }

        _unprotected[protectedSecret] = secret;
        return secret;
    }
}
