using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Symbolon.Core.Vaults;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Components;

/// <summary>
/// How interactive components reach the vault. A Blazor Server circuit lives for as long as the tab is open, so
/// components must not hold the scoped, DbContext-based services: each operation gets its own service scope,
/// the signed-in owner's vault id and, when it needs it, the vault's session from <see cref="IVaultSessions"/>.
/// </summary>
internal sealed class OwnerOperations(IServiceScopeFactory scopes, AuthenticationStateProvider authentication, IVaultSessions sessions, TimeProvider time)
{
    /// <summary>
    /// The signed-in owner's vault; <see cref="VaultLockedException"/> when the session has none, or when this
    /// browser's sign-in has ended since the page opened (the vault was locked, even if it was unlocked again since;
    /// the passphrase was changed elsewhere; the person signed this browser out): a live page is no way around that.
    /// </summary>
    public async Task<Guid> VaultIdAsync()
    {
        var user = await UserAsync();
        var vaultId = OwnerAuthentication.VaultIdOf(user) ?? throw new VaultLockedException();
        return SignInEnded(user, vaultId) ? throw new VaultLockedException() : vaultId;
    }

    /// <summary>The signed-in owner as the page's authentication state has them (for operations that need the caller).</summary>
    public async Task<ClaimsPrincipal> UserAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    public async Task<bool> IsUnlockedAsync()
    {
        var user = await UserAsync();
        var vaultId = OwnerAuthentication.VaultIdOf(user) ?? throw new VaultLockedException();
        return sessions.IsUnlocked(vaultId) && !SignInEnded(user, vaultId);
    }

    // Also notes the owner's activity: a live page in use keeps the vault from locking itself.
    private bool SignInEnded(ClaimsPrincipal user, Guid vaultId)
    {
        var session = sessions.Find(vaultId);
        if (OwnerAuthentication.SignInIdOf(user) is { } signIn && !(session is not null && OwnerSignIns.IsActive(session, signIn)))
        {
            return true;
        }

        session?.NoteOwnerActivity(time.GetUtcNow());
        return false;
    }

    /// <summary>Runs an operation that needs no key (access tokens, vault metadata) in its own scope.</summary>
    public async Task<T> RunAsync<T>(Func<IServiceProvider, Guid, Task<T>> operation)
    {
        var vaultId = await VaultIdAsync();
        await using var scope = scopes.CreateAsyncScope();
        return await operation(scope.ServiceProvider, vaultId);
    }

    public Task RunAsync(Func<IServiceProvider, Guid, Task> operation) =>
        RunAsync<bool>(async (services, vaultId) =>
        {
            await operation(services, vaultId);
            return true;
        });

    /// <summary>
    /// Runs an operation on the vault's session in its own scope; <see cref="VaultLockedException"/> when the
    /// vault is locked, also when it gets locked while the operation runs.
    /// </summary>
    public async Task<T> RunInSessionAsync<T>(Func<IServiceProvider, VaultSession, Task<T>> operation)
    {
        var vaultId = await VaultIdAsync();
        var session = sessions.Get(vaultId);
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            return await operation(scope.ServiceProvider, session);
        }
        catch (ObjectDisposedException) when (!session.IsUnlocked)
        {
            // Note: locking zeroes and disposes the keys, which an operation in flight notices this way.
            throw new VaultLockedException();
        }
    }

    public Task RunInSessionAsync(Func<IServiceProvider, VaultSession, Task> operation) =>
        RunInSessionAsync<bool>(async (services, session) =>
        {
            await operation(services, session);
            return true;
        });

    /// <summary>Runs an operation that only seals and opens (<see cref="RunInSessionAsync{T}"/> with the session's keys).</summary>
    public Task<T> RunWithKeysAsync<T>(Func<IServiceProvider, VaultKeys, Task<T>> operation) =>
        RunInSessionAsync((services, session) => operation(services, session.Keys));

    public Task RunWithKeysAsync(Func<IServiceProvider, VaultKeys, Task> operation) =>
        RunInSessionAsync((services, session) => operation(services, session.Keys));
}
