using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Payments;

/// <summary>The values of <see cref="PledgeInput.Kind"/>.</summary>
public static class PledgeKinds
{
    /// <summary>A fixed amount per period.</summary>
    public const string Fixed = "fixed";

    /// <summary>An amount per unit of use (a visit, an hour listened), from usage the vault knows, up to a cap per period.</summary>
    public const string PerUse = "per_use";
}

/// <summary>The values of <see cref="PledgeInput.Period"/>.</summary>
public static class PledgePeriods
{
    /// <summary>Each calendar month; the period is written <c>2026-12</c>.</summary>
    public const string Month = "month";

    /// <summary>Each calendar quarter; <c>2026-Q4</c>.</summary>
    public const string Quarter = "quarter";

    /// <summary>Each calendar year; <c>2026</c>.</summary>
    public const string Year = "year";
}

/// <summary>Where a per-use pledge counts use.</summary>
public static class UsageSources
{
    /// <summary>Visits the vault already knows of the payee: its receipts, loyalty events and check-ins.</summary>
    public const string Visits = "visits";

    /// <summary>Usage the payee reports under a grant (<c>usage</c> datatype), in the pledge's unit.</summary>
    public const string Reported = "reported";
}

/// <summary>What happens to pledges that do not fit the month's budget.</summary>
public static class BudgetRules
{
    /// <summary>Every payment due this month is scaled down by the same factor so that together they fit.</summary>
    public const string Scale = "scale";

    /// <summary>Payments that do not fit (the newest pledges first) are held until the person releases them.</summary>
    public const string Hold = "hold";
}

/// <summary>The states of a payment.</summary>
public static class PaymentStatuses
{
    /// <summary>To be paid: the QR code is ready.</summary>
    public const string Due = "due";

    /// <summary>Held: the payee's IBAN changed, or it did not fit the budget; no code until the person releases it.</summary>
    public const string Held = "held";

    /// <summary>Part of the amount was found in the statements.</summary>
    public const string Partial = "partial";

    /// <summary>Paid in full: the signed record exists.</summary>
    public const string Settled = "settled";

    /// <summary>The person skipped it.</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>A payee as the person adds it by hand.</summary>
/// <param name="Name">The account holder's name, 1 to 70 characters.</param>
/// <param name="Iban">The IBAN; spaces allowed.</param>
/// <param name="Bic">Optional BIC.</param>
public sealed record PayeeInput(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("iban")] string Iban,
    [property: JsonPropertyName("bic")] string? Bic = null);

/// <summary>The text of an EPC QR code (GiroCode), to add its payee.</summary>
/// <param name="Text">The code's text, starting with <c>BCD</c>.</param>
public sealed record EpcQrTextInput([property: JsonPropertyName("text")] string Text);

/// <summary>Instructions a related vendor published that wait for the person's approval.</summary>
/// <param name="LegalName">The name the vendor gives.</param>
/// <param name="Iban">The IBAN, in groups of four.</param>
/// <param name="Bic">The BIC, if given.</param>
/// <param name="WalletAddress">An Open Payments wallet address, if given.</param>
/// <param name="Offers">What it offers for free.</param>
/// <param name="SuggestedAmounts">Suggested monthly amounts.</param>
/// <param name="IbanChanged">True when the IBAN differs from the one the person approved before: the classic fraud, asked again.</param>
/// <param name="PublishedAt">When the vendor published them.</param>
public sealed record PendingInstructions(
    [property: JsonPropertyName("legal_name")] string LegalName,
    [property: JsonPropertyName("iban")] string Iban,
    [property: JsonPropertyName("bic")] string? Bic,
    [property: JsonPropertyName("wallet_address")] string? WalletAddress,
    [property: JsonPropertyName("offers")] string? Offers,
    [property: JsonPropertyName("suggested_amounts")] IReadOnlyList<decimal> SuggestedAmounts,
    [property: JsonPropertyName("iban_changed")] bool IbanChanged,
    [property: JsonPropertyName("published_at")] DateTimeOffset PublishedAt);

/// <summary>Someone the person can pay.</summary>
/// <param name="Id">The payee's id.</param>
/// <param name="Name">The account holder's name.</param>
/// <param name="Iban">The approved IBAN in groups of four; empty while a vendor's first instructions wait for approval.</param>
/// <param name="Bic">The BIC, if known.</param>
/// <param name="WalletAddress">An Open Payments wallet address, if the payee gave one.</param>
/// <param name="Source"><c>vendor</c> (published by a related vendor), <c>manual</c> or <c>qr</c>.</param>
/// <param name="RelationshipId">The relationship, for a vendor's payee.</param>
/// <param name="Offers">What it offers for free, as the vendor put it.</param>
/// <param name="SuggestedAmounts">Suggested monthly amounts.</param>
/// <param name="Pending">Instructions waiting for the person's approval, if any.</param>
/// <param name="CreatedAt">When the payee was added.</param>
public sealed record PayeeView(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("iban")] string Iban,
    [property: JsonPropertyName("bic")] string? Bic,
    [property: JsonPropertyName("wallet_address")] string? WalletAddress,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("relationship_id")] Guid? RelationshipId,
    [property: JsonPropertyName("offers")] string? Offers,
    [property: JsonPropertyName("suggested_amounts")] IReadOnlyList<decimal> SuggestedAmounts,
    [property: JsonPropertyName("pending")] PendingInstructions? Pending,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

/// <summary>A pledge: how much the person gives a payee, how often, and on what terms. Amounts are in EUR (the SEPA rail).</summary>
/// <param name="PayeeId">Whom to pay.</param>
/// <param name="Kind"><see cref="PledgeKinds.Fixed"/> or <see cref="PledgeKinds.PerUse"/>.</param>
/// <param name="Amount">For a fixed pledge the amount per period; per use, the amount per unit (0.01 to 10,000, at most 2 decimals).</param>
/// <param name="Period"><see cref="PledgePeriods.Month"/>, <see cref="PledgePeriods.Quarter"/> or <see cref="PledgePeriods.Year"/>.</param>
/// <param name="Cap">Per use: the most to pay in one period (required). Fixed: not used.</param>
/// <param name="UsageSource">Per use: <see cref="UsageSources.Visits"/> or <see cref="UsageSources.Reported"/>.</param>
/// <param name="UsageUnit">Per use with reported usage: the unit to count (<c>hours</c>); visits count visits.</param>
/// <param name="ShareName">True to tell the payee the person's name in the payment record; by default it learns only a pairwise supporter id and the amount.</param>
public sealed record PledgeInput(
    [property: JsonPropertyName("payee_id")] Guid PayeeId,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("cap")] decimal? Cap = null,
    [property: JsonPropertyName("usage_source")] string? UsageSource = null,
    [property: JsonPropertyName("usage_unit")] string? UsageUnit = null,
    [property: JsonPropertyName("share_name")] bool ShareName = false);

/// <summary>A "pay what you want" suggestion, computed in the vault from usage it knows; never sent anywhere.</summary>
/// <param name="Period">The period counted (the current one so far).</param>
/// <param name="Usage">How much use was counted.</param>
/// <param name="Unit">Its unit.</param>
/// <param name="Amount">What the pledge's rule makes of it, capped.</param>
/// <param name="Sentence">In words: "14 visits this quarter; your rule says EUR 0.50 per visit: EUR 7.00."</param>
public sealed record PledgeSuggestion(
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("usage")] decimal Usage,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("sentence")] string Sentence);

/// <summary>A pledge as stored.</summary>
/// <param name="Id">The pledge's id.</param>
/// <param name="PayeeId">Its payee.</param>
/// <param name="PayeeName">The payee's name.</param>
/// <param name="Kind">Fixed or per use.</param>
/// <param name="Amount">Per period (fixed) or per unit (per use).</param>
/// <param name="Currency">Always <c>EUR</c> today.</param>
/// <param name="Period">Month, quarter or year.</param>
/// <param name="Cap">The cap per period, per use.</param>
/// <param name="UsageSource">Per use: visits or reported.</param>
/// <param name="UsageUnit">Per use: the unit counted.</param>
/// <param name="ShareName">Whether the payee learns the person's name.</param>
/// <param name="Active">False once the person ended it.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="Suggestion">Per use: what the rule makes of this period's use so far.</param>
public sealed record PledgeView(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("payee_id")] Guid PayeeId,
    [property: JsonPropertyName("payee_name")] string PayeeName,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("cap")] decimal? Cap,
    [property: JsonPropertyName("usage_source")] string? UsageSource,
    [property: JsonPropertyName("usage_unit")] string? UsageUnit,
    [property: JsonPropertyName("share_name")] bool ShareName,
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("suggestion")] PledgeSuggestion? Suggestion);

/// <summary>The monthly budget across all payees.</summary>
/// <param name="Amount">The most to give in one month, in EUR (1 to 100,000).</param>
/// <param name="Rule"><see cref="BudgetRules.Scale"/> or <see cref="BudgetRules.Hold"/>.</param>
public sealed record BudgetInput(
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("rule")] string Rule);

/// <summary>This month against the budget.</summary>
/// <param name="Amount">The budget, or null when the person set none.</param>
/// <param name="Rule">The rule for pledges over it.</param>
/// <param name="Currency">EUR.</param>
/// <param name="Month">The month shown, <c>2026-12</c>.</param>
/// <param name="Committed">What falls due this month (due, partial and settled payments).</param>
/// <param name="Paid">What was paid of it.</param>
/// <param name="Held">What is held.</param>
public sealed record BudgetView(
    [property: JsonPropertyName("amount")] decimal? Amount,
    [property: JsonPropertyName("rule")] string Rule,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("month")] string Month,
    [property: JsonPropertyName("committed")] decimal Committed,
    [property: JsonPropertyName("paid")] decimal Paid,
    [property: JsonPropertyName("held")] decimal Held);

/// <summary>A statement line (or the person's word) that paid some of a payment.</summary>
/// <param name="Method"><c>statement</c> or <c>manual</c>.</param>
/// <param name="Date">The booking date, or the date the person gave.</param>
/// <param name="Amount">The amount of this line.</param>
/// <param name="Account">The account of the statement line.</param>
public sealed record SettlementView(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("date")] DateOnly Date,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("account")] string? Account);

/// <summary>One payment of a pledge for one period.</summary>
/// <param name="Id">The payment's id.</param>
/// <param name="PayeeId">Its payee.</param>
/// <param name="PayeeName">The payee's name.</param>
/// <param name="PledgeId">The pledge it comes from.</param>
/// <param name="Period">The period it pays for.</param>
/// <param name="Amount">The amount to pay (after the budget rule).</param>
/// <param name="Pledged">What the pledge alone asked for, before the budget rule.</param>
/// <param name="Currency">EUR.</param>
/// <param name="Reference">The ISO 11649 creditor reference, printed in groups of four.</param>
/// <param name="Status">See <see cref="PaymentStatuses"/>.</param>
/// <param name="HeldReason">Why it is held, in a sentence.</param>
/// <param name="Paid">How much was found paid.</param>
/// <param name="Settlements">The lines that paid it.</param>
/// <param name="Warning">A problem to look at: paid twice, paid more than due.</param>
/// <param name="Basis">How the amount came about ("14 visits × EUR 0.50, capped at EUR 5.00").</param>
/// <param name="CreatedAt">When it fell due.</param>
/// <param name="SettledAt">When it settled.</param>
/// <param name="RecordId">The signed payment record, once settled.</param>
public sealed record PaymentView(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("payee_id")] Guid PayeeId,
    [property: JsonPropertyName("payee_name")] string PayeeName,
    [property: JsonPropertyName("pledge_id")] Guid PledgeId,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("pledged")] decimal Pledged,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("reference")] string Reference,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("held_reason")] string? HeldReason,
    [property: JsonPropertyName("paid")] decimal Paid,
    [property: JsonPropertyName("settlements")] IReadOnlyList<SettlementView> Settlements,
    [property: JsonPropertyName("warning")] string? Warning,
    [property: JsonPropertyName("basis")] string Basis,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("settled_at")] DateTimeOffset? SettledAt,
    [property: JsonPropertyName("record_id")] Guid? RecordId);

/// <summary>The person says they paid (by hand, without a statement).</summary>
/// <param name="Date">When they paid; today if not given.</param>
/// <param name="Amount">How much; the full amount if not given.</param>
public sealed record MarkPaidInput(
    [property: JsonPropertyName("date")] DateOnly? Date = null,
    [property: JsonPropertyName("amount")] decimal? Amount = null);

/// <summary>The payment area's overview: budget, what is due, and how the last statement check went.</summary>
/// <param name="Budget">This month against the budget.</param>
/// <param name="Payments">Every open payment (due, held, partial), oldest first.</param>
/// <param name="PendingApprovals">Payees with instructions waiting for approval.</param>
public sealed record PaymentsOverview(
    [property: JsonPropertyName("budget")] BudgetView Budget,
    [property: JsonPropertyName("payments")] IReadOnlyList<PaymentView> Payments,
    [property: JsonPropertyName("pending_approvals")] int PendingApprovals);

/// <summary>What a check of the imported statements found.</summary>
/// <param name="Settled">Payments now settled.</param>
/// <param name="Partial">Payments paid in part.</param>
/// <param name="Warnings">Problems found (a reference paid twice), in sentences.</param>
public sealed record SettlementCheck(
    [property: JsonPropertyName("settled")] int Settled,
    [property: JsonPropertyName("partial")] int Partial,
    [property: JsonPropertyName("warnings")] IReadOnlyList<string> Warnings);

/// <summary>Giving per payee and month, for the history chart.</summary>
/// <param name="Months">The months, oldest first (<c>2026-01</c>).</param>
/// <param name="Payees">Each payee's amounts, one per month.</param>
/// <param name="Currency">EUR.</param>
public sealed record PaymentHistory(
    [property: JsonPropertyName("months")] IReadOnlyList<string> Months,
    [property: JsonPropertyName("payees")] IReadOnlyList<PayeeHistory> Payees,
    [property: JsonPropertyName("currency")] string Currency);

/// <summary>One payee's settled amounts per month.</summary>
/// <param name="PayeeId">The payee.</param>
/// <param name="Name">Its name.</param>
/// <param name="Amounts">Settled per month, aligned with <see cref="PaymentHistory.Months"/>.</param>
/// <param name="Total">The total.</param>
public sealed record PayeeHistory(
    [property: JsonPropertyName("payee_id")] Guid PayeeId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("amounts")] IReadOnlyList<decimal> Amounts,
    [property: JsonPropertyName("total")] decimal Total);

/// <summary>The EPC QR code of a payment: its text and what a banking app will show.</summary>
/// <param name="Payload">The code's text (EPC069-12, version 002, UTF-8).</param>
/// <param name="Name">The payee's name.</param>
/// <param name="Iban">The IBAN, in groups of four.</param>
/// <param name="Amount">What is left to pay.</param>
/// <param name="Currency">EUR.</param>
/// <param name="Reference">The creditor reference, in groups of four.</param>
public sealed record PaymentQr(
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("iban")] string Iban,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("reference")] string Reference);
