using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Inbox;
using Symbolon.Core.Storage;

namespace Symbolon.Server.Inbox;

/// <summary>
/// Keeps a vault's writes in arrival order around its sealed inbox: while items may be waiting (from before the unlock,
/// or queued while they are being applied), a new vendor write joins the queue rather than overtaking them; once the
/// applier has drained the inbox and no write is being queued, writes go live again. Per process and per vault; the
/// vault's public key, needed to seal, is kept here too (it is not secret).
/// </summary>
internal sealed class InboxGate
{
    private readonly ConcurrentDictionary<Guid, VaultGate> _vaults = new();

    /// <summary>Whether a vendor write to this unlocked vault must be queued (items may be waiting). Asks the database once per vault.</summary>
    public async ValueTask<bool> MustQueueAsync(Guid vaultId, IServiceProvider services, CancellationToken ct)
    {
        var gate = _vaults.GetOrAdd(vaultId, _ => new VaultGate());
        if (gate.Known)
        {
            return gate.Pending;
        }

        var pending = await services.GetRequiredService<SealedInbox>().HasPendingAsync(vaultId, ct);
        lock (gate)
        {
            if (!gate.Known)
            {
                gate.Known = true;
                gate.Pending |= pending;
            }

            return gate.Pending;
        }
    }

    /// <summary>A write is being queued: until <see cref="EndQueue"/>, the applier does not call the inbox drained.</summary>
    public void BeginQueue(Guid vaultId)
    {
        var gate = _vaults.GetOrAdd(vaultId, _ => new VaultGate());
        lock (gate)
        {
            gate.Pending = true;
            gate.InFlight++;
        }
    }

    public void EndQueue(Guid vaultId)
    {
        var gate = _vaults.GetOrAdd(vaultId, _ => new VaultGate());
        lock (gate)
        {
            gate.InFlight--;
            gate.Version++;
        }
    }

    /// <summary>The number of writes queued so far, read before the applier looks for pending items.</summary>
    public long Version(Guid vaultId)
    {
        var gate = _vaults.GetOrAdd(vaultId, _ => new VaultGate());
        lock (gate)
        {
            return gate.Version;
        }
    }

    /// <summary>
    /// The applier found nothing pending after reading <paramref name="version"/>: when no write was queued since and
    /// none is being queued, writes go live again (true); otherwise the applier looks again.
    /// </summary>
    public bool TryFinish(Guid vaultId, long version)
    {
        var gate = _vaults.GetOrAdd(vaultId, _ => new VaultGate());
        lock (gate)
        {
            if (gate.InFlight != 0 || gate.Version != version)
            {
                return false;
            }

            gate.Known = true;
            gate.Pending = false;
            return true;
        }
    }

    /// <summary>
    /// What the vault's pending items take, from this vendor and in all, for the quotas: read from the database once
    /// per vault, then kept as items are queued (<see cref="Added"/>) and settled (<see cref="Settled"/>), so that a
    /// write does not sum the whole inbox.
    /// </summary>
    public async ValueTask<(int VendorCount, long VendorBytes, int Count, long Bytes)> UsageAsync(Guid vaultId, Guid relationshipId, SealedInbox inbox, CancellationToken ct)
    {
        var gate = _vaults.GetOrAdd(vaultId, _ => new VaultGate());
        if (gate.Usage is null)
        {
            var loaded = await inbox.PendingUsageAsync(vaultId, ct);
            lock (gate)
            {
                gate.Usage ??= loaded;
            }
        }

        lock (gate)
        {
            var vendor = gate.Usage.GetValueOrDefault(relationshipId);
            return (vendor.Count, vendor.Bytes, gate.Usage.Values.Sum(u => u.Count), gate.Usage.Values.Sum(u => u.Bytes));
        }
    }

    /// <summary>An item was queued.</summary>
    public void Added(InboxItemEntity item) => Change(item, +1);

    /// <summary>An item was applied, refused or found unopenable: it no longer counts against the quotas.</summary>
    public void Settled(InboxItemEntity item) => Change(item, -1);

    private void Change(InboxItemEntity item, int sign)
    {
        if (!_vaults.TryGetValue(item.VaultId, out var gate))
        {
            return;
        }

        lock (gate)
        {
            if (gate.Usage is { } usage)
            {
                var (count, bytes) = usage.GetValueOrDefault(item.RelationshipId);
                usage[item.RelationshipId] = (Math.Max(0, count + sign), Math.Max(0, bytes + (sign * item.Size)));
            }
        }
    }

    /// <summary>Only one applier per vault at a time.</summary>
    public SemaphoreSlim Applying(Guid vaultId) => _vaults.GetOrAdd(vaultId, _ => new VaultGate()).Applying;

    /// <summary>The vault's X25519 public key, which writes are sealed to.</summary>
    public async ValueTask<byte[]> PublicKeyAsync(Guid vaultId, SymbolonDbContext db, CancellationToken ct)
    {
        var gate = _vaults.GetOrAdd(vaultId, _ => new VaultGate());
        return gate.PublicKey ??= await db.Vaults.AsNoTracking().Where(v => v.Id == vaultId).Select(v => v.AgreementPublicKey).SingleAsync(ct);
    }

    private sealed class VaultGate
    {
        public bool Known { get; set; }
        public bool Pending { get; set; }
        public int InFlight { get; set; }
        public long Version { get; set; }
        public byte[]? PublicKey { get; set; }

        // Pending items per vendor: how many, and their sealed bytes.
        public Dictionary<Guid, (int Count, long Bytes)>? Usage { get; set; }
        public SemaphoreSlim Applying { get; } = new(1, 1);
    }
}
