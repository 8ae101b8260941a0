using System.Text.Json.Serialization;

namespace Symbolon.Intents;

/// <summary>
/// What a person wants to buy, as every vendor sees it: no name, no vault address, no identifier that outlives the
/// intent. Signed by the intent's own Ed25519 key (<see cref="IntentKeys"/>) and carried as the exact bytes signed
/// (<see cref="SignedDocument"/>). See docs/intent-exchange.md.
/// </summary>
/// <param name="Version">The document version; always 1.</param>
/// <param name="Id">The intent's id, <c>int_</c> and 22 base64url characters, random.</param>
/// <param name="Title">A one-line title, 1 to 120 characters.</param>
/// <param name="Description">Free text, up to 2,000 characters.</param>
/// <param name="Category">A category slug (<c>[a-z0-9-]</c>, 1 to 40), the same vocabulary as insights, extendable.</param>
/// <param name="Attributes">Size, quantity, brand, condition.</param>
/// <param name="Budget">The most the person will pay.</param>
/// <param name="Deadline">The date by which it should arrive (or be ready for pick-up); optional.</param>
/// <param name="Where">Where it goes: coarse by design.</param>
/// <param name="CreatedAt">When the intent was made.</param>
/// <param name="ExpiresAt">When it ends; offers after that are refused and the exchange deletes it.</param>
/// <param name="Terms">The agreement a responder accepts by making an offer (<c>PDC-INTENT</c>) and the terms proffered alongside.</param>
/// <param name="Signals">Claims that the person is "for real", computed in the vault and shown before sending; may be empty.</param>
/// <param name="Keys">The intent's public keys: to check this signature and to seal offers to.</param>
public sealed record IntentDocument(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("attributes")] IntentAttributes Attributes,
    [property: JsonPropertyName("budget")] IntentBudget Budget,
    [property: JsonPropertyName("deadline")] DateOnly? Deadline,
    [property: JsonPropertyName("where")] IntentPlace Where,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("terms")] IntentTerms Terms,
    [property: JsonPropertyName("signals")] IReadOnlyList<IntentSignal> Signals,
    [property: JsonPropertyName("keys")] IntentPublicKeys Keys);

/// <summary>The structured attributes of an intent; each optional.</summary>
/// <param name="Size">A size as the person writes it (<c>44</c>, <c>M</c>, <c>29x32</c>), up to 20 characters.</param>
/// <param name="Quantity">How many, 1 to 1,000; null means one.</param>
/// <param name="Brand">A brand, up to 60 characters.</param>
/// <param name="Condition"><c>new</c>, <c>used</c> or <c>any</c>; null means any.</param>
public sealed record IntentAttributes(
    [property: JsonPropertyName("size")] string? Size = null,
    [property: JsonPropertyName("quantity")] int? Quantity = null,
    [property: JsonPropertyName("brand")] string? Brand = null,
    [property: JsonPropertyName("condition")] string? Condition = null);

/// <summary>A budget: the most the person will pay, all in (items and delivery).</summary>
/// <param name="Max">The maximum, greater than zero, at most two decimals.</param>
/// <param name="Currency">An ISO 4217 code, three capital letters.</param>
public sealed record IntentBudget(
    [property: JsonPropertyName("max")] decimal Max,
    [property: JsonPropertyName("currency")] string Currency);

/// <summary>
/// Where the purchase goes, coarse on purpose: a delivery country and the first digits of a postal code, or a
/// pick-up radius around a point rounded to a tenth of a degree (about 11 km).
/// </summary>
/// <param name="Country">ISO 3166-1 alpha-2 country code.</param>
/// <param name="PostalPrefix">For delivery: 1 to 3 leading characters of the postal code; optional.</param>
/// <param name="Pickup">For pick-up instead of delivery: the coarse point and radius.</param>
public sealed record IntentPlace(
    [property: JsonPropertyName("country")] string Country,
    [property: JsonPropertyName("postal_prefix")] string? PostalPrefix = null,
    [property: JsonPropertyName("pickup")] IntentPickup? Pickup = null);

/// <summary>A pick-up area: within <see cref="WithinKm"/> of a point given to one decimal of a degree.</summary>
/// <param name="Latitude">Latitude, -90 to 90, one decimal.</param>
/// <param name="Longitude">Longitude, -180 to 180, one decimal.</param>
/// <param name="WithinKm">Radius in kilometres, 1 to 500.</param>
public sealed record IntentPickup(
    [property: JsonPropertyName("lat")] decimal Latitude,
    [property: JsonPropertyName("lon")] decimal Longitude,
    [property: JsonPropertyName("within_km")] int WithinKm);

/// <summary>The terms a responder accepts by answering.</summary>
/// <param name="Agreement">The IEEE 7012 roster id of the intent agreement, <c>PDC-INTENT</c>.</param>
/// <param name="TextSha256">SHA-256 (lowercase hex) of the agreement's exact text, as in <see cref="IntentAgreement.Text"/>.</param>
/// <param name="AlsoProffered">Agreements proffered for the relationship that follows an accepted offer (<c>SD-BASE</c>).</param>
public sealed record IntentTerms(
    [property: JsonPropertyName("agreement")] string Agreement,
    [property: JsonPropertyName("text_sha256")] string TextSha256,
    [property: JsonPropertyName("also_proffered")] IReadOnlyList<string> AlsoProffered);

/// <summary>
/// A claim the vault makes about its person without saying who they are, signed with the intent's key as part of
/// the document (a key used for this intent only).
/// </summary>
/// <param name="Type">One of <see cref="IntentSignalTypes"/>.</param>
/// <param name="Statement">The claim in words, as the person saw it before sending.</param>
public sealed record IntentSignal(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("statement")] string Statement);

/// <summary>The signal types a vault can attach.</summary>
public static class IntentSignalTypes
{
    /// <summary>The vault holds earlier purchases in the intent's category.</summary>
    public const string BoughtInCategoryBefore = "bought_in_category_before";

    /// <summary>A payment pledge covers the budget (from the payments feature, when it exists).</summary>
    public const string BudgetConfirmed = "budget_confirmed";
}

/// <summary>An intent's public keys, raw and base64url-encoded.</summary>
/// <param name="Sign">The Ed25519 key that signs the intent, its acceptance, and requests to the exchange.</param>
/// <param name="Offer">The X25519 key offers are sealed to.</param>
public sealed record IntentPublicKeys(
    [property: JsonPropertyName("sign")] string Sign,
    [property: JsonPropertyName("offer")] string Offer);

/// <summary>
/// An offer as its vendor signed it (<see cref="SignedDocument"/> over these bytes, with <see cref="OfferVendor.SignKey"/>),
/// then sealed to the intent's X25519 key (<see cref="SealedEnvelope"/>), so an exchange relays it without reading it.
/// </summary>
/// <param name="Version">The document version; always 1.</param>
/// <param name="Id">The vendor's id for this offer, <c>off_</c> and 1 to 60 characters <c>[A-Za-z0-9_-]</c>.</param>
/// <param name="IntentId">The intent it answers.</param>
/// <param name="IntentKey">The intent's signing key (<see cref="IntentPublicKeys.Sign"/>), binding the offer to that intent.</param>
/// <param name="Vendor">Who offers.</param>
/// <param name="Items">What is offered, at least one line.</param>
/// <param name="Price">The total, all in.</param>
/// <param name="DeliveryDate">When it would arrive (or be ready for pick-up).</param>
/// <param name="Terms">The vendor's own terms in words (returns, warranty), up to 2,000 characters.</param>
/// <param name="TermsUrl">A link to the vendor's full terms; optional.</param>
/// <param name="CreatedAt">When the vendor made it.</param>
/// <param name="ExpiresAt">Until when it stands; an offer past it is refused and never shown.</param>
/// <param name="Accepts">The agreement the vendor accepted by offering: the intent's <see cref="IntentTerms"/> roster id and hash.</param>
public sealed record OfferDocument(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("intent_id")] string IntentId,
    [property: JsonPropertyName("intent_key")] string IntentKey,
    [property: JsonPropertyName("vendor")] OfferVendor Vendor,
    [property: JsonPropertyName("items")] IReadOnlyList<OfferItem> Items,
    [property: JsonPropertyName("price")] OfferPrice Price,
    [property: JsonPropertyName("delivery_date")] DateOnly? DeliveryDate,
    [property: JsonPropertyName("terms")] string? Terms,
    [property: JsonPropertyName("terms_url")] string? TermsUrl,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("accepts")] OfferAcceptedTerms Accepts);

/// <summary>The vendor behind an offer.</summary>
/// <param name="Name">Its name, 1 to 100 characters.</param>
/// <param name="Site">Its web site, an absolute https (or loopback http) address.</param>
/// <param name="SignKey">Its Ed25519 public key, base64url: the offer's signature is checked with it, and an exchange relays offers only under the key the vendor registered.</param>
/// <param name="BoxKey">Its X25519 public key, base64url: an acceptance is sealed to it.</param>
public sealed record OfferVendor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("site")] string Site,
    [property: JsonPropertyName("sign_key")] string SignKey,
    [property: JsonPropertyName("box_key")] string BoxKey);

/// <summary>One line of an offer.</summary>
/// <param name="Description">What it is, 1 to 200 characters.</param>
/// <param name="Quantity">How many, 1 to 1,000.</param>
/// <param name="UnitPrice">The price of one, in the offer's currency, zero or more.</param>
public sealed record OfferItem(
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("quantity")] int Quantity,
    [property: JsonPropertyName("unit_price")] decimal UnitPrice);

/// <summary>An offer's total.</summary>
/// <param name="Amount">The amount, zero or more, at most two decimals.</param>
/// <param name="Currency">An ISO 4217 code.</param>
/// <param name="DeliveryIncluded">True when delivery is in the amount.</param>
public sealed record OfferPrice(
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("delivery_included")] bool DeliveryIncluded = true);

/// <summary>The agreement an offer accepts.</summary>
/// <param name="Agreement">The roster id (<c>PDC-INTENT</c>).</param>
/// <param name="TextSha256">The hash of the exact text, as the intent named it.</param>
public sealed record OfferAcceptedTerms(
    [property: JsonPropertyName("agreement")] string Agreement,
    [property: JsonPropertyName("text_sha256")] string TextSha256);

/// <summary>
/// The person's acceptance of one offer: the only message that discloses a vault, and only to that vendor. Signed by
/// the intent key (the vendor checks it against the intent it answered) and sealed to the vendor's X25519 key.
/// </summary>
/// <param name="Version">The document version; always 1.</param>
/// <param name="IntentId">The intent.</param>
/// <param name="OfferId">The vendor's offer id that was accepted.</param>
/// <param name="VaultUrl">The vault's address: the vendor registers there as today (see the vendor protocol).</param>
/// <param name="Invitation">A single-use code, given at registration (<c>symbolon_invitation</c>), that lets the vendor obtain the grant below without a browser.</param>
/// <param name="Grant">What the person chose to disclose for delivery.</param>
/// <param name="AcceptedAt">When the person accepted.</param>
/// <param name="InvitationExpiresAt">When the invitation stops working.</param>
public sealed record AcceptanceDocument(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("intent_id")] string IntentId,
    [property: JsonPropertyName("offer_id")] string OfferId,
    [property: JsonPropertyName("vault_url")] string VaultUrl,
    [property: JsonPropertyName("invitation")] string Invitation,
    [property: JsonPropertyName("grant")] AcceptanceGrant Grant,
    [property: JsonPropertyName("accepted_at")] DateTimeOffset AcceptedAt,
    [property: JsonPropertyName("invitation_expires_at")] DateTimeOffset InvitationExpiresAt);

/// <summary>The grant an acceptance pre-approves.</summary>
/// <param name="Datatypes">The datatypes (as in the vault's <c>/.well-known/symbolon</c>), each read-only unless <see cref="Actions"/> says otherwise.</param>
/// <param name="Narrowing">Per datatype, a narrowing the person chose (for example <c>postal_code_country</c>); may be empty.</param>
/// <param name="Purpose">The purpose, in words.</param>
/// <param name="Agreement">The agreement the relationship is under (<c>SD-BASE</c>).</param>
/// <param name="ExpiresAt">When the grant ends; null means until revoked.</param>
/// <param name="Actions">Per datatype, the actions granted; a datatype missing here is <c>read</c> only.</param>
public sealed record AcceptanceGrant(
    [property: JsonPropertyName("datatypes")] IReadOnlyList<string> Datatypes,
    [property: JsonPropertyName("narrowing")] IReadOnlyDictionary<string, string> Narrowing,
    [property: JsonPropertyName("purpose")] string Purpose,
    [property: JsonPropertyName("agreement")] string Agreement,
    [property: JsonPropertyName("expires_at")] DateTimeOffset? ExpiresAt,
    [property: JsonPropertyName("actions")] IReadOnlyDictionary<string, IReadOnlyList<string>>? Actions = null);

/// <summary>
/// Signed bytes and their signature. The signature is Ed25519 over the ASCII domain label of the document kind
/// (<see cref="IntentCrypto"/>), a line feed, and the payload bytes. The payload is kept as it was signed, so nobody
/// has to canonicalize JSON to check it.
/// </summary>
/// <param name="Payload">The document's UTF-8 JSON, base64url without padding.</param>
/// <param name="Signature">The 64-byte Ed25519 signature, base64url without padding.</param>
public sealed record SignedDocument(
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("signature")] string Signature);

/// <summary>
/// Bytes sealed to an X25519 public key: an ephemeral key pair per message, HKDF-SHA256 over the shared secret
/// (salt: ephemeral key then recipient key; info: the domain label and the context), ChaCha20-Poly1305 with the context as
/// associated data. Only the holder of the recipient's private key opens it; a changed byte or another context fails.
/// </summary>
/// <param name="EphemeralKey">The sender's one-time X25519 public key, base64url.</param>
/// <param name="Nonce">The 12-byte nonce, base64url.</param>
/// <param name="Ciphertext">Ciphertext and tag, base64url.</param>
public sealed record SealedEnvelope(
    [property: JsonPropertyName("epk")] string EphemeralKey,
    [property: JsonPropertyName("nonce")] string Nonce,
    [property: JsonPropertyName("ciphertext")] string Ciphertext);
