using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Vendor;

/// <summary>A vendor accepts one of the proffered agreements.</summary>
/// <param name="Agreement">The roster id, for example <c>SD-BASE</c>.</param>
/// <param name="TextSha256">The SHA-256 of the text the vendor read; refused if it is not the text proffered.</param>
public sealed record AgreementAcceptance(
    [property: JsonPropertyName("agreement")] string Agreement,
    [property: JsonPropertyName("text_sha256")] string TextSha256);

/// <summary>The vendor's countersignature of an agreement record.</summary>
/// <param name="Signature">Base64url Ed25519 signature over <see cref="AgreementRecord.SignedContent"/>'s bytes.</param>
public sealed record AgreementCountersignature([property: JsonPropertyName("signature")] string Signature);

/// <summary>The content both parties sign. Its canonical JSON is <see cref="AgreementRecord.SignedContent"/>.</summary>
/// <param name="RecordId">The record's id.</param>
/// <param name="Agreement">The roster id.</param>
/// <param name="TextSha256">SHA-256 (hex) of the agreement's text.</param>
/// <param name="Person">The person's pairwise identifier for this vendor.</param>
/// <param name="PersonKey">The vault's Ed25519 public key (base64url) that signs for the person.</param>
/// <param name="Vendor">The vendor's client id.</param>
/// <param name="VendorName">The vendor's registered name.</param>
/// <param name="Issuer">The vault's OAuth issuer.</param>
/// <param name="AcceptedAt">When the vendor accepted (RFC 3339).</param>
public sealed record AgreementContent(
    [property: JsonPropertyName("record_id")] string RecordId,
    [property: JsonPropertyName("agreement")] string Agreement,
    [property: JsonPropertyName("text_sha256")] string TextSha256,
    [property: JsonPropertyName("person")] string Person,
    [property: JsonPropertyName("person_key")] string PersonKey,
    [property: JsonPropertyName("vendor")] string Vendor,
    [property: JsonPropertyName("vendor_name")] string VendorName,
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("accepted_at")] DateTimeOffset AcceptedAt);

/// <summary>A signed agreement record, as both parties keep it.</summary>
/// <param name="Content">What was agreed.</param>
/// <param name="SignedContent">Base64url of the exact bytes both signatures cover (the canonical JSON of <see cref="Content"/>).</param>
/// <param name="PersonSignature">Base64url Ed25519 signature by the vault's key.</param>
/// <param name="VendorSignature">Base64url Ed25519 signature by the vendor's registered key, once countersigned.</param>
public sealed record AgreementRecord(
    [property: JsonPropertyName("content")] AgreementContent Content,
    [property: JsonPropertyName("signed_content")] string SignedContent,
    [property: JsonPropertyName("person_signature")] string PersonSignature,
    [property: JsonPropertyName("vendor_signature")] string? VendorSignature);
