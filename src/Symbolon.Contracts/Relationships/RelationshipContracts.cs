using System.Text.Json;

namespace Symbolon.Contracts.Relationships;

/// <summary>One vendor the person relates to, as the relationships list shows it.</summary>
/// <param name="Id">The relationship's id.</param>
/// <param name="VendorName">The name the vendor registered.</param>
/// <param name="ClientId">The vendor's OAuth client id.</param>
/// <param name="ClientUri">The vendor's web site, if it gave one.</param>
/// <param name="LogoUri">The vendor's logo, if it gave one.</param>
/// <param name="AgreementId">The roster id of the agreement the relationship runs under (for example <c>SD-BASE</c>), or null before the vendor accepted one.</param>
/// <param name="AgreementTitle">That agreement's title.</param>
/// <param name="CreatedAt">When the vendor registered.</param>
/// <param name="EndedAt">When the relationship ended, if it did.</param>
/// <param name="ActiveGrants">How many grants are in force now (neither revoked nor expired).</param>
/// <param name="LastAccessAt">When the vendor last read or wrote (or tried to), if ever.</param>
public sealed record RelationshipSummary(
    Guid Id,
    string VendorName,
    string ClientId,
    string? ClientUri,
    string? LogoUri,
    string? AgreementId,
    string? AgreementTitle,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EndedAt,
    int ActiveGrants,
    DateTimeOffset? LastAccessAt)
{
    /// <summary>
    /// True while the person has never approved anything for this vendor (no grant, current or past): anyone can
    /// register, so until then <see cref="VendorName"/> is only what the registration claimed.
    /// </summary>
    public bool Unconfirmed { get; init; }
}

/// <summary>One page of the relationships list, in the list's order (ongoing first, newest first).</summary>
/// <param name="Relationships">The relationships on this page.</param>
/// <param name="Total">How many relationships there are in all.</param>
/// <param name="NextOffset">The <c>offset</c> of the next page, or null on the last page.</param>
public sealed record RelationshipPage(IReadOnlyList<RelationshipSummary> Relationships, int Total, int? NextOffset);

/// <summary>One relationship with its agreement and every grant, current and past.</summary>
/// <param name="Relationship">The summary.</param>
/// <param name="PolicyUri">The vendor's privacy policy, if it gave one.</param>
/// <param name="TermsUri">The vendor's terms of service, if it gave one.</param>
/// <param name="Agreement">The signed agreement the relationship runs under, or null before the vendor accepted one.</param>
/// <param name="Grants">Every grant, oldest first.</param>
public sealed record RelationshipDetail(
    RelationshipSummary Relationship,
    string? PolicyUri,
    string? TermsUri,
    RelationshipAgreement? Agreement,
    IReadOnlyList<RelationshipGrant> Grants);

/// <summary>The agreement a relationship runs under, with its text.</summary>
/// <param name="RecordId">The signed agreement record's id.</param>
/// <param name="AgreementId">The roster id, for example <c>SD-BASE</c>.</param>
/// <param name="Title">The agreement's title.</param>
/// <param name="Text">The agreement's text, as the vendor accepted it.</param>
/// <param name="TextSha256">SHA-256 (hex) of the text; the signatures cover it.</param>
/// <param name="AcceptedAt">When the vendor accepted.</param>
/// <param name="CountersignedAt">When the vendor countersigned the record with its own key, if it did.</param>
public sealed record RelationshipAgreement(
    Guid RecordId,
    string AgreementId,
    string Title,
    string Text,
    string TextSha256,
    DateTimeOffset AcceptedAt,
    DateTimeOffset? CountersignedAt);

/// <summary>The states a grant can be in.</summary>
public static class GrantStatuses
{
    /// <summary>In force: the vendor can use it.</summary>
    public const string Active = "active";

    /// <summary>Past the expiry the person chose.</summary>
    public const string Expired = "expired";

    /// <summary>Revoked by the person (or ended with the relationship).</summary>
    public const string Revoked = "revoked";
}

/// <summary>What the person granted in one consent.</summary>
/// <param name="Id">The grant's id (also the consent receipt's id).</param>
/// <param name="AgreementId">The roster id of the agreement the grant was given under.</param>
/// <param name="Purpose">The purposes the vendor stated, joined.</param>
/// <param name="CreatedAt">When the person consented.</param>
/// <param name="ExpiresAt">When the grant ends by itself, if the person chose an end.</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
/// <param name="Status">One of <see cref="GrantStatuses"/>.</param>
/// <param name="Fields">Field by field: what the vendor may do and how each field is narrowed.</param>
public sealed record RelationshipGrant(
    Guid Id,
    string AgreementId,
    string Purpose,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    string Status,
    IReadOnlyList<GrantedField> Fields);

/// <summary>One datatype in a grant.</summary>
/// <param name="Datatype">The datatype, for example <c>profile.email</c>.</param>
/// <param name="Title">What the datatype is, in plain language.</param>
/// <param name="Actions">The actions granted: <c>read</c>, <c>append</c>, <c>update</c>.</param>
/// <param name="Narrowing">How the field is narrowed: <c>full</c>, <c>postal_code</c>, <c>country</c>, <c>over_18</c>.</param>
/// <param name="NarrowingDescription">The narrowing in plain language, for example "only the country".</param>
/// <param name="Purpose">Why the vendor asked for it.</param>
public sealed record GrantedField(
    string Datatype,
    string Title,
    IReadOnlyList<string> Actions,
    string Narrowing,
    string NarrowingDescription,
    string Purpose);

/// <summary>
/// A grant's consent receipt as the person downloads it: the receipt exactly as the vault signed it, the Ed25519
/// signature, and the vault's public key, so anyone can check it without asking the vault.
/// </summary>
/// <param name="Receipt">The receipt (shaped after ISO/IEC TS 27560 and the Kantara consent receipt v1.1).</param>
/// <param name="SignedContent">Base64url of the exact receipt bytes the signature covers.</param>
/// <param name="Signature">Base64url Ed25519 signature over <paramref name="SignedContent"/>'s bytes.</param>
/// <param name="PublicKey">Base64url of the vault's raw Ed25519 public key.</param>
/// <param name="Algorithm">Always <c>Ed25519</c>.</param>
public sealed record SignedConsentReceipt(
    JsonElement Receipt,
    string SignedContent,
    string Signature,
    string PublicKey,
    string Algorithm);

/// <summary>One vendor access, allowed or refused. It never carries the values read or written.</summary>
/// <param name="Id">The entry's id.</param>
/// <param name="RelationshipId">The relationship of the vendor that made the request.</param>
/// <param name="VendorName">That vendor's name.</param>
/// <param name="GrantId">The grant the request came under, if the token named one.</param>
/// <param name="At">When.</param>
/// <param name="Action">What it did: <c>read</c>, <c>append</c>, <c>update</c>, <c>changes</c> or <c>write</c>.</param>
/// <param name="Datatypes">The datatypes touched.</param>
/// <param name="Purpose">The purpose of the grant it came under.</param>
/// <param name="Allowed">False when the vault refused the request.</param>
/// <param name="StatusCode">The HTTP status the vendor got.</param>
public sealed record AccessLogEntry(
    Guid Id,
    Guid RelationshipId,
    string VendorName,
    Guid? GrantId,
    DateTimeOffset At,
    string Action,
    IReadOnlyList<string> Datatypes,
    string? Purpose,
    bool Allowed,
    int StatusCode)
{
    /// <summary>
    /// How many identical calls this entry stands for: 1, or more for repeated reads of one grant in one hour once they
    /// are older than the vault's detail window (7 days by default), which are kept as one entry with their count.
    /// </summary>
    public int Count { get; init; } = 1;

    /// <summary>When the last of those calls was; null for an entry that stands for one call.</summary>
    public DateTimeOffset? LastAt { get; init; }
}

/// <summary>One page of the access log, newest first.</summary>
/// <param name="Entries">The entries on this page.</param>
/// <param name="Total">How many entries match in all.</param>
/// <param name="NextOffset">The <c>offset</c> of the next page, or null on the last page.</param>
public sealed record AccessLogPage(IReadOnlyList<AccessLogEntry> Entries, int Total, int? NextOffset);
