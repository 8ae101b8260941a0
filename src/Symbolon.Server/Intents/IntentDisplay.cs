using System.Globalization;
using System.Text.Json;
using MudBlazor;
using Symbolon.Contracts.Intents;
using Symbolon.Contracts.Vendor;
using Symbolon.Intents;

namespace Symbolon.Server.Intents;

/// <summary>What the accept dialog answers: the vault's answer and what the person chose to disclose.</summary>
internal sealed record AcceptedOffer(IntentAcceptance Acceptance, IReadOnlyList<string> Datatypes, IReadOnlyDictionary<string, string> Narrowing);

/// <summary>How the web app names, colours and words intents, their offers and their reach.</summary>
internal static class IntentDisplay
{
    /// <summary>Categories to suggest besides those the person's own insights use (shopping ones, which spending rarely names).</summary>
    public static IReadOnlyList<string> CommonCategories { get; } =
        ["bikes", "books", "clothing", "electronics", "furniture", "garden", "home", "shoes", "sports", "toys", "travel"];

    /// <summary>The datatypes a vendor may need for delivery, in the order the accept dialog offers them.</summary>
    public static IReadOnlyList<(string Datatype, string Name)> DeliveryDatatypes { get; } =
    [
        (Datatypes.Name, "your name"),
        (Datatypes.PostalAddress, "your postal address"),
        (Datatypes.Email, "your email address"),
        (Datatypes.Phone, "your phone number"),
    ];

    /// <summary>What a vendor may read, in words: "your name and your postal code and country".</summary>
    public static string Disclosed(IReadOnlyList<string> datatypes, IReadOnlyDictionary<string, string>? narrowing)
    {
        var names = datatypes.Select(d => (narrowing is not null && narrowing.TryGetValue(d, out var n) ? n : Narrowings.Full) switch
        {
            Narrowings.PostalCode => "your postal code and country",
            Narrowings.Country => "your country",
            _ => DeliveryDatatypes.FirstOrDefault(x => x.Datatype == d).Name ?? d,
        }).ToList();
        return names.Count == 0 ? "nothing about you" : Join(names);
    }

    public static string StatusName(string status) => status switch
    {
        IntentStatuses.Open => "Open",
        IntentStatuses.Accepted => "Accepted",
        IntentStatuses.Withdrawn => "Withdrawn",
        IntentStatuses.Expired => "Expired",
        _ => status,
    };

    public static Color StatusColor(string status) => status switch
    {
        IntentStatuses.Open => Color.Primary,
        IntentStatuses.Accepted => Color.Success,
        _ => Color.Default,
    };

    public static string OfferStatusName(string status) => status switch
    {
        IntentOfferStatuses.Open => "Open",
        IntentOfferStatuses.Accepted => "Accepted",
        IntentOfferStatuses.Declined => "Declined",
        IntentOfferStatuses.Closed => "Closed",
        _ => status,
    };

    public static Color OfferStatusColor(string status) => status switch
    {
        IntentOfferStatuses.Open => Color.Primary,
        IntentOfferStatuses.Accepted => Color.Success,
        _ => Color.Default,
    };

    public static string ExchangeStateName(string state) => state switch
    {
        IntentExchangeStates.Pending => "Waiting to post",
        IntentExchangeStates.Posted => "Posted",
        IntentExchangeStates.Failed => "Refused",
        IntentExchangeStates.Closed => "Closed",
        _ => state,
    };

    public static Color ExchangeStateColor(string state) => state switch
    {
        IntentExchangeStates.Posted => Color.Success,
        IntentExchangeStates.Failed => Color.Error,
        IntentExchangeStates.Pending => Color.Warning,
        _ => Color.Default,
    };

    public static string CriterionName(string criterion) => criterion switch
    {
        OfferCriteria.Price => "Price",
        OfferCriteria.History => "Your history",
        OfferCriteria.Requests => "Requests",
        OfferCriteria.Delivery => "Delivery",
        OfferCriteria.Terms => "Terms",
        _ => criterion,
    };

    public static string VerdictIcon(string verdict) => verdict switch
    {
        OfferVerdicts.Good => Icons.Material.Outlined.CheckCircle,
        OfferVerdicts.Poor => Icons.Material.Outlined.Cancel,
        OfferVerdicts.Fair => Icons.Material.Outlined.RemoveCircleOutline,
        _ => Icons.Material.Outlined.HelpOutline,
    };

    public static Color VerdictColor(string verdict) => verdict switch
    {
        OfferVerdicts.Good => Color.Success,
        OfferVerdicts.Poor => Color.Error,
        OfferVerdicts.Fair => Color.Warning,
        _ => Color.Default,
    };

    public static string VerdictName(string verdict) => verdict switch
    {
        OfferVerdicts.Good => "for it",
        OfferVerdicts.Poor => "against it",
        OfferVerdicts.Fair => "neutral",
        _ => "unknown",
    };

    public static string Money(string currency, decimal amount) =>
        currency + " " + (amount == decimal.Truncate(amount)
            ? amount.ToString("#,0", CultureInfo.InvariantCulture)
            : amount.ToString("#,0.00", CultureInfo.InvariantCulture));

    /// <summary>An exchange's address as a person recognizes it: its host (and port when it has one).</summary>
    public static string ExchangeName(string? exchange) =>
        exchange is not null && Uri.TryCreate(exchange, UriKind.Absolute, out var uri) ? uri.IsDefaultPort ? uri.Host : uri.Authority : exchange ?? "";

    public static string Host(string? site) =>
        site is not null && Uri.TryCreate(site, UriKind.Absolute, out var uri) ? uri.Host : site ?? "";

    /// <summary>A list in words: "a", "a and b", "a, b and c".</summary>
    public static string Join(IReadOnlyList<string> parts) => parts.Count switch
    {
        0 => "",
        1 => parts[0],
        _ => string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[^1],
    };

    /// <summary>The intent document in plain words, sentence by sentence, as a vendor reads it.</summary>
    public static IReadOnlyList<string> InWords(IntentDocument document)
    {
        var lines = new List<string>();
        var what = new List<string>();
        if (document.Attributes.Quantity is { } quantity && quantity > 1)
        {
            what.Add($"{quantity} of them");
        }

        if (document.Attributes.Size is { } size)
        {
            what.Add($"size {size}");
        }

        if (document.Attributes.Brand is { } brand)
        {
            what.Add($"by {brand}");
        }

        if (document.Attributes.Condition is { } condition)
        {
            what.Add(condition switch { "new" => "new", "used" => "used is fine", _ => "new or used" });
        }

        lines.Add($"Someone is looking for “{document.Title}” in {document.Category}{(what.Count > 0 ? ": " + Join(what) : "")}.");
        lines.Add($"They will pay at most {Money(document.Budget.Currency, document.Budget.Max)}, all in.");
        if (document.Deadline is { } deadline)
        {
            lines.Add($"It should arrive by {deadline.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}.");
        }

        var where = document.Where;
        lines.Add(where.Pickup is { } pickup
            ? $"They pick it up within {pickup.WithinKm} km of {pickup.Latitude.ToString("0.0", CultureInfo.InvariantCulture)}°, {pickup.Longitude.ToString("0.0", CultureInfo.InvariantCulture)}° in {where.Country} (a point rounded to about 11 km)."
            : where.PostalPrefix is { } prefix
                ? $"Delivery to {where.Country}, to a postal code starting with {prefix}."
                : $"Delivery anywhere in {where.Country}.");
        foreach (var signal in document.Signals)
        {
            lines.Add("Signed claim: " + signal.Statement);
        }

        lines.Add($"Offers are taken until {document.ExpiresAt.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}; whoever offers accepts {document.Terms.Agreement}: the intent is used only to make an offer and deleted when it expires.");
        lines.Add("No name, address or contact comes with it: the keys are new for this intent alone.");
        return lines;
    }

    /// <summary>The intent document inside a preview or detail JSON.</summary>
    public static IntentDocument? Parse(JsonElement json) =>
        IntentCrypto.TryParse<IntentDocument>(JsonSerializer.SerializeToUtf8Bytes(json));

    public static string Pretty(JsonElement json) =>
        JsonSerializer.Serialize(json, PrettyOptions);

    private static readonly JsonSerializerOptions PrettyOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
