using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Intents;
using Symbolon.Core.Insights;
using Symbolon.Core.Relationships;
using Symbolon.Core.Statements;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Core.Wallet;
using Symbolon.Intents;

namespace Symbolon.Core.Intents;

/// <summary>
/// Offers side by side, judged on the person's own data: price against the budget, what they paid this vendor before
/// (card transactions and receipts whose merchant is the vendor), how this vendor handled their requests (only a
/// vendor they relate to), delivery against the deadline, and the vendor's terms. Each criterion is a verdict and a
/// plain sentence; <see cref="RankingRule"/> orders the offers. Callers pass <see cref="IntentService.ShownOffersAsync"/>,
/// which leaves out the open exchange offers of a vendor the person blocked (one stored before the block, or fetched by
/// a pass that began before it, is not shown either).
/// </summary>
internal sealed class IntentComparison(SymbolonDbContext db, StatementImporter importer, Receipts receipts, TimeProvider time)
{
    /// <summary>The ranking rule, as the person reads it (and as <see cref="Rank"/> implements it).</summary>
    public const string RankingRule =
        "Open offers come first. Among them, an offer in your budget's currency at or under your budget comes before one that is not; " +
        "then the offer with fewer criteria against it (poor), then the one with more for it (good), then the lower price, " +
        "then the earlier delivery date, then the one received first. Declined, accepted and closed offers follow, in the order received.";

    private static readonly string[] ReturnWords = ["return", "refund", "retour", "rückgabe", "ruckgabe", "widerruf", "devolu", "reso"];

    public async Task<IntentOfferList> CompareAsync(VaultSession session, IntentView intent, IReadOnlyList<IntentOfferView> offers, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var projection = offers.Count == 0 ? null : await importer.ProjectionAsync(session, ct);
        var stored = offers.Count == 0 ? [] : await receipts.ListAllAsync(session.Keys, ct);
        var relationships = offers.Count == 0 ? [] : await db.Relationships.AsNoTracking().Where(r => r.VaultId == session.VaultId).ToListAsync(ct);
        var judged = new List<(IntentOfferView Offer, IntentOffer Wire)>();
        foreach (var offer in offers)
        {
            var document = offer.Value.Offer;
            var relationship = offer.Value.RelationshipId is { } id
                ? relationships.FirstOrDefault(r => r.Id == id)
                : relationships.FirstOrDefault(r => r.EndedAt is null && MerchantNames.Same(MerchantNames.Key(r.VendorName), MerchantNames.Key(document.Vendor.Name)));
            var criteria = new List<OfferCriterion>
            {
                Price(intent.Document, document),
                History(projection!, stored, document, intent.Document.Budget.Currency),
                await RequestsAsync(relationship, now, ct),
                Delivery(intent.Document, document),
                Terms(document),
            };
            var status = offer.Value.Status == IntentOfferStatuses.Open && document.ExpiresAt <= now ? IntentOfferStatuses.Closed : offer.Value.Status;
            var isExchange = offer.Value.Source == IntentOfferSources.Exchange;
            judged.Add((offer, new IntentOffer(
                offer.Value.OfferId,
                0,
                status,
                offer.Value.Source,
                relationship?.Id,
                offer.Value.Exchange,
                document.Vendor.Name,
                isExchange || !document.Vendor.Site.EndsWith(".invalid", StringComparison.Ordinal) ? document.Vendor.Site : null,
                isExchange ? document.Vendor.SignKey : null,
                [.. document.Items.Select(i => new IntentOfferLine(i.Description, i.Quantity, i.UnitPrice))],
                document.Price.Amount,
                document.Price.Currency,
                document.Price.DeliveryIncluded,
                document.DeliveryDate,
                document.Terms,
                document.TermsUrl,
                offer.Value.ReceivedAt,
                document.ExpiresAt,
                criteria)));
        }

        var ranked = Rank(intent.Document, judged.Select(j => j.Wire).ToList());
        return new IntentOfferList(intent.Value.IntentId, ranked, intent.Value.Refused, RankingRule);
    }

    /// <summary>Orders offers by <see cref="RankingRule"/> and numbers them from 1.</summary>
    public static IReadOnlyList<IntentOffer> Rank(IntentDocument intent, IReadOnlyList<IntentOffer> offers)
    {
        var open = offers.Where(o => o.Status == IntentOfferStatuses.Open)
            .OrderBy(o => o.Currency == intent.Budget.Currency && o.Price <= intent.Budget.Max ? 0 : 1)
            .ThenBy(o => o.Criteria.Count(c => c.Verdict == OfferVerdicts.Poor))
            .ThenByDescending(o => o.Criteria.Count(c => c.Verdict == OfferVerdicts.Good))
            .ThenBy(o => o.Price)
            .ThenBy(o => o.DeliveryDate ?? DateOnly.MaxValue)
            .ThenBy(o => o.ReceivedAt);
        var rest = offers.Where(o => o.Status != IntentOfferStatuses.Open).OrderBy(o => o.ReceivedAt);
        return [.. open.Concat(rest).Select((o, i) => o with { Rank = i + 1 })];
    }

    public static OfferCriterion Price(IntentDocument intent, OfferDocument offer)
    {
        var budget = intent.Budget;
        var extra = offer.Price.DeliveryIncluded ? "" : "; delivery is extra";
        if (!string.Equals(offer.Price.Currency, budget.Currency, StringComparison.Ordinal))
        {
            return new(OfferCriteria.Price, OfferVerdicts.Poor, $"{Money(offer.Price.Currency, offer.Price.Amount)}, in another currency than your budget ({budget.Currency}){extra}");
        }

        var difference = budget.Max - offer.Price.Amount;
        return difference switch
        {
            > 0 => new(OfferCriteria.Price, offer.Price.DeliveryIncluded ? OfferVerdicts.Good : OfferVerdicts.Fair, $"{Money(budget.Currency, offer.Price.Amount)}, {Money(budget.Currency, difference)} under your budget{extra}"),
            0 => new(OfferCriteria.Price, offer.Price.DeliveryIncluded ? OfferVerdicts.Good : OfferVerdicts.Fair, $"{Money(budget.Currency, offer.Price.Amount)}, exactly your budget{extra}"),
            _ => new(OfferCriteria.Price, OfferVerdicts.Poor, $"{Money(budget.Currency, offer.Price.Amount)}, {Money(budget.Currency, -difference)} over your budget{extra}"),
        };
    }

    public static OfferCriterion History(TransactionProjection? projection, IReadOnlyList<(Records.CurrentRecord Record, Contracts.Vendor.ReceiptInput Receipt)> stored, OfferDocument offer, string currency)
    {
        var keys = VendorKeys(offer.Vendor).ToList();
        var count = 0;
        var total = 0m;
        DateOnly? last = null;
        if (projection is not null)
        {
            var seen = new HashSet<(Guid, int)>();
            foreach (var word in keys.Select(k => k.Split(' ')[0]).Where(w => w.Length >= 3).Distinct(StringComparer.Ordinal))
            {
                var (byText, _) = projection.Query(new TransactionFilter(Text: word), null, 10_000);
                var (byMerchant, _) = projection.Query(new TransactionFilter(Merchant: word), null, 10_000);
                foreach (var row in byText.Concat(byMerchant))
                {
                    var key = MerchantNames.Key(row.Merchant ?? row.Description);
                    if (row.Amount < 0 && seen.Add((row.BatchId, row.Row)) && keys.Any(k => MerchantNames.Same(k, key)))
                    {
                        count++;
                        total += row.Currency == currency ? -row.Amount : 0;
                        last = last is { } l && l > row.Date ? l : row.Date;
                    }
                }
            }
        }

        var receiptCount = 0;
        foreach (var (_, receipt) in stored)
        {
            if (keys.Any(k => MerchantNames.Same(k, MerchantNames.Key(receipt.StoreName))))
            {
                receiptCount++;
                var day = DateOnly.FromDateTime(receipt.IssuedAt.UtcDateTime);
                last = last is { } l && l > day ? l : day;
            }
        }

        if (count == 0 && receiptCount == 0)
        {
            return new(OfferCriteria.History, OfferVerdicts.Unknown, "Your vault holds no purchase from this vendor");
        }

        var parts = new List<string>();
        if (count > 0)
        {
            parts.Add(total > 0 ? $"{Times(count)} by card, {Money(currency, total)} in all" : $"{Times(count)} by card");
        }

        if (receiptCount > 0)
        {
            parts.Add(receiptCount == 1 ? "1 receipt" : $"{receiptCount} receipts");
        }

        return new(OfferCriteria.History, OfferVerdicts.Good, $"You bought from this vendor before: {string.Join(", ", parts)}, the last on {last:yyyy-MM-dd}");
    }

    public async Task<OfferCriterion> RequestsAsync(RelationshipEntity? relationship, DateTimeOffset now, CancellationToken ct = default)
    {
        if (relationship is null)
        {
            return new(OfferCriteria.Requests, OfferVerdicts.Unknown, "You have no relationship with this vendor, so no requests to judge it by");
        }

        var rows = await db.Requests.AsNoTracking()
            .Where(r => r.VaultId == relationship.VaultId && r.RelationshipId == relationship.Id && r.DueAt != null)
            .ToListAsync(ct);
        var onTime = rows.Count(r => r.AnsweredAt is { } answered && answered <= r.DueAt);
        var late = rows.Count(r => (r.AnsweredAt is { } answered && answered > r.DueAt) || r.IsOverdue(now));
        if (onTime + late == 0)
        {
            return new(OfferCriteria.Requests, OfferVerdicts.Unknown, "You sent this vendor no request that is answered or due yet");
        }

        return late == 0
            ? new(OfferCriteria.Requests, OfferVerdicts.Good, onTime == 1 ? "Answered your request before the due date" : $"Answered all {onTime} of your requests before the due date")
            : new(OfferCriteria.Requests, OfferVerdicts.Poor, $"Answered {onTime} of {onTime + late} of your requests before the due date; {late} late or overdue");
    }

    public static OfferCriterion Delivery(IntentDocument intent, OfferDocument offer)
    {
        if (offer.DeliveryDate is not { } delivery)
        {
            return new(OfferCriteria.Delivery, OfferVerdicts.Unknown, "The vendor gives no delivery date");
        }

        if (intent.Deadline is not { } deadline)
        {
            return new(OfferCriteria.Delivery, OfferVerdicts.Fair, $"Arrives by {delivery:yyyy-MM-dd}; you set no deadline");
        }

        var days = deadline.DayNumber - delivery.DayNumber;
        return days switch
        {
            > 0 => new(OfferCriteria.Delivery, OfferVerdicts.Good, $"Arrives by {delivery:yyyy-MM-dd}, {Days(days)} before your deadline"),
            0 => new(OfferCriteria.Delivery, OfferVerdicts.Good, $"Arrives by {delivery:yyyy-MM-dd}, on your deadline"),
            _ => new(OfferCriteria.Delivery, OfferVerdicts.Poor, $"Arrives by {delivery:yyyy-MM-dd}, {Days(-days)} after your deadline"),
        };
    }

    public static OfferCriterion Terms(OfferDocument offer)
    {
        var accepted = offer.Accepts.Agreement == IntentAgreement.Id ? "Accepted PDC-INTENT" : "Did not accept PDC-INTENT";
        var link = offer.TermsUrl is null ? "" : " (full terms linked)";
        var returns = offer.Terms is { } text && ReturnWords.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase));
        return returns
            ? new(OfferCriteria.Terms, OfferVerdicts.Good, $"{accepted}; its terms speak of returns{link}")
            : new(OfferCriteria.Terms, OfferVerdicts.Fair, $"{accepted}; its terms say nothing about returns{link}");
    }

    /// <summary>The merchant keys a vendor may appear under: its name, and its site's host without <c>www.</c> and top-level domain.</summary>
    private static IEnumerable<string> VendorKeys(OfferVendor vendor)
    {
        yield return MerchantNames.Key(vendor.Name);
        if (Uri.TryCreate(vendor.Site, UriKind.Absolute, out var site) && !site.Host.EndsWith(".invalid", StringComparison.Ordinal))
        {
            var labels = site.Host.Split('.');
            var name = labels.Length >= 2 ? labels[^2] : labels[0];
            if (name.Length >= 3)
            {
                yield return MerchantNames.Key(name.Replace('-', ' '));
            }
        }
    }

    private static string Money(string currency, decimal amount) =>
        currency + " " + (amount == decimal.Truncate(amount) ? amount.ToString("0", CultureInfo.InvariantCulture) : amount.ToString("0.00", CultureInfo.InvariantCulture));

    private static string Times(int count) => count == 1 ? "once" : $"{count} times";

    private static string Days(int days) => days == 1 ? "1 day" : $"{days} days";
}
