using System.Globalization;
using BootShop.Data;
using Microsoft.EntityFrameworkCore;
using Symbolon.Intents;

namespace BootShop.Shop;

/// <summary>
/// Answers intents on its own. Each intent (from the <c>intent.published</c> webhook or the feed, whichever comes
/// first) is checked (the signature by the key it names, then the protocol's content rules), matched against the
/// catalog, and answered with at most one offer: the best fitting product, within the budget, with the returns policy
/// as terms, standing until the intent expires or for three days. What the shop did is kept for the Intents page.
/// </summary>
public sealed class OfferDesk(
    IDbContextFactory<ShopDb> dbs,
    ShopSettingsStore settingsStore,
    ExchangeConnection exchange,
    VendorKeyStore keys,
    ShopGate gate,
    TimeProvider time,
    ILogger<OfferDesk> logger)
{
    /// <summary>How long an offer stands at most (it never outlives its intent).</summary>
    public static readonly TimeSpan OfferLifetime = TimeSpan.FromDays(3);

    /// <summary>Handles an intent from a webhook without holding up the exchange's delivery.</summary>
    public void HandleInBackground(FeedIntent delivered, string via) => _ = Task.Run(async () =>
    {
        try
        {
            await HandleAsync(delivered, via, CancellationToken.None);
        }
        catch (Exception e)
        {
            ShopLog.HandlingFailed(logger, e, "intent " + delivered.Id);
        }
    });

    /// <summary>Decides on one intent, once: a second delivery of the same intent changes nothing.</summary>
    public async Task HandleAsync(FeedIntent delivered, string via, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivered);
        using var _ = await gate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        if (await db.Intents.AnyAsync(i => i.IntentId == delivered.Id, cancellationToken))
        {
            return;
        }

        var seen = await DecideAsync(db, delivered.Id, delivered.Intent, via, cancellationToken);
        db.Intents.Add(seen);
        await db.SaveChangesAsync(cancellationToken);
        ShopLog.Decided(logger, delivered.Id, seen.Decision);
    }

    /// <summary>Tries an offer again whose first attempt failed for a reason that may have passed.</summary>
    public async Task RetryAsync(int seenIntentId, CancellationToken cancellationToken)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var seen = await db.Intents.SingleOrDefaultAsync(i => i.Id == seenIntentId, cancellationToken);
        if (seen?.RetryPayload is null || seen.RetrySignature is null)
        {
            return;
        }

        var again = await DecideAsync(db, seen.IntentId, new SignedDocument(seen.RetryPayload, seen.RetrySignature), seen.Via, cancellationToken);
        (seen.Outcome, seen.Decision, seen.RetryPayload, seen.RetrySignature) = (again.Outcome, again.Decision, again.RetryPayload, again.RetrySignature);
        await db.SaveChangesAsync(cancellationToken);
        ShopLog.Decided(logger, seen.IntentId, seen.Decision);
    }

    private async Task<SeenIntent> DecideAsync(ShopDb db, string deliveredId, SignedDocument signed, string via, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var intent = IntentCrypto.VerifyIntent(signed);
        if (intent is null || intent.Id != deliveredId)
        {
            // Nothing in an intent that does not verify is trusted, not even its title.
            return new SeenIntent
            {
                IntentId = deliveredId,
                Title = "(not shown: the signature does not hold)",
                Category = "",
                Currency = "",
                Where = "",
                ExpiresAt = now.AddDays(1),
                SeenAt = now,
                Via = via,
                Outcome = IntentOutcomes.Refused,
                Decision = intent is null
                    ? "Refused: the intent is not signed by the key it names."
                    : "Refused: the intent is not the one the exchange delivered under its id.",
            };
        }

        var seen = new SeenIntent
        {
            IntentId = intent.Id,
            Title = intent.Title,
            Category = intent.Category,
            Size = intent.Attributes.Size,
            Quantity = intent.Attributes.Quantity ?? 1,
            BudgetMax = intent.Budget.Max,
            Currency = intent.Budget.Currency,
            Deadline = intent.Deadline,
            Where = Matcher.Place(intent.Where),
            ExpiresAt = intent.ExpiresAt,
            SeenAt = now,
            Via = via,
            Outcome = IntentOutcomes.NoMatch,
            Decision = "",
        };
        var errors = IntentRules.CheckIntent(intent, now);
        if (errors.Count > 0)
        {
            (seen.Outcome, seen.Decision) = (IntentOutcomes.Refused, "Refused: the intent breaks the protocol's rules at " + string.Join(", ", errors.Keys) + ".");
            return seen;
        }

        var (products, areas) = await Catalog.ReadAsync(db, cancellationToken);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var match = Matcher.Find(intent, products, areas, today);
        if (match.Product is not { } product)
        {
            seen.Decision = match.Reason!;
            return seen;
        }

        var settings = await settingsStore.GetAsync(cancellationToken);
        var connection = await exchange.ConnectAsync(cancellationToken)
            ?? throw new InvalidOperationException("An intent arrived while no exchange is configured.");
        var publicKeys = keys.PublicKeys;
        var description = string.Create(CultureInfo.InvariantCulture, $"{product.Name} ({product.Brand}), size {match.Size}");
        var expires = intent.ExpiresAt < now + OfferLifetime ? intent.ExpiresAt : now + OfferLifetime;
        var offer = new OfferDocument(
            1,
            IntentCrypto.NewId("off_"),
            intent.Id,
            intent.Keys.Sign,
            new OfferVendor(settings.Name, settings.PublicUrl, publicKeys.Sign, publicKeys.Offer),
            [new OfferItem(description, match.Quantity, product.Price)],
            new OfferPrice(match.Amount, Matcher.Currency, DeliveryIncluded: true),
            match.DeliveryDate,
            CatalogFile.Embedded.Returns,
            new Uri(new Uri(settings.PublicUrl), "terms").AbsoluteUri,
            now,
            expires,
            new OfferAcceptedTerms(intent.Terms.Agreement, intent.Terms.TextSha256));

        OfferPosted posted;
        try
        {
            posted = await connection.Client.MakeOfferAsync(intent, offer, keys.Keys, cancellationToken);
        }
        catch (Exception e) when (ShopErrors.Describe(e, "the exchange") is { } why)
        {
            var mayPass = e is HttpRequestException or TaskCanceledException
                || (e is ExchangeProblemException p && (int)p.Status is 429 or >= 500);
            (seen.Outcome, seen.Decision) = (IntentOutcomes.Failed, $"Would offer {description} at {Matcher.Money(match.Amount)}, but: {why}");
            (seen.RetryPayload, seen.RetrySignature) = mayPass ? (signed.Payload, signed.Signature) : (null, null);
            return seen;
        }

        db.Offers.Add(new ShopOffer
        {
            OfferId = offer.Id,
            ExchangeOfferId = posted.OfferId,
            IntentId = intent.Id,
            IntentSignKey = intent.Keys.Sign,
            ProductId = product.Id,
            Description = description,
            Size = match.Size,
            Quantity = match.Quantity,
            Amount = match.Amount,
            Currency = Matcher.Currency,
            DeliveryDate = match.DeliveryDate,
            MadeAt = now,
            ExpiresAt = expires,
            Status = OfferStatuses.Open,
        });
        (seen.Outcome, seen.Decision) = (IntentOutcomes.Offered, string.Create(CultureInfo.InvariantCulture,
            $"Offered {description}{(match.Quantity > 1 ? $" × {match.Quantity}" : "")} at {Matcher.Money(match.Amount)}, delivered by {match.DeliveryDate:d MMM}."));
        return seen;
    }
}
