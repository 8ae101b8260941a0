using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;

namespace Symbolon.Core.Webhooks;

/// <summary>Messages one fan-out step would add, and where it would move the vault's outbox cursor.</summary>
internal sealed record FanOutBatch(
    Guid VaultId,
    long? CursorBefore,
    long CursorAfter,
    int Changes,
    IReadOnlyList<WebhookMessageEntity> Messages,
    bool More,
    DateTimeOffset? RetryAt);

/// <summary>What one fan-out step did.</summary>
/// <param name="Changes">Change-log entries consumed (of every vault; see <see cref="WebhookOutbox"/>).</param>
/// <param name="Messages">Webhook messages added.</param>
/// <param name="More">True when another batch is ready now.</param>
/// <param name="RetryAt">When a gap in the change log that held the cursor back is old enough to pass.</param>
internal sealed record FanOutResult(int Changes, int Messages, bool More, DateTimeOffset? RetryAt);

/// <summary>
/// The durable outbox: turns the vault's change log into webhook messages, one per relationship and batch, and
/// enqueues <c>grant.revoked</c> with the revocation. Messages carry datatypes, pairwise field ids and cursors, never
/// values. <see cref="WebhookDelivery"/> sends them.
/// </summary>
/// <remarks>
/// The cursor moves in the same transaction that adds the messages, with a compare-and-set on its old value, so a
/// crash repeats a batch at worst (and then the first attempt's messages were never committed), and two servers on one
/// database never both fan out the same batch.
/// </remarks>
internal static class WebhookOutbox
{
    public const int BatchSize = 500;

    /// <summary>
    /// How long a gap in the change-log sequence may hold the cursor back. PostgreSQL hands out sequence numbers
    /// before commit, so a lower number can become visible after a higher one; a gap is a transaction still running
    /// (wait for it) or one rolled back or purged (never filled). A write commits in well under this.
    /// </summary>
    public static readonly TimeSpan GapSettleTime = TimeSpan.FromSeconds(30);

    private static readonly FrozenSet<string> ProfileDatatypes = ProfileFieldKinds.All.Select(ProfileService.RecordType).ToFrozenSet(StringComparer.Ordinal);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    /// <summary>Fans out the next batch of the change log for one vault and commits it.</summary>
    public static async Task<FanOutResult> FanOutAsync(SymbolonDbContext db, Guid vaultId, DateTimeOffset now, CancellationToken ct = default)
    {
        var batch = await PrepareAsync(db, vaultId, now, ct);
        if (batch.Changes == 0 || !await CommitAsync(db, batch, ct))
        {
            return new FanOutResult(0, 0, false, batch.RetryAt);
        }

        return new FanOutResult(batch.Changes, batch.Messages.Count, batch.More, batch.RetryAt);
    }

    /// <summary>Reads the next batch and builds its messages; writes nothing.</summary>
    public static async Task<FanOutBatch> PrepareAsync(SymbolonDbContext db, Guid vaultId, DateTimeOffset now, CancellationToken ct = default)
    {
        var cursor = await db.OutboxCursors.AsNoTracking()
            .Where(c => c.VaultId == vaultId)
            .Select(c => (long?)c.LastSequence)
            .SingleOrDefaultAsync(ct);
        var after = cursor ?? 0;

        // Note: the sequence is shared by every vault, so gaps are judged on the whole log; this vault's entries are
        // picked out of the settled part afterwards.
        var rows = await db.ChangeLog.AsNoTracking()
            .Where(c => c.Sequence > after)
            .OrderBy(c => c.Sequence)
            .Take(BatchSize)
            .ToListAsync(ct);
        var settled = SettledCount(rows, after, now, GapsMayFill(db), out var retryAt);
        if (settled == 0)
        {
            return new FanOutBatch(vaultId, cursor, after, 0, [], false, retryAt);
        }

        var changes = rows.Take(settled).Where(c => c.VaultId == vaultId && ProfileDatatypes.Contains(c.RecordType)).ToList();
        var messages = changes.Count == 0 ? [] : await BuildProfileUpdatesAsync(db, vaultId, changes, now, ct);
        var more = settled == rows.Count && rows.Count == BatchSize;
        return new FanOutBatch(vaultId, cursor, rows[settled - 1].Sequence, settled, messages, more, retryAt);
    }

    /// <summary>
    /// Adds the batch's messages and moves the cursor, in one transaction. False when another fan-out moved the
    /// cursor first; then nothing is written.
    /// </summary>
    public static async Task<bool> CommitAsync(SymbolonDbContext db, FanOutBatch batch, CancellationToken ct = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            if (batch.CursorBefore is { } before)
            {
                var moved = await db.OutboxCursors
                    .Where(c => c.VaultId == batch.VaultId && c.LastSequence == before)
                    .ExecuteUpdateAsync(set => set.SetProperty(c => c.LastSequence, batch.CursorAfter), ct);
                if (moved == 0)
                {
                    await transaction.RollbackAsync(ct);
                    return false;
                }
            }
            else
            {
                db.OutboxCursors.Add(new OutboxCursorEntity { VaultId = batch.VaultId, LastSequence = batch.CursorAfter });
            }

            db.WebhookMessages.AddRange(batch.Messages);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return true;
        }
        catch (DbUpdateException) when (batch.CursorBefore is null)
        {
            // Another fan-out created the vault's cursor first.
            await transaction.RollbackAsync(CancellationToken.None);
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// Adds a <c>grant.revoked</c> message to the context without saving, so that the revocation and its event commit
    /// together. <paramref name="grantId"/> is the grant as the vendor knows it. Returns null when the vendor
    /// registered no webhook URL.
    /// </summary>
    public static WebhookMessageEntity? EnqueueGrantRevoked(SymbolonDbContext db, RelationshipEntity relationship, string grantId, bool relationshipEnded, DateTimeOffset now)
    {
        if (relationship.WebhookUri is null)
        {
            return null;
        }

        var message = NewMessage(relationship.VaultId, relationship.Id, WebhookEventTypes.GrantRevoked, now, new GrantRevokedData(relationship.Subject, grantId, relationshipEnded));
        db.WebhookMessages.Add(message);
        return message;
    }

    /// <summary>
    /// How many of <paramref name="rows"/> (ordered, all after <paramref name="after"/>) can be consumed: all of them,
    /// unless a gap in the sequence may still fill, in which case those before it.
    /// </summary>
    internal static int SettledCount(IReadOnlyList<ChangeLogEntity> rows, long after, DateTimeOffset now, bool gapsMayFill, out DateTimeOffset? retryAt)
    {
        retryAt = null;
        var expected = after + 1;
        for (var i = 0; i < rows.Count; i++)
        {
            if (gapsMayFill && rows[i].Sequence != expected && now - rows[i].ChangedAt < GapSettleTime)
            {
                retryAt = rows[i].ChangedAt + GapSettleTime;
                return i;
            }

            expected = rows[i].Sequence + 1;
        }

        return rows.Count;
    }

    // Note: SQLite has one writer at a time and takes AUTOINCREMENT values inside the transaction, so a reader never
    // sees a higher sequence before a lower one commits; its only gaps are purges, which never fill.
    private static bool GapsMayFill(SymbolonDbContext db) => db.Database.ProviderName != "Microsoft.EntityFrameworkCore.Sqlite";

    private static async Task<List<WebhookMessageEntity>> BuildProfileUpdatesAsync(SymbolonDbContext db, Guid vaultId, List<ChangeLogEntity> changes, DateTimeOffset now, CancellationToken ct)
    {
        var readers = await db.Relationships.AsNoTracking()
            .Where(r => r.VaultId == vaultId && r.EndedAt == null && r.WebhookUri != null)
            .Select(r => new { r.Id, r.ClientId, r.Subject, r.PairwiseKey })
            .ToListAsync(ct);

        // Note: the same rule as GrantState.IsActive, split so that the database drops revoked grants and only the
        // expiry is checked here (SQLite stores times as numbers it compares, but the rule stays in one place).
        var grants = await db.Grants.AsNoTracking()
            .Where(g => g.VaultId == vaultId && g.RevokedAt == null)
            .Select(g => new { g.RelationshipId, g.GrantedDetails, g.ExpiresAt })
            .ToListAsync(ct);
        var parsed = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var readable = new Dictionary<Guid, HashSet<string>>();
        foreach (var grant in grants.Where(g => g.ExpiresAt is null || g.ExpiresAt > now))
        {
            if (!parsed.TryGetValue(grant.GrantedDetails, out var datatypes))
            {
                datatypes = [.. GrantedDatatype.ParseList(grant.GrantedDetails).Where(d => d.Allows(DataActions.Read)).Select(d => d.Datatype)];
                parsed[grant.GrantedDetails] = datatypes;
            }

            if (!readable.TryGetValue(grant.RelationshipId, out var set))
            {
                readable[grant.RelationshipId] = set = new HashSet<string>(StringComparer.Ordinal);
            }

            set.UnionWith(datatypes);
        }

        var messages = new List<WebhookMessageEntity>();
        foreach (var reader in readers)
        {
            if (!readable.TryGetValue(reader.Id, out var datatypes))
            {
                continue;
            }

            List<FieldChange>? visible = null;
            var latest = DateTimeOffset.MinValue;
            foreach (var change in changes)
            {
                // A vendor is not told about its own writes; every other reader of the field is.
                if (!datatypes.Contains(change.RecordType) || (change.ActorKind == Actor.VendorKind && change.ActorId == reader.ClientId))
                {
                    continue;
                }

                (visible ??= []).Add(new FieldChange(
                    ChangeCursor.Encode(change.Sequence),
                    change.RecordType,
                    PairwiseIds.FieldId(reader.PairwiseKey, change.RecordId),
                    change.Operation,
                    change.Version,
                    change.ChangedAt));
                latest = change.ChangedAt > latest ? change.ChangedAt : latest;
            }

            if (visible is not null)
            {
                messages.Add(NewMessage(vaultId, reader.Id, WebhookEventTypes.ProfileUpdated, now, new ProfileUpdatedData(reader.Subject, visible), latest));
            }
        }

        return messages;
    }

    private static WebhookMessageEntity NewMessage<T>(Guid vaultId, Guid relationshipId, string type, DateTimeOffset now, T data, DateTimeOffset? happenedAt = null) => new()
    {
        VaultId = vaultId,
        Id = WebhookMessageIds.Create(now),
        RelationshipId = relationshipId,
        EventType = type,
        Payload = JsonSerializer.Serialize(new WebhookEvent(type, happenedAt ?? now, JsonSerializer.SerializeToElement(data, Json)), Json),
        CreatedAt = now,
        Attempts = 0,
        NextAttemptAt = now,
    };
}
