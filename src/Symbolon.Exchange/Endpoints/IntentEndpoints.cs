using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Symbolon.Exchange.Storage;
using Symbolon.Exchange.Webhooks;
using Symbolon.Intents;

namespace Symbolon.Exchange.Endpoints;

/// <summary>
/// The intent holder's endpoints. The holder (a vault) has no account: each request is signed with the intent's own
/// key, checked against the key in the intent as it was published. Nothing in a request names a vault or a person.
/// </summary>
internal static class IntentEndpoints
{
    public const int MaxBlocklistEntries = 1000;
    private const int OfferPageSize = 100;

    public static RouteGroupBuilder MapIntentEndpoints(this RouteGroupBuilder v1)
    {
        var intents = v1.MapGroup("/intents").WithTags("Intent holder");
        intents.MapPost("", PostAsync).WithName("PostIntent")
            .WithSummary("Publish a signed intent (signed request: Authorization: Intent). The same signed bytes again get the same answer.")
            .Accepts<PostIntentRequest>("application/json")
            .Produces<IntentPosted>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status410Gone).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        intents.MapDelete("/{id}", WithdrawAsync).WithName("WithdrawIntent")
            .WithSummary("Withdraw an intent (signed request): it and its offers are deleted; offering vendors get offer.closed.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        intents.MapGet("/{id}/offers", GetOffersAsync).WithName("GetOffers")
            .WithSummary("The sealed offers on an intent so far, oldest first (signed request).")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        intents.MapPost("/{id}/acceptance", AcceptAsync).WithName("AcceptOffer")
            .WithSummary("Accept one offer (signed request): its vendor gets the sealed acceptance, the others offer.closed; then the intent and its offers are deleted.")
            .Accepts<AcceptOfferRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return intents;
    }

    private static async Task<Created<IntentPosted>> PostAsync(HttpRequest request, ExchangeDbContext db, TimeProvider time, ExchangeSignal signal, CancellationToken ct)
    {
        var body = await ExchangeHttp.ReadBodyAsync(request, ExchangeHttp.MaxJsonBytes, required: true, ct);
        var post = ExchangeHttp.Parse<PostIntentRequest>(body);
        var now = time.GetUtcNow();
        var intent = ReadIntent(post.Intent);
        ExchangeHttp.RequireIntentSignature(request, intent.Keys.Sign, body, now);
        var errors = IntentRules.CheckIntent(intent, now);
        if (errors.Count > 0)
        {
            throw new ExchangeProblem(ExchangeProblemCodes.InvalidIntent, StatusCodes.Status400BadRequest, "The intent breaks the protocol's content rules.",
                "Fix the fields named in errors, sign the intent again and post it.", errors.ToDictionary(e => e.Key, e => e.Value));
        }

        CheckBlocklist(post.Blocked);
        var existing = await db.Intents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == intent.Id, ct);
        if (existing is not null)
        {
            return Same(existing, post.Intent);
        }

        // Looked for after the live intent, so that a withdrawal committing in between is seen one way or the other.
        var tombstone = IntentLifecycle.TombstoneOf(intent.Id);
        if (await db.IntentTombstones.AnyAsync(t => t.IdHash == tombstone, ct))
        {
            throw Closed();
        }

        var row = new IntentRow
        {
            Id = intent.Id,
            Payload = post.Intent.Payload,
            Signature = post.Intent.Signature,
            SignKey = intent.Keys.Sign,
            Category = intent.Category,
            Country = intent.Where.Country,
            PostalPrefix = intent.Where.PostalPrefix,
            Blocklist = post.Blocked is null ? null : JsonSerializer.Serialize(post.Blocked, IntentCrypto.JsonOptions),
            PublishedAt = now.ToUnixTimeMilliseconds(),
            ExpiresAt = intent.ExpiresAt.ToUnixTimeMilliseconds(),
        };
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            db.Intents.Add(row);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // The same intent arrived twice at once (a retry racing the first attempt): answer as for the first.
                await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                var winner = await db.Intents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == intent.Id, ct);
                if (winner is null)
                {
                    throw;
                }

                return Same(winner, post.Intent);
            }

            await QueuePublishedAsync(db, row, intent, now, ct);
            await transaction.CommitAsync(ct);
        }

        signal.Kick();
        return TypedResults.Created((string?)null, Posted(row));
    }

    private static async Task<NoContent> WithdrawAsync(string id, HttpRequest request, ExchangeDbContext db, TimeProvider time, ExchangeSignal signal, CancellationToken ct)
    {
        var body = await ExchangeHttp.ReadBodyAsync(request, ExchangeHttp.MaxJsonBytes, required: false, ct);
        var now = time.GetUtcNow();
        var intent = await FindAsync(db, id, ct);
        ExchangeHttp.RequireIntentSignature(request, intent.SignKey, body, now);
        // False when another request closed it meanwhile: withdrawn either way, so 204 too.
        if (await IntentLifecycle.CloseAsync(db, intent, null, null, now, ct))
        {
            signal.Kick();
        }

        return TypedResults.NoContent();
    }

    private static async Task<Ok<OfferPage>> GetOffersAsync(string id, string? after, HttpRequest request, ExchangeDbContext db, TimeProvider time, CancellationToken ct)
    {
        var body = await ExchangeHttp.ReadBodyAsync(request, ExchangeHttp.MaxJsonBytes, required: false, ct);
        var now = time.GetUtcNow();
        var intent = await FindAsync(db, id, ct);
        ExchangeHttp.RequireIntentSignature(request, intent.SignKey, body, now);
        if (intent.ExpiresAt <= now.ToUnixTimeMilliseconds())
        {
            throw NotFound();
        }

        var cursor = ExchangeHttp.ParseCursor(after);
        var rows = await (from o in db.Offers.AsNoTracking()
                          join v in db.Vendors.AsNoTracking() on o.VendorId equals v.Id
                          where o.IntentId == intent.Id && o.Seq > cursor
                          orderby o.Seq
                          select new { o.Seq, o.Id, o.VendorId, v.SignKey, o.ReceivedAt, o.Envelope }).Take(OfferPageSize).ToListAsync(ct);
        var offers = rows.Select(r => new RelayedOffer(r.Id, IntentLifecycle.Cursor(r.Seq), r.VendorId, r.SignKey, DateTimeOffset.FromUnixTimeMilliseconds(r.ReceivedAt),
            JsonSerializer.Deserialize<SealedEnvelope>(r.Envelope, IntentCrypto.JsonOptions)!)).ToList();
        return TypedResults.Ok(new OfferPage(offers, offers.Count > 0 ? offers[^1].Cursor : after));
    }

    private static async Task<NoContent> AcceptAsync(string id, HttpRequest request, ExchangeDbContext db, TimeProvider time, ExchangeSignal signal, CancellationToken ct)
    {
        var body = await ExchangeHttp.ReadBodyAsync(request, ExchangeHttp.MaxEnvelopeRequestBytes, required: true, ct);
        var now = time.GetUtcNow();
        var intent = await FindAsync(db, id, ct);
        ExchangeHttp.RequireIntentSignature(request, intent.SignKey, body, now);
        var accept = ExchangeHttp.Parse<AcceptOfferRequest>(body);
        ExchangeHttp.CheckEnvelope(accept.Envelope, "envelope");
        if (accept.OfferId is null || !await db.Offers.AnyAsync(o => o.Id == accept.OfferId && o.IntentId == intent.Id, ct))
        {
            throw new ExchangeProblem(ExchangeProblemCodes.OfferNotFound, StatusCodes.Status404NotFound, "There is no such offer on this intent.", null,
                new Dictionary<string, string[]> { ["offer_id"] = ["Names no offer on this intent."] });
        }

        if (!await IntentLifecycle.CloseAsync(db, intent, accept.OfferId, accept.Envelope, now, ct))
        {
            // Withdrawn or accepted by another request meanwhile.
            throw NotFound();
        }

        signal.Kick();
        return TypedResults.NoContent();
    }

    /// <summary>The intent in a post: too large, not an intent, or not signed by the key it names are each refused.</summary>
    private static IntentDocument ReadIntent(SignedDocument signed)
    {
        var payload = IntentCrypto.Decode(signed.Payload);
        if (payload is null)
        {
            throw ExchangeProblem.Malformed("intent.payload");
        }

        if (payload.Length > IntentRules.MaxIntentBytes)
        {
            throw new ExchangeProblem(ExchangeProblemCodes.TooLarge, StatusCodes.Status413PayloadTooLarge, "The intent is too large.",
                $"An intent's payload is at most {IntentRules.MaxIntentBytes:N0} bytes.", new Dictionary<string, string[]> { ["intent.payload"] = ["Is too large."] });
        }

        if (IntentCrypto.TryParse<IntentDocument>(payload) is null)
        {
            throw ExchangeProblem.Malformed("intent.payload");
        }

        return IntentCrypto.VerifyIntent(signed) ?? throw new ExchangeProblem(ExchangeProblemCodes.ForgedIntent, StatusCodes.Status400BadRequest,
            "The intent's signature does not hold.", "An intent must be signed with the Ed25519 key it names in keys.sign, over 'symbolon-intent-v1', a line feed and the payload bytes.",
            new Dictionary<string, string[]> { ["intent.signature"] = ["Does not verify against keys.sign."] });
    }

    private static void CheckBlocklist(IntentBlocklist? blocked)
    {
        if (blocked is null)
        {
            return;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (IntentCrypto.Decode(blocked.Salt, 64) is not { Length: >= 16 })
        {
            errors["blocked.salt"] = ["Must be 16 to 64 random bytes, base64url."];
        }

        if (blocked.Entries is null || blocked.Entries.Count > MaxBlocklistEntries)
        {
            errors["blocked.entries"] = ["Must be a list of at most 1,000 entries."];
        }
        else
        {
            for (var i = 0; i < blocked.Entries.Count; i++)
            {
                if (IntentCrypto.Decode(blocked.Entries[i], 16)?.Length != 16)
                {
                    errors[$"blocked.entries[{i}]"] = ["Must be 16 bytes, base64url."];
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new ExchangeProblem(ExchangeProblemCodes.InvalidIntent, StatusCodes.Status400BadRequest, "The blocklist is not valid.", null, errors);
        }
    }

    private static Created<IntentPosted> Same(IntentRow existing, SignedDocument posted)
    {
        if (existing.Payload != posted.Payload || existing.Signature != posted.Signature)
        {
            throw new ExchangeProblem(ExchangeProblemCodes.IntentConflict, StatusCodes.Status409Conflict, "An intent with this id was already published with other content.",
                "Every intent needs a fresh random id.", new Dictionary<string, string[]> { ["id"] = ["Is taken."] });
        }

        return TypedResults.Created((string?)null, Posted(existing));
    }

    private static IntentPosted Posted(IntentRow row) =>
        new(row.Id, DateTimeOffset.FromUnixTimeMilliseconds(row.PublishedAt), DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAt));

    /// <summary>Queues <c>intent.published</c> for every vendor with a webhook whose subscriptions match and whom the intent does not block.</summary>
    private static async Task QueuePublishedAsync(ExchangeDbContext db, IntentRow row, IntentDocument intent, DateTimeOffset now, CancellationToken ct)
    {
        var candidates = await (from s in db.Subscriptions.AsNoTracking()
                                join v in db.Vendors.AsNoTracking() on s.VendorId equals v.Id
                                where s.Category == intent.Category && v.WebhookUrl != null
                                select new { v.Id, v.SignKey, s.Category, s.Country, s.PostalPrefix }).ToListAsync(ct);
        var blocklist = IntentLifecycle.Blocklist(row);
        var feed = IntentLifecycle.ToFeed(row);
        foreach (var vendor in candidates
            .Where(c => IntentRules.Matches(new ExchangeSubscription(c.Category, c.Country, c.PostalPrefix), intent.Category, intent.Where))
            .Select(c => (c.Id, c.SignKey)).Distinct()
            .Where(v => !IntentCrypto.IsBlocked(blocklist, v.SignKey)))
        {
            WebhookOutbox.Enqueue(db, vendor.Id, ExchangeEventTypes.IntentPublished, feed, now);
        }

        await db.SaveChangesAsync(ct);
    }

    private static async Task<IntentRow> FindAsync(ExchangeDbContext db, string id, CancellationToken ct) =>
        (id.Length <= 30 ? await db.Intents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct) : null) ?? throw NotFound();

    /// <summary>A withdrawn or accepted intent posted again: refused until its expiry (naming the field, not the id).</summary>
    public static ExchangeProblem Closed() =>
        new(ExchangeProblemCodes.IntentClosed, StatusCodes.Status410Gone, "This intent was withdrawn or accepted and cannot be published again.",
            "Publish a new intent, with a fresh id and keys.", new Dictionary<string, string[]> { ["intent.id"] = ["Names an intent that was withdrawn or accepted."] });

    public static ExchangeProblem NotFound() =>
        new(ExchangeProblemCodes.IntentNotFound, StatusCodes.Status404NotFound, "There is no such live intent.", "It was never published here, or it was withdrawn, accepted or has expired.");
}
