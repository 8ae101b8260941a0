using System.Text.Json;
using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Vendor;

/// <summary>
/// An intent the person addressed to this relationship (<c>GET /api/v1/intents/{id}</c>). <see cref="Payload"/> and
/// <see cref="Signature"/> are the signed intent document as every recipient sees it (check it with
/// <c>Symbolon.Intents.IntentCrypto.VerifyIntent</c>); <see cref="Intent"/> is the same JSON, decoded.
/// </summary>
/// <param name="Id">The intent's id (<c>int_</c>…).</param>
/// <param name="Status"><c>open</c>, <c>accepted</c>, <c>withdrawn</c> or <c>expired</c>.</param>
/// <param name="Intent">The intent document's JSON.</param>
/// <param name="Payload">The signed payload, base64url.</param>
/// <param name="Signature">The intent key's Ed25519 signature, base64url.</param>
public sealed record RelationshipIntent(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("intent")] JsonElement Intent,
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("signature")] string Signature)
{
    /// <summary>
    /// When the person accepted this vendor's offer: which, what they chose to share for delivery, and the invitation
    /// to redeem for it (null for every other vendor, and before the acceptance).
    /// </summary>
    [JsonPropertyName("acceptance")]
    public RelationshipIntentAcceptance? Acceptance { get; init; }
}

/// <summary>
/// The person accepted this vendor's offer. What they chose for delivery is not granted yet: redeem
/// <see cref="Invitation"/> with <c>SymbolonVendorClient.RedeemInvitationAsync</c> (the invitation grant, this client's
/// secret) for a new grant of exactly <see cref="Datatypes"/>. Only this relationship's client can redeem it, once.
/// </summary>
/// <param name="OfferId">The accepted offer, by the vendor's own id.</param>
/// <param name="Datatypes">What the person chose to share for delivery (empty: nothing new; deliver under the grants you hold).</param>
/// <param name="Invitation">The invitation code while it waits to be redeemed; null once redeemed, lapsed, or when nothing was chosen.</param>
/// <param name="InvitationExpiresAt">Until when the invitation can be redeemed.</param>
public sealed record RelationshipIntentAcceptance(
    [property: JsonPropertyName("offer_id")] string OfferId,
    [property: JsonPropertyName("datatypes")] IReadOnlyList<string> Datatypes,
    [property: JsonPropertyName("invitation")] string? Invitation,
    [property: JsonPropertyName("invitation_expires_at")] DateTimeOffset? InvitationExpiresAt);

/// <summary>One line of an offer a related vendor makes.</summary>
/// <param name="Description">What it is, 1 to 200 characters.</param>
/// <param name="Quantity">How many, 1 to 1,000.</param>
/// <param name="UnitPrice">The price of one, zero or more, at most two decimals.</param>
public sealed record IntentOfferItem(
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("quantity")] int Quantity,
    [property: JsonPropertyName("unit_price")] decimal UnitPrice);

/// <summary>
/// An offer from a vendor the person relates to (<c>POST /api/v1/intents/{id}/offers</c>), checked with the same rules
/// as exchange offers. By offering, the vendor accepts the intent's agreement (<c>PDC-INTENT</c>).
/// </summary>
/// <param name="Items">What is offered, 1 to 50 lines.</param>
/// <param name="Price">The total, all in, at most two decimals.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="ExpiresAt">Until when the offer stands; in the future.</param>
/// <param name="DeliveryDate">When it would arrive; optional.</param>
/// <param name="Terms">The vendor's own terms in words (returns, warranty), up to 2,000 characters.</param>
/// <param name="TermsUrl">A link to its full terms (https); optional.</param>
/// <param name="DeliveryIncluded">True (the default) when delivery is in the price.</param>
/// <param name="OfferId">The vendor's own id for the offer (<c>off_</c> and 1 to 60 of <c>[A-Za-z0-9_-]</c>); one is made when left out. Offering the same id again is refused.</param>
public sealed record IntentOfferInput(
    [property: JsonPropertyName("items")] IReadOnlyList<IntentOfferItem> Items,
    [property: JsonPropertyName("price")] decimal Price,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("delivery_date")] DateOnly? DeliveryDate = null,
    [property: JsonPropertyName("terms")] string? Terms = null,
    [property: JsonPropertyName("terms_url")] string? TermsUrl = null,
    [property: JsonPropertyName("delivery_included")] bool DeliveryIncluded = true,
    [property: JsonPropertyName("offer_id")] string? OfferId = null);

/// <summary>The vault's receipt for a related vendor's offer.</summary>
/// <param name="OfferId">The offer's id: the vendor's own, or the one the vault made.</param>
/// <param name="IntentId">The intent.</param>
/// <param name="ReceivedAt">When the vault stored it.</param>
public sealed record IntentOfferReceived(
    [property: JsonPropertyName("offer_id")] string OfferId,
    [property: JsonPropertyName("intent_id")] string IntentId,
    [property: JsonPropertyName("received_at")] DateTimeOffset ReceivedAt);

/// <summary>The data of an <c>intent.created</c> event: read the intent with <c>GET /api/v1/intents/{id}</c>.</summary>
/// <param name="Subject">The person's pairwise identifier for this vendor.</param>
/// <param name="IntentId">The intent.</param>
/// <param name="ExpiresAt">When it closes.</param>
public sealed record IntentCreatedData(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("intent_id")] string IntentId,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);

/// <summary>The data of an <c>intent.closed</c> event: the intent no longer takes offers, and this vendor's offer (if any) was not accepted.</summary>
/// <param name="Subject">The person's pairwise identifier for this vendor.</param>
/// <param name="IntentId">The intent.</param>
/// <param name="Reason"><c>accepted_elsewhere</c>, <c>withdrawn</c> or <c>expired</c>.</param>
public sealed record IntentClosedData(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("intent_id")] string IntentId,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary>The data of an <c>intent.accepted</c> event: the person accepted this vendor's offer; the offer is now the first entry of the relationship's conversation.</summary>
/// <param name="Subject">The person's pairwise identifier for this vendor.</param>
/// <param name="IntentId">The intent.</param>
/// <param name="OfferId">The accepted offer, by the vendor's own id (<see cref="IntentOfferReceived.OfferId"/>).</param>
/// <param name="Datatypes">
/// What the person chose to disclose for delivery. When it is not empty, read <c>GET /api/v1/intents/{id}</c>: its
/// <see cref="RelationshipIntent.Acceptance"/> holds the invitation to redeem for a grant of exactly these.
/// </param>
public sealed record IntentAcceptedData(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("intent_id")] string IntentId,
    [property: JsonPropertyName("offer_id")] string OfferId,
    [property: JsonPropertyName("datatypes")] IReadOnlyList<string> Datatypes)
{
    /// <summary>Until when the invitation for <see cref="Datatypes"/> can be redeemed; null when nothing new was chosen.</summary>
    [JsonPropertyName("invitation_expires_at")]
    public DateTimeOffset? InvitationExpiresAt { get; init; }
}
