using System.Text.RegularExpressions;

namespace Symbolon.Intents;

/// <summary>
/// The content rules of intents and offers, shared by the vault (before signing), the exchange (before relaying)
/// and vendors (before offering). Errors are keyed by the JSON member path (<c>budget.max</c>, <c>items[0].quantity</c>)
/// and never repeat the value.
/// </summary>
public static partial class IntentRules
{
    /// <summary>The largest intent payload, in bytes.</summary>
    public const int MaxIntentBytes = 8 * 1024;

    /// <summary>The largest offer (signed document JSON, or its sealed envelope's plaintext), in bytes.</summary>
    public const int MaxOfferBytes = 16 * 1024;

    /// <summary>The longest an intent may stay open.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(90);

    /// <summary>The most signals an intent carries.</summary>
    public const int MaxSignals = 4;

    /// <summary>The most lines in an offer.</summary>
    public const int MaxOfferItems = 50;

    /// <summary>Checks an intent's content; an empty result means it is valid at <paramref name="now"/>.</summary>
    public static IReadOnlyDictionary<string, string[]> CheckIntent(IntentDocument intent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(intent);
        var errors = new Errors();
        if (intent.Version != 1)
        {
            errors.Add("v", "Only version 1 is known.");
        }

        if (intent.Id is null || !IntentId().IsMatch(intent.Id))
        {
            errors.Add("id", "Must be int_ followed by 22 base64url characters.");
        }

        errors.Text("title", intent.Title, 1, 120);
        errors.Text("description", intent.Description, 0, 2000);
        if (intent.Category is null || !Slug().IsMatch(intent.Category))
        {
            errors.Add("category", "Must be 1 to 40 lowercase letters, digits or hyphens.");
        }

        var attributes = intent.Attributes;
        if (attributes is null)
        {
            errors.Add("attributes", "Is required (it may be empty).");
        }
        else
        {
            errors.Text("attributes.size", attributes.Size, 0, 20);
            errors.Text("attributes.brand", attributes.Brand, 0, 60);
            if (attributes.Quantity is < 1 or > 1000)
            {
                errors.Add("attributes.quantity", "Must be 1 to 1,000.");
            }

            if (attributes.Condition is not (null or "new" or "used" or "any"))
            {
                errors.Add("attributes.condition", "Must be new, used or any.");
            }
        }

        if (intent.Budget is null)
        {
            errors.Add("budget", "Is required.");
        }
        else
        {
            errors.Money("budget.max", intent.Budget.Max, allowZero: false);
            errors.Currency("budget.currency", intent.Budget.Currency);
        }

        CheckPlace(errors, intent.Where);
        if (intent.ExpiresAt <= now)
        {
            errors.Add("expires_at", "Must be in the future.");
        }
        else if (intent.ExpiresAt > now + MaxLifetime)
        {
            errors.Add("expires_at", "Must be within 90 days.");
        }

        if (intent.CreatedAt > now + IntentCrypto.RequestClockSkew)
        {
            errors.Add("created_at", "Must not be in the future.");
        }

        if (intent.Deadline is { } deadline && deadline < DateOnly.FromDateTime(now.UtcDateTime.AddDays(-1)))
        {
            errors.Add("deadline", "Must not be in the past.");
        }

        if (intent.Terms is null || intent.Terms.Agreement != IntentAgreement.Id || intent.Terms.TextSha256 != IntentAgreement.TextSha256)
        {
            errors.Add("terms", "Must name PDC-INTENT with the SHA-256 of its text.");
        }
        else if (intent.Terms.AlsoProffered is null || intent.Terms.AlsoProffered.Count > 5 || intent.Terms.AlsoProffered.Any(a => a is null || !RosterId().IsMatch(a)))
        {
            errors.Add("terms.also_proffered", "Must list up to 5 roster ids.");
        }

        if (intent.Signals is null || intent.Signals.Count > MaxSignals)
        {
            errors.Add("signals", "Must be a list of at most 4 signals.");
        }
        else
        {
            for (var i = 0; i < intent.Signals.Count; i++)
            {
                var signal = intent.Signals[i];
                if (signal?.Type is not (IntentSignalTypes.BoughtInCategoryBefore or IntentSignalTypes.BudgetConfirmed))
                {
                    errors.Add($"signals[{i}].type", "Is not a known signal.");
                }

                errors.Text($"signals[{i}].statement", signal?.Statement, 1, 200);
            }
        }

        if (intent.Keys is null || IntentCrypto.Decode(intent.Keys.Sign, 32)?.Length != 32 || IntentCrypto.Decode(intent.Keys.Offer, 32)?.Length != 32)
        {
            errors.Add("keys", "Must hold two 32-byte base64url public keys.");
        }

        return errors.Result;
    }

    /// <summary>Checks an offer's content against the intent it answers; an empty result means it is valid at <paramref name="now"/>.</summary>
    public static IReadOnlyDictionary<string, string[]> CheckOffer(OfferDocument offer, IntentDocument intent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(intent);
        var errors = new Errors();
        if (offer.Version != 1)
        {
            errors.Add("v", "Only version 1 is known.");
        }

        if (offer.Id is null || !OfferId().IsMatch(offer.Id))
        {
            errors.Add("id", "Must be off_ followed by 1 to 60 letters, digits, '-' or '_'.");
        }

        if (offer.IntentId != intent.Id || offer.IntentKey != intent.Keys.Sign)
        {
            errors.Add("intent_id", "Does not name this intent and its key.");
        }

        if (offer.Vendor is null)
        {
            errors.Add("vendor", "Is required.");
        }
        else
        {
            errors.Text("vendor.name", offer.Vendor.Name, 1, 100);
            errors.Url("vendor.site", offer.Vendor.Site, required: true);
            if (IntentCrypto.Decode(offer.Vendor.SignKey, 32)?.Length != 32)
            {
                errors.Add("vendor.sign_key", "Must be a 32-byte base64url Ed25519 public key.");
            }

            if (IntentCrypto.Decode(offer.Vendor.BoxKey, 32)?.Length != 32)
            {
                errors.Add("vendor.box_key", "Must be a 32-byte base64url X25519 public key.");
            }
        }

        if (offer.Items is null || offer.Items.Count is 0 or > MaxOfferItems)
        {
            errors.Add("items", "Must hold 1 to 50 lines.");
        }
        else
        {
            for (var i = 0; i < offer.Items.Count; i++)
            {
                var item = offer.Items[i];
                errors.Text($"items[{i}].description", item?.Description, 1, 200);
                if (item is null || item.Quantity is < 1 or > 1000)
                {
                    errors.Add($"items[{i}].quantity", "Must be 1 to 1,000.");
                }

                if (item is not null)
                {
                    errors.Money($"items[{i}].unit_price", item.UnitPrice, allowZero: true);
                }
            }
        }

        if (offer.Price is null)
        {
            errors.Add("price", "Is required.");
        }
        else
        {
            errors.Money("price.amount", offer.Price.Amount, allowZero: true);
            errors.Currency("price.currency", offer.Price.Currency);
        }

        errors.Text("terms", offer.Terms, 0, 2000);
        errors.Url("terms_url", offer.TermsUrl, required: false);
        if (offer.ExpiresAt <= now)
        {
            errors.Add("expires_at", "The offer has expired.");
        }

        if (offer.Accepts is null || offer.Accepts.Agreement != intent.Terms.Agreement || offer.Accepts.TextSha256 != intent.Terms.TextSha256)
        {
            errors.Add("accepts", "Must accept the intent's agreement with its hash.");
        }

        return errors.Result;
    }

    /// <summary>True when an intent of this category and place matches a subscription.</summary>
    public static bool Matches(ExchangeSubscription subscription, string category, IntentPlace where)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(where);
        if (!string.Equals(subscription.Category, category, StringComparison.Ordinal))
        {
            return false;
        }

        if (subscription.Country is not null && !string.Equals(subscription.Country, where.Country, StringComparison.Ordinal))
        {
            return false;
        }

        if (subscription.PostalPrefix is null || where.PostalPrefix is null)
        {
            return true;
        }

        return subscription.PostalPrefix.StartsWith(where.PostalPrefix, StringComparison.OrdinalIgnoreCase)
            || where.PostalPrefix.StartsWith(subscription.PostalPrefix, StringComparison.OrdinalIgnoreCase);
    }

    private static void CheckPlace(Errors errors, IntentPlace? where)
    {
        if (where is null)
        {
            errors.Add("where", "Is required.");
            return;
        }

        if (where.Country is null || !Country().IsMatch(where.Country))
        {
            errors.Add("where.country", "Must be an ISO 3166-1 alpha-2 code in capitals.");
        }

        if (where.PostalPrefix is not null && !PostalPrefix().IsMatch(where.PostalPrefix))
        {
            errors.Add("where.postal_prefix", "Must be 1 to 3 letters or digits: coarse on purpose.");
        }

        if (where.Pickup is { } pickup)
        {
            if (where.PostalPrefix is not null)
            {
                errors.Add("where.pickup", "Give a postal prefix or a pick-up area, not both.");
            }

            if (pickup.Latitude is < -90 or > 90 || decimal.Round(pickup.Latitude, 1) != pickup.Latitude)
            {
                errors.Add("where.pickup.lat", "Must be -90 to 90 with at most one decimal.");
            }

            if (pickup.Longitude is < -180 or > 180 || decimal.Round(pickup.Longitude, 1) != pickup.Longitude)
            {
                errors.Add("where.pickup.lon", "Must be -180 to 180 with at most one decimal.");
            }

            if (pickup.WithinKm is < 1 or > 500)
            {
                errors.Add("where.pickup.within_km", "Must be 1 to 500.");
            }
        }
    }

    [GeneratedRegex("^int_[A-Za-z0-9_-]{22}$")]
    private static partial Regex IntentId();

    [GeneratedRegex("^off_[A-Za-z0-9_-]{1,60}$")]
    private static partial Regex OfferId();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex Slug();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex Country();

    [GeneratedRegex("^[A-Z]{3}$")]
    internal static partial Regex CurrencyCode();

    [GeneratedRegex("^[A-Za-z0-9]{1,3}$")]
    private static partial Regex PostalPrefix();

    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{1,30}$")]
    private static partial Regex RosterId();

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> items = new(StringComparer.Ordinal);

        public IReadOnlyDictionary<string, string[]> Result => items.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);

        public void Add(string field, string message)
        {
            if (!items.TryGetValue(field, out var list))
            {
                items[field] = list = [];
            }

            list.Add(message);
        }

        public void Text(string field, string? value, int min, int max)
        {
            if ((value?.Length ?? 0) < min)
            {
                Add(field, min == 1 ? "Is required." : $"Must be at least {min} characters.");
            }
            else if (value is not null && value.Length > max)
            {
                Add(field, $"Must be at most {max:N0} characters.");
            }
            else if (value is not null && value.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
            {
                Add(field, "Must not hold control characters.");
            }
        }

        public void Money(string field, decimal value, bool allowZero)
        {
            if (value < 0 || (!allowZero && value == 0) || value > 10_000_000m || decimal.Round(value, 2) != value)
            {
                Add(field, allowZero ? "Must be 0 to 10,000,000 with at most two decimals." : "Must be more than 0 and at most 10,000,000, with at most two decimals.");
            }
        }

        public void Currency(string field, string? value)
        {
            if (value is null || !CurrencyCode().IsMatch(value))
            {
                Add(field, "Must be an ISO 4217 code in capitals.");
            }
        }

        public void Url(string field, string? value, bool required)
        {
            if (value is null)
            {
                if (required)
                {
                    Add(field, "Is required.");
                }

                return;
            }

            if (value.Length > 300 || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
                || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
            {
                Add(field, "Must be an absolute https address (http only on loopback), up to 300 characters.");
            }
        }
    }
}
