using System.Globalization;
using BootShop.Data;
using Symbolon.Intents;

namespace BootShop.Shop;

/// <summary>What the shop can offer on an intent: the best fitting product and size, or why nothing fits.</summary>
/// <param name="Product">The product to offer, or null.</param>
/// <param name="Size">The size, as the catalog spells it.</param>
/// <param name="Quantity">How many pairs.</param>
/// <param name="Amount">The total in EUR, delivery included.</param>
/// <param name="DeliveryDate">When it would arrive.</param>
/// <param name="Reason">Why nothing fits, in a sentence; null when something does.</param>
public sealed record Match(Product? Product, string Size, int Quantity, decimal Amount, DateOnly DeliveryDate, string? Reason);

/// <summary>
/// Matches an intent against the catalog: category, delivery area, condition, what it is (the intent's words against
/// each product's keywords), brand, size in stock, quantity, budget and deadline, in that order. The first check that
/// leaves nothing is the reason given; among what is left, the product that shares most words with the intent wins,
/// then the cheaper one.
/// </summary>
public static class Matcher
{
    public const string Currency = "EUR";

    public static Match Find(IntentDocument intent, IReadOnlyList<Product> products, IReadOnlyList<DeliveryArea> areas, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(intent);
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(areas);
        var quantity = intent.Attributes.Quantity ?? 1;
        var size = NormalizeSize(intent.Attributes.Size);
        Match None(string reason) => new(null, size ?? "", quantity, 0, today, reason);

        var candidates = products.Where(p => p.Category == intent.Category).ToList();
        if (candidates.Count == 0)
        {
            return None($"The shop sells nothing in the category {intent.Category}.");
        }

        if (intent.Where.Pickup is not null)
        {
            return None("The intent asks for pick-up; the shop only delivers.");
        }

        if (!Delivers(areas, intent.Where))
        {
            return None($"The shop does not deliver to {Place(intent.Where)}.");
        }

        if (intent.Budget.Currency != Currency)
        {
            return None($"The budget is in {intent.Budget.Currency}; the shop prices in {Currency} only.");
        }

        if (intent.Attributes.Condition is "used")
        {
            candidates = [.. candidates.Where(p => p.Condition == "used")];
            if (candidates.Count == 0)
            {
                return None("The intent asks for used shoes; the shop sells new ones only.");
            }
        }

        var words = Words(intent.Title + " " + intent.Description);
        var known = candidates.SelectMany(Keywords).ToHashSet(StringComparer.Ordinal);

        // An intent that names no kind of shoe the shop knows ("shoes, size 44") may get any; one that does gets only those.
        if (words.Overlaps(known))
        {
            candidates = [.. candidates.Where(p => Keywords(p).Any(words.Contains))];
        }

        if (intent.Attributes.Brand is { Length: > 0 } brand)
        {
            candidates = [.. candidates.Where(p => string.Equals(p.Brand, brand.Trim(), StringComparison.OrdinalIgnoreCase))];
            if (candidates.Count == 0)
            {
                return None($"The shop has nothing like that from {brand.Trim()}.");
            }
        }

        if (size is null)
        {
            return None("The intent names no size; shoes need one.");
        }

        var inSize = candidates.Where(p => InStock(p, size) > 0).ToList();
        if (inSize.Count == 0)
        {
            return None($"No size {size} in stock.");
        }

        var enough = inSize.Where(p => InStock(p, size) >= quantity).ToList();
        if (enough.Count == 0)
        {
            return None($"Only {inSize.Max(p => InStock(p, size))} pair(s) of size {size} in stock; {quantity} asked for.");
        }

        var affordable = enough.Where(p => p.Price * quantity <= intent.Budget.Max).ToList();
        if (affordable.Count == 0)
        {
            return None($"Nothing fitting within {Money(intent.Budget.Max)} (the cheapest is {Money(enough.Min(p => p.Price) * quantity)}).");
        }

        var inTime = intent.Deadline is { } deadline ? affordable.Where(p => today.AddDays(p.DeliveryDays) <= deadline).ToList() : affordable;
        if (inTime.Count == 0)
        {
            return None($"Cannot deliver by {intent.Deadline!.Value.ToString("d MMM", CultureInfo.InvariantCulture)} (the soonest is {today.AddDays(affordable.Min(p => p.DeliveryDays)).ToString("d MMM", CultureInfo.InvariantCulture)}).");
        }

        var best = inTime
            .OrderByDescending(p => Keywords(p).Count(words.Contains))
            .ThenBy(p => p.Price)
            .ThenBy(p => p.Id)
            .First();
        return new Match(best, size, quantity, best.Price * quantity, today.AddDays(best.DeliveryDays), null);
    }

    public static string Money(decimal amount) => string.Create(CultureInfo.InvariantCulture, $"{Currency} {amount:0.00}");

    public static string Place(IntentPlace where)
    {
        ArgumentNullException.ThrowIfNull(where);
        return where.Pickup is { } pickup
            ? string.Create(CultureInfo.InvariantCulture, $"pick-up within {pickup.WithinKm} km of {pickup.Latitude}, {pickup.Longitude}")
            : where.PostalPrefix is { } prefix ? $"{where.Country} {prefix}…" : where.Country;
    }

    /// <summary>EU sizes as the catalog spells them: <c>EU 44</c>, <c>44 </c> and <c>44</c> are one size.</summary>
    public static string? NormalizeSize(string? size)
    {
        var text = size?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return text.StartsWith("EU", StringComparison.Ordinal) ? text[2..].Trim() : text;
    }

    private static bool Delivers(IReadOnlyList<DeliveryArea> areas, IntentPlace where) =>
        areas.Any(a => a.Country == where.Country
            && (a.PostalPrefix is null || (where.PostalPrefix is { } prefix && prefix.StartsWith(a.PostalPrefix, StringComparison.OrdinalIgnoreCase))));

    private static int InStock(Product product, string size) => product.Stock.FirstOrDefault(s => s.Size == size)?.Quantity ?? 0;

    private static IEnumerable<string> Keywords(Product product) => product.Keywords.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static HashSet<string> Words(string text) =>
        text.ToLowerInvariant()
            .Split([' ', ',', '.', ';', ':', '!', '?', '-', '/', '(', ')', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)
            // "boot" finds "boots": the catalog's keywords are plurals where a word has one.
            .SelectMany(w => new[] { w, w + "s" })
            .ToHashSet(StringComparer.Ordinal);
}
