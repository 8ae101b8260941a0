using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Vendor;

/// <summary>
/// An itemized receipt a vendor pushes into the person's vault (<c>POST /api/v1/receipts</c>, needs <c>append</c> on
/// <c>receipts</c>). Amounts are decimal numbers in <see cref="Currency"/> with at most its minor-unit digits
/// (2 for EUR, 0 for JPY, 3 for KWD). Every <see cref="ReceiptLineInput.LineTotal"/> must be quantity × unit price
/// rounded to the currency's minor unit (half away from zero), <see cref="Subtotal"/> the sum of the line totals,
/// <see cref="TaxTotal"/> the sum of the lines' tax, and <see cref="Total"/> the subtotal plus the tax total (or the
/// subtotal alone when <see cref="TaxIncluded"/> is true, as on receipts whose prices include VAT).
/// </summary>
/// <param name="StoreName">The shop as the person knows it, 1 to 200 characters.</param>
/// <param name="IssuedAt">When the sale happened.</param>
/// <param name="Currency">The ISO 4217 code, upper case, for example <c>EUR</c>.</param>
/// <param name="Lines">1 to 200 lines.</param>
/// <param name="Subtotal">The sum of the line totals.</param>
/// <param name="TaxTotal">The sum of the lines' tax.</param>
/// <param name="Total">What the person paid.</param>
/// <param name="PaymentMethod">How the person paid, for example <c>card</c>, <c>cash</c> or <c>mobile</c>; 1 to 60 characters.</param>
/// <param name="StoreLocation">Optional: the store's address or branch, up to 300 characters.</param>
/// <param name="TaxIncluded">True when line totals already include their tax (then the total equals the subtotal).</param>
/// <param name="ReceiptNumber">Optional: the vendor's own receipt number, up to 100 characters.</param>
public sealed record ReceiptInput(
    [property: JsonPropertyName("store_name")] string StoreName,
    [property: JsonPropertyName("issued_at")] DateTimeOffset IssuedAt,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("lines")] IReadOnlyList<ReceiptLineInput> Lines,
    [property: JsonPropertyName("subtotal")] decimal Subtotal,
    [property: JsonPropertyName("tax_total")] decimal TaxTotal,
    [property: JsonPropertyName("total")] decimal Total,
    [property: JsonPropertyName("payment_method")] string PaymentMethod,
    [property: JsonPropertyName("store_location")] string? StoreLocation = null,
    [property: JsonPropertyName("tax_included")] bool TaxIncluded = false,
    [property: JsonPropertyName("receipt_number")] string? ReceiptNumber = null);

/// <summary>One line of a receipt.</summary>
/// <param name="Description">What was sold, 1 to 200 characters.</param>
/// <param name="Quantity">How many (or how much, such as 0.5 kg): more than 0, at most 1,000,000, at most 3 decimals.</param>
/// <param name="UnitPrice">The price of one unit: 0 or more, at most the currency's minor-unit digits.</param>
/// <param name="Tax">The tax on this line: 0 or more.</param>
/// <param name="LineTotal">Quantity × unit price, rounded to the currency's minor unit.</param>
public sealed record ReceiptLineInput(
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("quantity")] decimal Quantity,
    [property: JsonPropertyName("unit_price")] decimal UnitPrice,
    [property: JsonPropertyName("tax")] decimal Tax,
    [property: JsonPropertyName("line_total")] decimal LineTotal);

/// <summary>A receipt as the vendor that pushed it reads it back.</summary>
/// <param name="Id">The receipt's id for this vendor (pairwise).</param>
/// <param name="Receipt">The receipt as stored.</param>
/// <param name="RecordedAt">When the vault stored it.</param>
public sealed record VendorReceipt(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("receipt")] ReceiptInput Receipt,
    [property: JsonPropertyName("recorded_at")] DateTimeOffset RecordedAt)
{
    /// <summary>
    /// Set by the SDK when the person was away and the vault queued the write (<c>202 Accepted</c>) instead of
    /// storing it: <see cref="Id"/> is then the inbox id and the other values are the ones sent; the vault applies the
    /// write when the person unlocks and tells the outcome by an <c>inbox.applied</c> or <c>inbox.refused</c> webhook.
    /// Null for a write that was stored.
    /// </summary>
    [JsonIgnore]
    public QueuedWrite? Queued { get; init; }
}

/// <summary>What a loyalty event does (<see cref="LoyaltyEventInput.Kind"/>).</summary>
public static class LoyaltyEventKinds
{
    /// <summary>Stamps earned (a stamps programme); the amount defaults to 1.</summary>
    public const string StampEarned = "stamp_earned";

    /// <summary>Stamps taken off the card (a stamps programme); refused when the balance is smaller.</summary>
    public const string StampsRedeemed = "stamps_redeemed";

    /// <summary>Points earned (a points programme).</summary>
    public const string PointsEarned = "points_earned";

    /// <summary>Points spent (a points programme); refused when the balance is smaller.</summary>
    public const string PointsRedeemed = "points_redeemed";

    /// <summary>A reward given (<see cref="LoyaltyEventInput.Reward"/> says what); a positive amount is redeemed from the balance for it.</summary>
    public const string RewardIssued = "reward_issued";

    /// <summary>Every kind.</summary>
    public static IReadOnlyList<string> All { get; } = [StampEarned, StampsRedeemed, PointsEarned, PointsRedeemed, RewardIssued];
}

/// <summary>The kinds of loyalty programme.</summary>
public static class LoyaltyProgrammeKinds
{
    /// <summary>A stamp card: whole stamps, often a reward at a threshold (ten coffees, the eleventh free).</summary>
    public const string Stamps = "stamps";

    /// <summary>Points earned on purchases and spent on rewards.</summary>
    public const string Points = "points";
}

/// <summary>The vendor's programme as it describes it; the first loyalty event must carry it, later ones may change it.</summary>
/// <param name="Name">The programme's name, for example "Coffee card"; 1 to 100 characters.</param>
/// <param name="Kind"><see cref="LoyaltyProgrammeKinds.Stamps"/> or <see cref="LoyaltyProgrammeKinds.Points"/>.</param>
/// <param name="Unit">What the balance counts, for example "stamps" or "beans"; 1 to 40 characters.</param>
/// <param name="RewardThreshold">Optional: the balance at which a reward is due (for example 10 stamps).</param>
/// <param name="Reward">Optional: the reward, for example "A free coffee"; up to 200 characters.</param>
public sealed record LoyaltyProgrammeInput(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("reward_threshold")] int? RewardThreshold = null,
    [property: JsonPropertyName("reward")] string? Reward = null);

/// <summary>A loyalty event (<c>POST /api/v1/loyalty/events</c>, needs <c>append</c> on <c>loyalty</c>).</summary>
/// <param name="Kind">One of <see cref="LoyaltyEventKinds"/>.</param>
/// <param name="Amount">How many stamps or points: 1 to 1,000,000 (a stamp defaults to 1; a reward may be 0, redeeming nothing).</param>
/// <param name="Programme">The programme; required on the vendor's first event, optional later (then it replaces the description).</param>
/// <param name="Reward">For <see cref="LoyaltyEventKinds.RewardIssued"/>: what was given; up to 200 characters.</param>
/// <param name="Note">Optional: a note the person sees, up to 200 characters (for example the receipt number).</param>
public sealed record LoyaltyEventInput(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("amount")] int? Amount = null,
    [property: JsonPropertyName("programme")] LoyaltyProgrammeInput? Programme = null,
    [property: JsonPropertyName("reward")] string? Reward = null,
    [property: JsonPropertyName("note")] string? Note = null);

/// <summary>One loyalty event as the vendor reads it.</summary>
/// <param name="Id">The event's id for this vendor (pairwise).</param>
/// <param name="Kind">One of <see cref="LoyaltyEventKinds"/>.</param>
/// <param name="Amount">Stamps or points earned (positive) or redeemed (negative).</param>
/// <param name="BalanceAfter">The balance after this event.</param>
/// <param name="Reward">The reward given, for a reward event.</param>
/// <param name="Note">The vendor's note.</param>
/// <param name="At">When it happened.</param>
public sealed record VendorLoyaltyEvent(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("amount")] int Amount,
    [property: JsonPropertyName("balance_after")] int BalanceAfter,
    [property: JsonPropertyName("reward")] string? Reward,
    [property: JsonPropertyName("note")] string? Note,
    [property: JsonPropertyName("at")] DateTimeOffset At)
{
    /// <summary>
    /// Set by the SDK when the person was away and the vault queued the write (<c>202 Accepted</c>) instead of
    /// storing it: <see cref="Id"/> is then the inbox id and the other values are the ones sent; the vault applies the
    /// write when the person unlocks and tells the outcome by an <c>inbox.applied</c> or <c>inbox.refused</c> webhook.
    /// Null for a write that was stored. <see cref="BalanceAfter"/> is not known until then and is 0.
    /// </summary>
    [JsonIgnore]
    public QueuedWrite? Queued { get; init; }
}

/// <summary>The vendor's own programme: its balance and history (<c>GET /api/v1/loyalty</c>, needs <c>read</c> on <c>loyalty</c>).</summary>
/// <param name="Programme">The programme as the vendor last described it; null before its first event.</param>
/// <param name="Balance">The balance now.</param>
/// <param name="RewardDue">True when the programme has a reward threshold and the balance has reached it.</param>
/// <param name="Events">Every event, oldest first.</param>
public sealed record VendorLoyalty(
    [property: JsonPropertyName("programme")] LoyaltyProgrammeInput? Programme,
    [property: JsonPropertyName("balance")] int Balance,
    [property: JsonPropertyName("reward_due")] bool RewardDue,
    [property: JsonPropertyName("events")] IReadOnlyList<VendorLoyaltyEvent> Events);

/// <summary>
/// A visit the vendor records when it scans the person's card (<c>POST /api/v1/checkins</c>, needs <c>append</c> on
/// <c>checkins</c>). It is shared with this vendor only; the person can change that.
/// </summary>
/// <param name="Place">Where, 1 to 200 characters (for example the branch).</param>
/// <param name="At">When; null for now.</param>
/// <param name="Note">Optional, up to 500 characters.</param>
public sealed record VendorCheckInInput(
    [property: JsonPropertyName("place")] string Place,
    [property: JsonPropertyName("at")] DateTimeOffset? At = null,
    [property: JsonPropertyName("note")] string? Note = null);

/// <summary>A check-in the person shared with this vendor.</summary>
/// <param name="Id">The check-in's id for this vendor (pairwise).</param>
/// <param name="Place">Where.</param>
/// <param name="At">When.</param>
/// <param name="Note">The note, if any.</param>
public sealed record VendorCheckIn(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("place")] string Place,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("note")] string? Note)
{
    /// <summary>
    /// Set by the SDK when the person was away and the vault queued the write (<c>202 Accepted</c>) instead of
    /// storing it: <see cref="Id"/> is then the inbox id and the other values are the ones sent; the vault applies the
    /// write when the person unlocks and tells the outcome by an <c>inbox.applied</c> or <c>inbox.refused</c> webhook.
    /// Null for a write that was stored.
    /// </summary>
    [JsonIgnore]
    public QueuedWrite? Queued { get; init; }
}
