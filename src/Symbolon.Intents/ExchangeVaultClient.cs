namespace Symbolon.Intents;

/// <summary>
/// What a vault does at an intent exchange (docs/intent-exchange.md): publish an intent, fetch the sealed offers on it,
/// accept one, or withdraw it. The vault has no account there: every call is signed with the intent's own Ed25519 key
/// (<c>Authorization: Intent t=…,sig=…</c>, <see cref="IntentCrypto.SignRequest"/>), so nothing links two intents.
/// </summary>
/// <remarks>
/// The <see cref="HttpClient"/> is the caller's (from <c>IHttpClientFactory</c>, say); its <see cref="HttpClient.BaseAddress"/>
/// is the exchange's address and must end in <c>/</c>. A refusal throws <see cref="ExchangeProblemException"/>; a
/// network failure throws <see cref="HttpRequestException"/>, and every call may simply be made again: posting the same
/// signed intent twice is answered like the first time.
/// </remarks>
/// <param name="http">The client to send with; its base address is the exchange's.</param>
/// <param name="timeProvider">The clock the request signatures carry; the system clock when not given.</param>
public sealed class ExchangeVaultClient(HttpClient http, TimeProvider? timeProvider = null)
{
    private readonly HttpClient _http = http ?? throw new ArgumentNullException(nameof(http));
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Reads the exchange's discovery document (<c>GET /.well-known/symbolon-exchange</c>).</summary>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>What the exchange is and accepts.</returns>
    public Task<ExchangeDiscovery> DiscoverAsync(CancellationToken ct = default)
    {
        var request = ExchangeHttp.Request(HttpMethod.Get, ExchangeHttp.Resolve(_http, ExchangeHttp.DiscoveryPath), null);
        return SendAsync<ExchangeDiscovery>(request, ct);
    }

    /// <summary>Publishes a signed intent (<c>POST /v1/intents</c>), optionally with the vendors it must not reach.</summary>
    /// <param name="keys">The intent's keys: the request is signed with its signing key.</param>
    /// <param name="intent">The intent, signed with the same key (<see cref="IntentCrypto.Sign{T}"/> with <see cref="IntentCrypto.IntentLabel"/>).</param>
    /// <param name="blocked">The vendors the person blocked (<see cref="IntentCrypto.CreateBlocklist"/>, fresh per intent); optional.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>When the exchange took it and when it will delete it.</returns>
    public Task<IntentPosted> PostIntentAsync(IntentKeys keys, SignedDocument intent, IntentBlocklist? blocked = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(intent);
        return SendAsync<IntentPosted>(Signed(keys, HttpMethod.Post, "v1/intents", ExchangeHttp.Serialize(new PostIntentRequest(intent, blocked))), ct);
    }

    /// <summary>Withdraws an intent (<c>DELETE /v1/intents/{id}</c>): the exchange deletes it and its offers and tells the offering vendors it closed.</summary>
    /// <param name="keys">The intent's keys.</param>
    /// <param name="intentId">The intent's id.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task WithdrawAsync(IntentKeys keys, string intentId, CancellationToken ct = default) =>
        SendAsync(Signed(keys, HttpMethod.Delete, "v1/intents/" + Escape(intentId), null), ct);

    /// <summary>Fetches the offers made so far (<c>GET /v1/intents/{id}/offers?after=</c>), oldest first, still sealed.</summary>
    /// <param name="keys">The intent's keys.</param>
    /// <param name="intentId">The intent's id.</param>
    /// <param name="after">The <see cref="OfferPage.NextCursor"/> of the previous page; null for the first.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The page; open each offer with <see cref="OpenOffer"/>.</returns>
    public Task<OfferPage> GetOffersAsync(IntentKeys keys, string intentId, string? after = null, CancellationToken ct = default)
    {
        var path = "v1/intents/" + Escape(intentId) + "/offers" + (after is null ? "" : "?after=" + Uri.EscapeDataString(after));
        return SendAsync<OfferPage>(Signed(keys, HttpMethod.Get, path, null), ct);
    }

    /// <summary>
    /// Accepts one offer (<c>POST /v1/intents/{id}/acceptance</c>): the exchange hands the sealed acceptance to that
    /// vendor alone, tells every other offering vendor the intent closed, and deletes the intent and its offers.
    /// </summary>
    /// <param name="keys">The intent's keys.</param>
    /// <param name="intentId">The intent's id.</param>
    /// <param name="offerId">The exchange's id of the offer (<see cref="RelayedOffer.OfferId"/>).</param>
    /// <param name="envelope">The <see cref="AcceptanceDocument"/> signed with the intent key and sealed to the vendor's box key with the intent id as context (<see cref="SealAcceptance"/>).</param>
    /// <param name="ct">Cancels the call.</param>
    public Task AcceptAsync(IntentKeys keys, string intentId, string offerId, SealedEnvelope envelope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var body = ExchangeHttp.Serialize(new AcceptOfferRequest(offerId, envelope));
        return SendAsync(Signed(keys, HttpMethod.Post, "v1/intents/" + Escape(intentId) + "/acceptance", body), ct);
    }

    /// <summary>
    /// Opens a relayed offer and checks it: sealed to this intent's key under its id, signed by the key the vendor
    /// registered at the exchange, bound to this intent, and within <see cref="IntentRules.CheckOffer"/> at
    /// <paramref name="now"/>. Returns null for anything forged, replayed from another intent, or expired: such an offer is never shown.
    /// </summary>
    /// <param name="offer">The offer as relayed.</param>
    /// <param name="intent">The intent it answers.</param>
    /// <param name="keys">The intent's keys.</param>
    /// <param name="now">The time to check expiry against.</param>
    /// <returns>The offer, or null.</returns>
    public static OfferDocument? OpenOffer(RelayedOffer offer, IntentDocument intent, IntentKeys keys, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(intent);
        ArgumentNullException.ThrowIfNull(keys);
        var signed = IntentCrypto.OpenSigned(offer.Envelope, keys.BoxKey, intent.Id);
        var document = signed is null ? null : IntentCrypto.VerifyOffer(signed, intent, offer.VendorSignKey);
        return document is not null && IntentRules.CheckOffer(document, intent, now).Count == 0 ? document : null;
    }

    /// <summary>Signs an acceptance with the intent's key and seals it to the offering vendor's box key, as <see cref="AcceptAsync"/> carries it.</summary>
    /// <param name="acceptance">The acceptance.</param>
    /// <param name="keys">The intent's keys.</param>
    /// <param name="offer">The accepted offer (its vendor's box key is the recipient).</param>
    /// <returns>The envelope.</returns>
    public static SealedEnvelope SealAcceptance(AcceptanceDocument acceptance, IntentKeys keys, OfferDocument offer)
    {
        ArgumentNullException.ThrowIfNull(acceptance);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(offer);
        return IntentCrypto.SignAndSeal(acceptance, keys.SignKey, IntentCrypto.AcceptanceLabel, offer.Vendor.BoxKey, acceptance.IntentId);
    }

    private static string Escape(string intentId)
    {
        ArgumentException.ThrowIfNullOrEmpty(intentId);
        return Uri.EscapeDataString(intentId);
    }

    private HttpRequestMessage Signed(IntentKeys keys, HttpMethod method, string relative, byte[]? body)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var uri = ExchangeHttp.Resolve(_http, relative);
        var request = ExchangeHttp.Request(method, uri, body);
        request.Headers.TryAddWithoutValidation("Authorization", IntentCrypto.SignRequest(keys.SignKey, method.Method, uri.PathAndQuery, body ?? [], _time.GetUtcNow()));
        return request;
    }

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken ct)
        where T : class
    {
        using (request)
        {
            return await ExchangeHttp.SendAsync<T>(_http, request, ct).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            await ExchangeHttp.SendAsync(_http, request, ct).ConfigureAwait(false);
        }
    }
}
