using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Symbolon.Exchange.Endpoints;
using Symbolon.Exchange.Storage;
using Symbolon.Exchange.Webhooks;
using Symbolon.Intents;

namespace Symbolon.Exchange;

/// <summary>The end of an intent, however it comes (acceptance, withdrawal, expiry): vendors are told, rows are deleted.</summary>
internal static class IntentLifecycle
{
    /// <summary>How long a vendor's events are kept.</summary>
    public static readonly TimeSpan EventRetention = TimeSpan.FromDays(30);

    /// <summary>How long a tombstone is kept at least, past the intent's own expiry (it also keeps two processes from closing one intent twice).</summary>
    public static readonly TimeSpan MinTombstoneRetention = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Tells every vendor with an offer on the intent (the accepted one with the sealed acceptance, the others only
    /// that it closed), then deletes the intent and its offers, all in one transaction. Its first step leaves the
    /// intent's tombstone; when one is there already, another request or process closed the intent, nothing is done
    /// and the answer is false.
    /// </summary>
    public static async Task<bool> CloseAsync(ExchangeDbContext db, IntentRow intent, string? acceptedOfferId, SealedEnvelope? acceptance, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var idHash = TombstoneOf(intent.Id);
        var keepUntil = Math.Max(intent.ExpiresAt, (now + MinTombstoneRetention).ToUnixTimeMilliseconds());
        var first = await db.Database.ExecuteSqlAsync(
            $"""INSERT INTO "intent_tombstones" ("IdHash", "KeepUntil") VALUES ({idHash}, {keepUntil}) ON CONFLICT DO NOTHING""", ct);
        if (first == 0)
        {
            await transaction.RollbackAsync(ct);
            return false;
        }

        var offers = await db.Offers.AsNoTracking().Where(o => o.IntentId == intent.Id).OrderBy(o => o.Seq).Select(o => new { o.Id, o.VendorId }).ToListAsync(ct);
        var events = new List<EventRow>();
        foreach (var offer in offers)
        {
            var accepted = offer.Id == acceptedOfferId;
            var row = new EventRow
            {
                VendorId = offer.VendorId,
                Type = accepted ? ExchangeEventTypes.OfferAccepted : ExchangeEventTypes.OfferClosed,
                IntentId = intent.Id,
                OfferId = offer.Id,
                At = now.ToUnixTimeMilliseconds(),
                Envelope = accepted ? JsonSerializer.Serialize(acceptance, IntentCrypto.JsonOptions) : null,
            };
            events.Add(row);
            db.Events.Add(row);
        }

        await db.SaveChangesAsync(ct);
        var vendorIds = offers.Select(o => o.VendorId).Distinct().ToList();
        var withWebhooks = await db.Vendors.AsNoTracking().Where(v => vendorIds.Contains(v.Id) && v.WebhookUrl != null).Select(v => v.Id).ToListAsync(ct);
        foreach (var row in events.Where(e => withWebhooks.Contains(e.VendorId)))
        {
            WebhookOutbox.Enqueue(db, row.VendorId, row.Type, ToContract(row), now);
        }

        await db.SaveChangesAsync(ct);
        await db.Offers.Where(o => o.IntentId == intent.Id).ExecuteDeleteAsync(ct);
        await db.Intents.Where(i => i.Id == intent.Id).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>The key of an intent's tombstone: SHA-256 (hex) of its id.</summary>
    public static string TombstoneOf(string intentId) => ExchangeHttp.Hash("intent:" + intentId);

    public static ExchangeEvent ToContract(EventRow row) => new(
        Cursor(row.Seq),
        row.Type,
        row.IntentId,
        row.OfferId,
        DateTimeOffset.FromUnixTimeMilliseconds(row.At),
        row.Envelope is null ? null : JsonSerializer.Deserialize<SealedEnvelope>(row.Envelope, IntentCrypto.JsonOptions));

    public static FeedIntent ToFeed(IntentRow row) => new(
        Cursor(row.Seq),
        row.Id,
        new SignedDocument(row.Payload, row.Signature),
        DateTimeOffset.FromUnixTimeMilliseconds(row.PublishedAt),
        DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAt));

    public static IntentBlocklist? Blocklist(IntentRow row) =>
        row.Blocklist is null ? null : JsonSerializer.Deserialize<IntentBlocklist>(row.Blocklist, IntentCrypto.JsonOptions);

    public static string Cursor(long seq) => seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// The background work: webhooks out as soon as they are queued (and retries when due), and every
/// <see cref="ExchangeOptions.SweepSeconds"/> the deletion of expired intents with their offers and of events older
/// than 30 days. Due times come from the <see cref="TimeProvider"/>; the cadence of looking is real time.
/// </summary>
internal sealed partial class ExchangeWorker(
    IServiceScopeFactory scopes, WebhookSender sender, ExchangeSignal signal, TimeProvider time, IOptions<ExchangeOptions> options, ILogger<ExchangeWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastSweep = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow();
                if (now - lastSweep >= TimeSpan.FromSeconds(options.Value.SweepSeconds) || now < lastSweep)
                {
                    await SweepAsync(stoppingToken);
                    lastSweep = now;
                }

                await sender.DeliverDueAsync(scopes, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException or IOException)
            {
                LogRoundFailed(logger, e.GetType().Name);
            }

            try
            {
                await signal.WaitAsync(TimeSpan.FromSeconds(Math.Min(options.Value.PollSeconds, options.Value.SweepSeconds)), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Deletes expired intents (telling their offering vendors), events past their retention, tombstones past their intent's expiry and ended rate-limit windows.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
        var now = time.GetUtcNow();
        var cutoff = now.ToUnixTimeMilliseconds();
        var closed = 0;
        while (true)
        {
            var expired = await db.Intents.AsNoTracking().Where(i => i.ExpiresAt <= cutoff).OrderBy(i => i.Seq).Take(100).ToListAsync(ct);
            var closedNow = 0;
            foreach (var intent in expired)
            {
                if (await IntentLifecycle.CloseAsync(db, intent, null, null, now, ct))
                {
                    closedNow++;
                }
            }

            closed += closedNow;
            if (expired.Count < 100 || closedNow == 0)
            {
                break;
            }
        }

        var oldest = (now - IntentLifecycle.EventRetention).ToUnixTimeMilliseconds();
        await db.Events.Where(e => e.At < oldest).ExecuteDeleteAsync(ct);
        await db.IntentTombstones.Where(t => t.KeepUntil <= cutoff).ExecuteDeleteAsync(ct);
        await db.RateWindows.Where(r => r.WindowEnd <= cutoff).ExecuteDeleteAsync(ct);
        if (closed > 0)
        {
            signal.Kick();
        }

        return closed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A background round of the exchange failed ({Error}); it runs again shortly")]
    private static partial void LogRoundFailed(ILogger logger, string error);
}

/// <summary>
/// Fixed-window counters in the exchange's database (<see cref="RateWindowRow"/>), keyed by vendor or client address,
/// on the exchange's clock: they hold across restarts and are shared by every exchange process on one database. Each
/// use is one statement (an upsert returning the new count), atomic on both providers.
/// </summary>
internal sealed class WindowLimiter(TimeProvider time)
{
    /// <summary>Counts one use; null when it is within the limit, else how long until the window ends.</summary>
    public async Task<TimeSpan?> TakeAsync(ExchangeDbContext db, string key, int limit, TimeSpan window, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var length = (long)window.TotalMilliseconds;
        var start = now - (now % length);
        var end = start + length;
        var hashed = ExchangeHttp.Hash(key);
        var hits = await db.Database.SqlQuery<int>($"""
            INSERT INTO "rate_windows" ("Key", "WindowStart", "WindowEnd", "Hits") VALUES ({hashed}, {start}, {end}, 1)
            ON CONFLICT ("Key") DO UPDATE SET
                "Hits" = CASE WHEN "rate_windows"."WindowStart" = excluded."WindowStart" THEN "rate_windows"."Hits" + 1 ELSE 1 END,
                "WindowStart" = excluded."WindowStart",
                "WindowEnd" = excluded."WindowEnd"
            RETURNING "Hits" AS "Value"
            """).ToListAsync(ct);
        return hits.Single() <= limit ? null : TimeSpan.FromMilliseconds(end - now);
    }

    /// <summary>The key of a client address: an IPv4 address, or an IPv6 client by its /64 (one host usually holds a whole /64).</summary>
    public static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
