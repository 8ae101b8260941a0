using Microsoft.AspNetCore.Authentication;
using Symbolon.Core.AccessTokens;
using Symbolon.Core.Vaults;

namespace Symbolon.Server.Vault;

/// <summary>
/// The owner's sign-in is the vault unlock: these operations open (or create) the vault, keep its session in
/// <see cref="IVaultSessions"/> and, for a browser, issue the session cookie. Pages and the owner API both use them.
/// Web routes: <c>/setup</c> (create), <c>/unlock</c>, <c>/recover</c>, and a POST to <c>/lock</c>.
/// </summary>
internal sealed class OwnerSignIn(IVaultSessions sessions, AccessTokenService tokens)
{
    /// <summary>How long the token handed to the CLI on unlock lives.</summary>
    public static readonly TimeSpan CliSessionLifetime = TimeSpan.FromHours(12);

    public async Task<CreatedVault> CreateAsync(HttpContext? http, string passphrase, CancellationToken ct = default)
    {
        var (session, recoveryKey) = await sessions.UnlockAsync(new VaultCredential.NewVault(passphrase), ct);
        if (http is not null)
        {
            await SignInAsync(http, session.VaultId);
        }

        return new CreatedVault(session.VaultId, recoveryKey!, session.Keys);
    }

    public Task<Guid> UnlockAsync(HttpContext? http, string passphrase, CancellationToken ct = default) =>
        OpenAsync(http, new VaultCredential.Passphrase(passphrase), ct);

    public Task<Guid> RecoverAsync(HttpContext? http, string recoveryKey, string newPassphrase, CancellationToken ct = default) =>
        OpenAsync(http, new VaultCredential.RecoveryKey(recoveryKey, newPassphrase), ct);

    /// <summary>Locks the vault (for every session and token: its keys are zeroed) and ends this browser's session.</summary>
    public async Task LockAsync(HttpContext http, Guid vaultId)
    {
        await sessions.LockAsync(vaultId);
        await http.SignOutAsync(OwnerAuthentication.CookieScheme);
    }

    public Task<IssuedAccessToken> IssueCliTokenAsync(Guid vaultId, string name, CancellationToken ct = default) =>
        tokens.CreateAsync(vaultId, name, CliSessionLifetime, ct);

    private async Task<Guid> OpenAsync(HttpContext? http, VaultCredential credential, CancellationToken ct)
    {
        var unlocked = await sessions.UnlockAsync(credential, ct);
        if (http is not null)
        {
            await SignInAsync(http, unlocked.Session.VaultId);
        }

        return unlocked.Session.VaultId;
    }

    private static Task SignInAsync(HttpContext http, Guid vaultId) =>
        http.SignInAsync(
            OwnerAuthentication.CookieScheme,
            OwnerAuthentication.CreatePrincipal(vaultId, "passphrase", OwnerAuthentication.CookieScheme),
            new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
}
