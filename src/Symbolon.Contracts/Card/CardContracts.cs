using Symbolon.Contracts.Vendor;

namespace Symbolon.Contracts.Card;

/// <summary>
/// A pairing code of the person's card, as the owner API issues it. The QR code carries <see cref="Payload"/>;
/// a point of sale without a scanner can type <see cref="Display"/> (with the vault's address).
/// </summary>
/// <param name="Code">The code: 12 characters of Crockford base32 (digits and letters without I, L, O, U).</param>
/// <param name="Display">The code grouped by four for reading aloud and typing, for example <c>7KQ2-M9XD-4TPB</c>.</param>
/// <param name="Payload">The card URI: <c>symbolon:card?v=&lt;vault address, percent-encoded&gt;&amp;c=&lt;code&gt;</c>.</param>
/// <param name="VaultAddress">The vault's address (its OAuth issuer), which a vendor discovers and registers with.</param>
/// <param name="ExpiresAt">When the code stops working; it also stops after its first use.</param>
public sealed record CardCode(string Code, string Display, string Payload, string VaultAddress, DateTimeOffset ExpiresAt);

/// <summary>A vendor's request made at the counter with the person's card, as the person sees it.</summary>
/// <param name="Id">The request's id.</param>
/// <param name="RelationshipId">The relationship with the vendor.</param>
/// <param name="VendorName">The name the vendor registered.</param>
/// <param name="ClientUri">The vendor's web site, if it gave one.</param>
/// <param name="Agreement">The roster id of the agreement the request is under, for example <c>SD-BASE</c>.</param>
/// <param name="Summary">One sentence: who wants to do what, under which terms.</param>
/// <param name="Details">What the vendor asks for (RFC 9396).</param>
/// <param name="Status"><c>pending</c>, <c>approved</c>, <c>declined</c> or <c>expired</c>.</param>
/// <param name="CreatedAt">When the vendor scanned the card.</param>
/// <param name="ExpiresAt">When the request lapses if nobody decides.</param>
/// <param name="DecidedAt">When it was approved or declined.</param>
/// <param name="DecidedAutomatically">True when a standing rule or a grant already in force answered.</param>
/// <param name="GrantId">The grant the vendor's tokens hang off, once approved.</param>
public sealed record CardRequest(
    Guid Id,
    Guid RelationshipId,
    string VendorName,
    string? ClientUri,
    string Agreement,
    string Summary,
    IReadOnlyList<AuthorizationDetail> Details,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? DecidedAt,
    bool DecidedAutomatically,
    Guid? GrantId);

/// <summary>The person's answer to a card request: the same choices as the consent page.</summary>
/// <param name="Datatypes">The datatypes to grant; null grants every datatype asked for. Unlisted ones are left out.</param>
/// <param name="Narrowings">Per datatype, a narrowing the datatype offers (for example <c>country</c>); others stay full.</param>
/// <param name="Expiry">How long: <c>1d</c>, <c>30d</c>, <c>90d</c>, <c>365d</c> or <c>none</c> (until revoked).</param>
public sealed record CardRequestApproval(
    IReadOnlyList<string>? Datatypes = null,
    IReadOnlyDictionary<string, string>? Narrowings = null,
    string Expiry = "90d");

/// <summary>The person's standing rules for the card.</summary>
/// <param name="AutoApproveAppend">
/// True: a request that only asks to add (append) to datatypes outside the profile (notes, receipts, loyalty
/// events, check-ins) is approved at once. Reading and anything touching the profile always wait for the person.
/// </param>
public sealed record CardRules(bool AutoApproveAppend);
