namespace Symbolon.Client;

/// <summary>
/// What a vendor keeps after registering with a vault: its client credentials and the secret that signs the vault's
/// webhooks. Store it like a password; the vault shows the secrets only once.
/// </summary>
/// <param name="ClientId">The OAuth client id.</param>
/// <param name="ClientSecret">The OAuth client secret.</param>
/// <param name="WebhookSecret">The Standard Webhooks secret (<c>whsec_…</c>), or null when no webhook address was registered.</param>
public sealed record VendorCredentials(string ClientId, string ClientSecret, string? WebhookSecret = null);
