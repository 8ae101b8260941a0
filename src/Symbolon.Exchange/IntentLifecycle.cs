using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Symbolon.Exchange.Storage;
using Symbolon.Exchange.Webhooks;
using Symbolon.Intents;

namespace Symbolon.Exchange;

/// <summary>The end of an intent, however it comes (acceptance, withdrawal, expiry): vendors are told, rows are deleted.</summary>
internal static class IntentLifecycle
{
    /// <summary>How long a vendor's events are kept.</summary>
    public static readonly TimeSpan EventRetention = TimeSpan.FromDays(30);

    /// <summary>
    /// Tells every vendor with an offer on the intent (the accepted one with the sealed acceptance, the others only
    /// that it closed), then deletes the intent and its offers, all in one transaction.
    /// </summary>
    public static async Task CloseAsync(ExchangeDbContext db, IntentRow intent, string? acceptedOfferId, SealedEnvelope? acceptance, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
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
    }

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

    /// <summary>Deletes expired intents (telling their offering vendors) and events past their retention.</summary>
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
            foreach (var intent in expired)
            {
                await IntentLifecycle.CloseAsync(db, intent, null, null, now, ct);
                closed++;
            }

            if (expired.Count < 100)
            {
                break;
            }
        }

        var oldest = (now - IntentLifecycle.EventRetention).ToUnixTimeMilliseconds();
        await db.Events.Where(e => e.At < oldest).ExecuteDeleteAsync(ct);
        if (closed > 0)
        {
            signal.Kick();
        }

        return closed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A background round of the exchange failed ({Error}); it runs again shortly")]
    private static partial void LogRoundFailed(ILogger logger, string error);
}

/// <summary>Fixed-window counters in memory, keyed by vendor or client address, on the exchange's clock.</summary>
internal sealed class WindowLimiter(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Counts one use; false (with how long until the window ends) when the limit is reached.</summary>
    public bool TryTake(string key, int limit, TimeSpan window, out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var length = (long)window.TotalMilliseconds;
        var start = now - (now % length);
        if (_windows.Count > 100_000)
        {
            foreach (var (k, w) in _windows)
            {
                if (w.Start < start)
                {
                    _windows.TryRemove(k, out _);
                }
            }
        }

        var entry = _windows.AddOrUpdate(key, _ => new Window(start, 1), (_, w) => w.Start == start ? w with { Count = w.Count + 1 } : new Window(start, 1));
        retryAfter = TimeSpan.FromMilliseconds(start + length - now);
        return entry.Count <= limit;
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

    private sealed record Window(long Start, int Count);
}
