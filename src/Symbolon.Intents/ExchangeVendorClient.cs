using System.Globalization;

namespace Symbolon.Intents;

/// <summary>
/// What a vendor does at an intent exchange (docs/intent-exchange.md): register, subscribe to categories and areas,
/// read matching intents (or receive them by webhook), make sealed offers, and hear of acceptances and closings.
/// </summary>
/// <remarks>
/// <para>
/// A vendor keeps one <see cref="IntentKeys"/> pair as its own long-lived key pair: the Ed25519 half signs its offers
/// (the exchange relays them only under the key registered with <see cref="RegisterAsync"/>), the X25519 half opens the
/// acceptances sealed to it. Store it with <see cref="IntentKeys.Export"/> somewhere safe, and register its public
/// halves (<see cref="IntentKeys.PublicKeys"/>) as <c>sign_key</c> and <c>box_key</c>.
/// </para>
/// <para>
/// The <see cref="HttpClient"/> is the caller's; its <see cref="HttpClient.BaseAddress"/> is the exchange's address and
/// must end in <c>/</c>. Calls after registration carry <see cref="ApiKey"/> as a bearer token. A refusal throws
/// <see cref="ExchangeProblemException"/>.
/// </para>
/// </remarks>
/// <param name="http">The client to send with; its base address is the exchange's.</param>
/// <param name="apiKey">The <c>xv_</c> key from an earlier registration; null before registering.</param>
/// <param name="timeProvider">The clock offers are checked against before sending; the system clock when not given.</param>
public sealed class ExchangeVendorClient(HttpClient http, string? apiKey = null, TimeProvider? timeProvider = null)
{
    private readonly HttpClient _http = http ?? throw new ArgumentNullException(nameof(http));
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>The vendor's API key; set by <see cref="RegisterAsync"/>.</summary>
    public string? ApiKey { get; set; } = apiKey;

    /// <summary>Reads the exchange's discovery document (<c>GET /.well-known/symbolon-exchange</c>).</summary>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>What the exchange is and accepts.</returns>
    public Task<ExchangeDiscovery> DiscoverAsync(CancellationToken ct = default) =>
        SendAsync<ExchangeDiscovery>(HttpMethod.Get, ExchangeHttp.DiscoveryPath, null, authenticated: false, ct);

    /// <summary>
    /// Registers the vendor (<c>POST /v1/vendors</c>) and keeps the API key in <see cref="ApiKey"/>. The key and the
    /// webhook secret are shown only in this answer: store them.
    /// </summary>
    /// <param name="registration">Name, site, the public halves of the vendor's key pair, and an optional webhook address.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The vendor id, API key and webhook secret.</returns>
    public async Task<ExchangeVendorRegistered> RegisterAsync(ExchangeVendorRegistration registration, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var registered = await SendAsync<ExchangeVendorRegistered>(HttpMethod.Post, "v1/vendors", ExchangeHttp.Serialize(registration), authenticated: false, ct).ConfigureAwait(false);
        ApiKey = registered.ApiKey;
        return registered;
    }

    /// <summary>Replaces the vendor's subscriptions (<c>PUT /v1/vendors/me/subscriptions</c>); at most 100.</summary>
    /// <param name="subscriptions">The whole list.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The list as stored.</returns>
    public Task<ExchangeSubscriptions> SetSubscriptionsAsync(IEnumerable<ExchangeSubscription> subscriptions, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        return SendAsync<ExchangeSubscriptions>(HttpMethod.Put, "v1/vendors/me/subscriptions", ExchangeHttp.Serialize(new ExchangeSubscriptions([.. subscriptions])), authenticated: true, ct);
    }

    /// <summary>
    /// Reads live intents that match the subscriptions (<c>GET /v1/feed</c>), oldest first, leaving out intents that
    /// block this vendor. Check each with <see cref="IntentCrypto.VerifyIntent"/> (<see cref="MakeOfferAsync(FeedIntent, OfferDocument, IntentKeys, CancellationToken)"/> does).
    /// </summary>
    /// <param name="after">The previous page's <see cref="FeedPage.NextCursor"/>; null to start from the oldest live intent.</param>
    /// <param name="limit">The most intents to return, 1 to 100.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The page; keep reading while <see cref="FeedPage.NextCursor"/> moves.</returns>
    public Task<FeedPage> GetFeedAsync(string? after = null, int limit = 50, CancellationToken ct = default)
    {
        var query = "v1/feed?limit=" + limit.ToString(CultureInfo.InvariantCulture) + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
        return SendAsync<FeedPage>(HttpMethod.Get, query, null, authenticated: true, ct);
    }

    /// <summary>Makes an offer on an intent from the feed or an <c>intent.published</c> webhook, after checking the intent's signature.</summary>
    /// <param name="intent">The intent as delivered.</param>
    /// <param name="offer">The offer; its <see cref="OfferDocument.Vendor"/> keys must be <paramref name="vendorKeys"/>' public halves.</param>
    /// <param name="vendorKeys">The vendor's own key pair.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The exchange's receipt.</returns>
    /// <exception cref="ArgumentException">The intent's signature does not hold, or the offer breaks a rule (the message names the fields).</exception>
    public Task<OfferPosted> MakeOfferAsync(FeedIntent intent, OfferDocument offer, IntentKeys vendorKeys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(intent);
        var document = IntentCrypto.VerifyIntent(intent.Intent)
            ?? throw new ArgumentException("The intent's signature does not hold: it was not signed by the key it names.", nameof(intent));
        if (document.Id != intent.Id)
        {
            throw new ArgumentException("The intent's id is not the one it was delivered under.", nameof(intent));
        }

        return MakeOfferAsync(document, offer, vendorKeys, ct);
    }

    /// <summary>
    /// Makes an offer (<c>POST /v1/intents/{id}/offers</c>): checks it with <see cref="IntentRules.CheckOffer"/>, signs
    /// it with the vendor's key, seals it to the intent's offer key with the intent id as context, and posts the envelope.
    /// The exchange cannot read it; only the intent's holder can.
    /// </summary>
    /// <param name="intent">The intent, already verified (<see cref="IntentCrypto.VerifyIntent"/>).</param>
    /// <param name="offer">The offer; its <see cref="OfferDocument.Vendor"/> keys must be <paramref name="vendorKeys"/>' public halves.</param>
    /// <param name="vendorKeys">The vendor's own key pair.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The exchange's receipt.</returns>
    /// <exception cref="ArgumentException">The offer breaks a rule (the message names the fields).</exception>
    public Task<OfferPosted> MakeOfferAsync(IntentDocument intent, OfferDocument offer, IntentKeys vendorKeys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(intent);
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(vendorKeys);
        var errors = IntentRules.CheckOffer(offer, intent, _time.GetUtcNow());
        if (errors.Count > 0)
        {
            throw new ArgumentException("The offer breaks the intent protocol's rules at: " + string.Join(", ", errors.Keys) + ".", nameof(offer));
        }

        var mine = vendorKeys.PublicKeys;
        if (offer.Vendor.SignKey != mine.Sign || offer.Vendor.BoxKey != mine.Offer)
        {
            throw new ArgumentException("The offer's vendor keys are not the public halves of the vendor's key pair.", nameof(offer));
        }

        var envelope = IntentCrypto.SignAndSeal(offer, vendorKeys.SignKey, IntentCrypto.OfferLabel, intent.Keys.Offer, intent.Id);
        return SendAsync<OfferPosted>(HttpMethod.Post, "v1/intents/" + Uri.EscapeDataString(intent.Id) + "/offers", ExchangeHttp.Serialize(new OfferSubmission(envelope)), authenticated: true, ct);
    }

    /// <summary>Reads the vendor's events (<c>GET /v1/vendors/me/events</c>): acceptances and closings, oldest first, kept 30 days.</summary>
    /// <param name="after">The previous page's <see cref="ExchangeEventPage.NextCursor"/>; null for the oldest.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The page.</returns>
    public Task<ExchangeEventPage> GetEventsAsync(string? after = null, CancellationToken ct = default) =>
        SendAsync<ExchangeEventPage>(HttpMethod.Get, "v1/vendors/me/events" + (after is null ? "" : "?after=" + Uri.EscapeDataString(after)), null, authenticated: true, ct);

    /// <summary>
    /// Opens the acceptance in an <c>offer.accepted</c> event: sealed to the vendor's box key under the intent's id,
    /// signed by the intent's key, and naming this intent. Null when any of that fails: the acceptance is forged.
    /// </summary>
    /// <param name="exchangeEvent">The event (from <see cref="GetEventsAsync"/> or the webhook).</param>
    /// <param name="intent">The intent the vendor offered on (kept from the feed).</param>
    /// <param name="vendorKeys">The vendor's own key pair.</param>
    /// <returns>The verified acceptance, or null.</returns>
    public static AcceptanceDocument? OpenAcceptance(ExchangeEvent exchangeEvent, IntentDocument intent, IntentKeys vendorKeys)
    {
        ArgumentNullException.ThrowIfNull(exchangeEvent);
        ArgumentNullException.ThrowIfNull(intent);
        ArgumentNullException.ThrowIfNull(vendorKeys);
        if (exchangeEvent.Type != ExchangeEventTypes.OfferAccepted || exchangeEvent.IntentId != intent.Id || exchangeEvent.Envelope is null)
        {
            return null;
        }

        var signed = IntentCrypto.OpenSigned(exchangeEvent.Envelope, vendorKeys.BoxKey, intent.Id);
        var acceptance = signed is null ? null : IntentCrypto.VerifyAcceptance(signed, intent.Keys.Sign);
        return acceptance?.IntentId == intent.Id ? acceptance : null;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string relative, byte[]? body, bool authenticated, CancellationToken ct)
        where T : class
    {
        using var request = ExchangeHttp.Request(method, ExchangeHttp.Resolve(_http, relative), body);
        if (authenticated)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + (ApiKey ?? throw new InvalidOperationException("Register first, or pass the vendor's API key to the constructor.")));
        }

        return await ExchangeHttp.SendAsync<T>(_http, request, ct).ConfigureAwait(false);
    }
}
