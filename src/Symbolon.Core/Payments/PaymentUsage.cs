using System.Globalization;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;
using Symbolon.Core.Wallet;

namespace Symbolon.Core.Payments;

/// <summary>
/// Use the person makes of a payee, for per-use pledges and "pay what you want" suggestions: visits the vault already
/// knows (the vendor's receipts, loyalty events and check-ins, counted once per day), and usage the vendor reports
/// under a grant (<c>usage</c>). Everything is counted in the vault and sent nowhere.
/// </summary>
internal sealed partial class PaymentUsage(RecordStore records, RelationshipService relationships, TimeProvider time)
{
    public const decimal MaxQuantity = 100_000m;

    /// <summary>Stores a usage report from a vendor after checking it whole; errors name the field, never the value.</summary>
    public async Task<(CurrentRecord Record, UsageValue Value)> AddAsync(VaultKeys keys, string clientId, UsageInput input, CancellationToken ct = default)
    {
        var value = Validate(input);
        var record = await records.CreateAsync(keys, PaymentRecordTypes.Usage, VaultJson.Serialize(value), Actor.Vendor(clientId), ct);
        return (record, value);
    }

    /// <summary>The usage a vendor reported, oldest first.</summary>
    public async Task<IReadOnlyList<(CurrentRecord Record, UsageValue Value)>> ListOwnAsync(VaultKeys keys, string clientId, CancellationToken ct = default) =>
        [.. (await records.ListAsync(keys, PaymentRecordTypes.Usage, Actor.Vendor(clientId), ct)).Where(r => r.Type == PaymentRecordTypes.Usage).Select(r => (r, VaultJson.Deserialize<UsageValue>(r.Json)))];

    public UsageValue Validate(UsageInput input)
    {
        var errors = new ValidationErrors();
        var now = time.GetUtcNow();
        if (input.From.Year < 2000 || input.From > now.AddDays(1))
        {
            errors.Add("from", "A time from the year 2000 until now, with its offset.");
        }

        if (input.To <= input.From || input.To > now.AddDays(1))
        {
            errors.Add("to", "After from, and not in the future.");
        }
        else if (input.To - input.From > TimeSpan.FromDays(93))
        {
            errors.Add("to", "At most 93 days after from; report a longer time in parts.");
        }

        if (input.Quantity <= 0 || input.Quantity > MaxQuantity)
        {
            errors.Add("quantity", "More than 0 and at most 100,000.");
        }
        else if (decimal.Round(input.Quantity, 2) != input.Quantity)
        {
            errors.Add("quantity", "At most 2 decimals.");
        }

        var unit = input.Unit?.Trim() ?? "";
        if (!System.Text.RegularExpressions.Regex.IsMatch(unit, "^[a-z]{1,20}$"))
        {
            errors.Add("unit", "1 to 20 lower-case letters, such as hours or visits.");
        }

        var description = Receipts.Text(errors, "description", input.Description, 200, required: false);
        errors.ThrowIfAny();
        return new UsageValue(input.From, input.To, input.Quantity, unit, description);
    }

    /// <summary>
    /// Days in [<paramref name="from"/>, <paramref name="to"/>) on which the person visited the vendor: a receipt, a loyalty
    /// event or a check-in of that vendor (a visit that left all three counts once).
    /// </summary>
    public async Task<decimal> VisitsAsync(VaultKeys keys, Guid? relationshipId, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        if (relationshipId is null || await relationships.FindAsync(keys.VaultId, relationshipId.Value, ct) is not { } relationship)
        {
            return 0;
        }

        var days = new HashSet<DateOnly>();
        void Add(DateTimeOffset at)
        {
            var day = DateOnly.FromDateTime(at.UtcDateTime);
            if (day >= from && day < to)
            {
                days.Add(day);
            }
        }

        var vendor = Actor.Vendor(relationship.ClientId);
        foreach (var record in await records.ListAsync(keys, DatatypeCatalog.ReceiptRecordType, vendor, ct))
        {
            if (record.Type == DatatypeCatalog.ReceiptRecordType)
            {
                Add(VaultJson.Deserialize<ReceiptInput>(record.Json).IssuedAt);
            }
        }

        foreach (var record in await records.ListAsync(keys, DatatypeCatalog.LoyaltyEventRecordType, vendor, ct))
        {
            if (record.Type == DatatypeCatalog.LoyaltyEventRecordType && VaultJson.Deserialize<LoyaltyEventValue>(record.Json).Amount > 0)
            {
                Add(record.CreatedAt);
            }
        }

        foreach (var record in await records.ListAsync(keys, DatatypeCatalog.CheckInRecordType, ct))
        {
            if (record.Type == DatatypeCatalog.CheckInRecordType)
            {
                var checkIn = VaultJson.Deserialize<CheckInValue>(record.Json);
                if (checkIn.RecordedBy == relationship.ClientId || checkIn.SharedWith.Contains(relationship.Id))
                {
                    Add(checkIn.At);
                }
            }
        }

        return days.Count;
    }

    /// <summary>
    /// Reported usage in <paramref name="unit"/> within [<paramref name="from"/>, <paramref name="to"/>): a report counts in
    /// the period its end falls in.
    /// </summary>
    public async Task<decimal> ReportedAsync(VaultKeys keys, Guid? relationshipId, string unit, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        if (relationshipId is null || await relationships.FindAsync(keys.VaultId, relationshipId.Value, ct) is not { } relationship)
        {
            return 0;
        }

        decimal total = 0;
        foreach (var (_, value) in await ListOwnAsync(keys, relationship.ClientId, ct))
        {
            var day = DateOnly.FromDateTime(value.To.AddTicks(-1).UtcDateTime);
            if (value.Unit == unit && day >= from && day < to)
            {
                total += value.Quantity;
            }
        }

        return total;
    }

    public static UsageReport ToReport(CurrentRecord record, UsageValue value) =>
        new(record.Id, value.From, value.To, value.Quantity, value.Unit, value.Description);

    internal static string Describe(UsageValue value) =>
        $"{value.Quantity.ToString("0.##", CultureInfo.InvariantCulture)} {value.Unit}";
}
