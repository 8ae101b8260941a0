namespace Symbolon.Core.Webhooks;

/// <summary>
/// Keeps webhook secrets unreadable at rest but readable without the vault's key, so that the outbox can sign while
/// the vault is locked. The server implements it with ASP.NET Core Data Protection (keys in the data directory).
/// </summary>
internal interface IWebhookSecretProtector
{
    string Protect(string secret);

    /// <summary>The secret; throws <see cref="System.Security.Cryptography.CryptographicException"/> when the keys that protected it are gone.</summary>
    string Unprotect(string protectedSecret);
}
