using Microsoft.AspNetCore.Authentication;
using Symbolon.Core.AccessTokens;
using Symbolon.Core.Vaults;

namespace Symbolon.Server.Vault;

/// <summary>
/// The owner's sign-in is the vault unlock: these operations open (or create) the vault, keep its keys in the
/// <see cref="VaultKeyRing"/> and, for a browser, issue the session cookie. Pages and the owner API both use them.
/// Web routes: <c>/setup</c> (create), <c>/unlock</c>, <c>/recover</c>, and a POST to <c>/lock</c>.
/// </summary>
internal sealed class OwnerSignIn(VaultService vaults, VaultKeyRing ring, AccessTokenService tokens)
{
    /// <summary>How long the token handed to the CLI on unlock lives.</summary>
    public static readonly TimeSpan CliSessionLifetime = TimeSpan.FromHours(12);

    public async Task<CreatedVault> CreateAsync(HttpContext? http, string passphrase, CancellationToken ct = default)
    {
        var created = await vaults.CreateAsync(passphrase, ct);
        ring.Put(created.Keys);
        if (http is not null)
        {
            await SignInAsync(http, created.VaultId);
        }

        return created;
    }

    public async Task<Guid> UnlockAsync(HttpContext? http, string passphrase, CancellationToken ct = default)
    {
        var keys = await vaults.UnlockAsync(passphrase, ct);
        ring.Put(keys);
        if (http is not null)
        {
            await SignInAsync(http, keys.VaultId);
        }

        return keys.VaultId;
    }

    public async Task<Guid> RecoverAsync(HttpContext? http, string recoveryKey, string newPassphrase, CancellationToken ct = default)
    {
        var keys = await vaults.RecoverAsync(recoveryKey, newPassphrase, ct);
        ring.Put(keys);
        if (http is not null)
        {
            await SignInAsync(http, keys.VaultId);
        }

        return keys.VaultId;
    }

    /// <summary>Forgets the vault's keys (for every session and token) and ends this browser's session.</summary>
    public async Task LockAsync(HttpContext http, Guid vaultId)
    {
        ring.Lock(vaultId);
        await http.SignOutAsync(OwnerAuthentication.CookieScheme);
    }

    public Task<IssuedAccessToken> IssueCliTokenAsync(Guid vaultId, string name, CancellationToken ct = default) =>
        tokens.CreateAsync(vaultId, name, CliSessionLifetime, ct);

    private static Task SignInAsync(HttpContext http, Guid vaultId) =>
        http.SignInAsync(
            OwnerAuthentication.CookieScheme,
            OwnerAuthentication.CreatePrincipal(vaultId, "passphrase", OwnerAuthentication.CookieScheme),
            new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
}
