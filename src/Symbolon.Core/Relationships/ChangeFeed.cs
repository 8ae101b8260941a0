using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;

namespace Symbolon.Core.Relationships;

/// <summary>
/// Reads the vault's change log for one vendor: only the record types it may read (and, of notes, receipts and
/// loyalty events, only its own),
/// after a sequence, oldest first. Sequences of one vault become visible in order (see
/// <c>RecordStore.SaveInVaultOrderAsync</c>), so a cursor never skips a change that commits later.
/// </summary>
internal sealed class ChangeFeed(SymbolonDbContext db)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public async Task<(IReadOnlyList<ChangeLogEntity> Changes, bool HasMore)> ReadAsync(
        Guid vaultId, IReadOnlyCollection<string> profileRecordTypes, IReadOnlyCollection<string> ownRecordTypes, string ownerClientId, long after, int limit, CancellationToken ct = default)
    {
        var types = profileRecordTypes.ToList();
        var own = ownRecordTypes.ToList();
        var rows = await db.ChangeLog.AsNoTracking()
            .Where(c => c.VaultId == vaultId && c.Sequence > after)
            .Where(c => types.Contains(c.RecordType)
                || (own.Contains(c.RecordType) && c.ActorKind == Actor.VendorKind && c.ActorId == ownerClientId))
            .OrderBy(c => c.Sequence)
            .Take(limit + 1)
            .ToListAsync(ct);
        return rows.Count > limit ? (rows[..limit], true) : (rows, false);
    }
}
