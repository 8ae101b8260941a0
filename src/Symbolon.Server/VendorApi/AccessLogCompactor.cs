using Microsoft.Extensions.Options;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Server.Storage;

namespace Symbolon.Server.VendorApi;

/// <summary>How long every vendor call keeps an access-log line of its own (<c>AccessLog:DetailDays</c>, default 7).</summary>
internal sealed class AccessLogOptions
{
    public double DetailDays { get; set; } = AccessLogCompaction.DefaultDetailWindow.TotalDays;

    public TimeSpan DetailWindow => TimeSpan.FromDays(Math.Max(1, DetailDays));
}

/// <summary>
/// Folds repeated vendor reads older than the detail window (<see cref="AccessLogCompaction"/>): everything older at
/// start, then every hour the two days that have aged since, on <see cref="TimeProvider"/> so tests move it with a fake
/// clock.
/// </summary>
internal sealed partial class AccessLogCompactor(
    IServiceScopeFactory scopes, StorageInitializer storage, TimeProvider time, IOptions<AccessLogOptions> options, ILogger<AccessLogCompactor> logger) : BackgroundService
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await storage.Ready.WaitAsync(stoppingToken);
        }
        catch (Exception) when (storage.Ready.IsFaulted)
        {
            return;
        }

        var from = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var before = time.GetUtcNow() - options.Value.DetailWindow;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var removed = await new AccessLogCompaction(scope.ServiceProvider.GetRequiredService<SymbolonDbContext>()).CompactAsync(from, before, stoppingToken);
                if (removed > 0)
                {
                    LogFolded(logger, removed);
                }

                // What aged since the last run, with a margin for an hour cut at its edge.
                from = before - TimeSpan.FromDays(2);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Only the type: a provider's message can quote the connection string. The next run retries.
                LogFailed(logger, e.GetType().FullName ?? "?");
            }

            try
            {
                await Task.Delay(CheckInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Access log: {Removed} repeated reads older than the detail window folded into hourly lines.")]
    private static partial void LogFolded(ILogger logger, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Folding the access log failed ({ExceptionType}); it is tried again within the hour.")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
