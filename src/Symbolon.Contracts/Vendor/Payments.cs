using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Vendor;

/// <summary>
/// How a vendor can be paid (EmanciPay): it publishes these with <c>POST /api/v1/payments/instructions</c> (needs
/// <c>append</c> on <see cref="Datatypes.PaymentInstructions"/>). The person sees and approves them before any payment
/// goes to them; a changed IBAN is asked again before the next payment.
/// </summary>
/// <param name="LegalName">The account holder's legal name as the bank knows it, 1 to 70 characters (the EPC QR code's limit).</param>
/// <param name="Iban">The IBAN (ISO 13616; spaces allowed), checked with the mod-97 rule.</param>
/// <param name="Bic">Optional: the BIC (ISO 9362, 8 or 11 characters).</param>
/// <param name="WalletAddress">Optional: an Open Payments wallet address (an https URL).</param>
/// <param name="Offers">Optional: what the vendor offers for free, in a sentence or two, up to 500 characters ("Public radio, 24 hours a day").</param>
/// <param name="SuggestedAmounts">Optional: up to 5 suggested amounts per month in EUR, each from 0.01 to 10,000 with at most 2 decimals.</param>
public sealed record PaymentInstructionsInput(
    [property: JsonPropertyName("legal_name")] string LegalName,
    [property: JsonPropertyName("iban")] string Iban,
    [property: JsonPropertyName("bic")] string? Bic = null,
    [property: JsonPropertyName("wallet_address")] string? WalletAddress = null,
    [property: JsonPropertyName("offers")] string? Offers = null,
    [property: JsonPropertyName("suggested_amounts")] IReadOnlyList<decimal>? SuggestedAmounts = null);

/// <summary>What the vault did with published instructions.</summary>
/// <param name="Status"><c>pending</c> (the person has not approved them yet) or <c>approved</c> (nothing changed since the last approval).</param>
public sealed record PaymentInstructionsResult([property: JsonPropertyName("status")] string Status)
{
    /// <summary>
    /// Set when the person was away and the vault queued the instructions in its sealed inbox (it answered
    /// <c>202 Accepted</c>): <see cref="Status"/> is then <c>queued</c>. The vault takes them when the person unlocks and
    /// tells the outcome by an <c>inbox.applied</c> or <c>inbox.refused</c> webhook. Null when they were taken at once.
    /// </summary>
    [JsonIgnore]
    public QueuedWrite? Queued { get; init; }
}

/// <summary>
/// Usage a vendor reports so the person can pay per use (<c>POST /api/v1/usage</c>, needs <c>append</c> on
/// <see cref="Datatypes.Usage"/>): "listened 14 hours this week". Only the person's vault sees it.
/// </summary>
/// <param name="From">The start of the period the usage covers.</param>
/// <param name="To">The end of that period (after <see cref="From"/>, at most 93 days later).</param>
/// <param name="Quantity">How much, more than 0 and at most 100,000, at most 2 decimals.</param>
/// <param name="Unit">The unit, lower case letters, 1 to 20 characters: <c>hours</c>, <c>visits</c>, <c>episodes</c>, <c>articles</c> …</param>
/// <param name="Description">Optional: what was used, up to 200 characters ("Morning show").</param>
public sealed record UsageInput(
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("quantity")] decimal Quantity,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("description")] string? Description = null);

/// <summary>A usage report as stored.</summary>
/// <param name="Id">The record's id.</param>
/// <param name="From">Start of the period.</param>
/// <param name="To">End of the period.</param>
/// <param name="Quantity">How much.</param>
/// <param name="Unit">The unit.</param>
/// <param name="Description">What was used, if said.</param>
public sealed record UsageReport(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("quantity")] decimal Quantity,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("description")] string? Description)
{
    /// <summary>
    /// Set when the person was away and the vault queued the report in its sealed inbox (it answered
    /// <c>202 Accepted</c>): <see cref="Id"/> is then the inbox id, and the vault stores the report when the person
    /// unlocks, telling the outcome by an <c>inbox.applied</c> or <c>inbox.refused</c> webhook. Null for a stored report.
    /// </summary>
    [JsonIgnore]
    public QueuedWrite? Queued { get; init; }
}

/// <summary>How a payment was shown to be made.</summary>
/// <param name="Method"><c>statement</c> (a line of the person's own bank statement carried the reference) or <c>manual</c> (the person marked it paid).</param>
/// <param name="Date">The statement line's booking date, or the date the person gave.</param>
/// <param name="Amount">The amount found (the sum of the lines, for a payment made in parts).</param>
public sealed record PaymentEvidence(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("date")] DateOnly Date,
    [property: JsonPropertyName("amount")] decimal Amount);

/// <summary>
/// The content both sides sign when a payment settles. Its canonical JSON is <see cref="PaymentRecord.SignedContent"/>.
/// The supporter is a pairwise id (different for every payee); the name is there only when the person chose to share it.
/// </summary>
/// <param name="RecordId">The record's id.</param>
/// <param name="Payee">The payee's client id.</param>
/// <param name="PayeeName">The payee's legal name from its instructions.</param>
/// <param name="Supporter">The person's pairwise identifier for this payee.</param>
/// <param name="SupporterName">The person's name, only if they chose to share it with this payee.</param>
/// <param name="Amount">The amount paid.</param>
/// <param name="Currency">ISO 4217, <c>EUR</c> for SEPA.</param>
/// <param name="Reference">The ISO 11649 creditor reference (<c>RF…</c>) the transfer carried.</param>
/// <param name="Period">The period paid for: <c>2026-12</c>, <c>2026-Q4</c> or <c>2026</c>.</param>
/// <param name="Pledge">The id of the person's pledge.</param>
/// <param name="Rail">How the money moved: <c>sepa</c>.</param>
/// <param name="Evidence">How the payment was shown to be made.</param>
/// <param name="SettledAt">When the vault marked it settled.</param>
/// <param name="PersonKey">The vault's Ed25519 public key (base64url) that signs for the person.</param>
public sealed record PaymentRecordContent(
    [property: JsonPropertyName("record_id")] string RecordId,
    [property: JsonPropertyName("payee")] string Payee,
    [property: JsonPropertyName("payee_name")] string PayeeName,
    [property: JsonPropertyName("supporter")] string Supporter,
    [property: JsonPropertyName("supporter_name")] string? SupporterName,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("reference")] string Reference,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("pledge")] string Pledge,
    [property: JsonPropertyName("rail")] string Rail,
    [property: JsonPropertyName("evidence")] PaymentEvidence Evidence,
    [property: JsonPropertyName("settled_at")] DateTimeOffset SettledAt,
    [property: JsonPropertyName("person_key")] string PersonKey);

/// <summary>A signed payment record, as both sides keep it: the same bytes, the vault's signature and the payee's.</summary>
/// <param name="Content">What was paid.</param>
/// <param name="SignedContent">Base64url of the exact bytes both signatures cover (the canonical JSON of <see cref="Content"/>).</param>
/// <param name="PersonSignature">Base64url Ed25519 signature by the vault's key.</param>
/// <param name="PayeeSignature">Base64url Ed25519 signature by the payee's registered key, once countersigned.</param>
public sealed record PaymentRecord(
    [property: JsonPropertyName("content")] PaymentRecordContent Content,
    [property: JsonPropertyName("signed_content")] string SignedContent,
    [property: JsonPropertyName("person_signature")] string PersonSignature,
    [property: JsonPropertyName("payee_signature")] string? PayeeSignature);

/// <summary>The payee's countersignature of a payment record.</summary>
/// <param name="Signature">Base64url Ed25519 signature over <see cref="PaymentRecord.SignedContent"/>'s bytes, by the key the payee registered.</param>
public sealed record PaymentCountersignature([property: JsonPropertyName("signature")] string Signature);

/// <summary>The data of a <c>payment.settled</c> event: read the record with <c>GET /api/v1/payments/records/{record_id}</c>.</summary>
/// <param name="RecordId">The payment record's id.</param>
/// <param name="Amount">The amount paid.</param>
/// <param name="Currency">Its currency.</param>
/// <param name="Period">The period paid for.</param>
public sealed record PaymentSettledData(
    [property: JsonPropertyName("record_id")] Guid RecordId,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("period")] string Period)
{
    /// <summary>
    /// The person's pairwise identifier for this vendor, as every other event names them: which of the vendor's
    /// sessions to read the record with.
    /// </summary>
    [JsonPropertyName("subject")]
    public string? Subject { get; init; }
}
