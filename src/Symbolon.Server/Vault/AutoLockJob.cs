using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Server.Hosting;
using Symbolon.Server.Storage;

namespace Symbolon.Server.Vault;

/// <summary>
/// Locks every vault whose owner has been away longer than the idle time they chose (<see cref="AutoLock"/>): checked
/// every <see cref="CheckInterval"/>, so a vault locks at most that much after its time. The server's stop locks
/// every vault as well (<see cref="VaultSessions"/> is disposed with the host).
/// </summary>
internal sealed partial class AutoLockJob(IServiceScopeFactory scopes, StorageInitializer storage, TimeProvider time, IVaultSessions sessions, AutoLockOptions options, ILogger<AutoLockJob> logger)
    : PeriodicJob(scopes, storage, time, logger)
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(30);

    protected override TimeSpan Interval => CheckInterval;

    protected override string Work => "Locking idle vaults";

    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var open = sessions.Unlocked;
        if (open.Count == 0)
        {
            return;
        }

        var ids = open.Select(s => s.VaultId).ToList();
        var limits = await services.GetRequiredService<SymbolonDbContext>().Vaults.AsNoTracking()
            .Where(v => ids.Contains(v.Id))
            .Select(v => new { v.Id, v.AutoLockMinutes })
            .ToDictionaryAsync(v => v.Id, v => AutoLock.IdleLimit(v.AutoLockMinutes, options), ct);
        var now = Time.GetUtcNow();
        foreach (var session in open)
        {
            if (limits.GetValueOrDefault(session.VaultId) is not { } limit || now - session.LastOwnerActivity < limit)
            {
                continue;
            }

            // Unattended mode keeps the vault serving vendors; the idle owner's browsers are signed out instead.
            if (session.Unattended)
            {
                if (OwnerSignIns.Of(session).Any && OwnerSignIns.Of(session).EndAllExcept(null) is var ended and > 0)
                {
                    LogSignedOut(Logger, session.VaultId, ended, (int)limit.TotalMinutes);
                }

                continue;
            }

            if (ReferenceEquals(sessions.Find(session.VaultId), session) && await sessions.LockAsync(session.VaultId))
            {
                LogLocked(Logger, session.VaultId, (int)limit.TotalMinutes);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Vault {VaultId} (unattended) signed out {Count} browsers after {Minutes} min without its owner; it stays unlocked for vendors.")]
    private static partial void LogSignedOut(ILogger logger, Guid vaultId, int count, int minutes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vault {VaultId} locked itself after {Minutes} min without its owner.")]
    private static partial void LogLocked(ILogger logger, Guid vaultId, int minutes);
}
