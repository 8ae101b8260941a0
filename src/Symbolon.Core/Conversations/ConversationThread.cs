using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Conversations;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Terms;
using Symbolon.Core.Vaults;
using Symbolon.Core.Wallet;

namespace Symbolon.Core.Conversations;

/// <summary>What a thread source reads for: the vault's keys, the relationship, and now (for expiries).</summary>
internal sealed record ThreadContext(VaultKeys Keys, RelationshipEntity Relationship, DateTimeOffset Now);

/// <summary>
/// One typed source of a relationship's thread (messages, wallet items, grant changes ...). The thread is the merge
/// of every registered source in time order, so a new kind of entry (requests) is one more class registered as an
/// <see cref="IThreadSource"/>, and nothing else changes.
/// </summary>
internal interface IThreadSource
{
    Task<IEnumerable<ThreadEntry>> ReadAsync(ThreadContext context, CancellationToken ct);
}

/// <summary>The thread of one relationship: every source's entries, oldest first.</summary>
internal sealed class ConversationThread(IEnumerable<IThreadSource> sources, RelationshipService relationships, TimeProvider time)
{
    public async Task<IReadOnlyList<ThreadEntry>> GetAsync(VaultKeys keys, Guid relationshipId, CancellationToken ct = default)
    {
        var relationship = await relationships.FindAsync(keys.VaultId, relationshipId, ct) ?? throw new RelationshipNotFoundException("relationship");
        var context = new ThreadContext(keys, relationship, time.GetUtcNow());
        var entries = new List<ThreadEntry>();

        // Sources share the scope's database context, which allows one operation at a time: read them in turn.
        foreach (var source in sources)
        {
            entries.AddRange(await source.ReadAsync(context, ct));
        }

        // A stable sort: entries at the same instant keep the sources' order (the agreement before the grant it allowed).
        return [.. entries.OrderBy(e => e.At)];
    }
}

/// <summary>The agreement the vendor accepted, what the person granted, revoked or let expire, and the relationship's end.</summary>
internal sealed class RelationshipEventsSource(SymbolonDbContext db) : IThreadSource
{
    public async Task<IEnumerable<ThreadEntry>> ReadAsync(ThreadContext context, CancellationToken ct)
    {
        var r = context.Relationship;
        var entries = new List<ThreadEntry>();
        var agreements = await db.AgreementRecords.AsNoTracking().Where(a => a.VaultId == r.VaultId && a.RelationshipId == r.Id).ToListAsync(ct);
        foreach (var agreement in agreements)
        {
            var title = AgreementRoster.Find(agreement.AgreementId)?.Title;
            entries.Add(new ThreadEntry(agreement.Id.ToString(), ThreadEntryKinds.AgreementAccepted, agreement.AcceptedAt, ThreadParties.Vendor,
                $"Accepted your terms {agreement.AgreementId}",
                title is null ? null : $"{title}. Your vault signed the record; the vendor keeps the same copy."));
        }

        var grants = await db.Grants.AsNoTracking().Where(g => g.VaultId == r.VaultId && g.RelationshipId == r.Id).ToListAsync(ct);
        foreach (var grant in grants)
        {
            var granted = GrantedDatatype.ParseList(grant.GrantedDetails);
            var narrowed = IsNarrowed(grant.RequestedDetails, granted);
            var fields = string.Join(", ", granted.Select(g =>
                $"{DatatypeCatalog.Find(g.Datatype)?.Title ?? g.Datatype} ({string.Join(" and ", g.Actions.Select(DatatypeCatalog.DescribeAction))}{(g.Narrowing == Narrowings.Full ? "" : ", " + DatatypeCatalog.DescribeNarrowing(g.Narrowing))})"));
            var receipt = $"/owner/api/v1/grants/{grant.Id}/receipt";
            entries.Add(new ThreadEntry(grant.Id.ToString(), ThreadEntryKinds.GrantGiven, grant.CreatedAt, ThreadParties.Person,
                narrowed ? $"You granted less than asked: {grant.Purpose}" : $"You granted: {grant.Purpose}", fields, Narrowed: narrowed, Link: receipt));

            var endedWithRelationship = r.EndedAt is { } ended && grant.RevokedAt == ended;
            if (grant.RevokedAt is { } revoked && !endedWithRelationship && (grant.ExpiresAt is null || revoked < grant.ExpiresAt))
            {
                entries.Add(new ThreadEntry(grant.Id.ToString(), ThreadEntryKinds.GrantRevoked, revoked, ThreadParties.Person, $"You revoked: {grant.Purpose}",
                    "From then on the vendor's requests under this grant are refused.", Link: receipt));
            }
            else if (grant.ExpiresAt is { } expires && expires <= context.Now && (grant.RevokedAt is null || grant.RevokedAt >= expires))
            {
                entries.Add(new ThreadEntry(grant.Id.ToString(), ThreadEntryKinds.GrantExpired, expires, ThreadParties.Person, $"Grant ran out: {grant.Purpose}",
                    "It ended when you said it would; the vendor has to ask again.", Link: receipt));
            }
        }

        if (r.EndedAt is { } end)
        {
            entries.Add(new ThreadEntry(r.Id.ToString(), ThreadEntryKinds.RelationshipEnded, end, ThreadParties.Person, "You ended the relationship",
                "Every grant was revoked with it, and the vendor can ask for nothing more."));
        }

        return entries;
    }

    /// <summary>True when the person granted fewer datatypes or actions than were asked, or narrowed a value.</summary>
    private static bool IsNarrowed(string requestedDetails, IReadOnlyList<GrantedDatatype> granted)
    {
        if (granted.Any(g => g.Narrowing != Narrowings.Full))
        {
            return true;
        }

        try
        {
            var requested = JsonSerializer.Deserialize<List<AuthorizationDetail>>(requestedDetails) ?? [];
            var asked = requested.SelectMany(d => d.Datatypes.SelectMany(t => d.Actions.Select(a => (t, a)))).ToHashSet();
            var given = granted.SelectMany(g => g.Actions.Select(a => (g.Datatype, a))).ToHashSet();
            return asked.Except(given).Any();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>Messages between the person and the vendor.</summary>
internal sealed class MessagesSource(ConversationService conversations) : IThreadSource
{
    public async Task<IEnumerable<ThreadEntry>> ReadAsync(ThreadContext context, CancellationToken ct) =>
        (await conversations.ListMessagesAsync(context.Keys, context.Relationship.Id, ct)).Select(m => new ThreadEntry(
            m.Message.Id.ToString(),
            ThreadEntryKinds.Message,
            m.Message.SentAt,
            m.Message.Author == MessageAuthors.Vendor ? ThreadParties.Vendor : ThreadParties.Person,
            m.Message.Author == MessageAuthors.Vendor ? context.Relationship.VendorName : "You",
            m.Text,
            Marketing: m.Message.Marketing,
            Muted: m.Message.Muted,
            Unread: m.Message.Author == MessageAuthors.Vendor && m.Message.ReadAt is null && !m.Message.Muted));
}

/// <summary>Values the person pushed to the vendor once, each with its consent receipt.</summary>
internal sealed class PushedUpdatesSource(ConversationService conversations) : IThreadSource
{
    public async Task<IEnumerable<ThreadEntry>> ReadAsync(ThreadContext context, CancellationToken ct) =>
        (await conversations.ListPushesAsync(context.Relationship.VaultId, context.Relationship.Id, ct)).Select(u => new ThreadEntry(
            u.Id.ToString(),
            ThreadEntryKinds.UpdatePushed,
            u.PushedAt,
            ThreadParties.Person,
            $"You pushed an update: your {Noun(u.Datatype)}",
            u.FetchedAt is not null
                ? "The vendor has fetched it (a value is handed out once). A one-off disclosure: it gave no standing access."
                : "Waiting for the vendor to fetch it (once). A one-off disclosure: it gives no standing access.",
            Link: $"/owner/api/v1/push-updates/{u.Id}/receipt"));

    private static string Noun(string datatype) => datatype switch
    {
        Datatypes.Name => "name",
        Datatypes.Email => "email address",
        Datatypes.Phone => "phone number",
        Datatypes.PostalAddress => "postal address",
        Datatypes.BirthDate => "date of birth",
        Datatypes.Language => "language",
        Datatypes.Preference => "preference",
        _ => datatype,
    };
}

/// <summary>Receipts the vendor pushed and events on its loyalty programme.</summary>
internal sealed class WalletSource(Receipts receipts, LoyaltyLedger loyalty) : IThreadSource
{
    public async Task<IEnumerable<ThreadEntry>> ReadAsync(ThreadContext context, CancellationToken ct)
    {
        var clientId = context.Relationship.ClientId;
        var entries = new List<ThreadEntry>();
        foreach (var (record, receipt) in await receipts.ListOwnAsync(context.Keys, clientId, ct))
        {
            var items = string.Join(", ", receipt.Lines.Select(l => $"{l.Quantity.ToString("0.###", CultureInfo.InvariantCulture)} × {l.Description}"));
            entries.Add(new ThreadEntry(record.Id.ToString(), ThreadEntryKinds.Receipt, record.CreatedAt, ThreadParties.Vendor,
                $"Receipt: {Money(receipt.Total, receipt.Currency)} at {receipt.StoreName}", items, Link: "/wallet/purchases"));
        }

        if (await loyalty.GetAsync(context.Keys, clientId, ct) is { } programme)
        {
            var unit = programme.Value.Programme.Unit;
            foreach (var (record, value) in programme.Events)
            {
                var title = value.Kind switch
                {
                    LoyaltyEventKinds.RewardIssued => $"Reward: {value.Reward ?? programme.Value.Programme.Reward ?? "redeemed"}",
                    _ when value.Amount >= 0 => $"Earned {value.Amount} {unit}",
                    _ => $"Redeemed {-value.Amount} {unit}",
                };
                entries.Add(new ThreadEntry(record.Id.ToString(), ThreadEntryKinds.Loyalty, record.CreatedAt, ThreadParties.Vendor, title,
                    $"{programme.Value.Programme.Name}: balance {value.BalanceAfter} {unit}{(value.Note is { } note ? ". " + note : "")}", Link: "/wallet"));
            }
        }

        return entries;
    }

    private static string Money(decimal amount, string currency) =>
        amount.ToString("F" + (Currencies.IsKnown(currency) ? Currencies.DigitsOf(currency) : 2), CultureInfo.InvariantCulture) + " " + currency;
}
