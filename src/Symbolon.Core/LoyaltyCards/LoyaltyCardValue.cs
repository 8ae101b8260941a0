using System.Globalization;
using Symbolon.Contracts.LoyaltyCards;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;

namespace Symbolon.Core.LoyaltyCards;

/// <summary>A kept loyalty card as it is sealed in its record (type <see cref="LoyaltyCardService.RecordType"/>).</summary>
internal sealed record LoyaltyCardValue(
    string Store,
    string CardNumber,
    string? BarcodeFormat = null,
    string? BarcodeValue = null,
    string? BarcodeEncoding = null,
    string? Note = null,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? Expiry = null,
    decimal Balance = 0,
    string? BalanceCurrency = null,
    string? HeaderColor = null,
    bool Starred = false,
    bool Archived = false,
    DateTimeOffset? LastUsed = null,
    IReadOnlyList<string>? Groups = null)
{
    /// <summary>Structural equality including the groups (records compare lists by reference).</summary>
    public bool SameAs(LoyaltyCardValue other) =>
        this with { Groups = null } == other with { Groups = null }
        && (Groups ?? []).SequenceEqual(other.Groups ?? [], StringComparer.Ordinal);
}

/// <summary>One or more values of a kept card are invalid; keys name the fields (camelCase), never their values.</summary>
internal sealed class LoyaltyCardInvalidException(IReadOnlyDictionary<string, string[]> errors) : SymbolonProblemException(
    ProblemCodes.LoyaltyCardInvalid, 400, "The card cannot be saved like this.", "See errors for each field and why.",
    "The card's values are invalid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(' ', e.Value)}")), errors)
{
    /// <summary>Never null here: this exception is about the fields.</summary>
    public new IReadOnlyDictionary<string, string[]> Errors => base.Errors!;
}

/// <summary>Checks and normalizes a card: trims text, truncates times to what Catima keeps, refuses what a barcode cannot hold.</summary>
internal static class LoyaltyCardValidator
{
    public const int StoreMax = 200;
    public const int CardNumberMax = 500;
    public const int NoteMax = 2000;
    public const int GroupMax = 100;
    public const int GroupsMax = 50;

    /// <summary>The character sets Catima offers for reading a barcode.</summary>
    public static IReadOnlyList<string> Encodings { get; } = ["UTF-8", "ISO-8859-1"];

    public static LoyaltyCardValue Normalize(LoyaltyCardInput input)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string reason)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(reason);
        }

        var store = input.Store?.Trim() ?? "";
        if (store.Length == 0)
        {
            Add("store", "Give the store or programme the card belongs to.");
        }
        else if (store.Length > StoreMax)
        {
            Add("store", $"At most {StoreMax} characters.");
        }

        var cardNumber = input.CardNumber?.Trim() ?? "";
        if (cardNumber.Length == 0)
        {
            Add("cardNumber", "Give the card number.");
        }
        else if (cardNumber.Length > CardNumberMax)
        {
            Add("cardNumber", $"At most {CardNumberMax} characters.");
        }

        var barcodeValue = string.IsNullOrWhiteSpace(input.BarcodeValue) ? null : input.BarcodeValue.Trim();
        if (barcodeValue is { Length: > CardNumberMax })
        {
            Add("barcodeValue", $"At most {CardNumberMax} characters.");
        }

        var format = string.IsNullOrWhiteSpace(input.BarcodeFormat) ? null : input.BarcodeFormat.Trim();
        if (format is not null && !BarcodeRules.IsKnown(format))
        {
            Add("barcodeFormat", $"Use one of {string.Join(", ", BarcodeFormats.All)}, or none.");
        }
        else if (format is not null)
        {
            // The barcode carries the barcode value when there is one, else the card number; the error names
            // whichever field holds what the barcode would carry.
            var (field, content) = barcodeValue is null ? ("cardNumber", cardNumber) : ("barcodeValue", barcodeValue);
            if (content.Length > 0 && !errors.ContainsKey(field) && BarcodeRules.Check(format, content) is { } reason)
            {
                Add(field, reason);
            }
        }

        var encoding = string.IsNullOrWhiteSpace(input.BarcodeEncoding) ? null : input.BarcodeEncoding.Trim();
        if (encoding is not null && !Encodings.Contains(encoding, StringComparer.Ordinal))
        {
            Add("barcodeEncoding", $"Use {string.Join(" or ", Encodings)}, or none.");
        }

        var note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim();
        if (note is { Length: > NoteMax })
        {
            Add("note", $"At most {NoteMax} characters.");
        }

        // Catima keeps validity times in milliseconds and the last use in seconds; truncating here makes an export
        // followed by an import give back exactly the same card.
        var validFrom = TruncateToMilliseconds(input.ValidFrom);
        var expiry = TruncateToMilliseconds(input.Expiry);
        if (validFrom is { } from && expiry is { } to && to < from)
        {
            Add("expiry", "The expiry is before the card becomes valid.");
        }

        var lastUsed = input.LastUsed is { } used ? DateTimeOffset.FromUnixTimeSeconds(used.ToUnixTimeSeconds()) : (DateTimeOffset?)null;

        if (input.Balance < 0)
        {
            Add("balance", "The balance cannot be negative.");
        }
        else if (input.Balance > 1_000_000_000_000m)
        {
            Add("balance", "The balance is too large.");
        }

        var currency = string.IsNullOrWhiteSpace(input.BalanceCurrency) ? null : input.BalanceCurrency.Trim().ToUpperInvariant();
        if (currency is not null && (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper)))
        {
            Add("balanceCurrency", "Use a three-letter ISO 4217 code such as EUR or USD, or none for points.");
        }

        var color = string.IsNullOrWhiteSpace(input.HeaderColor) ? null : input.HeaderColor.Trim().ToUpperInvariant();
        if (color is not null && !IsHexColor(color))
        {
            Add("headerColor", "Use a colour as #RRGGBB, for example #3F51B5.");
        }

        var groups = (input.Groups ?? []).Select(g => g?.Trim() ?? "").ToList();
        if (groups.Count > GroupsMax)
        {
            Add("groups", $"At most {GroupsMax} groups.");
        }
        else if (groups.Any(g => g.Length is 0 or > GroupMax))
        {
            Add("groups", $"Each group name has 1 to {GroupMax} characters.");
        }

        if (errors.Count > 0)
        {
            throw new LoyaltyCardInvalidException(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }

        return new LoyaltyCardValue(
            store,
            cardNumber,
            format,
            barcodeValue,
            encoding,
            note,
            validFrom,
            expiry,
            input.Balance,
            currency,
            color,
            input.Starred,
            input.Archived,
            lastUsed,
            groups.Count == 0 ? null : [.. groups.Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>#RRGGBB from Catima's colour, a signed 32-bit ARGB integer. Catima's colours are opaque; alpha is not kept.</summary>
    public static string ColorFromArgb(int argb) => "#" + (argb & 0xFFFFFF).ToString("X6", CultureInfo.InvariantCulture);

    /// <summary>Catima's signed 32-bit ARGB integer (opaque) from #RRGGBB.</summary>
    public static int ArgbFromColor(string color) => unchecked((int)(0xFF000000u | uint.Parse(color.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture)));

    private static bool IsHexColor(string color) => color.Length == 7 && color[0] == '#' && color.Skip(1).All(char.IsAsciiHexDigit);

    private static DateTimeOffset? TruncateToMilliseconds(DateTimeOffset? time) =>
        time is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds()) : null;
}
