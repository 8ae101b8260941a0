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
    bool More);

/// <summary>What one fan-out step did.</summary>
/// <param name="Changes">Change-log entries consumed.</param>
/// <param name="Messages">Webhook messages added.</param>
/// <param name="More">True when another batch is ready now.</param>
internal sealed record FanOutResult(int Changes, int Messages, bool More);

/// <summary>
/// The durable outbox: turns the vault's change log into webhook messages, one per relationship and batch, and
/// enqueues <c>grant.revoked</c> with the revocation. Messages carry datatypes, pairwise field ids and cursors, never
/// values. <see cref="WebhookDelivery"/> sends them.
/// </summary>
/// <remarks>
/// A vault's change-log sequences become visible in the order they were drawn (<c>RecordStore.SaveInVaultOrderAsync</c>
/// serializes a vault's writers on PostgreSQL; SQLite has one writer), so "everything after the cursor" never skips a
/// change that commits later, and a gap (a rolled-back or purged write) never fills. The cursor moves in the same
/// transaction that adds the messages, with a compare-and-set on its old value: a crash loses nothing, and two servers
/// on one database never both fan out the same batch.
/// </remarks>
internal static class WebhookOutbox
{
    public const int BatchSize = 500;

    private static readonly FrozenSet<string> ProfileDatatypes = ProfileFieldKinds.All.Select(ProfileService.RecordType).ToFrozenSet(StringComparer.Ordinal);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    /// <summary>Fans out the next batch of the change log for one vault and commits it.</summary>
    public static async Task<FanOutResult> FanOutAsync(SymbolonDbContext db, Guid vaultId, DateTimeOffset now, CancellationToken ct = default)
    {
        var batch = await PrepareAsync(db, vaultId, now, ct);
        if (batch.Changes == 0 || !await CommitAsync(db, batch, ct))
        {
            return new FanOutResult(0, 0, false);
        }

        return new FanOutResult(batch.Changes, batch.Messages.Count, batch.More);
    }

    /// <summary>Reads the next batch and builds its messages; writes nothing.</summary>
    public static async Task<FanOutBatch> PrepareAsync(SymbolonDbContext db, Guid vaultId, DateTimeOffset now, CancellationToken ct = default)
    {
        var cursor = await db.OutboxCursors.AsNoTracking()
            .Where(c => c.VaultId == vaultId)
            .Select(c => (long?)c.LastSequence)
            .SingleOrDefaultAsync(ct);
        var after = cursor ?? 0;

        var rows = await db.ChangeLog.AsNoTracking()
            .Where(c => c.VaultId == vaultId && c.Sequence > after)
            .OrderBy(c => c.Sequence)
            .Take(BatchSize)
            .ToListAsync(ct);
        if (rows.Count == 0)
        {
            return new FanOutBatch(vaultId, cursor, after, 0, [], false);
        }

        var changes = rows.Where(c => ProfileDatatypes.Contains(c.RecordType)).ToList();
        var messages = changes.Count == 0 ? [] : await BuildProfileUpdatesAsync(db, vaultId, changes, now, ct);
        return new FanOutBatch(vaultId, cursor, rows[^1].Sequence, rows.Count, messages, rows.Count == BatchSize);
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
    /// Adds one message of <paramref name="type"/> for a relationship with a webhook address, in the caller's unit of
    /// work (so it commits with the change it announces); null when the vendor gave no address.
    /// </summary>
    public static WebhookMessageEntity? Enqueue<T>(SymbolonDbContext db, RelationshipEntity relationship, string type, T data, DateTimeOffset now)
    {
        if (relationship.WebhookUri is null)
        {
            return null;
        }

        var message = NewMessage(relationship.VaultId, relationship.Id, type, now, data);
        db.WebhookMessages.Add(message);
        return message;
    }

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
