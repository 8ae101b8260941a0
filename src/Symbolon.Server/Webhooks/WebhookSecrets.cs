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
    private readonly IDataProtector _protector = provider.CreateProtector("Symbolon.Webhooks.Secret.v1");

    /// <summary>A new secret, and the protected form to store.</summary>
    public (string Secret, string Protected) Create()
    {
        var secret = StandardWebhookSigner.NewSecret();
        return (secret, Protect(secret));
    }

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
