using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Client;

/// <summary>
/// A vendor's access to one person's data under one grant: typed calls to the data API with the session's
/// access token. The access token is refreshed shortly before it expires, one refresh at a time, so that the
/// single-use refresh token is never presented twice; store <see cref="Tokens"/> after <see cref="TokensRefreshed"/>.
/// Thread-safe.
/// </summary>
/// <remarks>
/// While the person is away (their vault is locked) the vault still takes receipts, loyalty events, check-ins, notes
/// and messages: it queues them sealed until the person opens the vault, answers <c>202 Accepted</c>, and tells the
/// outcome later by an <c>inbox.applied</c> or <c>inbox.refused</c> webhook. The methods that send them return their
/// usual type then, built from what was sent, with its <c>Queued</c> set (for example <see cref="VendorReceipt.Queued"/>).
/// Reads are refused meanwhile with <c>SYM1108</c> (423) and a <see cref="SymbolonProblemException.RetryAfter"/>.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The SemaphoreSlim is only awaited, never asked for its wait handle, so it holds nothing that needs disposing; a session stays a plain object the vendor can drop.")]
public sealed class VendorSession : IVendorRequests
{
    /// <summary>How long before its expiry an access token is refreshed, so that a request never carries one that lapses on the way.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private TokenSet _tokens;
    private ProfileRead? _lastProfile;

    internal VendorSession(SymbolonVendorClient client, HttpClient http, TokenSet tokens, TimeProvider time)
    {
        Client = client;
        _http = http;
        _tokens = tokens;
        _time = time;
    }

    /// <summary>Raised after the session refreshed its tokens; store the new <see cref="TokenSet.RefreshToken"/>, the old one no longer works.</summary>
    public event EventHandler<TokenSet>? TokensRefreshed;

    /// <summary>The vendor client this session belongs to.</summary>
    public SymbolonVendorClient Client { get; }

    /// <summary>The current tokens and what they grant.</summary>
    public TokenSet Tokens => Volatile.Read(ref _tokens);

    /// <summary>
    /// Refreshes the tokens now, whatever their expiry. Concurrent calls refresh once: a call that waited for
    /// another's refresh uses its result.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new tokens.</returns>
    /// <exception cref="InvalidOperationException">The session has no refresh token.</exception>
    /// <exception cref="SymbolonOAuthException">The grant was revoked or expired (<c>invalid_grant</c>).</exception>
    public Task<TokenSet> RefreshAsync(CancellationToken cancellationToken = default) => RefreshAsync(Tokens, cancellationToken);

    /// <summary>What the grant allows now (<c>GET /api/v1/grant</c>).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<IReadOnlyList<AuthorizationDetail>> GetGrantAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "grant", null, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<IReadOnlyList<AuthorizationDetail>>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the profile fields the grant allows (<c>GET /api/v1/profile</c>). After the first read the session sends
    /// the ETag it got; when nothing changed the vault answers 304 and the session returns its earlier copy with
    /// <see cref="ProfileRead.NotModified"/> set.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException">
    /// The grant is not in force (<c>SYM1402</c>), allows no profile field (<c>SYM1403</c>), or the person is away
    /// (<c>SYM1108</c>, 423: their vault is locked; <see cref="SymbolonProblemException.RetryAfter"/> says when to try again).
    /// </exception>
    public async Task<ProfileRead> GetProfileAsync(CancellationToken cancellationToken = default)
    {
        var previous = Volatile.Read(ref _lastProfile);
        using var response = await SendAsync(HttpMethod.Get, "profile", null, previous?.ETag, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotModified && previous is not null)
        {
            return previous with { NotModified = true };
        }

        var profile = await SymbolonHttp.ReadAsync<VendorProfile>(response, cancellationToken).ConfigureAwait(false);
        var read = new ProfileRead(profile, response.Headers.ETag?.ToString(), NotModified: false);
        Volatile.Write(ref _lastProfile, read);
        return read;
    }

    /// <summary>Adds a value (<c>POST /api/v1/profile/fields</c>; needs <c>append</c> on its datatype).</summary>
    /// <param name="field">The datatype, value and optional label.</param>
    /// <param name="idempotencyKey">Optional: the same key on a retry makes the vault apply the write once and repeat its answer.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// The field as the vendor now sees it; or, when the person is away and the vault queued it, the value as sent with
    /// <see cref="VendorField.Queued"/> set (see there).
    /// </returns>
    /// <exception cref="SymbolonProblemException">
    /// Not granted (<c>SYM1403</c>), a value that is not valid for its datatype (<c>SYM1003</c>), or the person is away
    /// and their vault's inbox is full for now (<c>SYM1109</c>, 429, or <c>SYM1110</c>, 413); nothing was queued, send it again later.
    /// </exception>
    public async Task<VendorField> AppendFieldAsync(VendorFieldAppend field, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(field);
        using var response = await SendAsync(HttpMethod.Post, "profile/fields", JsonContent.Create(field, options: SymbolonHttp.Json), null, idempotencyKey, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadWriteAsync(
            response,
            queued => new VendorField(queued.InboxId, field.Datatype, field.Label, Narrowings.Full, field.Value, 0, queued.ReceivedAt) { Queued = queued },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes a value the vendor can see (<c>PATCH /api/v1/profile/fields/{id}</c>; needs <c>update</c> and a full grant).</summary>
    /// <param name="fieldId">The field's id as the vendor sees it (<see cref="VendorField.Id"/>).</param>
    /// <param name="update">The new value, optional label and expected version.</param>
    /// <param name="idempotencyKey">Optional: the same key on a retry makes the vault apply the write once.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The field after the change.</returns>
    /// <exception cref="SymbolonProblemException">Not granted (<c>SYM1403</c>), or the field moved on (<c>SYM1202</c>, 409).</exception>
    public async Task<VendorField> UpdateFieldAsync(string fieldId, VendorFieldUpdate update, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(fieldId);
        ArgumentNullException.ThrowIfNull(update);
        using var response = await SendAsync(HttpMethod.Patch, $"profile/fields/{Uri.EscapeDataString(fieldId)}", JsonContent.Create(update, options: SymbolonHttp.Json), null, idempotencyKey, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<VendorField>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends a note to the person's vault (<c>POST /api/v1/notes</c>; needs <c>append</c> on <c>notes</c>).</summary>
    /// <param name="text">The note.</param>
    /// <param name="idempotencyKey">Optional: the same key on a retry makes the vault store the note once.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// The note as stored; or, when the person is away and the vault queued it, the note as sent with
    /// <see cref="VendorNote.Queued"/> set, the inbox id as its id and the time the vault took it as its creation time.
    /// </returns>
    /// <exception cref="SymbolonProblemException">
    /// Not granted (<c>SYM1403</c>), or the person is away and their vault's inbox holds as much from this vendor, or in all, as it takes until they
    /// return: too many writes (<c>SYM1109</c>, 429) or too many bytes (<c>SYM1110</c>, 413); nothing was queued, send it again later.
    /// </exception>
    public async Task<VendorNote> AppendNoteAsync(string text, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        using var response = await SendAsync(HttpMethod.Post, "notes", JsonContent.Create(new VendorNoteInput(text), options: SymbolonHttp.Json), null, idempotencyKey, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadWriteAsync(response, queued => new VendorNote(queued.InboxId, text, queued.ReceivedAt) { Queued = queued }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The notes this vendor appended (<c>GET /api/v1/notes</c>; needs <c>read</c> on <c>notes</c>), oldest first.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException">Not granted (<c>SYM1403</c>), or <c>SYM1108</c> (423) when the person is away: their vault is locked and a vendor cannot read until they open it; <see cref="SymbolonProblemException.RetryAfter"/> says when to try again.</exception>
    public async Task<IReadOnlyList<VendorNote>> GetNotesAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "notes", null, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<IReadOnlyList<VendorNote>>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pushes an itemized receipt into the person's purchase history (<c>POST /api/v1/receipts</c>; needs <c>append</c>
    /// on <c>receipts</c>). The vault checks it in full (amounts in the currency's minor unit, line totals, subtotal,
    /// tax total and total adding up) and stores nothing when any of it is wrong.
    /// </summary>
    /// <param name="receipt">The receipt.</param>
    /// <param name="idempotencyKey">
    /// The key that makes a retry safe: a point of sale should derive it from its own sale id, so that a receipt sent
    /// twice (a timeout, a restart) is stored once and the second call gets the first call's answer.
    /// </param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// The receipt as stored, with its id for this vendor; or, when the person is away and the vault queued it, the
    /// receipt as sent with <see cref="VendorReceipt.Queued"/> set, the inbox id as its id and the time the vault took it
    /// as <see cref="VendorReceipt.RecordedAt"/>. A queued receipt is checked in full only when the person returns; an
    /// <c>inbox.refused</c> webhook says so if it is refused then.
    /// </returns>
    /// <exception cref="SymbolonProblemException">
    /// The receipt is invalid (<c>SYM1701</c>; <see cref="SymbolonProblemException.Problem"/> names each field, such as
    /// <c>lines[2].quantity</c>), too large (<c>SYM1702</c>), not granted (<c>SYM1403</c>), or
    /// the person is away and their vault's inbox holds as much from this vendor, or in all, as it takes until they
    /// return: too many writes (<c>SYM1109</c>, 429) or too many bytes (<c>SYM1110</c>, 413); nothing was queued, send it again later.
    /// </exception>
    public async Task<VendorReceipt> PushReceiptAsync(ReceiptInput receipt, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        using var response = await SendAsync(HttpMethod.Post, "receipts", JsonContent.Create(receipt, options: SymbolonHttp.Json), null, idempotencyKey, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadWriteAsync(response, queued => new VendorReceipt(queued.InboxId, receipt, queued.ReceivedAt) { Queued = queued }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An intent the person addressed to this vendor (<c>GET /api/v1/intents/{id}</c>, after an <c>intent.created</c>
    /// webhook); any grant in force suffices. <see cref="RelationshipIntent.Payload"/> and
    /// <see cref="RelationshipIntent.Signature"/> are the signed document, which <c>Symbolon.Intents</c> checks. After
    /// an <c>intent.accepted</c> for this vendor's offer, <see cref="RelationshipIntent.Acceptance"/> holds the invitation
    /// for what the person chose to share for delivery: redeem it with
    /// <see cref="SymbolonVendorClient.RedeemInvitationAsync"/>.
    /// </summary>
    /// <param name="intentId">The intent's id (<c>int_</c>…), from <see cref="IntentCreatedData.IntentId"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException"><c>SYM2701</c> (404) for an intent not addressed to this relationship; <c>SYM1108</c> (423) while the person is away.</exception>
    public async Task<RelationshipIntent> GetIntentAsync(string intentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(intentId);
        using var response = await SendAsync(HttpMethod.Get, $"intents/{Uri.EscapeDataString(intentId)}", null, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<RelationshipIntent>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Offers on an intent addressed to this vendor (<c>POST /api/v1/intents/{id}/offers</c>), checked with the same rules
    /// as exchange offers; by offering, the vendor accepts the intent's agreement (<c>PDC-INTENT</c>).
    /// </summary>
    /// <param name="intentId">The intent.</param>
    /// <param name="offer">The offer.</param>
    /// <param name="idempotencyKey">Makes a retry safe; optional.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The vault's receipt for it, with the offer's id.</returns>
    /// <exception cref="SymbolonProblemException">
    /// An invalid offer (<c>SYM1003</c>, fields named as in <see cref="IntentOfferInput"/>), an intent not addressed to
    /// this relationship or closed (<c>SYM2701</c>, <c>SYM2702</c>), an offer id used before (<c>SYM2705</c>), or
    /// <c>SYM1108</c> (423) while the person is away.
    /// </exception>
    public async Task<IntentOfferReceived> MakeIntentOfferAsync(string intentId, IntentOfferInput offer, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(intentId);
        ArgumentNullException.ThrowIfNull(offer);
        using var response = await SendAsync(HttpMethod.Post, $"intents/{Uri.EscapeDataString(intentId)}/offers", JsonContent.Create(offer, options: SymbolonHttp.Json), null, idempotencyKey, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<IntentOfferReceived>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The receipts this vendor pushed (<c>GET /api/v1/receipts</c>; needs <c>read</c> on <c>receipts</c>), oldest first.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException">Not granted (<c>SYM1403</c>), or <c>SYM1108</c> (423) when the person is away: their vault is locked and a vendor cannot read until they open it; <see cref="SymbolonProblemException.RetryAfter"/> says when to try again.</exception>
    public async Task<IReadOnlyList<VendorReceipt>> GetReceiptsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "receipts", null, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<IReadOnlyList<VendorReceipt>>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>With this session's token; needs no data grant, only a grant in force in a relationship that has not ended.</remarks>
    public Task<IReadOnlyList<VendorRequest>> GetRequestsAsync(CancellationToken cancellationToken = default) =>
        VendorRequestCalls.ListAsync(SendRequestCallAsync, cancellationToken);

    /// <inheritdoc />
    public Task<VendorRequest> GetRequestAsync(string requestId, CancellationToken cancellationToken = default) =>
        VendorRequestCalls.GetAsync(SendRequestCallAsync, requestId, cancellationToken);

    /// <inheritdoc />
    public Task<VendorRequest> ReplyToRequestAsync(string requestId, RequestReplyInput reply, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        VendorRequestCalls.ReplyAsync(SendRequestCallAsync, requestId, reply, idempotencyKey, cancellationToken);

    /// <summary>
    /// Records a loyalty event on this vendor's programme (<c>POST /api/v1/loyalty/events</c>; needs <c>append</c> on
    /// <c>loyalty</c>): stamps or points earned or redeemed, or a reward issued. The first event describes the
    /// programme (<see cref="LoyaltyEventInput.Programme"/>).
    /// </summary>
    /// <param name="loyaltyEvent">The event.</param>
    /// <param name="idempotencyKey">Optional but recommended: the same key on a retry records the event once.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// <para>The event as recorded, with the balance after it.</para>
    /// <para>
    /// When the person is away and the vault queued the event: the event as sent, with
    /// <see cref="VendorLoyaltyEvent.Queued"/> set, the inbox id as its id, the time the vault took it as
    /// <see cref="VendorLoyaltyEvent.At"/>, and <see cref="VendorLoyaltyEvent.BalanceAfter"/> 0, since the balance is
    /// not known until the person returns. <see cref="VendorLoyaltyEvent.Amount"/> is signed as the vault records it
    /// (earned positive, redeemed or rewarded negative); a stamp sent without an amount counts 1, any other kind without
    /// one 0. <see cref="VendorLoyaltyEvent.Reward"/> is the one sent, or for a reward without one the reward of the
    /// programme the event carries, if it carries one. A queued redemption is checked against the balance only when the
    /// person returns: it may still be refused then (<c>SYM1703</c>, told by an <c>inbox.refused</c> webhook).
    /// </para>
    /// </returns>
    /// <exception cref="SymbolonProblemException">
    /// The redemption is larger than the balance (<c>SYM1703</c>, 409; nothing was redeemed), the event is invalid
    /// (<c>SYM1704</c>), not granted (<c>SYM1403</c>), or the person is away and their vault's inbox holds as much from this vendor, or in all, as it takes until they
    /// return: too many writes (<c>SYM1109</c>, 429) or too many bytes (<c>SYM1110</c>, 413); nothing was queued, send it again later.
    /// </exception>
    public async Task<VendorLoyaltyEvent> PushLoyaltyEventAsync(LoyaltyEventInput loyaltyEvent, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loyaltyEvent);
        using var response = await SendAsync(HttpMethod.Post, "loyalty/events", JsonContent.Create(loyaltyEvent, options: SymbolonHttp.Json), null, idempotencyKey, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadWriteAsync(response, queued => QueuedLoyaltyEvent(loyaltyEvent, queued), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>This vendor's own programme: balance, whether a reward is due, and history (<c>GET /api/v1/loyalty</c>; needs <c>read</c> on <c>loyalty</c>).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException">Not granted (<c>SYM1403</c>), or <c>SYM1108</c> (423) when the person is away: their vault is locked and a vendor cannot read until they open it; <see cref="SymbolonProblemException.RetryAfter"/> says when to try again.</exception>
    public async Task<VendorLoyalty> GetLoyaltyAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "loyalty", null, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<VendorLoyalty>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records the person's visit when the vendor scans their card (<c>POST /api/v1/checkins</c>; needs <c>append</c>
    /// on <c>checkins</c>). The check-in is shared with this vendor only; the person may share or unshare it later.
    /// </summary>
    /// <param name="checkIn">Where, when (null for now) and an optional note.</param>
    /// <param name="idempotencyKey">Optional: the same key on a retry records the visit once.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// The check-in as recorded; or, when the person is away and the vault queued it, the check-in as sent with
    /// <see cref="VendorCheckIn.Queued"/> set, the inbox id as its id, and as <see cref="VendorCheckIn.At"/> the time
    /// sent or, without one, the time the vault took it.
    /// </returns>
    /// <exception cref="SymbolonProblemException">
    /// Not granted (<c>SYM1403</c>), or the person is away and their vault's inbox holds as much from this vendor, or in all, as it takes until they
    /// return: too many writes (<c>SYM1109</c>, 429) or too many bytes (<c>SYM1110</c>, 413); nothing was queued, send it again later.
    /// </exception>
    public async Task<VendorCheckIn> RecordCheckInAsync(VendorCheckInInput checkIn, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkIn);
        using var response = await SendAsync(HttpMethod.Post, "checkins", JsonContent.Create(checkIn, options: SymbolonHttp.Json), null, idempotencyKey, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadWriteAsync(
            response,
            queued => new VendorCheckIn(queued.InboxId, checkIn.Place, checkIn.At ?? queued.ReceivedAt, checkIn.Note) { Queued = queued },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The check-ins the person shared with this vendor (<c>GET /api/v1/checkins</c>; needs <c>read</c> on <c>checkins</c>), oldest first.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException">Not granted (<c>SYM1403</c>), or <c>SYM1108</c> (423) when the person is away: their vault is locked and a vendor cannot read until they open it; <see cref="SymbolonProblemException.RetryAfter"/> says when to try again.</exception>
    public async Task<IReadOnlyList<VendorCheckIn>> GetCheckInsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "checkins", null, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<IReadOnlyList<VendorCheckIn>>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One page of the change feed (<c>GET /api/v1/changes?after=</c>): changes to fields the vendor may read, oldest
    /// first, without values. Store <see cref="ChangeFeedPage.NextCursor"/> and pass it next time.
    /// </summary>
    /// <param name="after">The cursor from the previous page; null for the start.</param>
    /// <param name="limit">At most this many changes; null for the vault's default page size.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException">The cursor is not one the vault gave out (<c>SYM1407</c>), or the grant allows reading nothing (<c>SYM1403</c>).</exception>
    public async Task<ChangeFeedPage> GetChangesAsync(string? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>(2);
        if (after is not null)
        {
            query.Add("after=" + Uri.EscapeDataString(after));
        }

        if (limit is { } count)
        {
            query.Add("limit=" + count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var path = query.Count == 0 ? "changes" : "changes?" + string.Join('&', query);
        using var response = await SendAsync(HttpMethod.Get, path, null, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<ChangeFeedPage>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every change after <paramref name="after"/>, page by page, until the feed has nothing more now.</summary>
    /// <param name="after">The cursor to start after; null for the start.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    public async IAsyncEnumerable<FieldChange> ReadChangesAsync(string? after = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var page = await GetChangesAsync(after, null, cancellationToken).ConfigureAwait(false);
            foreach (var change in page.Changes)
            {
                yield return change;
            }

            if (!page.HasMore || page.NextCursor == after)
            {
                yield break;
            }

            after = page.NextCursor;
        }
    }

    /// <summary>Introspects the session's access token (RFC 7662): whether it is active and what it grants now.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<TokenIntrospection> IntrospectAsync(CancellationToken cancellationToken = default) =>
        Client.IntrospectAsync(Tokens.AccessToken, cancellationToken);

    /// <summary>
    /// Ends the vendor's use of this session (RFC 7009): revokes the access token and the refresh token. The person's
    /// grant itself stays on record until the person revokes it; the vendor has to ask again to get new tokens.
    /// </summary>
    /// <param name="cancellationToken">Cancels the requests.</param>
    public async Task RevokeAsync(CancellationToken cancellationToken = default)
    {
        // Both tokens are revoked: RFC 7009 lets a server keep access tokens alive when their refresh token is
        // revoked, and the vault's access tokens live on for their ten minutes otherwise.
        var tokens = Tokens;
        await Client.RevokeAsync(tokens.AccessToken, "access_token", cancellationToken).ConfigureAwait(false);
        if (tokens.RefreshToken is { } refresh)
        {
            await Client.RevokeAsync(refresh, "refresh_token", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends the person a message in the relationship's thread (<c>POST /api/v1/messages</c>). Any grant in force will
    /// do; what decides is the person's message setting for this vendor: allowed (the person is told), muted (stored,
    /// nobody is told — the vendor cannot tell the difference) or blocked (refused).
    /// </summary>
    /// <param name="text">1 to 4,000 characters of plain text.</param>
    /// <param name="marketing">
    /// True for a message that advertises rather than serves something the person asked for. Label it honestly: where
    /// the person's terms keep the relationship free of marketing it is refused with <c>SYM2302</c>.
    /// </param>
    /// <param name="idempotencyKey">Optional: the same key on a retry makes the vault store the message once.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// The message as stored, with its id for this vendor; or, when the person is away and the vault queued it, the
    /// message as sent (from <see cref="MessageAuthors.Vendor"/>) with <see cref="VendorMessage.Queued"/> set, the inbox
    /// id as its id and the time the vault took it as <see cref="VendorMessage.SentAt"/>. The person's message setting
    /// is applied when they return, so a queued message may still be refused then (an <c>inbox.refused</c> webhook).
    /// </returns>
    /// <exception cref="SymbolonProblemException">
    /// The person blocked messages from this vendor (<c>SYM2301</c>), refuses marketing under the relationship's
    /// agreement or by choice (<c>SYM2302</c>, the detail names which), the text is empty or too long (<c>SYM1003</c>),
    /// or the person is away and their vault's inbox holds as much from this vendor, or in all, as it takes until they
    /// return: too many writes (<c>SYM1109</c>, 429) or too many bytes (<c>SYM1110</c>, 413); nothing was queued, send it again later.
    /// </exception>
    public async Task<VendorMessage> SendMessageAsync(string text, bool marketing = false, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        using var response = await SendAsync(HttpMethod.Post, "messages", JsonContent.Create(new VendorMessageInput(text, marketing), options: SymbolonHttp.Json), null, idempotencyKey, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadWriteAsync(
            response,
            queued => new VendorMessage(queued.InboxId, MessageAuthors.Vendor, text, marketing, queued.ReceivedAt) { Queued = queued },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The thread's messages between this vendor and the person, oldest first (<c>GET /api/v1/messages</c>): what the
    /// vendor sent and what the person wrote to it (<see cref="MessageAuthors.Person"/>). A <c>message.created</c>
    /// webhook names the new message's <see cref="VendorMessage.Id"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException"><c>SYM1108</c> (423) when the person is away: their vault is locked and a vendor cannot read until they open it; <see cref="SymbolonProblemException.RetryAfter"/> says when to try again.</exception>
    public async Task<IReadOnlyList<VendorMessage>> GetMessagesAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "messages", null, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<IReadOnlyList<VendorMessage>>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The person's replies to this vendor, oldest first: <see cref="GetMessagesAsync"/> without the vendor's own messages.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException"><c>SYM1108</c> (423) when the person is away: their vault is locked and a vendor cannot read until they open it; <see cref="SymbolonProblemException.RetryAfter"/> says when to try again.</exception>
    public async Task<IReadOnlyList<VendorMessage>> GetRepliesAsync(CancellationToken cancellationToken = default) =>
        [.. (await GetMessagesAsync(cancellationToken).ConfigureAwait(false)).Where(m => m.From == MessageAuthors.Person)];

    /// <summary>
    /// Values the person pushed to this vendor that wait to be fetched (<c>GET /api/v1/updates</c>): references and
    /// datatypes, no values. For a vendor without a webhook, or to catch up after downtime.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException"><c>SYM1108</c> (423) when the person is away: their vault is locked and a vendor cannot read until they open it; <see cref="SymbolonProblemException.RetryAfter"/> says when to try again.</exception>
    public async Task<IReadOnlyList<PendingPushedUpdate>> GetPendingUpdatesAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "updates", null, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<IReadOnlyList<PendingPushedUpdate>>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fetches a value the person pushed (<c>GET /api/v1/updates/{id}</c>), for example their new phone number. It is
    /// handed out once: store it on receipt. It gives no standing access; reading the field again needs a grant.
    /// </summary>
    /// <param name="updateId">The reference from <see cref="UpdatePushedData.UpdateId"/> or <see cref="PendingPushedUpdate.Id"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The pushed field with its value.</returns>
    /// <exception cref="SymbolonProblemException">
    /// No such update for this vendor (<c>SYM2303</c>), it was already fetched (<c>SYM2304</c>), or
    /// <c>SYM1108</c> (423) when the person is away: their vault is locked and a vendor cannot read until they open it; <see cref="SymbolonProblemException.RetryAfter"/> says when to try again.
    /// </exception>
    public async Task<VendorPushedUpdate> FetchPushedUpdateAsync(string updateId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(updateId);
        using var response = await SendAsync(HttpMethod.Get, "updates/" + Uri.EscapeDataString(updateId), null, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<VendorPushedUpdate>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The <see cref="PaymentInstructionsResult.Status"/> of instructions the vault queued while the person was away.</summary>
    public const string QueuedStatus = "queued";

    /// <summary>
    /// Publishes how this vendor can be paid (EmanciPay; <c>POST /api/v1/payments/instructions</c>, needs <c>append</c>
    /// on <see cref="Datatypes.PaymentInstructions"/>): legal name, IBAN, optional BIC and Open Payments wallet address,
    /// what the vendor offers for free and suggested amounts. The person approves them before any payment goes to the
    /// vendor; publishing a changed IBAN holds the person's open payments until they approve it again.
    /// </summary>
    /// <param name="instructions">The instructions.</param>
    /// <param name="idempotencyKey">Optional: the same key on a retry makes the vault apply the write once and repeat its answer.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// <see cref="PaymentInstructionsResult.Status"/> <c>pending</c> (the person has not approved them yet) or
    /// <c>approved</c> (nothing changed since they last approved); or, when the person is away and the vault queued
    /// them, <see cref="QueuedStatus"/> with <see cref="PaymentInstructionsResult.Queued"/> set.
    /// </returns>
    /// <exception cref="SymbolonProblemException">
    /// Not granted (<c>SYM1403</c>), invalid instructions (<c>SYM1003</c>; the problem names each field, such as
    /// <c>iban</c>, never its value), or the person is away and their vault's inbox is full for now (<c>SYM1109</c>,
    /// 429, or <c>SYM1110</c>, 413); nothing was queued, send them again later.
    /// </exception>
    public async Task<PaymentInstructionsResult> PublishPaymentInstructionsAsync(PaymentInstructionsInput instructions, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        using var response = await SendAsync(HttpMethod.Post, "payments/instructions", JsonContent.Create(instructions, options: SymbolonHttp.Json), null, idempotencyKey, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadWriteAsync(response, queued => new PaymentInstructionsResult(QueuedStatus) { Queued = queued }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reports what the person used (<c>POST /api/v1/usage</c>, needs <c>append</c> on <see cref="Datatypes.Usage"/>),
    /// "listened 14 hours this week", so that they can pay per use. Only the person's vault sees it.
    /// </summary>
    /// <param name="usage">The period, quantity, unit and an optional description.</param>
    /// <param name="idempotencyKey">
    /// Optional but recommended: derive it from the vendor's own record of the period, so that a report sent twice (a
    /// timeout, a restart) is stored once.
    /// </param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// The report as stored, with its id; or, when the person is away and the vault queued it, the report as sent with
    /// <see cref="UsageReport.Queued"/> set and the inbox id as its id.
    /// </returns>
    /// <exception cref="SymbolonProblemException">
    /// Not granted (<c>SYM1403</c>), an invalid report (<c>SYM1003</c>: a period that ends before it starts or spans
    /// more than 93 days, a quantity out of range, a unit that is not lower case letters), or the person is away and
    /// their vault's inbox is full for now (<c>SYM1109</c>, 429, or <c>SYM1110</c>, 413); nothing was queued.
    /// </exception>
    public async Task<UsageReport> ReportUsageAsync(UsageInput usage, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(usage);
        using var response = await SendAsync(HttpMethod.Post, "usage", JsonContent.Create(usage, options: SymbolonHttp.Json), null, idempotencyKey, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadWriteAsync(
            response,
            queued => new UsageReport(Guid.TryParse(queued.InboxId, out var inboxId) ? inboxId : Guid.Empty, usage.From, usage.To, usage.Quantity, usage.Unit, usage.Description) { Queued = queued },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The usage this vendor reported (<c>GET /api/v1/usage</c>; needs <c>read</c> on <see cref="Datatypes.Usage"/>), oldest first.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException">Not granted (<c>SYM1403</c>), or <c>SYM1108</c> (423) while the person is away.</exception>
    public async Task<IReadOnlyList<UsageReport>> ListUsageAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "usage", null, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<IReadOnlyList<UsageReport>>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The signed records of the payments the person made to this vendor (<c>GET /api/v1/payments/records</c>), newest
    /// first; any grant in force in the relationship suffices.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException"><c>SYM1108</c> (423) while the person is away.</exception>
    public async Task<IReadOnlyList<PaymentRecord>> ListPaymentRecordsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "payments/records", null, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<IReadOnlyList<PaymentRecord>>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One signed payment record (<c>GET /api/v1/payments/records/{id}</c>), after a <c>payment.settled</c> webhook
    /// (<see cref="PaymentSettledData.RecordId"/>); any grant in force in the relationship suffices.
    /// </summary>
    /// <param name="recordId">The record's id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException">
    /// <c>SYM2903</c> (404) for a record that was not made for this relationship; <c>SYM1108</c> (423) while the person is away.
    /// </exception>
    public async Task<PaymentRecord> GetPaymentRecordAsync(Guid recordId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"payments/records/{recordId:D}", null, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<PaymentRecord>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Countersigns a payment record with the vendor's Ed25519 key (<c>PUT /api/v1/payments/records/{id}/countersignature</c>),
    /// over the exact bytes the vault signed (<see cref="PaymentRecord.SignedContent"/>, decoded), as
    /// <see cref="SymbolonVendorClient.CountersignAsync"/> does for agreements. Both sides then hold the same bytes and both signatures.
    /// </summary>
    /// <param name="record">The record from <see cref="GetPaymentRecordAsync"/> or <see cref="ListPaymentRecordsAsync"/>.</param>
    /// <param name="sign">Signs bytes with the private half of the Ed25519 key registered in <c>jwks</c>; returns the 64-byte signature.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The record with both signatures.</returns>
    /// <exception cref="SymbolonProblemException">
    /// The vault refused the signature (<c>SYM2907</c>: no key registered, or it does not verify with the registered
    /// key), or the record was not made for this relationship (<c>SYM2903</c>).
    /// </exception>
    public async Task<PaymentRecord> CountersignPaymentRecordAsync(PaymentRecord record, Func<byte[], byte[]> sign, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(sign);
        if (!Guid.TryParse(record.Content.RecordId, out var recordId))
        {
            throw new ArgumentException("The record's content has no record id.", nameof(record));
        }

        var signature = sign(Base64Url.DecodeFromChars(record.SignedContent));
        var body = JsonContent.Create(new PaymentCountersignature(Base64Url.EncodeToString(signature)), options: SymbolonHttp.Json);
        using var response = await SendAsync(HttpMethod.Put, $"payments/records/{recordId:D}/countersignature", body, null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<PaymentRecord>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A loyalty event the vault queued, as the vault would record it: the amount signed (earned positive, anything else
    /// negative) and defaulted as the vault defaults it (a stamp 1, a reward 0; a kind sent without the amount it needs
    /// counts 0 here, and the vault refuses such an event). The balance after it is not known yet: 0.
    /// </summary>
    private static VendorLoyaltyEvent QueuedLoyaltyEvent(LoyaltyEventInput input, QueuedWrite queued)
    {
        var amount = input.Amount ?? (input.Kind == LoyaltyEventKinds.StampEarned ? 1 : 0);
        var signed = input.Kind is LoyaltyEventKinds.StampEarned or LoyaltyEventKinds.PointsEarned ? amount : -amount;
        var reward = input.Reward ?? (input.Kind == LoyaltyEventKinds.RewardIssued ? input.Programme?.Reward : null);
        return new VendorLoyaltyEvent(queued.InboxId, input.Kind, signed, 0, reward, input.Note, queued.ReceivedAt) { Queued = queued };
    }

    private Task<HttpResponseMessage> SendRequestCallAsync(HttpMethod method, string path, HttpContent? content, string? idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync(method, path, content, null, idempotencyKey, cancellationToken);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, string? ifNoneMatch, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var tokens = await FreshTokensAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(method, new Uri(Client.Vault.ApiBase, path)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        if (ifNoneMatch is not null && EntityTagHeaderValue.TryParse(ifNoneMatch, out var etag))
        {
            request.Headers.IfNoneMatch.Add(etag);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TokenSet> FreshTokensAsync(CancellationToken cancellationToken)
    {
        var tokens = Tokens;
        if (tokens.RefreshToken is null || tokens.ExpiresAt - RefreshMargin > _time.GetUtcNow())
        {
            return tokens;
        }

        return await RefreshAsync(tokens, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TokenSet> RefreshAsync(TokenSet seen, CancellationToken cancellationToken)
    {
        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have refreshed while this one waited; presenting the old refresh token again
            // would count as reuse and revoke the whole chain.
            var current = Tokens;
            if (!ReferenceEquals(current, seen))
            {
                return current;
            }

            var refreshToken = current.RefreshToken ?? throw new InvalidOperationException("This session has no refresh token; ask the person again.");
            var refreshed = await Client.RefreshAsync(refreshToken, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _tokens, refreshed);
            TokensRefreshed?.Invoke(this, refreshed);
            return refreshed;
        }
        finally
        {
            _refreshGate.Release();
        }
    }
}
