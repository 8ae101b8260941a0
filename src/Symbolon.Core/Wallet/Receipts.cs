using System.Globalization;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Wallet;

/// <summary>
/// Digital receipts vendors push (record type <c>receipt</c>), attributed to the vendor that pushed them. A
/// receipt is checked in full before anything is written: every amount in decimal arithmetic, rounded to the
/// currency's minor unit, so a receipt in the vault always adds up.
/// </summary>
internal sealed class Receipts(RecordStore records)
{
    public const string RecordType = DatatypeCatalog.ReceiptRecordType;
    public const int MaxLines = 200;
    public const int MaxBodyBytes = 64 * 1024;
    private const decimal MaxQuantity = 1_000_000m;
    private const decimal MaxAmount = 1_000_000_000m;

    public async Task<CurrentRecord> AddAsync(VaultKeys keys, string clientId, ReceiptInput input, CancellationToken ct = default)
    {
        var receipt = Validate(input);
        return await records.CreateAsync(keys, RecordType, VaultJson.Serialize(receipt), Actor.Vendor(clientId), ct);
    }

    /// <summary>The receipts one vendor pushed, oldest first.</summary>
    public async Task<IReadOnlyList<(CurrentRecord Record, ReceiptInput Receipt)>> ListOwnAsync(VaultKeys keys, string clientId, CancellationToken ct = default) =>
        [.. (await records.ListAsync(keys, RecordType, Actor.Vendor(clientId), ct)).Where(r => r.Type == RecordType).Select(r => (r, VaultJson.Deserialize<ReceiptInput>(r.Json)))];

    /// <summary>Every receipt in the vault, oldest first.</summary>
    public async Task<IReadOnlyList<(CurrentRecord Record, ReceiptInput Receipt)>> ListAllAsync(VaultKeys keys, CancellationToken ct = default) =>
        [.. (await records.ListAsync(keys, RecordType, ct)).Where(r => r.Type == RecordType).Select(r => (r, VaultJson.Deserialize<ReceiptInput>(r.Json)))];

    /// <summary>
    /// Checks a receipt and returns it with its text trimmed. Errors name each field by its path
    /// (<c>lines[2].quantity</c>) and say why, never what was sent.
    /// </summary>
    public static ReceiptInput Validate(ReceiptInput input)
    {
        if (input.Lines.Count > MaxLines)
        {
            throw new WalletProblemException(ProblemCodes.ReceiptTooLarge, 413, "The receipt is too large.",
                $"A receipt has at most {MaxLines} lines; split a larger sale into several receipts.",
                new Dictionary<string, string[]> { ["lines"] = [$"At most {MaxLines} lines."] });
        }

        var errors = new ValidationErrors();
        var storeName = Text(errors, "store_name", input.StoreName, 200, required: true);
        var location = Text(errors, "store_location", input.StoreLocation, 300, required: false);
        var payment = Text(errors, "payment_method", input.PaymentMethod, 60, required: true);
        var number = Text(errors, "receipt_number", input.ReceiptNumber, 100, required: false);
        if (input.IssuedAt.Year is < 2000 or > 9000)
        {
            errors.Add("issued_at", "A time between the years 2000 and 9000, with its offset.");
        }

        var currency = input.Currency ?? "";
        if (!Currencies.IsKnown(currency))
        {
            errors.Add("currency", "An ISO 4217 currency code in use, in upper case, such as EUR or USD.");
        }

        if (input.Lines.Count == 0)
        {
            errors.Add("lines", "A receipt has at least one line.");
        }

        var digits = Currencies.IsKnown(currency) ? Currencies.DigitsOf(currency) : 2;
        var lines = new List<ReceiptLineInput>(input.Lines.Count);
        decimal subtotal = 0, taxTotal = 0;
        for (var i = 0; i < input.Lines.Count; i++)
        {
            var line = input.Lines[i];
            var at = $"lines[{i.ToString(CultureInfo.InvariantCulture)}]";
            if (line is null)
            {
                errors.Add(at, "A line is an object.");
                continue;
            }

            var description = Text(errors, at + ".description", line.Description, 200, required: true);
            var quantityOk = true;
            if (line.Quantity <= 0 || line.Quantity > MaxQuantity)
            {
                errors.Add(at + ".quantity", $"More than 0 and at most {MaxQuantity.ToString("N0", CultureInfo.InvariantCulture)}.");
                quantityOk = false;
            }
            else if (line.Quantity.Scale > 3 && decimal.Round(line.Quantity, 3) != line.Quantity)
            {
                errors.Add(at + ".quantity", "At most 3 decimals.");
                quantityOk = false;
            }

            var priceOk = Amount(errors, at + ".unit_price", line.UnitPrice, digits);
            var taxOk = Amount(errors, at + ".tax", line.Tax, digits);
            var totalOk = Amount(errors, at + ".line_total", line.LineTotal, digits);
            if (quantityOk && priceOk && totalOk)
            {
                var expected = decimal.Round(line.Quantity * line.UnitPrice, digits, MidpointRounding.AwayFromZero);
                if (expected != line.LineTotal)
                {
                    errors.Add(at + ".line_total", "Does not equal quantity × unit_price rounded to the currency's minor unit.");
                }
            }

            subtotal += line.LineTotal;
            taxTotal += line.Tax;
            lines.Add(line with { Description = description ?? "" });
        }

        var subtotalOk = Amount(errors, "subtotal", input.Subtotal, digits);
        var taxTotalOk = Amount(errors, "tax_total", input.TaxTotal, digits);
        var totalOk2 = Amount(errors, "total", input.Total, digits);
        if (!errors.Any)
        {
            if (subtotalOk && subtotal != input.Subtotal)
            {
                errors.Add("subtotal", "Does not equal the sum of the lines' line_total.");
            }

            if (taxTotalOk && taxTotal != input.TaxTotal)
            {
                errors.Add("tax_total", "Does not equal the sum of the lines' tax.");
            }

            var expectedTotal = input.TaxIncluded ? input.Subtotal : input.Subtotal + input.TaxTotal;
            if (totalOk2 && expectedTotal != input.Total)
            {
                errors.Add("total", input.TaxIncluded ? "Does not equal subtotal (tax_included is true)." : "Does not equal subtotal + tax_total.");
            }

            if (input.TaxIncluded && input.TaxTotal > input.Subtotal)
            {
                errors.Add("tax_total", "Included tax cannot exceed the subtotal.");
            }
        }

        if (errors.Any)
        {
            throw Invalid(errors);
        }

        return input with { StoreName = storeName!, StoreLocation = location, PaymentMethod = payment!, ReceiptNumber = number, Lines = lines };
    }

    private static WalletProblemException Invalid(ValidationErrors errors) =>
        new(ProblemCodes.InvalidReceipt, 400, "The receipt is not valid.", "See errors for each field and why; nothing was stored.", errors.ToDictionary());

    private static bool Amount(ValidationErrors errors, string field, decimal value, int digits)
    {
        if (value < 0 || value > MaxAmount)
        {
            errors.Add(field, "0 or more, and at most 1,000,000,000.");
            return false;
        }

        if (decimal.Round(value, digits) != value)
        {
            errors.Add(field, $"At most {digits.ToString(CultureInfo.InvariantCulture)} decimals, the currency's minor unit.");
            return false;
        }

        return true;
    }

    internal static string? Text(ValidationErrors errors, string field, string? value, int max, bool required)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            if (required)
            {
                errors.Add(field, "Required.");
            }

            return null;
        }

        if (trimmed.Length > max)
        {
            errors.Add(field, $"At most {max.ToString(CultureInfo.InvariantCulture)} characters.");
        }
        else if (VendorText.HasUnsafeCharacter(trimmed))
        {
            errors.Add(field, VendorText.SingleLineReason);
        }

        return trimmed;
    }
}
