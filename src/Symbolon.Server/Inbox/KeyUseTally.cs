using System.Collections.Concurrent;
using Symbolon.Core.Inbox;
using Symbolon.Core.Vaults;
using Symbolon.Server.Hosting;
using Symbolon.Server.Storage;

namespace Symbolon.Server.Inbox;

/// <summary>
/// Unattended mode: counts the vendor calls the server serves with a vault's key while no owner is signed in, per
/// vendor, in memory, and adds them to the vault's tally in the database every few seconds and before the person
/// reads it (<see cref="FlushAsync"/>), so that a burst of vendor reads does not become a burst of writes.
/// </summary>
internal sealed class KeyUseTally
{
    private ConcurrentDictionary<(Guid Vault, Guid Relationship), Counts> _counts = new();

    /// <summary>Counts one vendor call when the vault's session is unattended and nobody is signed in.</summary>
    public void Note(VaultSession? session, Guid relationshipId, bool write, DateTimeOffset now)
    {
        if (session is not { Unattended: true } || !session.IsUnlocked || OwnerSignIns.Of(session).Any)
        {
            return;
        }

        var counts = _counts.GetOrAdd((session.VaultId, relationshipId), _ => new Counts(now));
        counts.Add(write, now);
    }

    /// <summary>Writes what was counted since the last flush.</summary>
    public async Task FlushAsync(IServiceProvider services, CancellationToken ct)
    {
        if (_counts.IsEmpty)
        {
            return;
        }

        var taken = Interlocked.Exchange(ref _counts, new ConcurrentDictionary<(Guid, Guid), Counts>());
        var inbox = services.GetRequiredService<SealedInbox>();
        foreach (var ((vault, relationship), counts) in taken)
        {
            await inbox.CountKeyUsesAsync(vault, relationship, counts.Reads, counts.Writes, counts.First, counts.Last, ct);
        }
    }

    private sealed class Counts(DateTimeOffset first)
    {
        private int _reads;
        private int _writes;
        private long _lastTicks = first.UtcTicks;

        public DateTimeOffset First { get; } = first;

        public int Reads => Volatile.Read(ref _reads);

        public int Writes => Volatile.Read(ref _writes);

        public DateTimeOffset Last => new(Interlocked.Read(ref _lastTicks), TimeSpan.Zero);

        public void Add(bool write, DateTimeOffset now)
        {
            Interlocked.Increment(ref write ? ref _writes : ref _reads);
            for (var seen = Interlocked.Read(ref _lastTicks); now.UtcTicks > seen; seen = Interlocked.Read(ref _lastTicks))
            {
                if (Interlocked.CompareExchange(ref _lastTicks, now.UtcTicks, seen) == seen)
                {
                    return;
                }
            }
        }
    }
}

/// <summary>Writes the key-use tally every few seconds.</summary>
internal sealed class KeyUseTallyJob(IServiceScopeFactory scopes, StorageInitializer storage, TimeProvider time, KeyUseTally tally, ILogger<KeyUseTallyJob> logger)
    : PeriodicJob(scopes, storage, time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(5);

    protected override string Work => "Writing the unattended key-use tally";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => tally.FlushAsync(services, ct);
}
