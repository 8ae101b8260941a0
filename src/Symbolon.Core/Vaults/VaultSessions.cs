using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Symbolon.Core.Vaults;

/// <summary>How the person opens their vault: the passphrase, the recovery key (with a new passphrase), or a new vault.</summary>
internal abstract record VaultCredential
{
    private VaultCredential()
    {
    }

    public sealed record Passphrase(string Value) : VaultCredential;

    public sealed record RecoveryKey(string Key, string NewPassphrase) : VaultCredential;

    /// <summary>Creates the vault (the data store holds none yet) and opens it.</summary>
    public sealed record NewVault(string NewPassphrase) : VaultCredential;

    /// <summary>Unattended mode: the server opens the vault with the host key when it starts, with nobody there.</summary>
    public sealed record HostKey(byte[] Key) : VaultCredential;
}

/// <summary>An unlocked vault's session and, for a new vault, the recovery key shown to the person once.</summary>
internal sealed record UnlockedVault(VaultSession Session, string? RecoveryKey);

/// <summary>
/// The unlocked vaults. Self-hosting uses the in-process <see cref="VaultSessions"/>; a later Orleans grain per vault
/// implements the same contract, which is why it names no ASP.NET type and hands out sessions only by vault id.
/// </summary>
internal interface IVaultSessions
{
    /// <summary>Opens the vault and keeps its session until it is locked; a session already open for it is locked first.</summary>
    Task<UnlockedVault> UnlockAsync(VaultCredential credential, CancellationToken ct = default);

    /// <summary>The vault's session, or null while it is locked.</summary>
    VaultSession? Find(Guid vaultId);

    /// <summary>The sessions of the vaults unlocked now.</summary>
    IReadOnlyList<VaultSession> Unlocked { get; }

    /// <summary>Locks the vault: its session and everything the session owns are disposed. False if it was not unlocked.</summary>
    Task<bool> LockAsync(Guid vaultId);
}

/// <summary>Work a feature starts when a vault unlocks (warming its projection, say); it runs off the unlocking request.</summary>
internal interface IVaultSessionModule
{
    Task OnUnlockedAsync(VaultSession session, IServiceProvider services, CancellationToken ct);
}

/// <summary>How this process keeps its vault sessions.</summary>
internal sealed record VaultSessionOptions
{
    /// <summary>
    /// Whether an unlock starts the feature modules' work (<see cref="IVaultSessionModule"/>) in the background. A
    /// server does, so that the first request finds the data ready. A CLI command does one thing and ends: work for
    /// requests that never come would only compete with it, so the CLI turns it off.
    /// </summary>
    public bool StartModulesOnUnlock { get; init; } = true;
}

internal static class VaultSessionsExtensions
{
    /// <summary>The vault's session; <see cref="VaultLockedException"/> (423) while it is locked.</summary>
    public static VaultSession Get(this IVaultSessions sessions, Guid vaultId) => sessions.Find(vaultId) ?? throw new VaultLockedException();

    public static bool IsUnlocked(this IVaultSessions sessions, Guid vaultId) => sessions.Find(vaultId) is not null;
}

/// <summary>The sessions of the vaults unlocked in this process, in memory only.</summary>
#pragma warning disable CA1001 // See DisposeAsync: the closing token's source is cancelled, never disposed.
internal sealed partial class VaultSessions(IServiceScopeFactory scopes, TimeProvider time, VaultSessionOptions options, ILogger<VaultSessions> logger) : IVaultSessions, IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, VaultSession> _sessions = new();
    private readonly CancellationTokenSource _closing = new();
#pragma warning restore CA1001

    public async Task<UnlockedVault> UnlockAsync(VaultCredential credential, CancellationToken ct = default)
    {
        VaultKeys keys;
        string? recoveryKey = null;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var vaults = scope.ServiceProvider.GetRequiredService<VaultService>();
            switch (credential)
            {
                case VaultCredential.Passphrase passphrase:
                    keys = await vaults.UnlockAsync(passphrase.Value, ct);
                    break;
                case VaultCredential.RecoveryKey recovery:
                    keys = await vaults.RecoverAsync(recovery.Key, recovery.NewPassphrase, ct);
                    break;
                case VaultCredential.NewVault created:
                    var vault = await vaults.CreateAsync(created.NewPassphrase, ct);
                    (keys, recoveryKey) = (vault.Keys, vault.RecoveryKey);
                    break;
                case VaultCredential.HostKey host:
                    keys = await vaults.UnlockWithHostKeyAsync(host.Key, ct) ?? throw new InvalidOperationException("The vault is in strict mode: the host key does not open it.");
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(credential));
            }
        }

        var session = Open(keys, unattended: credential is VaultCredential.HostKey);
        return new UnlockedVault(session, recoveryKey);
    }

    /// <summary>Keeps a session for keys opened elsewhere (the CLI's session file, tests) and starts the feature modules' unlock work.</summary>
    public VaultSession Open(VaultKeys keys, bool unattended = false)
    {
        var session = new VaultSession(keys, time.GetUtcNow(), unattended);

        // An unlock while the vault is open (a second browser) replaces its session; the browsers signed in to the
        // one it replaces stay signed in (their sign-ins are carried over before the new session is seen). Only a
        // lock ends them.
        if (Find(keys.VaultId) is { } open && open.HasState<OwnerSignIns>())
        {
            var signIns = OwnerSignIns.Of(open);
            session.State(_ => signIns);
        }

        VaultSession? previous = null;
        _sessions.AddOrUpdate(keys.VaultId, session, (_, old) =>
        {
            previous = old;
            return session;
        });

        // Note: requests may still hold the previous session for a moment; once it is disposed they fail as locked
        // and the caller retries with the new one.
        if (previous is not null && !ReferenceEquals(previous, session))
        {
            previous.Close();
        }

        if (options.StartModulesOnUnlock)
        {
            _ = Task.Run(() => StartModulesAsync(session));
        }

        return session;
    }

    public VaultSession? Find(Guid vaultId) => _sessions.TryGetValue(vaultId, out var session) ? session : null;

    public IReadOnlyList<VaultSession> Unlocked => [.. _sessions.Values];

    public async Task<bool> LockAsync(Guid vaultId)
    {
        if (!_sessions.TryRemove(vaultId, out var session))
        {
            return false;
        }

        await session.CloseAsync();
        LogLocked(vaultId);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        // Note: the container may dispose this twice (it is registered as itself and as IVaultSessions); the source is
        // cancelled, never disposed, so modules still starting see a cancelled token rather than a disposed one.
        await _closing.CancelAsync();
        foreach (var id in _sessions.Keys)
        {
            await LockAsync(id);
        }
    }

    private async Task StartModulesAsync(VaultSession session)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            foreach (var module in scope.ServiceProvider.GetServices<IVaultSessionModule>())
            {
                await module.OnUnlockedAsync(session, scope.ServiceProvider, _closing.Token);
            }
        }
        catch (Exception e) when (e is VaultLockedException or ObjectDisposedException or OperationCanceledException)
        {
            // Locked again (or shutting down) before the work was done; the next unlock (or request) does it.
        }
#pragma warning disable CA1031 // Warming up must not crash the process; the first request that needs the data loads it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogModuleFailed(e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Vault {VaultId} locked: its session and everything it held are gone.")]
    private partial void LogLocked(Guid vaultId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work started on unlock failed ({Error}); it is done on the next request.")]
    private partial void LogModuleFailed(string error);
}
