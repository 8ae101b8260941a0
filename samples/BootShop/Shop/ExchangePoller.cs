using BootShop.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Symbolon.Intents;

namespace BootShop.Shop;

/// <summary>
/// The shop's round: registers at the exchange on first start, reads the intent feed and the events feed from where
/// it left off (so nothing is lost when webhooks cannot reach the shop, or while it was down), and deletes intents
/// that expired. Runs every <see cref="ShopOptions.PollSeconds"/>, and at once when Settings asks.
/// </summary>
public sealed class ExchangePoller(
    IDbContextFactory<ShopDb> dbs,
    ExchangeConnection exchange,
    OfferDesk offers,
    OrderDesk orders,
    IOptions<ShopOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ExchangePoller> logger) : BackgroundService
{
    private readonly SemaphoreSlim _nudge = new(0, 1);

    /// <summary>Runs a round now instead of at the next tick.</summary>
    public void Nudge()
    {
        try
        {
            _nudge.Release();
        }
        catch (SemaphoreFullException)
        {
            // A round is already asked for.
        }
    }

    /// <summary>
    /// Why the last round could not even register at the exchange (no registration row to keep it on), in a sentence;
    /// null after a round that got through.
    /// </summary>
    public string? RegistrationError { get; private set; }

    /// <summary>How long the rounds leave registration alone after it failed (Settings can try at once).</summary>
    public static readonly TimeSpan RegistrationBackoff = TimeSpan.FromMinutes(1);

    private DateTimeOffset _registerAfter = DateTimeOffset.MinValue;

    /// <summary>One round; returns the error it met, in a sentence, or null.</summary>
    public Task<string?> RunOnceAsync(CancellationToken cancellationToken) => RunAsync(force: true, cancellationToken);

    private async Task<string?> RunAsync(bool force, CancellationToken cancellationToken)
    {
        if (!force && RegistrationError is not null && time.GetUtcNow() < _registerAfter)
        {
            return RegistrationError;
        }

        await SweepAsync(cancellationToken);
        (ExchangeRegistration Registration, ExchangeVendorClient Client)? connection;
        try
        {
            connection = await exchange.ConnectAsync(cancellationToken);
        }
        catch (Exception e) when (ShopErrors.Describe(e, "the exchange") is { } why)
        {
            RegistrationError = "Registering at the exchange failed: " + why;
            ShopLog.RegistrationFailed(logger, why);

            // Exchanges limit registrations per address: a shop that keeps failing waits before it tries again.
            var wait = e is ExchangeProblemException { RetryAfter: { } retryAfter } ? retryAfter : RegistrationBackoff;
            _registerAfter = time.GetUtcNow() + (wait > RegistrationBackoff ? wait : RegistrationBackoff);
            return RegistrationError;
        }

        RegistrationError = null;
        if (connection is not { } c)
        {
            return null;
        }

        string? error = null;
        try
        {
            await ReadFeedAsync(c.Registration, c.Client, cancellationToken);
            await ReadEventsAsync(c.Registration, c.Client, cancellationToken);
        }
        catch (Exception e) when (ShopErrors.Describe(e, "the exchange") is { } why)
        {
            error = why;
            ShopLog.PollFailed(logger, c.Registration.ExchangeUrl, why);
        }

        await exchange.RecordAsync(c.Registration.Id, error, cancellationToken);
        return error;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Clamp(options.Value.PollSeconds, 0.2, 3600));

        // The first round registers the shop with its webhook address, which is known only once the server listens.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunAsync(force: false, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                ShopLog.HandlingFailed(logger, e, "the exchange round");
            }

            try
            {
                await _nudge.WaitAsync(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _nudge.Dispose();
        base.Dispose();
    }

    private async Task ReadFeedAsync(ExchangeRegistration registration, ExchangeVendorClient client, CancellationToken cancellationToken)
    {
        var cursor = registration.FeedCursor;
        while (true)
        {
            var page = await client.GetFeedAsync(cursor, 50, cancellationToken);
            foreach (var intent in page.Intents)
            {
                await offers.HandleAsync(intent, "feed", cancellationToken);
            }

            if (page.Intents.Count == 0 || page.NextCursor is null || page.NextCursor == cursor)
            {
                break;
            }

            cursor = page.NextCursor;
            await SaveCursorAsync(registration.Id, feed: cursor, events: null, cancellationToken);
        }
    }

    private async Task ReadEventsAsync(ExchangeRegistration registration, ExchangeVendorClient client, CancellationToken cancellationToken)
    {
        var cursor = registration.EventsCursor;
        while (true)
        {
            var page = await client.GetEventsAsync(cursor, cancellationToken);
            foreach (var exchangeEvent in page.Events)
            {
                await orders.HandleAsync(exchangeEvent, cancellationToken);
            }

            if (page.Events.Count == 0 || page.NextCursor is null || page.NextCursor == cursor)
            {
                break;
            }

            cursor = page.NextCursor;
            await SaveCursorAsync(registration.Id, feed: null, events: cursor, cancellationToken);
        }
    }

    private async Task SaveCursorAsync(int registrationId, string? feed, string? events, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var registration = await db.Exchanges.SingleAsync(e => e.Id == registrationId, cancellationToken);
        registration.FeedCursor = feed ?? registration.FeedCursor;
        registration.EventsCursor = events ?? registration.EventsCursor;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// The intent agreement: an intent is deleted when it expires, and an offer that was not accepted with it. Orders
    /// (accepted offers) stay: they are the shop's business with a customer now.
    /// </summary>
    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await db.Intents.Where(i => i.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        await db.Offers.Where(o => o.Status != OfferStatuses.Accepted && o.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);

        // A redelivery comes within the exchange's retry window (days), not weeks later.
        var old = now.AddDays(-7);
        await db.Webhooks.Where(w => w.ReceivedAt < old).ExecuteDeleteAsync(cancellationToken);
    }
}
