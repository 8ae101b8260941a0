using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Symbolon.Exchange.Storage;
using Symbolon.Exchange.Webhooks;
using Symbolon.Intents;

namespace Symbolon.Exchange.Endpoints;

/// <summary>
/// The vendors' endpoints: registration (open to anyone, limited per client address), then, with the <c>xv_</c> bearer
/// key it returns, subscriptions, the feed of matching intents, offers, and events.
/// </summary>
internal static partial class VendorEndpoints
{
    public const string ApiKeyPrefix = "xv_";
    public const int MaxSubscriptions = 100;
    private const int EventPageSize = 100;

    public static RouteGroupBuilder MapVendorEndpoints(this RouteGroupBuilder v1)
    {
        var vendors = v1.MapGroup("").WithTags("Vendor");
        vendors.MapPost("/vendors", RegisterAsync).WithName("RegisterVendor")
            .WithSummary("Register a vendor; the API key and webhook secret are shown once. Limited per client address.")
            .Accepts<ExchangeVendorRegistration>("application/json")
            .Produces<ExchangeVendorRegistered>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        vendors.MapPut("/vendors/me/subscriptions", SetSubscriptionsAsync).WithName("SetSubscriptions")
            .WithSummary("Replace the vendor's subscriptions (Authorization: Bearer xv_…).")
            .Accepts<ExchangeSubscriptions>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        vendors.MapGet("/feed", FeedAsync).WithName("GetFeed")
            .WithSummary("Live intents matching the vendor's subscriptions, oldest first, without those that block it.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        vendors.MapPost("/intents/{id}/offers", OfferAsync).WithName("MakeOffer")
            .WithSummary("Make an offer: a signed offer sealed to the intent's offer key, which the exchange relays and cannot read.")
            .Accepts<OfferSubmission>("application/json")
            .Produces<OfferPosted>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status429TooManyRequests);
        vendors.MapGet("/vendors/me/events", EventsAsync).WithName("GetEvents")
            .WithSummary("The vendor's events (offer.accepted with the sealed acceptance, offer.closed), oldest first, kept 30 days.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        return vendors;
    }

    private static async Task<Created<ExchangeVendorRegistered>> RegisterAsync(
        HttpRequest request, ExchangeDbContext db, TimeProvider time, WindowLimiter limiter, IOptions<ExchangeOptions> options, IOptions<ExchangeWebhookOptions> webhooks, CancellationToken ct)
    {
        if (await limiter.TakeAsync(db, "register:" + WindowLimiter.ClientKey(request.HttpContext.Connection.RemoteIpAddress), options.Value.RegistrationsPerHour, TimeSpan.FromHours(1), ct) is { } wait)
        {
            throw new ExchangeProblem(ExchangeProblemCodes.RateLimited, StatusCodes.Status429TooManyRequests, "Too many registrations from this address.", "Try again after the time in Retry-After.") { RetryAfter = wait };
        }

        var body = await ExchangeHttp.ReadBodyAsync(request, ExchangeHttp.MaxJsonBytes, required: true, ct);
        var registration = ExchangeHttp.Parse<ExchangeVendorRegistration>(body);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(registration.Name) || registration.Name.Length > 100 || registration.Name.Any(char.IsControl))
        {
            errors["name"] = ["Must be 1 to 100 characters, without control characters."];
        }

        if (!IsSite(registration.Site))
        {
            errors["site"] = ["Must be an absolute https address (http only on loopback), up to 300 characters."];
        }

        if (IntentCrypto.Decode(registration.SignKey, 32)?.Length != 32)
        {
            errors["sign_key"] = ["Must be a 32-byte base64url Ed25519 public key."];
        }

        if (IntentCrypto.Decode(registration.BoxKey, 32)?.Length != 32)
        {
            errors["box_key"] = ["Must be a 32-byte base64url X25519 public key."];
        }

        if (registration.WebhookUrl is { } url)
        {
            if (url.Length > 300 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                || !string.IsNullOrEmpty(uri.UserInfo))
            {
                errors["webhook_url"] = ["Must be an absolute http or https address without credentials, up to 300 characters."];
            }
            else if (await WebhookDestinations.CheckAsync(uri, webhooks.Value.AllowPrivateAddresses, ct) is { } refused)
            {
                errors["webhook_url"] = [char.ToUpperInvariant(refused[0]) + refused[1..] + "."];
            }
        }

        if (errors.Count > 0)
        {
            throw new ExchangeProblem(ExchangeProblemCodes.InvalidRegistration, StatusCodes.Status400BadRequest, "The registration is not valid.", "Fix the fields named in errors.", errors);
        }

        if (await db.Vendors.AnyAsync(v => v.SignKey == registration.SignKey, ct))
        {
            throw KeyTaken();
        }

        var apiKey = ApiKeyPrefix + IntentCrypto.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var secret = registration.WebhookUrl is null ? null : WebhookOutbox.NewSecret();
        var vendor = new VendorRow
        {
            Id = IntentCrypto.NewId("xvd_"),
            Name = registration.Name,
            Site = registration.Site,
            SignKey = registration.SignKey,
            BoxKey = registration.BoxKey,
            ApiKeyHash = ExchangeHttp.Hash(apiKey),
            WebhookUrl = registration.WebhookUrl,
            WebhookSecret = secret,
            CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        db.Vendors.Add(vendor);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two registrations of one key at once: the second finds it taken.
            throw KeyTaken();
        }

        return TypedResults.Created((string?)null, new ExchangeVendorRegistered(vendor.Id, apiKey, secret));
    }

    private static async Task<Ok<ExchangeSubscriptions>> SetSubscriptionsAsync(HttpRequest request, ExchangeDbContext db, CancellationToken ct)
    {
        var vendor = await AuthenticateAsync(request, db, ct);
        var body = await ExchangeHttp.ReadBodyAsync(request, ExchangeHttp.MaxJsonBytes, required: true, ct);
        var list = ExchangeHttp.Parse<ExchangeSubscriptions>(body);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (list.Subscriptions is null || list.Subscriptions.Count > MaxSubscriptions)
        {
            errors["subscriptions"] = ["Must be a list of at most 100 subscriptions."];
        }
        else
        {
            for (var i = 0; i < list.Subscriptions.Count; i++)
            {
                var s = list.Subscriptions[i];
                if (s?.Category is null || !Slug().IsMatch(s.Category))
                {
                    errors[$"subscriptions[{i}].category"] = ["Must be 1 to 40 lowercase letters, digits or hyphens."];
                }

                if (s?.Country is { } country && !Country().IsMatch(country))
                {
                    errors[$"subscriptions[{i}].country"] = ["Must be an ISO 3166-1 alpha-2 code in capitals."];
                }

                if (s?.PostalPrefix is { } prefix && !PostalPrefix().IsMatch(prefix))
                {
                    errors[$"subscriptions[{i}].postal_prefix"] = ["Must be 1 to 3 letters or digits."];
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new ExchangeProblem(ExchangeProblemCodes.InvalidSubscriptions, StatusCodes.Status400BadRequest, "The subscriptions are not valid.", "Fix the entries named in errors.", errors);
        }

        var distinct = list.Subscriptions!.Distinct().ToList();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Subscriptions.Where(s => s.VendorId == vendor.Id).ExecuteDeleteAsync(ct);
        db.Subscriptions.AddRange(distinct.Select(s => new SubscriptionRow { VendorId = vendor.Id, Category = s.Category, Country = s.Country, PostalPrefix = s.PostalPrefix }));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(new ExchangeSubscriptions(distinct));
    }

    private static async Task<Ok<FeedPage>> FeedAsync(string? after, int? limit, HttpRequest request, ExchangeDbContext db, TimeProvider time, CancellationToken ct)
    {
        var vendor = await AuthenticateAsync(request, db, ct);
        var cursor = ExchangeHttp.ParseCursor(after);
        if (limit is < 1 or > 100)
        {
            throw new ExchangeProblem(ExchangeProblemCodes.InvalidQuery, StatusCodes.Status400BadRequest, "The limit is not valid.", null,
                new Dictionary<string, string[]> { ["limit"] = ["Must be 1 to 100."] });
        }

        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => s.VendorId == vendor.Id)
            .Select(s => new ExchangeSubscription(s.Category, s.Country, s.PostalPrefix)).ToListAsync(ct);
        var categories = subscriptions.Select(s => s.Category).Distinct().ToList();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var rows = await db.Intents.AsNoTracking()
            .Where(i => i.Seq > cursor && i.ExpiresAt > now && categories.Contains(i.Category))
            .OrderBy(i => i.Seq).Take(limit ?? 50).ToListAsync(ct);

        // Matching by area and the blocklist are checked here rather than in SQL: the page may hold fewer intents than
        // the limit, and its cursor still moves past every intent looked at.
        var intents = rows
            .Where(r => subscriptions.Any(s => IntentRules.Matches(s, r.Category, new IntentPlace(r.Country, r.PostalPrefix))))
            .Where(r => !IntentCrypto.IsBlocked(IntentLifecycle.Blocklist(r), vendor.SignKey))
            .Select(IntentLifecycle.ToFeed).ToList();
        return TypedResults.Ok(new FeedPage(intents, rows.Count > 0 ? IntentLifecycle.Cursor(rows[^1].Seq) : after));
    }

    private static async Task<Created<OfferPosted>> OfferAsync(
        string id, HttpRequest request, ExchangeDbContext db, TimeProvider time, WindowLimiter limiter, IOptions<ExchangeOptions> options, CancellationToken ct)
    {
        var vendor = await AuthenticateAsync(request, db, ct);
        var body = await ExchangeHttp.ReadBodyAsync(request, ExchangeHttp.MaxEnvelopeRequestBytes, required: true, ct);
        var submission = ExchangeHttp.Parse<OfferSubmission>(body);
        var envelopeJson = JsonSerializer.Serialize(submission.Envelope, IntentCrypto.JsonOptions);
        if (envelopeJson.Length > IntentRules.MaxOfferBytes)
        {
            throw new ExchangeProblem(ExchangeProblemCodes.TooLarge, StatusCodes.Status413PayloadTooLarge, "The offer is too large.",
                $"An offer's envelope is at most {IntentRules.MaxOfferBytes:N0} bytes of JSON.", new Dictionary<string, string[]> { ["envelope"] = ["Is too large."] });
        }

        ExchangeHttp.CheckEnvelope(submission.Envelope, "envelope");
        if (await limiter.TakeAsync(db, "offer:" + vendor.Id, options.Value.OffersPerMinute, TimeSpan.FromMinutes(1), ct) is { } wait)
        {
            throw new ExchangeProblem(ExchangeProblemCodes.RateLimited, StatusCodes.Status429TooManyRequests, "Too many offers.",
                $"A vendor may make {options.Value.OffersPerMinute} offers a minute; try again after the time in Retry-After.") { RetryAfter = wait };
        }

        var now = time.GetUtcNow();
        var intent = id.Length <= 30 ? await db.Intents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct) : null;

        // An intent that blocks the vendor is answered exactly like one that does not exist.
        if (intent is null || intent.ExpiresAt <= now.ToUnixTimeMilliseconds() || IntentCrypto.IsBlocked(IntentLifecycle.Blocklist(intent), vendor.SignKey))
        {
            throw IntentEndpoints.NotFound();
        }

        var hash = ExchangeHttp.Hash(envelopeJson);
        var existing = await db.Offers.AsNoTracking().SingleOrDefaultAsync(o => o.IntentId == intent.Id && o.EnvelopeHash == hash, ct);
        if (existing is not null)
        {
            return existing.VendorId == vendor.Id
                ? TypedResults.Created((string?)null, new OfferPosted(existing.Id, DateTimeOffset.FromUnixTimeMilliseconds(existing.ReceivedAt)))
                : throw new ExchangeProblem(ExchangeProblemCodes.InvalidEnvelope, StatusCodes.Status409Conflict, "This envelope was already offered on this intent.");
        }

        var offer = new OfferRow
        {
            Id = IntentCrypto.NewId("xo_"),
            IntentId = intent.Id,
            VendorId = vendor.Id,
            Envelope = envelopeJson,
            EnvelopeHash = hash,
            ReceivedAt = now.ToUnixTimeMilliseconds(),
        };
        db.Offers.Add(offer);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The intent closed meanwhile (its offers went with it), or the same envelope raced itself.
            throw IntentEndpoints.NotFound();
        }

        return TypedResults.Created((string?)null, new OfferPosted(offer.Id, now));
    }

    private static async Task<Ok<ExchangeEventPage>> EventsAsync(string? after, HttpRequest request, ExchangeDbContext db, CancellationToken ct)
    {
        var vendor = await AuthenticateAsync(request, db, ct);
        var cursor = ExchangeHttp.ParseCursor(after);
        var rows = await db.Events.AsNoTracking().Where(e => e.VendorId == vendor.Id && e.Seq > cursor).OrderBy(e => e.Seq).Take(EventPageSize).ToListAsync(ct);
        var events = rows.Select(IntentLifecycle.ToContract).ToList();
        return TypedResults.Ok(new ExchangeEventPage(events, events.Count > 0 ? events[^1].Cursor : after));
    }

    /// <summary>The vendor a bearer key belongs to; only its hash is stored, so the lookup is by hash.</summary>
    private static async Task<VendorRow> AuthenticateAsync(HttpRequest request, ExchangeDbContext db, CancellationToken ct)
    {
        var header = request.Headers.Authorization.ToString();
        VendorRow? vendor = null;
        if (header.StartsWith("Bearer " + ApiKeyPrefix, StringComparison.Ordinal) && header.Length < 200)
        {
            var hash = ExchangeHttp.Hash(header["Bearer ".Length..].Trim());
            vendor = await db.Vendors.AsNoTracking().SingleOrDefaultAsync(v => v.ApiKeyHash == hash, ct);
        }

        return vendor ?? throw new ExchangeProblem(ExchangeProblemCodes.BadApiKey, StatusCodes.Status401Unauthorized, "A vendor API key is required.",
            "Send 'Authorization: Bearer xv_…' with the key given at registration.");
    }

    private static ExchangeProblem KeyTaken() =>
        new(ExchangeProblemCodes.VendorKeyTaken, StatusCodes.Status409Conflict, "Another vendor registered this signing key.", "Each vendor registers its own key pair.",
            new Dictionary<string, string[]> { ["sign_key"] = ["Is taken."] });

    private static bool IsSite(string? value) =>
        value is { Length: <= 300 } && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex Slug();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex Country();

    [GeneratedRegex("^[A-Za-z0-9]{1,3}$")]
    private static partial Regex PostalPrefix();
}
