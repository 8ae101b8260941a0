using System.Linq.Expressions;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.Extensions.Logging;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;

namespace Symbolon.Core.Webhooks;

/// <summary>What one delivery round did, and when the next one is due.</summary>
/// <param name="Delivered">Messages the receiver accepted (2xx).</param>
/// <param name="Failed">Failed attempts that will be retried.</param>
/// <param name="GivenUp">Messages given up after failing for <see cref="WebhookDelivery.GiveUpAfter"/>.</param>
/// <param name="MoreDueNow">True when messages are due now that this round left for the next.</param>
/// <param name="NextDueAt">The earliest retry after this round, if any.</param>
internal sealed record DeliveryRound(int Delivered, int Failed, int GivenUp, bool MoreDueNow, DateTimeOffset? NextDueAt);

/// <summary>
/// Sends due webhook messages: signed (Standard Webhooks), one relationship's messages strictly in order, up to
/// <see cref="MaxInFlight"/> relationships at once. A failed attempt is retried with exponential backoff (from
/// <see cref="FirstRetryDelay"/>, capped at <see cref="MaxRetryDelay"/>, with jitter); a message still failing
/// <see cref="GiveUpAfter"/> after it was created is given up, and the relationship's next message goes.
/// </summary>
/// <remarks>
/// Every attempt signs anew with the time of sending, as the specification asks, so a message held back for days
/// still passes a receiver's timestamp check; its <c>webhook-id</c> stays the same so receivers can drop repeats.
/// Only status codes and exception types are recorded or logged, never a response body.
/// </remarks>
internal sealed partial class WebhookDelivery(HttpClient http, IWebhookSecretProtector secrets, TimeProvider time, ILogger<WebhookDelivery> logger)
{
    public const string HttpClientName = "Symbolon.Webhooks";
    public const int MaxInFlight = 32;
    public const int MaxMessagesPerRound = 10_000;
    public const int MaxPerRelationshipPerRound = 100;
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(1);
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromDays(3);

    /// <summary>How long a receiver has to answer. Network time, so it runs on the real clock.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private const int SaveBatch = 1000;
    private const int QueryChunk = 1000;
    private static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };

    /// <summary>Sends what is due now and records each attempt.</summary>
    public async Task<DeliveryRound> DeliverDueAsync(SymbolonDbContext db, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var pending = await db.WebhookMessages.AsNoTracking()
            .Where(m => m.DeliveredAt == null && m.FailedAt == null)
            .Select(m => new PendingMessage(m.VaultId, m.RelationshipId, m.Id, m.Attempts, m.CreatedAt, m.NextAttemptAt))
            .ToListAsync(ct);

        var (work, moreDue, nextDue) = Select(pending, now);
        if (work.Count == 0)
        {
            return new DeliveryRound(0, 0, 0, moreDue, nextDue);
        }

        var endpoints = await LoadEndpointsAsync(db, work, ct);
        var payloads = await LoadPayloadsAsync(db, work, everyPending: work.Sum(q => q.Messages.Count) == pending.Count, ct);

        var outcomes = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });

        // Note: what was sent is recorded even when the server is stopping, so a receiver is not sent it again.
        var saving = SaveOutcomesAsync(db, outcomes.Reader, CancellationToken.None);
        OperationCanceledException? stopped = null;
        try
        {
            await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = MaxInFlight, CancellationToken = ct }, async (queue, token) =>
            {
                var endpoint = endpoints.GetValueOrDefault(queue.Key) ?? Endpoint.Missing;
                foreach (var message in queue.Messages)
                {
                    // A message gone from the pending set was settled meanwhile (by another server on the database).
                    if (!payloads.TryGetValue(message.Id, out var body))
                    {
                        break;
                    }

                    var outcome = await SendAsync(endpoint, message, body, token);
                    queue.Last = outcome;
                    outcomes.Writer.TryWrite(outcome);
                    if (!outcome.Delivered)
                    {
                        // The rest of this relationship's messages wait behind this one.
                        break;
                    }
                }
            });
        }
        catch (OperationCanceledException e)
        {
            stopped = e;
        }

        outcomes.Writer.Complete();
        var (delivered, failed, givenUp) = await saving;
        if (stopped is not null)
        {
            ExceptionDispatchInfo.Throw(stopped);
        }
        foreach (var queue in work)
        {
            switch (queue.Last)
            {
                case { Delivered: true } when queue.MoreBehind:
                case { GaveUp: true }:
                    moreDue = true;
                    break;
                case { Delivered: false, NextAttemptAt: { } retry }:
                    nextDue = Earliest(nextDue, retry);
                    break;
            }
        }

        return new DeliveryRound(delivered, failed, givenUp, moreDue, nextDue);
    }

    /// <summary>The delay before retry number <paramref name="failedAttempts"/>: doubling from 5 s, at most 1 h, minus up to 20 % at random.</summary>
    public static TimeSpan RetryDelay(int failedAttempts)
    {
        var doublings = Math.Clamp(failedAttempts - 1, 0, 20);
        var delay = TimeSpan.FromTicks(Math.Min(FirstRetryDelay.Ticks << doublings, MaxRetryDelay.Ticks));

        // Note: the jitter spreads the retries of many messages that failed together (a receiver that was down).
        return delay * (RandomNumberGenerator.GetInt32(800, 1001) / 1000.0);
    }

    /// <summary>Picks, per relationship, the due messages at the head of its queue, oldest first.</summary>
    private static (List<RelationshipQueue> Work, bool MoreDue, DateTimeOffset? NextDue) Select(List<PendingMessage> pending, DateTimeOffset now)
    {
        var work = new List<RelationshipQueue>();
        var budget = MaxMessagesPerRound;
        var moreDue = false;
        DateTimeOffset? nextDue = null;

        // Note: message ids are UUIDv7 with a counter (WebhookMessageIds), and Guid orders as their bytes do, so id
        // order is creation order.
        var queues = pending
            .GroupBy(m => (m.VaultId, m.RelationshipId))
            .Select(g => g.OrderBy(m => m.Id).ToList())
            .OrderBy(q => q[0].Id);
        foreach (var queue in queues)
        {
            if (queue[0].NextAttemptAt > now)
            {
                nextDue = Earliest(nextDue, queue[0].NextAttemptAt);
                continue;
            }

            if (budget == 0)
            {
                moreDue = true;
                continue;
            }

            var take = queue.TakeWhile(m => m.NextAttemptAt <= now).Take(Math.Min(MaxPerRelationshipPerRound, budget)).ToList();
            budget -= take.Count;
            work.Add(new RelationshipQueue((queue[0].VaultId, queue[0].RelationshipId), take, queue.Count > take.Count));
        }

        return (work, moreDue, nextDue);
    }

    private async Task<Dictionary<(Guid, Guid), Endpoint>> LoadEndpointsAsync(SymbolonDbContext db, List<RelationshipQueue> work, CancellationToken ct)
    {
        // Note: all relationships of the vaults concerned, in one read: a vault has few, or, when a fan-out reached
        // thousands, most of them are due anyway; picking thousands out by id costs more than reading them all.
        var vaults = work.Select(q => q.Key.VaultId).Distinct().ToList();
        var due = work.Select(q => q.Key).ToHashSet();
        var rows = await db.Relationships.AsNoTracking()
            .Where(r => vaults.Contains(r.VaultId))
            .Select(r => new { r.VaultId, r.Id, r.WebhookUri, r.WebhookSecretProtected })
            .ToListAsync(ct);
        var endpoints = new Dictionary<(Guid, Guid), Endpoint>();
        foreach (var row in rows.Where(r => due.Contains((r.VaultId, r.Id))))
        {
            endpoints[(row.VaultId, row.Id)] = Endpoint.Open(row.WebhookUri, row.WebhookSecretProtected, secrets);
        }

        return endpoints;
    }

    private static async Task<Dictionary<Guid, byte[]>> LoadPayloadsAsync(SymbolonDbContext db, List<RelationshipQueue> work, bool everyPending, CancellationToken ct)
    {
        var payloads = new Dictionary<Guid, byte[]>();
        var pending = db.WebhookMessages.AsNoTracking().Where(m => m.DeliveredAt == null && m.FailedAt == null);

        // Usually every pending message is due (one fan-out): one read. After an outage, only the heads of long queues
        // are, and they are picked by id. "Pending" narrows the search to the undelivered rows (indexed) either way.
        var chunks = everyPending
            ? [(Guid.Empty, [])]
            : work.SelectMany(q => q.Messages).GroupBy(m => m.VaultId).SelectMany(g => g.Select(m => m.Id).Chunk(QueryChunk).Select(ids => (Vault: g.Key, Ids: ids)));
        foreach (var (vault, ids) in chunks)
        {
            var rows = await (everyPending ? pending : pending.Where(m => m.VaultId == vault && ids.Contains(m.Id)))
                .Select(m => new { m.Id, m.Payload })
                .ToListAsync(ct);
            foreach (var row in rows)
            {
                payloads[row.Id] = Encoding.UTF8.GetBytes(row.Payload);
            }
        }

        return payloads;
    }

    private async Task<Outcome> SendAsync(Endpoint endpoint, PendingMessage message, byte[] body, CancellationToken ct)
    {
        if (endpoint.Problem is { } problem)
        {
            return Failure(message, time.GetUtcNow(), problem);
        }

        var sentAt = time.GetUtcNow();
        var messageId = "msg_" + message.Id.ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = JsonType;
        request.Headers.Add(StandardWebhookSigner.IdHeader, messageId);
        request.Headers.Add(StandardWebhookSigner.TimestampHeader, sentAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(StandardWebhookSigner.SignatureHeader, StandardWebhookSigner.Sign(endpoint.Key!, messageId, sentAt.ToUnixTimeSeconds(), body));

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Timeout);
        string error;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (response.IsSuccessStatusCode)
            {
                return new Outcome(message, time.GetUtcNow(), Delivered: true, Error: null, NextAttemptAt: null, GaveUp: false);
            }

            error = "HTTP " + (int)response.StatusCode;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            error = "Timeout";
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookDestinationRefusedException)
        {
            error = "Refused destination (private address)";
        }
        catch (HttpRequestException e)
        {
            error = $"HttpRequestException ({e.HttpRequestError})";
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or IOException)
        {
            error = e.GetType().Name;
        }

        return Failure(message, time.GetUtcNow(), error);
    }

    private Outcome Failure(PendingMessage message, DateTimeOffset at, string error)
    {
        var attempts = message.Attempts + 1;
        if (at - message.CreatedAt >= GiveUpAfter)
        {
            LogGaveUp(logger, message.Id, message.RelationshipId, error, attempts);
            return new Outcome(message, at, Delivered: false, error, NextAttemptAt: null, GaveUp: true);
        }

        var next = at + RetryDelay(attempts);
        LogAttemptFailed(logger, message.Id, message.RelationshipId, error, attempts, next);
        return new Outcome(message, at, Delivered: false, error, next, GaveUp: false);
    }

    /// <summary>Writes outcomes as they come, a batch per SaveChanges, while the sends go on.</summary>
    private static async Task<(int Delivered, int Failed, int GivenUp)> SaveOutcomesAsync(SymbolonDbContext db, ChannelReader<Outcome> reader, CancellationToken ct)
    {
        int delivered = 0, failed = 0, givenUp = 0;
        var batch = new List<Outcome>(SaveBatch);
        while (await reader.WaitToReadAsync(ct))
        {
            while (batch.Count < SaveBatch && reader.TryRead(out var outcome))
            {
                batch.Add(outcome);
            }

            // A give-up and the messages given up with it commit together.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);

            // Deliveries are the bulk of a fan-out: one statement per batch and vault. DeliveredAt is the batch's
            // last delivery, a fraction of a second after the first.
            foreach (var vault in batch.Where(o => o.Delivered).GroupBy(o => o.Message.VaultId))
            {
                var ids = vault.Select(o => o.Message.Id).ToList();
                var at = vault.Max(o => o.At);
                delivered += await db.WebhookMessages
                    .Where(m => m.VaultId == vault.Key && ids.Contains(m.Id))
                    .ExecuteUpdateAsync(set => set.SetProperty(m => m.DeliveredAt, at).SetProperty(m => m.Attempts, m => m.Attempts + 1), ct);
            }

            foreach (var outcome in batch.Where(o => !o.Delivered))
            {
                // Note: only the delivery columns are written; reading the row (and its payload) back is not needed.
                var entry = db.WebhookMessages.Attach(new WebhookMessageEntity { VaultId = outcome.Message.VaultId, Id = outcome.Message.Id, EventType = "", Payload = "" });
                Set(entry, m => m.Attempts, outcome.Message.Attempts + 1);
                Set(entry, m => m.LastError, outcome.Error);
                if (outcome.GaveUp)
                {
                    Set(entry, m => m.FailedAt, outcome.At);
                    givenUp++;
                }
                else
                {
                    Set(entry, m => m.NextAttemptAt, outcome.NextAttemptAt!.Value);
                    failed++;
                }
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();

            foreach (var gaveUp in batch.Where(o => o.GaveUp))
            {
                // The receiver has failed for as long as the given-up message waited; the relationship's other
                // messages that are as old have had their time too.
                var cutoff = gaveUp.At - GiveUpAfter;
                givenUp += await db.WebhookMessages
                    .Where(m => m.VaultId == gaveUp.Message.VaultId && m.RelationshipId == gaveUp.Message.RelationshipId
                        && m.DeliveredAt == null && m.FailedAt == null && m.CreatedAt <= cutoff)
                    .ExecuteUpdateAsync(set => set.SetProperty(m => m.FailedAt, gaveUp.At).SetProperty(m => m.LastError, "Given up with an earlier message"), ct);
            }

            await transaction.CommitAsync(ct);
            batch.Clear();
        }

        return (delivered, failed, givenUp);
    }

    private static void Set<T>(EntityEntry<WebhookMessageEntity> entry, Expression<Func<WebhookMessageEntity, T>> property, T value)
    {
        var column = entry.Property(property);
        column.CurrentValue = value;
        column.IsModified = true;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } value && value <= candidate ? value : candidate;

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook message {MessageId} to relationship {RelationshipId} failed ({Error}); attempt {Attempts}, next at {NextAttemptAt:O}")]
    private static partial void LogAttemptFailed(ILogger logger, Guid messageId, Guid relationshipId, string error, int attempts, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook message {MessageId} to relationship {RelationshipId} given up after {Attempts} attempts ({Error})")]
    private static partial void LogGaveUp(ILogger logger, Guid messageId, Guid relationshipId, string error, int attempts);

    private sealed record PendingMessage(Guid VaultId, Guid RelationshipId, Guid Id, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt);

    private sealed record Outcome(PendingMessage Message, DateTimeOffset At, bool Delivered, string? Error, DateTimeOffset? NextAttemptAt, bool GaveUp);

    /// <summary>One relationship's due messages for this round, in order; <see cref="Last"/> is set by its sender.</summary>
    private sealed class RelationshipQueue((Guid VaultId, Guid RelationshipId) key, List<PendingMessage> messages, bool moreBehind)
    {
        public (Guid VaultId, Guid RelationshipId) Key { get; } = key;
        public List<PendingMessage> Messages { get; } = messages;
        public bool MoreBehind { get; } = moreBehind;
        public Outcome? Last { get; set; }
    }

    /// <summary>Where and with what key a relationship's messages go, or why they cannot.</summary>
    private sealed record Endpoint(Uri? Uri, byte[]? Key, string? Problem)
    {
        public static Endpoint Missing { get; } = new(null, null, "Relationship not found");

        public static Endpoint Open(string? uri, string? protectedSecret, IWebhookSecretProtector secrets)
        {
            if (uri is null || !Uri.TryCreate(uri, UriKind.Absolute, out var target) || (target.Scheme != Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttp))
            {
                return new Endpoint(null, null, "No usable webhook URL");
            }

            if (protectedSecret is null)
            {
                return new Endpoint(target, null, "No webhook secret");
            }

            try
            {
                return new Endpoint(target, StandardWebhookSigner.KeyOf(secrets.Unprotect(protectedSecret)), null);
            }
            catch (Exception e) when (e is CryptographicException or FormatException)
            {
                // The data-protection keys that protected it are gone (a restore onto another host), or it is damaged.
                return new Endpoint(target, null, "Webhook secret unreadable");
            }
        }
    }
}
