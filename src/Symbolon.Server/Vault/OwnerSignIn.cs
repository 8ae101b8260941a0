using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Symbolon.Contracts.Vault;
using Symbolon.Core.AccessTokens;
using Symbolon.Core.Vaults;

namespace Symbolon.Server.Vault;

/// <summary>
/// The owner's sign-in is the vault unlock: these operations open (or create) the vault, keep its session in
/// <see cref="IVaultSessions"/> and, for a browser, issue the session cookie. Pages and the owner API both use them.
/// Web routes: <c>/setup</c> (create), <c>/unlock</c>, <c>/recover</c>, and a POST to <c>/lock</c>.
/// </summary>
internal sealed class OwnerSignIn(IVaultSessions sessions, AccessTokenService tokens, VaultService vaults, TimeProvider time)
{
    /// <summary>How long the token handed to the CLI on unlock lives.</summary>
    public static readonly TimeSpan CliSessionLifetime = TimeSpan.FromHours(12);

    public async Task<CreatedVault> CreateAsync(HttpContext? http, string passphrase, CancellationToken ct = default)
    {
        var (session, recoveryKey) = await sessions.UnlockAsync(new VaultCredential.NewVault(passphrase), ct);
        if (http is not null)
        {
            await SignInAsync(http, session);
        }

        return new CreatedVault(session.VaultId, recoveryKey!, session.Keys);
    }

    public Task<Guid> UnlockAsync(HttpContext? http, string passphrase, CancellationToken ct = default) =>
        OpenAsync(http, new VaultCredential.Passphrase(passphrase), ct);

    /// <summary>Opens the vault with its recovery key and a new passphrase; every browser signed in before is signed out.</summary>
    public Task<Guid> RecoverAsync(HttpContext? http, string recoveryKey, string newPassphrase, CancellationToken ct = default) =>
        OpenAsync(http, new VaultCredential.RecoveryKey(recoveryKey, newPassphrase), ct, endOthers: true);

    /// <summary>
    /// Locks the vault (for every session and token: its keys are zeroed) and ends this browser's session. Every other
    /// browser's sign-in ends with the vault's session: their cookies are refused from now on, also after the next unlock.
    /// </summary>
    public async Task LockAsync(HttpContext http, Guid vaultId)
    {
        await sessions.LockAsync(vaultId);
        await http.SignOutAsync(OwnerAuthentication.CookieScheme);
    }

    /// <summary>
    /// Changes the passphrase. Every browser but the caller's is signed out (whoever knew the old passphrase is not
    /// signed in through it any more); with <paramref name="revokeAccessTokens"/>, every personal access token is
    /// revoked too (the CLI's and scripts', the caller's own if it used one).
    /// </summary>
    public async Task ChangePassphraseAsync(ClaimsPrincipal caller, string currentPassphrase, string newPassphrase, bool revokeAccessTokens, CancellationToken ct = default)
    {
        await vaults.ChangePassphraseAsync(currentPassphrase, newPassphrase, ct);
        var vaultId = caller.VaultId();
        if (sessions.Find(vaultId) is { } session)
        {
            OwnerSignIns.Of(session).EndAllExcept(OwnerAuthentication.SignInIdOf(caller));
        }

        if (revokeAccessTokens)
        {
            await tokens.RevokeAllAsync(vaultId, ct);
        }
    }

    /// <summary>The browsers signed in to the caller's vault, the caller's marked.</summary>
    public IReadOnlyList<OwnerSignInSession> ListSignIns(ClaimsPrincipal caller)
    {
        var current = OwnerAuthentication.SignInIdOf(caller);
        return sessions.Find(caller.VaultId()) is { } session
            ? [.. OwnerSignIns.Of(session).List().Select(e => new OwnerSignInSession(e.Id, e.Client, e.SignedInAt, e.LastUsedAt, e.Id == current))]
            : [];
    }

    /// <summary>Ends one browser's sign-in of the caller's vault; false when it has none by that id.</summary>
    public bool EndSignIn(ClaimsPrincipal caller, Guid id) =>
        sessions.Find(caller.VaultId()) is { } session && OwnerSignIns.Of(session).End(id);

    /// <summary>Ends every browser's sign-in but the caller's; returns how many ended.</summary>
    public int EndOtherSignIns(ClaimsPrincipal caller) =>
        sessions.Find(caller.VaultId()) is { } session ? OwnerSignIns.Of(session).EndAllExcept(OwnerAuthentication.SignInIdOf(caller)) : 0;

    public Task<IssuedAccessToken> IssueCliTokenAsync(Guid vaultId, string name, CancellationToken ct = default) =>
        tokens.CreateAsync(vaultId, name, CliSessionLifetime, ct);

    private async Task<Guid> OpenAsync(HttpContext? http, VaultCredential credential, CancellationToken ct, bool endOthers = false)
    {
        var unlocked = await sessions.UnlockAsync(credential, ct);
        if (endOthers)
        {
            OwnerSignIns.Of(unlocked.Session).EndAllExcept(null);
        }

        if (http is not null)
        {
            await SignInAsync(http, unlocked.Session);
        }

        return unlocked.Session.VaultId;
    }

    // A cookie names a sign-in of the session it was issued in; it is honoured only while that sign-in is active.
    private Task SignInAsync(HttpContext http, VaultSession session)
    {
        var signIn = OwnerSignIns.Of(session).Start(ClientDescription.Of(http.Request.Headers.UserAgent.ToString()), time.GetUtcNow());
        return http.SignInAsync(
            OwnerAuthentication.CookieScheme,
            OwnerAuthentication.CreatePrincipal(session.VaultId, "passphrase", OwnerAuthentication.CookieScheme, signInId: signIn.Id),
            new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
    }
}
