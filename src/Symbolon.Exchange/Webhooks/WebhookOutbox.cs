using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Symbolon.Exchange.Storage;
using Symbolon.Intents;

namespace Symbolon.Exchange.Webhooks;

/// <summary>Wakes the background worker when there is something to send, so a webhook goes out at once rather than at the next poll.</summary>
internal sealed class ExchangeSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Kick()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the worker will look once, which covers this too.
        }
    }

    /// <summary>Waits for a kick or the timeout (real time: a poll cadence, not a protocol time).</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);

    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// Webhooks to vendors, as the Standard Webhooks specification (standardwebhooks.com) has them, so
/// <c>Symbolon.Client.WebhookVerifier</c> or any of its libraries checks them: body <c>{"type","timestamp","data"}</c>,
/// headers <c>webhook-id</c>, <c>webhook-timestamp</c> and <c>webhook-signature</c> (<c>v1,</c> and base64 of
/// HMAC-SHA256 with the <c>whsec_</c> secret over <c>{id}.{timestamp}.{body}</c>).
/// </summary>
internal static class WebhookOutbox
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static byte[] KeyOf(string secret) => Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);

    public static string Sign(byte[] key, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes(messageId + "." + timestamp.ToString(CultureInfo.InvariantCulture) + "."));
        hmac.AppendData(body);
        Span<byte> mac = stackalloc byte[32];
        hmac.GetHashAndReset(mac);
        return "v1," + Convert.ToBase64String(mac);
    }

    /// <summary>Queues a webhook in the database (saved with the caller's other changes, so it is sent if and only if they commit).</summary>
    public static void Enqueue<T>(ExchangeDbContext db, string vendorId, string type, T data, DateTimeOffset now)
    {
        var body = JsonSerializer.Serialize(new Envelope<T>(type, now, data));
        var at = now.ToUnixTimeMilliseconds();
        db.WebhookMessages.Add(new WebhookMessageRow
        {
            VendorId = vendorId,
            MessageId = IntentCrypto.NewId("msg_"),
            Type = type,
            Body = body,
            CreatedAt = at,
            NextAttemptAt = at,
        });
    }

    private sealed record Envelope<T>(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
        [property: JsonPropertyName("data")] T Data);
}

/// <summary>
/// Sends due webhooks: each vendor's messages strictly in order (a failed one holds back the ones after it), several
/// vendors at once. Several exchange processes on one database share the work: a vendor's queue is sent by whichever
/// process holds its lease (<see cref="VendorRow.WebhookLeaseUntil"/>), so no webhook goes out twice from two of them. A failure is retried with doubling delays (jittered, at most an hour); a message given up after
/// <see cref="ExchangeWebhookOptions.GiveUpAfterHours"/> is deleted, its event stays in the vendor's event feed. Only status codes and
/// exception types are recorded, never a response body.
/// </summary>
internal sealed partial class WebhookSender(IHttpClientFactory clients, TimeProvider time, IOptions<ExchangeWebhookOptions> options, ILogger<WebhookSender> logger)
{
    public const string HttpClientName = "Symbolon.Exchange.Webhooks";
    private const int MaxVendorsInFlight = 8;
    private const int MaxPerVendorPerRound = 100;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(1);

    /// <summary>How long a vendor's queue stays with the process that took it without being renewed: several sends' timeouts.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>This process's name on the leases it takes.</summary>
    private readonly string _owner = IntentCrypto.NewId("wrk_");
    private static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };

    /// <summary>Sends what is due now; returns how many were delivered.</summary>
    public async Task<int> DeliverDueAsync(IServiceScopeFactory scopes, CancellationToken ct)
    {
        List<(string VendorId, long Seq, long NextAttemptAt)> pending;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
            pending = (await db.WebhookMessages.AsNoTracking().OrderBy(m => m.Seq).Take(10_000)
                .Select(m => new { m.VendorId, m.Seq, m.NextAttemptAt }).ToListAsync(ct))
                .Select(m => (m.VendorId, m.Seq, m.NextAttemptAt)).ToList();
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();

        // A vendor's queue goes only when its oldest message is due: order is kept even across retries.
        var due = pending.GroupBy(m => m.VendorId).Where(g => g.First().NextAttemptAt <= now).Select(g => g.Key).ToList();
        var delivered = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = MaxVendorsInFlight, CancellationToken = ct }, async (vendorId, token) =>
        {
            var sent = await DeliverVendorAsync(scopes, vendorId, token);
            Interlocked.Add(ref delivered, sent);
        });
        return delivered;
    }

    private async Task<int> DeliverVendorAsync(IServiceScopeFactory scopes, string vendorId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
        var vendor = await db.Vendors.AsNoTracking().Where(v => v.Id == vendorId).Select(v => new { v.WebhookUrl, v.WebhookSecret }).SingleOrDefaultAsync(ct);
        if (vendor?.WebhookUrl is null || vendor.WebhookSecret is null || !Uri.TryCreate(vendor.WebhookUrl, UriKind.Absolute, out var target))
        {
            // The vendor is gone or took its webhook address away: nothing to send to.
            await db.WebhookMessages.Where(m => m.VendorId == vendorId).ExecuteDeleteAsync(ct);
            return 0;
        }

        // One process at a time sends a vendor's webhooks: the one that takes the lease (one atomic UPDATE). Another
        // finds it held and leaves the vendor alone; a lease whose holder died runs out and is taken again.
        if (!await TakeLeaseAsync(db, vendorId, ct))
        {
            return 0;
        }

        try
        {
            return await DeliverLeasedAsync(db, vendorId, target, WebhookOutbox.KeyOf(vendor.WebhookSecret), ct);
        }
        finally
        {
            // Let go at once, so that the next message need not wait for the lease to run out (even when stopping).
            await db.Vendors.Where(v => v.Id == vendorId && v.WebhookLeaseOwner == _owner)
                .ExecuteUpdateAsync(s => s.SetProperty(v => v.WebhookLeaseUntil, (long?)null).SetProperty(v => v.WebhookLeaseOwner, (string?)null), CancellationToken.None);
        }
    }

    private async Task<int> DeliverLeasedAsync(ExchangeDbContext db, string vendorId, Uri target, byte[] key, CancellationToken ct)
    {
        // Read after the lease is taken: what another process delivered before is gone, what it failed is not due yet.
        var messages = await db.WebhookMessages.Where(m => m.VendorId == vendorId).OrderBy(m => m.Seq).Take(MaxPerVendorPerRound).ToListAsync(ct);
        var http = clients.CreateClient(HttpClientName);
        var delivered = 0;
        foreach (var message in messages)
        {
            if (message.NextAttemptAt > time.GetUtcNow().ToUnixTimeMilliseconds() || !await ExtendLeaseAsync(db, vendorId, ct))
            {
                break;
            }

            var error = await SendAsync(http, target, key, message, ct);
            var now = time.GetUtcNow();
            if (error is null)
            {
                await db.WebhookMessages.Where(m => m.Seq == message.Seq).ExecuteDeleteAsync(ct);
                delivered++;
                continue;
            }

            message.Attempts++;
            message.LastError = error;
            if (now.ToUnixTimeMilliseconds() - message.CreatedAt >= TimeSpan.FromHours(options.Value.GiveUpAfterHours).TotalMilliseconds)
            {
                LogGaveUp(logger, message.MessageId, vendorId, error, message.Attempts);
                db.WebhookMessages.Remove(message);
                await db.SaveChangesAsync(ct);
                continue;
            }

            message.NextAttemptAt = (now + RetryDelay(message.Attempts)).ToUnixTimeMilliseconds();
            LogAttemptFailed(logger, message.MessageId, vendorId, error, message.Attempts);
            await db.SaveChangesAsync(ct);
            break;
        }

        return delivered;
    }

    private async Task<bool> TakeLeaseAsync(ExchangeDbContext db, string vendorId, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var until = now + (long)Lease.TotalMilliseconds;
        return await db.Vendors.Where(v => v.Id == vendorId && (v.WebhookLeaseUntil == null || v.WebhookLeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(v => v.WebhookLeaseUntil, until).SetProperty(v => v.WebhookLeaseOwner, _owner), ct) == 1;
    }

    /// <summary>Renews the lease before each message (a send takes at most <see cref="Timeout"/>); false when it was lost (this process stalled past it).</summary>
    private async Task<bool> ExtendLeaseAsync(ExchangeDbContext db, string vendorId, CancellationToken ct)
    {
        var until = time.GetUtcNow().ToUnixTimeMilliseconds() + (long)Lease.TotalMilliseconds;
        return await db.Vendors.Where(v => v.Id == vendorId && v.WebhookLeaseOwner == _owner)
            .ExecuteUpdateAsync(s => s.SetProperty(v => v.WebhookLeaseUntil, until), ct) == 1;
    }

    private TimeSpan RetryDelay(int failedAttempts)
    {
        var first = TimeSpan.FromSeconds(options.Value.FirstRetrySeconds);
        var doublings = Math.Clamp(failedAttempts - 1, 0, 20);
        var delay = TimeSpan.FromTicks(Math.Min(first.Ticks << doublings, MaxRetryDelay.Ticks));

        // The jitter spreads the retries of many messages that failed together (a vendor that was down).
        return delay * (RandomNumberGenerator.GetInt32(800, 1001) / 1000.0);
    }

    private async Task<string?> SendAsync(HttpClient http, Uri target, byte[] key, WebhookMessageRow message, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(message.Body);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = JsonType;
        request.Headers.Add("webhook-id", message.MessageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookOutbox.Sign(key, message.MessageId, timestamp, body));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            return response.IsSuccessStatusCode ? null : "HTTP " + (int)response.StatusCode;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return "Timeout";
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookDestinationRefusedException)
        {
            return "Refused destination (private address)";
        }
        catch (HttpRequestException e)
        {
            return $"HttpRequestException ({e.HttpRequestError})";
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or IOException)
        {
            return e.GetType().Name;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {MessageId} to vendor {VendorId} failed ({Error}); attempt {Attempts}")]
    private static partial void LogAttemptFailed(ILogger logger, string messageId, string vendorId, string error, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {MessageId} to vendor {VendorId} given up after {Attempts} attempts ({Error}); the event stays in its event feed")]
    private static partial void LogGaveUp(ILogger logger, string messageId, string vendorId, string error, int attempts);
}
