using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Storage;
using Symbolon.Core.Webhooks;
using Symbolon.Server.Storage;

namespace Symbolon.Server.Webhooks;

/// <summary>
/// Runs the outbox: once storage is ready, fans the change log out into webhook messages and delivers what is due,
/// then sleeps until a nudge (<see cref="WebhookSignal"/>: something was committed), the next retry, or the poll
/// interval, whichever comes first. All waiting runs on <see cref="TimeProvider"/>, so tests move it with a fake clock.
/// </summary>
internal sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopes,
    StorageInitializer storage,
    WebhookSignal signal,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    /// <summary>How often the dispatcher looks without a nudge: for writes by another process (the CLI on the same data).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await storage.Ready.WaitAsync(stoppingToken);
        }
        catch (Exception) when (storage.Ready.IsFaulted)
        {
            // The storage initializer has logged why and is stopping the server.
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            DateTimeOffset? wakeAt;
            try
            {
                (var moreNow, wakeAt) = await RunRoundAsync(stoppingToken);
                if (moreNow)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Note: only the type; a provider's message can quote the connection string. The next round retries.
                LogRoundFailed(logger, e.GetType().FullName ?? "?", e.StackTrace ?? "");
                wakeAt = null;
            }

            await SleepAsync(wakeAt, stoppingToken);
        }
    }

    /// <summary>Fans out every vault's new changes, then delivers one round.</summary>
    private async Task<(bool MoreNow, DateTimeOffset? WakeAt)> RunRoundAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
        var vaults = await db.Vaults.AsNoTracking().Select(v => v.Id).ToListAsync(ct);
        foreach (var vault in vaults)
        {
            FanOutResult result;
            do
            {
                result = await WebhookOutbox.FanOutAsync(db, vault, time.GetUtcNow(), ct);
                if (result.Messages > 0)
                {
                    LogFannedOut(logger, vault, result.Changes, result.Messages);
                }
            }
            while (result.More);
        }

        var round = await scope.ServiceProvider.GetRequiredService<WebhookDelivery>().DeliverDueAsync(db, ct);
        if (round.Delivered + round.Failed + round.GivenUp > 0)
        {
            LogDelivered(logger, round.Delivered, round.Failed, round.GivenUp);
        }

        return (round.MoreDueNow, round.NextDueAt);
    }

    private async Task SleepAsync(DateTimeOffset? wakeAt, CancellationToken ct)
    {
        var delay = PollInterval;
        if (wakeAt is { } due)
        {
            var untilDue = due - time.GetUtcNow();
            delay = untilDue <= TimeSpan.Zero ? TimeSpan.Zero : untilDue < delay ? untilDue : delay;
        }

        using var wake = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var nudged = signal.WaitAsync(wake.Token);
        var timer = Task.Delay(delay, time, wake.Token);
        await Task.WhenAny(nudged, timer);

        // Note: the loser is cancelled so that a fake clock does not pile up timers, and a pending read does not
        // swallow the next nudge.
        await wake.CancelAsync();
        try
        {
            await Task.WhenAll(nudged, timer);
        }
        catch (OperationCanceledException)
        {
            // The one that lost, cancelled just above (or the server is stopping, which the loop checks).
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhooks: {Changes} change-log entries fanned out for vault {VaultId} into {Messages} messages")]
    private static partial void LogFannedOut(ILogger logger, Guid vaultId, int changes, int messages);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhooks: {Delivered} delivered, {Failed} failed (will retry), {GivenUp} given up")]
    private static partial void LogDelivered(ILogger logger, int delivered, int failed, int givenUp);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhooks: a dispatch round failed ({ExceptionType}); retrying. {StackTrace}")]
    private static partial void LogRoundFailed(ILogger logger, string exceptionType, string stackTrace);
}
