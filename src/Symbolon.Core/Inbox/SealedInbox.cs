using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Inbox;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Inbox;

/// <summary>How much the sealed inbox takes while the person is away, per vendor and in all (pending items only).</summary>
internal sealed record InboxOptions
{
    public int MaxItemsPerVendor { get; init; } = 10_000;
    public long MaxBytesPerVendor { get; init; } = 64L << 20;
    public int MaxItems { get; init; } = 50_000;
    public long MaxBytes { get; init; } = 512L << 20;
}

/// <summary>A vendor request as it is sealed into the inbox, to be run again through the route's own code on unlock.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The request path.</param>
/// <param name="RouteValues">The route's values (a request id, say).</param>
/// <param name="Body">The request body as the route bound it, re-serialized (UTF-8 JSON).</param>
internal sealed record InboxRequest(string Method, string Path, IReadOnlyDictionary<string, string> RouteValues, byte[] Body);

/// <summary>The inbox is full for this vendor or in all: 429 by count, 413 by bytes.</summary>
internal sealed class InboxFullException(bool bytes, bool vendorOnly) : SymbolonProblemException(
    bytes ? ProblemCodes.InboxBytesFull : ProblemCodes.InboxFull,
    bytes ? 413 : 429,
    "The person's inbox is full.",
    Describe(bytes, vendorOnly),
    Describe(bytes, vendorOnly))
{
    private static string Describe(bool bytes, bool vendorOnly) =>
        $"The person is away and their inbox holds as {(bytes ? "many bytes" : "many writes")} {(vendorOnly ? "from this vendor" : "in all")} as it takes until they are back. Try again later; nothing of this request was kept.";
}

/// <summary>
/// The sealed inbox of a locked vault: vendor writes taken while the person is away, sealed to the vault's public key
/// (<see cref="InboxSeal"/>), applied in arrival order once the vault is unlocked. This class stores, finds and settles
/// items; applying them runs the vendor route's own code, which is the server's.
/// </summary>
internal sealed class SealedInbox(SymbolonDbContext db, TimeProvider time, InboxOptions options)
{
    /// <summary>The item a vendor queued earlier with this Idempotency-Key, if any.</summary>
    public Task<InboxItemEntity?> FindByKeyAsync(Guid vaultId, Guid relationshipId, string key, CancellationToken ct) =>
        db.InboxItems.AsNoTracking().FirstOrDefaultAsync(i => i.VaultId == vaultId && i.RelationshipId == relationshipId && i.IdempotencyKey == key, ct);

    /// <summary>Whether the vault has items waiting to be applied.</summary>
    public Task<bool> HasPendingAsync(Guid vaultId, CancellationToken ct) =>
        db.InboxItems.AnyAsync(i => i.VaultId == vaultId && i.State == InboxItemState.Pending, ct);

    /// <summary>What the vault's pending items take, per vendor (for the quotas).</summary>
    public async Task<Dictionary<Guid, (int Count, long Bytes)>> PendingUsageAsync(Guid vaultId, CancellationToken ct)
    {
        var rows = await db.InboxItems.AsNoTracking()
            .Where(i => i.VaultId == vaultId && i.State == InboxItemState.Pending)
            .GroupBy(i => i.RelationshipId)
            .Select(g => new { Relationship = g.Key, Count = g.Count(), Bytes = g.Sum(i => (long)i.Size) })
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.Relationship, r => (r.Count, r.Bytes));
    }

    /// <summary>
    /// Seals and stores one write, within the quotas (<paramref name="usage"/>: what the pending items take now, from
    /// this vendor and in all); over a quota the vendor's refusal is counted for the person to see and
    /// <see cref="InboxFullException"/> thrown. The item is saved, with <paramref name="accessLogLine"/> if given.
    /// </summary>
    public async Task<InboxItemEntity> AddAsync(
        byte[] vaultPublicKey, RelationshipEntity relationship, Guid? grantId, string route, string kind, string? idempotencyKey, byte[]? requestHash, InboxRequest request,
        (int VendorCount, long VendorBytes, int Count, long Bytes) usage, AccessLogEntity? accessLogLine, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var id = UuidV7.Create(now);
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(request);
        var size = plaintext.Length + InboxSeal.Overhead;
        var full =
            usage.VendorCount + 1 > options.MaxItemsPerVendor ? new InboxFullException(bytes: false, vendorOnly: true)
            : usage.VendorBytes + size > options.MaxBytesPerVendor ? new InboxFullException(bytes: true, vendorOnly: true)
            : usage.Count + 1 > options.MaxItems ? new InboxFullException(bytes: false, vendorOnly: false)
            : usage.Bytes + size > options.MaxBytes ? new InboxFullException(bytes: true, vendorOnly: false)
            : null;
        if (full is not null)
        {
            await CountRefusalAsync(relationship, now, ct);
            throw full;
        }

        var item = new InboxItemEntity
        {
            VaultId = relationship.VaultId,
            Id = id,
            RelationshipId = relationship.Id,
            GrantId = grantId,
            Route = route,
            Kind = kind,
            IdempotencyKey = idempotencyKey,
            RequestHash = requestHash,
            ReceivedAt = now,
            Size = size,
            State = InboxItemState.Pending,
        };
        item.Sealed = InboxSeal.Seal(vaultPublicKey, Envelope(item), plaintext);
        db.InboxItems.Add(item);
        if (accessLogLine is not null)
        {
            // The vendor's access-log line commits with the item: one write to the database for both.
            db.AccessLog.Add(accessLogLine);
        }

        await db.SaveChangesAsync(ct);
        return item;
    }

    /// <summary>The next pending items after <paramref name="afterSequence"/>, in arrival order.</summary>
    public Task<List<InboxItemEntity>> NextPendingAsync(Guid vaultId, long afterSequence, int take, CancellationToken ct) =>
        db.InboxItems.AsNoTracking()
            .Where(i => i.VaultId == vaultId && i.State == InboxItemState.Pending && i.Sequence > afterSequence)
            .OrderBy(i => i.Sequence)
            .Take(take)
            .ToListAsync(ct);

    /// <summary>The item's request, or null when its bytes do not open with the vault's key (tampered with, or sealed to another).</summary>
    public static InboxRequest? Open(VaultKeys keys, InboxItemEntity item)
    {
        if (item.Sealed is null || InboxSeal.Open(keys.AgreementKey, Envelope(item), item.Sealed) is not { } plaintext)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<InboxRequest>(plaintext);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Marks a pending item settled, at once, in <paramref name="context"/>'s transaction if it has one (so that an
    /// applied write and its mark commit together): applied and refused items drop their sealed bytes, an unopenable one
    /// keeps them. False when the item was not pending (settled already), which leaves it as it was.
    /// </summary>
    public static async Task<bool> SettleAsync(SymbolonDbContext context, InboxItemEntity item, InboxItemState state, int? status, string? problem, DateTimeOffset now, CancellationToken ct)
    {
        var pending = context.InboxItems.Where(i => i.Sequence == item.Sequence && i.State == InboxItemState.Pending);
        var updated = state == InboxItemState.Unopenable
            ? await pending.ExecuteUpdateAsync(u => u.SetProperty(i => i.State, state).SetProperty(i => i.Status, status).SetProperty(i => i.Problem, problem).SetProperty(i => i.SettledAt, now), ct)
            : await pending.ExecuteUpdateAsync(u => u.SetProperty(i => i.State, state).SetProperty(i => i.Status, status).SetProperty(i => i.Problem, problem).SetProperty(i => i.SettledAt, now).SetProperty(i => i.Sealed, (byte[]?)null), ct);
        if (updated == 1)
        {
            item.State = state;
        }

        return updated == 1;
    }

    private const int MaxReportItems = 500;
    private const int LatestReportItems = 20;

    /// <summary>What arrived while the person was away and they have not marked seen, with the vendors the full inbox turned away.</summary>
    public async Task<AwayReport> ReportAsync(Guid vaultId, CancellationToken ct)
    {
        var names = await db.Relationships.AsNoTracking().Where(r => r.VaultId == vaultId).Select(r => new { r.Id, r.VendorName }).ToDictionaryAsync(r => r.Id, r => r.VendorName, ct);
        var unseen = db.InboxItems.AsNoTracking().Where(i => i.VaultId == vaultId && i.SeenAt == null);
        var groups = await unseen
            .GroupBy(i => new { i.RelationshipId, i.Kind })
            .Select(g => new
            {
                g.Key.RelationshipId,
                g.Key.Kind,
                Pending = g.Count(i => i.State == InboxItemState.Pending),
                Applied = g.Count(i => i.State == InboxItemState.Applied),
                Refused = g.Count(i => i.State == InboxItemState.Refused),
                Unopenable = g.Count(i => i.State == InboxItemState.Unopenable),
                First = g.Min(i => i.Sequence),
            })
            .ToListAsync(ct);

        // Each item only where it needs a look, and the latest few: ten thousand rows are for the database, not a page.
        var shape = (IQueryable<InboxItemEntity> q) => q.Select(i => new { i.Sequence, i.Id, i.RelationshipId, i.Kind, i.ReceivedAt, i.State, i.SettledAt, i.Problem });
        var attention = await shape(unseen.Where(i => i.State == InboxItemState.Refused || i.State == InboxItemState.Unopenable).OrderBy(i => i.Sequence).Take(MaxReportItems)).ToListAsync(ct);
        var latest = await shape(unseen.Where(i => i.State == InboxItemState.Pending || i.State == InboxItemState.Applied).OrderByDescending(i => i.Sequence).Take(LatestReportItems)).ToListAsync(ct);
        var items = attention.Concat(latest).OrderBy(i => i.Sequence).ToList();
        var refusals = await db.InboxRefusals.AsNoTracking().Where(r => r.VaultId == vaultId && r.Count > 0).ToListAsync(ct);
        var uses = await db.KeyUses.AsNoTracking().Where(u => u.VaultId == vaultId).ToListAsync(ct);
        return new AwayReport(
            [.. groups.OrderBy(g => g.First).Select(g => new AwayGroup(g.RelationshipId, names.GetValueOrDefault(g.RelationshipId, "A vendor"), g.Kind, g.Pending, g.Applied, g.Refused, g.Unopenable))],
            [.. items.Select(i => new AwayItem(i.Id, i.RelationshipId, names.GetValueOrDefault(i.RelationshipId, "A vendor"), i.Kind, i.ReceivedAt, StateName(i.State), i.SettledAt, ProblemText(i.State, i.Problem)))],
            [.. refusals.OrderBy(r => r.LastAt).Select(r => new AwayRefusal(r.RelationshipId, names.GetValueOrDefault(r.RelationshipId, "A vendor"), r.Count, r.LastAt))])
        {
            KeyUses = [.. uses.OrderBy(u => u.FirstAt).Select(u => new AwayKeyUse(u.RelationshipId, names.GetValueOrDefault(u.RelationshipId, "A vendor"), u.Reads, u.Writes, u.FirstAt, u.LastAt))],
        };
    }

    /// <summary>Marks every settled item and every refusal count seen; pending items stay in the report until they are applied.</summary>
    public async Task<int> MarkSeenAsync(Guid vaultId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var seen = await db.InboxItems.Where(i => i.VaultId == vaultId && i.SeenAt == null && i.State != InboxItemState.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.SeenAt, now), ct);
        await db.InboxRefusals.Where(r => r.VaultId == vaultId).ExecuteDeleteAsync(ct);
        await db.KeyUses.Where(r => r.VaultId == vaultId).ExecuteDeleteAsync(ct);
        await PurgeSeenAsync(vaultId, SeenKept, ct);
        return seen;
    }

    // How long an item marked seen keeps its row (no sealed bytes, only its envelope); the access log keeps the calls.
    private static readonly TimeSpan SeenKept = TimeSpan.FromDays(30);

    /// <summary>Settled items seen more than <paramref name="age"/> ago are dropped (the access log keeps the vendor's calls).</summary>
    private Task<int> PurgeSeenAsync(Guid vaultId, TimeSpan age, CancellationToken ct)
    {
        var before = time.GetUtcNow() - age;
        return db.InboxItems.Where(i => i.VaultId == vaultId && i.SeenAt != null && i.SeenAt < before && i.State != InboxItemState.Unopenable).ExecuteDeleteAsync(ct);
    }

    /// <summary>Adds vendor calls served while the person was away (unattended mode) to the vault's tally, in one statement per vendor.</summary>
    public async Task CountKeyUsesAsync(Guid vaultId, Guid relationshipId, int reads, int writes, DateTimeOffset first, DateTimeOffset last, CancellationToken ct)
    {
        var updated = await db.KeyUses.Where(u => u.VaultId == vaultId && u.RelationshipId == relationshipId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Reads, x => x.Reads + reads).SetProperty(x => x.Writes, x => x.Writes + writes).SetProperty(x => x.LastAt, last), ct);
        if (updated == 0)
        {
            db.KeyUses.Add(new KeyUseEntity { VaultId = vaultId, RelationshipId = relationshipId, Reads = reads, Writes = writes, FirstAt = first, LastAt = last });
            await db.SaveChangesAsync(ct);
        }
    }

    public static string StateName(InboxItemState state) => state switch
    {
        InboxItemState.Pending => AwayItemStates.Pending,
        InboxItemState.Applied => AwayItemStates.Applied,
        InboxItemState.Refused => AwayItemStates.Refused,
        _ => AwayItemStates.Unopenable,
    };

    private static string? ProblemText(InboxItemState state, string? code) => state switch
    {
        InboxItemState.Unopenable => "Its sealed bytes did not open: they were changed after the vendor sent them, or sealed to another vault. It was kept aside and not applied.",
        InboxItemState.Refused => code switch
        {
            ProblemCodes.GrantNotInForce or ProblemCodes.InvalidAccessToken => "The vendor's grant was revoked or the relationship ended before you came back.",
            ProblemCodes.NotGranted => "The grant no longer allows this.",
            ProblemCodes.InsufficientBalance => "The redemption was larger than the balance.",
            ProblemCodes.MessagesBlocked or ProblemCodes.MarketingRefused => "Your message settings refuse it.",
            ProblemCodes.RequestClosed => "You closed the request it answers.",
            ProblemCodes.RelationshipEndedForRequests => "You ended the relationship before you came back.",
            ProblemCodes.RequestNotFound => "The request it answers is gone.",
            ProblemCodes.InvalidValue => "A value in it no longer fits your vault (for example a second birth date).",
            ProblemCodes.VendorQuotaExceeded => "The vendor had already sent as much today as your vault accepts from one vendor in a day.",
            _ => "It was no longer valid when applied" + (code is null ? "." : $" ({code})."),
        },
        _ => null,
    };

    // What the sealed bytes are bound to: the vault, the item, the vendor and the route.
    private static byte[] Envelope(InboxItemEntity item)
    {
        var route = Encoding.UTF8.GetBytes(item.Route);
        var envelope = new byte[48 + route.Length];
        item.VaultId.TryWriteBytes(envelope.AsSpan(0, 16));
        item.Id.TryWriteBytes(envelope.AsSpan(16, 16));
        item.RelationshipId.TryWriteBytes(envelope.AsSpan(32, 16));
        route.CopyTo(envelope, 48);
        return envelope;
    }

    private async Task CountRefusalAsync(RelationshipEntity relationship, DateTimeOffset now, CancellationToken ct)
    {
        var updated = await db.InboxRefusals.Where(r => r.VaultId == relationship.VaultId && r.RelationshipId == relationship.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Count, r => r.Count + 1).SetProperty(r => r.LastAt, now), ct);
        if (updated == 0)
        {
            db.InboxRefusals.Add(new InboxRefusalEntity { VaultId = relationship.VaultId, RelationshipId = relationship.Id, Count = 1, LastAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Counted by a concurrent refusal first: one count lost of a vendor refused many times is acceptable.
                db.ChangeTracker.Clear();
            }
        }
    }
}
