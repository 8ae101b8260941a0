using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;

namespace Symbolon.Core.Payments;

/// <summary>The record types of the payments module (each sealed with the vault's data key, like every record).</summary>
internal static class PaymentRecordTypes
{
    /// <summary>Someone the person can pay (<see cref="PayeeValue"/>).</summary>
    public const string Payee = "pay.payee";

    /// <summary>A pledge (<see cref="PledgeValue"/>).</summary>
    public const string Pledge = "pay.pledge";

    /// <summary>The monthly budget (<see cref="BudgetValue"/>), one per vault.</summary>
    public const string Budget = "pay.budget";

    /// <summary>One payment of a pledge for one period (<see cref="PaymentValue"/>).</summary>
    public const string Payment = "pay.payment";

    /// <summary>The signed record of a settled payment (<see cref="PaymentRecordValue"/>).</summary>
    public const string Record = "pay.record";

    /// <summary>Instructions as a vendor published them, written by the vendor (<c>payments.instructions</c>).</summary>
    public const string Instructions = "pay.instructions";

    /// <summary>Usage a vendor reported, written by the vendor (<c>usage</c>).</summary>
    public const string Usage = "pay.usage";
}

/// <summary>
/// A payee. <see cref="Iban"/> is the one the person approved (empty until they approve a vendor's first
/// instructions); <see cref="Pending"/> holds a vendor's newer instructions until the person approves them.
/// <see cref="Supporter"/> is the pairwise id a payee without a relationship sees in records.
/// </summary>
internal sealed record PayeeValue(
    string Name,
    string Iban,
    string? Bic,
    string? WalletAddress,
    string Source,
    Guid? RelationshipId,
    string? Offers,
    IReadOnlyList<decimal> SuggestedAmounts,
    PendingInstructionsValue? Pending,
    string Supporter,
    DateTimeOffset? ApprovedAt);

/// <summary>Instructions a vendor published, waiting for the person.</summary>
internal sealed record PendingInstructionsValue(
    string LegalName,
    string Iban,
    string? Bic,
    string? WalletAddress,
    string? Offers,
    IReadOnlyList<decimal> SuggestedAmounts,
    DateTimeOffset PublishedAt,
    Guid InstructionsRecordId);

/// <summary>A pledge; <see cref="FirstPeriod"/> is the first period it pays for.</summary>
internal sealed record PledgeValue(
    Guid PayeeId,
    string Kind,
    decimal Amount,
    string Period,
    decimal? Cap,
    string? UsageSource,
    string? UsageUnit,
    bool ShareName,
    bool Active,
    string FirstPeriod,
    DateTimeOffset? EndedAt);

/// <summary>The monthly budget.</summary>
internal sealed record BudgetValue(decimal Amount, string Rule);

/// <summary>A statement line or the person's word that paid some of a payment. <see cref="Batch"/>/<see cref="Row"/> name the line.</summary>
internal sealed record SettlementValue(string Method, DateOnly Date, decimal Amount, string? Account, Guid? Batch, int? Row);

/// <summary>
/// One payment of a pledge for one period. The payee's name and IBAN are copied when it falls due, so a QR code
/// always shows what the person approved; <see cref="Month"/> is the budget month it counts in. <see cref="Rail"/> is how
/// the money moves (<c>sepa</c>: an EPC QR code the person's bank pays, settled from their statements); another rail
/// (Open Payments) would add its own way to pay and settle, and the record names it, with pledges and budgets unchanged.
/// </summary>
internal sealed record PaymentValue(
    Guid PayeeId,
    Guid PledgeId,
    string Period,
    string Month,
    decimal Amount,
    decimal Pledged,
    string Reference,
    string Status,
    string? HeldReason,
    IReadOnlyList<SettlementValue> Settlements,
    string? Warning,
    string Basis,
    string PayeeName,
    string Iban,
    string? Bic,
    DateTimeOffset DueAt,
    DateTimeOffset? SettledAt,
    Guid? RecordId,
    string Rail = PaymentService.SepaRail);

/// <summary>A signed payment record: the exact bytes, the vault's signature, and the payee's once it countersigned.</summary>
internal sealed record PaymentRecordValue(
    Guid PaymentId,
    Guid PayeeId,
    Guid? RelationshipId,
    byte[] SignedContent,
    byte[] PersonSignature,
    byte[]? PayeeSignature,
    DateTimeOffset? CountersignedAt);

/// <summary>A usage report as stored (written by the vendor).</summary>
internal sealed record UsageValue(DateTimeOffset From, DateTimeOffset To, decimal Quantity, string Unit, string? Description);

/// <summary>The problems of the payments module, each with its code and status.</summary>
internal sealed class PaymentProblemException(string code, int status, string title, string detail)
    : SymbolonProblemException(code, status, title, detail)
{
    public static PaymentProblemException PayeeNotFound() => new(ProblemCodes.PayeeNotFound, 404, "Not found.", "There is no payee with that id.");

    public static PaymentProblemException PledgeNotFound() => new(ProblemCodes.PledgeNotFound, 404, "Not found.", "There is no pledge with that id.");

    public static PaymentProblemException PaymentNotFound() => new(ProblemCodes.PaymentNotFound, 404, "Not found.", "There is no payment with that id.");

    public static PaymentProblemException NotOpen(string status) => new(ProblemCodes.PaymentNotOpen, 409, "The payment is closed.",
        status == Contracts.Payments.PaymentStatuses.Settled ? "It is already settled; its signed record is in the history." : "It was cancelled.");

    public static PaymentProblemException Held(string reason) => new(ProblemCodes.PaymentHeld, 409, "The payment is held.", reason);

    public static PaymentProblemException NothingPending() => new(ProblemCodes.PayeeInstructionsNotPending, 409, "Nothing to approve.", "This payee has no instructions waiting for approval.");

    public static PaymentProblemException BadCountersignature(string why) => new(ProblemCodes.PaymentCountersignatureInvalid, 400, "The countersignature is not valid.", why + " Nothing was stored.");
}
