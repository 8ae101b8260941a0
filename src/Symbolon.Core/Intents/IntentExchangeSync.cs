using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Symbolon.Contracts.Intents;
using Symbolon.Core.Records;
using Symbolon.Core.Vaults;
using Symbolon.Intents;

namespace Symbolon.Core.Intents;

/// <summary>What one pass over a vault's intents did.</summary>
internal sealed record IntentSyncResult(int Expired, int Posted, int OffersStored, int OffersRefused, int Deleted, int Failures);

/// <summary>
/// One pass over an unlocked vault's intents, run by the server's job every <c>Intents:PollInterval</c>: expired
/// intents are closed; pending postings are sent (with backoff after a failure: an exchange that is down delays the
/// intent but loses nothing); offers of open intents are fetched, opened and checked; deletions owed to exchanges
/// after a withdrawal or expiry, and acceptances, are sent (retried the same way).
/// </summary>
/// <remarks>
/// An offer is stored only when it opens with the intent's X25519 key under the intent's id, is signed by the very
/// key the exchange relayed it under, names this intent and its key, and passes <see cref="IntentRules.CheckOffer"/>
/// now (so not expired); and when its vendor's offer id was not stored before (a replay). Anything else is refused,
/// counted in the intent (<see cref="IntentValue.Refused"/>) and never shown. Offers of blocked vendors are dropped
/// without counting.
/// </remarks>
internal sealed partial class IntentExchangeSync(IntentService intents, IIntentExchangeLink link, TimeProvider time, ILogger<IntentExchangeSync> logger)
{
    public const int MaxPagesPerPoll = 10;
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(10);
    private static readonly object Done = new();

    public async Task<IntentSyncResult> RunAsync(VaultSession session, CancellationToken ct = default)
    {
        var keys = session.Keys;
        var expired = await intents.ExpireDueAsync(keys, ct);
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        var result = new IntentSyncResult(expired, 0, 0, 0, 0, 0);
        foreach (var intent in await intents.ListAsync(keys, ct))
        {
            var owesWork = intent.Value.Exchanges.Any(e => e.State is IntentExchangeStates.Pending or IntentExchangeStates.Posted || e.DeletePending)
                || intent.Value.Acceptance is { Delivered: false, Exchange: not null };
            if (!owesWork)
            {
                continue;
            }

            var privateKeys = (byte[])intent.Value.PrivateKeys.Clone();
            try
            {
                using var intentKeys = IntentKeys.Import(privateKeys);
                result = await SyncAsync(session, intent, intentKeys, blocked, result, ct);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(privateKeys);
                CryptographicOperations.ZeroMemory(intent.Value.PrivateKeys);
            }
        }

        return result;
    }

    private async Task<IntentSyncResult> SyncAsync(VaultSession session, IntentView intent, IntentKeys intentKeys, HashSet<string> blocked, IntentSyncResult result, CancellationToken ct)
    {
        var keys = session.Keys;
        var id = intent.Value.IntentId;
        foreach (var exchange in intent.Value.Exchanges)
        {
            var now = time.GetUtcNow();
            if (exchange.NextAttemptAt is { } next && next > now && exchange.State != IntentExchangeStates.Posted)
            {
                continue;
            }

            if (intent.Value.Status == IntentStatuses.Open && exchange.State == IntentExchangeStates.Pending)
            {
                var outcome = await TryAsync(() => link.PostIntentAsync(exchange.Exchange, intentKeys, intent.Value.Signed, intent.Value.Blocklist, ct));
                await intents.UpdateAsync(keys, id, v => v with { Exchanges = Replace(v.Exchanges, exchange.Exchange, e => Apply(e, outcome, now) with { State = outcome.Failure is null ? IntentExchangeStates.Posted : outcome.Refused ? IntentExchangeStates.Failed : IntentExchangeStates.Pending, PostedAt = outcome.Failure is null ? now : e.PostedAt }) }, ct);
                result = outcome.Failure is null ? result with { Posted = result.Posted + 1 } : result with { Failures = result.Failures + 1 };
                if (outcome.Failure is null)
                {
                    LogPosted(logger, session.VaultId);
                }
            }
            else if (intent.Value.Status == IntentStatuses.Open && exchange.State == IntentExchangeStates.Posted)
            {
                result = await PollAsync(session, intent, intentKeys, exchange, blocked, result, ct);
            }
            else if (exchange.DeletePending && !(intent.Value.Acceptance is { Delivered: false } pending && pending.Exchange == exchange.Exchange))
            {
                var outcome = await TryAsync(async () => { await link.WithdrawAsync(exchange.Exchange, intentKeys, id, ct); return Done; });
                await intents.UpdateAsync(keys, id, v => v with { Exchanges = Replace(v.Exchanges, exchange.Exchange, e => Apply(e, outcome, now) with { DeletePending = outcome.Failure is not null && !outcome.Refused }) }, ct);
                result = outcome.Failure is null ? result with { Deleted = result.Deleted + 1 } : result with { Failures = result.Failures + 1 };
            }
        }

        if (intent.Value.Acceptance is { Delivered: false, Exchange: { } acceptedAt, Envelope: { } envelope } acceptance
            && (acceptance.NextAttemptAt is null || acceptance.NextAttemptAt <= time.GetUtcNow()))
        {
            var now = time.GetUtcNow();
            var outcome = await TryAsync(async () => { await link.AcceptAsync(acceptedAt, intentKeys, id, acceptance.OfferId, envelope, ct); return Done; });
            await intents.UpdateAsync(keys, id, v => v.Acceptance is null ? null : v with
            {
                Acceptance = v.Acceptance with
                {
                    Delivered = outcome.Failure is null,
                    Attempts = outcome.Failure is null ? 0 : v.Acceptance.Attempts + 1,
                    NextAttemptAt = outcome.Failure is null || outcome.Refused ? null : now + Backoff(v.Acceptance.Attempts + 1),
                    LastError = outcome.Failure,

                    // A refused acceptance is not retried; the sealed envelope is kept as the record of what was sent.
                    Exchange = outcome.Refused ? null : v.Acceptance.Exchange,
                },

                // Accepting at an exchange deletes the intent there: no withdrawal is owed any more.
                Exchanges = outcome.Failure is null ? Replace(v.Exchanges, acceptedAt, e => e with { DeletePending = false }) : v.Exchanges,
            }, ct);
            result = outcome.Failure is null ? result : result with { Failures = result.Failures + 1 };
        }

        return result;
    }

    private async Task<IntentSyncResult> PollAsync(VaultSession session, IntentView intent, IntentKeys intentKeys, IntentExchangeValue exchange, HashSet<string> blocked, IntentSyncResult result, CancellationToken ct)
    {
        var keys = session.Keys;

        // Read again for each poll: the person may block a vendor while a pass runs over many intents.
        blocked.UnionWith((await intents.ListBlockedAsync(keys, ct)).Select(b => b.SignKey));
        var id = intent.Value.IntentId;
        var cursor = exchange.Cursor;
        var stored = 0;
        var refused = 0;
        var existing = await intents.ListOffersAsync(keys, id, ct);
        var relayIds = existing.Select(o => o.Value.OfferId).ToHashSet(StringComparer.Ordinal);
        var vendorOfferIds = existing.Select(o => (o.Value.Offer.Vendor.SignKey, o.Value.Offer.Id)).ToHashSet();
        string? failure = null;
        for (var page = 0; page < MaxPagesPerPoll; page++)
        {
            var outcome = await TryAsync(() => link.GetOffersAsync(exchange.Exchange, intentKeys, id, cursor, ct));
            if (outcome.Value is not { } offers)
            {
                failure = outcome.Failure;
                break;
            }

            foreach (var relayed in offers.Offers)
            {
                if (relayIds.Contains(relayed.OfferId))
                {
                    continue;
                }

                relayIds.Add(relayed.OfferId);
                if (blocked.Contains(relayed.VendorSignKey))
                {
                    continue;
                }

                var now = time.GetUtcNow();
                var signed = IntentCrypto.OpenSigned(relayed.Envelope, intentKeys.BoxKey, id);
                var document = signed is null ? null : IntentCrypto.VerifyOffer(signed, intent.Document, relayed.VendorSignKey);
                if (document is null || IntentRules.CheckOffer(document, intent.Document, now).Count > 0 || !vendorOfferIds.Add((document.Vendor.SignKey, document.Id)))
                {
                    refused++;
                    continue;
                }

                await intents.StoreOfferAsync(keys, new IntentOfferValue(id, relayed.OfferId, IntentOfferSources.Exchange, null, exchange.Exchange, document, signed, IntentOfferStatuses.Open, now, null), Actor.Owner, ct);
                stored++;
            }

            var more = offers.NextCursor is not null && offers.NextCursor != cursor && offers.Offers.Count > 0;
            cursor = offers.NextCursor ?? cursor;
            if (!more)
            {
                break;
            }
        }

        var polledAt = time.GetUtcNow();
        await intents.UpdateAsync(keys, id, v => v with
        {
            Refused = v.Refused + refused,
            Exchanges = Replace(v.Exchanges, exchange.Exchange, e => e with { Cursor = cursor, LastPolledAt = failure is null ? polledAt : e.LastPolledAt, LastError = failure }),
        }, ct);
        if (refused > 0)
        {
            LogRefused(logger, refused, session.VaultId);
        }

        return result with { OffersStored = result.OffersStored + stored, OffersRefused = result.OffersRefused + refused, Failures = result.Failures + (failure is null ? 0 : 1) };
    }

    private static IntentExchangeValue Apply<T>(IntentExchangeValue exchange, Outcome<T> outcome, DateTimeOffset now)
        where T : class =>
        outcome.Failure is null
            ? exchange with { Attempts = 0, NextAttemptAt = null, LastError = null }
            : exchange with { Attempts = exchange.Attempts + 1, NextAttemptAt = outcome.Refused ? null : now + Backoff(exchange.Attempts + 1), LastError = outcome.Failure };

    /// <summary>5 s after the first failure, doubling, at most 10 minutes.</summary>
    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromTicks(Math.Min(LongestRetry.Ticks, FirstRetry.Ticks * (1L << Math.Clamp(attempts - 1, 0, 20))));

    private static IReadOnlyList<IntentExchangeValue> Replace(IReadOnlyList<IntentExchangeValue> exchanges, string exchange, Func<IntentExchangeValue, IntentExchangeValue> change) =>
        [.. exchanges.Select(e => e.Exchange == exchange ? change(e) : e)];

    /// <summary>A call's result, or why it failed (in words, never a value of the intent) and whether that was a refusal for good.</summary>
    private static async Task<Outcome<T>> TryAsync<T>(Func<Task<T>> call)
        where T : class
    {
        try
        {
            return new Outcome<T>(await call(), null, false);
        }
        catch (ExchangeRefusedException e)
        {
            return new Outcome<T>(null, e.Message, true);
        }
        catch (HttpRequestException e)
        {
            return new Outcome<T>(null, e.StatusCode is { } status ? $"The exchange answered {(int)status}; trying again later." : "The exchange could not be reached; trying again later.", false);
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            return new Outcome<T>(null, "The exchange did not answer in time; trying again later.", false);
        }
    }

    private sealed record Outcome<T>(T? Value, string? Failure, bool Refused)
        where T : class;

    [LoggerMessage(Level = LogLevel.Information, Message = "An intent of vault {VaultId} was posted to an exchange.")]
    private static partial void LogPosted(ILogger logger, Guid vaultId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} offers on an intent of vault {VaultId} were refused (forged, for another intent, replayed, expired or invalid); they are not shown.")]
    private static partial void LogRefused(ILogger logger, int count, Guid vaultId);
}
