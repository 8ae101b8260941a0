using System.Text.Json.Serialization;

namespace Symbolon.Intents;

/// <summary><c>GET /.well-known/symbolon-exchange</c>: what an intent exchange is and what it accepts.</summary>
/// <param name="Name">The exchange's name.</param>
/// <param name="ApiBase">The absolute base address of the API (ends in <c>/v1/</c>).</param>
/// <param name="OpenApi">The absolute address of its OpenAPI document.</param>
/// <param name="ProtocolVersion">The protocol version; 1.</param>
/// <param name="MaxIntentBytes">The largest intent payload (decoded bytes) it takes.</param>
/// <param name="MaxOfferBytes">The largest offer envelope (its JSON) it takes.</param>
/// <param name="OffersPerMinute">Offers a vendor may make per minute.</param>
/// <param name="Categories">Categories it suggests (any slug is accepted).</param>
public sealed record ExchangeDiscovery(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("api_base")] string ApiBase,
    [property: JsonPropertyName("openapi")] string OpenApi,
    [property: JsonPropertyName("protocol_version")] int ProtocolVersion,
    [property: JsonPropertyName("max_intent_bytes")] int MaxIntentBytes,
    [property: JsonPropertyName("max_offer_bytes")] int MaxOfferBytes,
    [property: JsonPropertyName("offers_per_minute")] int OffersPerMinute,
    [property: JsonPropertyName("categories")] IReadOnlyList<string> Categories);

/// <summary><c>POST /v1/intents</c>: a vault publishes an intent. Posting the same signed bytes again is answered like the first time.</summary>
/// <param name="Intent">The signed <see cref="IntentDocument"/>.</param>
/// <param name="Blocked">Vendors who must not receive it nor offer on it; optional.</param>
public sealed record PostIntentRequest(
    [property: JsonPropertyName("intent")] SignedDocument Intent,
    [property: JsonPropertyName("blocked")] IntentBlocklist? Blocked = null);

/// <summary>
/// Vendors the person blocked, as keyed hashes the exchange can match but two intents cannot be linked by: each
/// entry is the first 16 bytes of HMAC-SHA256 under <see cref="Salt"/> (fresh per intent) of the vendor's raw
/// Ed25519 key (<see cref="IntentCrypto.BlocklistEntry"/>).
/// </summary>
/// <param name="Salt">16 random bytes, base64url.</param>
/// <param name="Entries">The hashes, base64url; at most 1,000.</param>
public sealed record IntentBlocklist(
    [property: JsonPropertyName("salt")] string Salt,
    [property: JsonPropertyName("entries")] IReadOnlyList<string> Entries);

/// <summary>The exchange's answer to a published intent.</summary>
/// <param name="Id">The intent's id (the document's).</param>
/// <param name="PublishedAt">When the exchange took it.</param>
/// <param name="ExpiresAt">When the exchange deletes it with its offers.</param>
public sealed record IntentPosted(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("published_at")] DateTimeOffset PublishedAt,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);

/// <summary><c>POST /v1/vendors</c>: a vendor registers at the exchange.</summary>
/// <param name="Name">Its name, 1 to 100 characters.</param>
/// <param name="Site">Its web site (https, or http on loopback).</param>
/// <param name="SignKey">Its Ed25519 public key, base64url: its offers must be signed with it.</param>
/// <param name="BoxKey">Its X25519 public key, base64url: acceptances are sealed to it.</param>
/// <param name="WebhookUrl">Where the exchange posts signed webhooks (<c>intent.published</c>, <c>offer.accepted</c>, <c>offer.closed</c>); optional.</param>
public sealed record ExchangeVendorRegistration(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("site")] string Site,
    [property: JsonPropertyName("sign_key")] string SignKey,
    [property: JsonPropertyName("box_key")] string BoxKey,
    [property: JsonPropertyName("webhook_url")] string? WebhookUrl = null);

/// <summary>What a vendor keeps after registering; the secrets are shown once.</summary>
/// <param name="VendorId">Its id at the exchange.</param>
/// <param name="ApiKey">Its bearer key for the vendor API (<c>xv_</c>…).</param>
/// <param name="WebhookSecret">The <c>whsec_</c> secret its webhooks are signed with (Standard Webhooks); null without a webhook address.</param>
public sealed record ExchangeVendorRegistered(
    [property: JsonPropertyName("vendor_id")] string VendorId,
    [property: JsonPropertyName("api_key")] string ApiKey,
    [property: JsonPropertyName("webhook_secret")] string? WebhookSecret);

/// <summary>One subscription: intents of a category, optionally only for a country and postal prefix.</summary>
/// <param name="Category">The category slug.</param>
/// <param name="Country">An ISO country code; null means any.</param>
/// <param name="PostalPrefix">A postal prefix; matches intents whose prefix starts with it or that it starts with. Null means any.</param>
public sealed record ExchangeSubscription(
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("country")] string? Country = null,
    [property: JsonPropertyName("postal_prefix")] string? PostalPrefix = null);

/// <summary><c>PUT /v1/vendors/me/subscriptions</c>: the whole list, replacing the previous one (at most 100).</summary>
/// <param name="Subscriptions">The subscriptions.</param>
public sealed record ExchangeSubscriptions(
    [property: JsonPropertyName("subscriptions")] IReadOnlyList<ExchangeSubscription> Subscriptions);

/// <summary>An intent as delivered to a subscribed vendor (feed entry and <c>intent.published</c> webhook data).</summary>
/// <param name="Cursor">The feed position, opaque.</param>
/// <param name="Id">The intent id.</param>
/// <param name="Intent">The signed intent: check it with <see cref="IntentCrypto.VerifyIntent"/>.</param>
/// <param name="PublishedAt">When it was published.</param>
/// <param name="ExpiresAt">When it ends.</param>
public sealed record FeedIntent(
    [property: JsonPropertyName("cursor")] string Cursor,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("intent")] SignedDocument Intent,
    [property: JsonPropertyName("published_at")] DateTimeOffset PublishedAt,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);

/// <summary><c>GET /v1/feed?after=&amp;limit=</c>: live intents matching the vendor's subscriptions, oldest first.</summary>
/// <param name="Intents">The page.</param>
/// <param name="NextCursor">Pass as <c>after</c> for the next page; the same value when nothing is new.</param>
public sealed record FeedPage(
    [property: JsonPropertyName("intents")] IReadOnlyList<FeedIntent> Intents,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary><c>POST /v1/intents/{id}/offers</c>: a vendor's sealed, signed offer.</summary>
/// <param name="Envelope">The <see cref="SignedDocument"/> of the <see cref="OfferDocument"/>, as JSON, sealed to the intent's offer key with the intent id as context.</param>
public sealed record OfferSubmission(
    [property: JsonPropertyName("envelope")] SealedEnvelope Envelope);

/// <summary>The exchange's receipt for an offer.</summary>
/// <param name="OfferId">The exchange's id for the relayed offer (<c>xo_</c>…).</param>
/// <param name="ReceivedAt">When it arrived.</param>
public sealed record OfferPosted(
    [property: JsonPropertyName("offer_id")] string OfferId,
    [property: JsonPropertyName("received_at")] DateTimeOffset ReceivedAt);

/// <summary>An offer as the exchange relays it to the intent's holder.</summary>
/// <param name="OfferId">The exchange's id for it.</param>
/// <param name="Cursor">The position to continue after.</param>
/// <param name="VendorId">The offering vendor's id at the exchange.</param>
/// <param name="VendorSignKey">The Ed25519 key the vendor registered; the sealed offer must be signed with it.</param>
/// <param name="ReceivedAt">When it arrived.</param>
/// <param name="Envelope">The sealed offer.</param>
public sealed record RelayedOffer(
    [property: JsonPropertyName("offer_id")] string OfferId,
    [property: JsonPropertyName("cursor")] string Cursor,
    [property: JsonPropertyName("vendor_id")] string VendorId,
    [property: JsonPropertyName("vendor_sign_key")] string VendorSignKey,
    [property: JsonPropertyName("received_at")] DateTimeOffset ReceivedAt,
    [property: JsonPropertyName("envelope")] SealedEnvelope Envelope);

/// <summary><c>GET /v1/intents/{id}/offers?after=</c> (signed by the intent key): the offers so far, oldest first.</summary>
/// <param name="Offers">The page.</param>
/// <param name="NextCursor">Pass as <c>after</c> next time.</param>
public sealed record OfferPage(
    [property: JsonPropertyName("offers")] IReadOnlyList<RelayedOffer> Offers,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary><c>POST /v1/intents/{id}/acceptance</c> (signed by the intent key): accept one offer. The exchange tells
/// that vendor (the sealed acceptance) and every other offering vendor that the intent closed, then deletes the intent
/// and its offers.</summary>
/// <param name="OfferId">The exchange's id of the accepted offer.</param>
/// <param name="Envelope">The signed <see cref="AcceptanceDocument"/>, sealed to the vendor's box key with the intent id as context.</param>
public sealed record AcceptOfferRequest(
    [property: JsonPropertyName("offer_id")] string OfferId,
    [property: JsonPropertyName("envelope")] SealedEnvelope Envelope);

/// <summary>Something for a vendor: an acceptance, or the closing of an intent it offered on (feed entry and webhook data).</summary>
/// <param name="Cursor">The position to continue after.</param>
/// <param name="Type">One of <see cref="ExchangeEventTypes"/>.</param>
/// <param name="IntentId">The intent.</param>
/// <param name="OfferId">The exchange's id of the vendor's offer, when there is one.</param>
/// <param name="At">When it happened.</param>
/// <param name="Envelope">For <c>offer.accepted</c>: the sealed, signed acceptance. Null otherwise.</param>
public sealed record ExchangeEvent(
    [property: JsonPropertyName("cursor")] string Cursor,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("intent_id")] string IntentId,
    [property: JsonPropertyName("offer_id")] string? OfferId,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("envelope")] SealedEnvelope? Envelope = null);

/// <summary><c>GET /v1/vendors/me/events?after=</c>: a vendor's events, oldest first.</summary>
/// <param name="Events">The page.</param>
/// <param name="NextCursor">Pass as <c>after</c> next time.</param>
public sealed record ExchangeEventPage(
    [property: JsonPropertyName("events")] IReadOnlyList<ExchangeEvent> Events,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>The kinds of <see cref="ExchangeEvent"/> and of the exchange's webhooks.</summary>
public static class ExchangeEventTypes
{
    /// <summary>A new intent matches the vendor's subscriptions (webhook only; data is a <see cref="FeedIntent"/>).</summary>
    public const string IntentPublished = "intent.published";

    /// <summary>The person accepted this vendor's offer; the envelope holds the acceptance.</summary>
    public const string OfferAccepted = "offer.accepted";

    /// <summary>The intent the vendor offered on was accepted elsewhere, withdrawn or expired. Nothing more is said.</summary>
    public const string OfferClosed = "offer.closed";
}
