using Symbolon.Core.Requests;
using Symbolon.Core.Storage;
using Symbolon.Server.Storage;

namespace Symbolon.Server.Requests;

/// <summary>
/// Makes each vault's daily request summary (open and overdue requests) at the first check of every UTC day. It checks
/// hourly on <see cref="TimeProvider"/>, so tests move it with a fake clock.
/// </summary>
internal sealed partial class RequestSummaryJob(IServiceScopeFactory scopes, StorageInitializer storage, TimeProvider time, ILogger<RequestSummaryJob> logger) : BackgroundService
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

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await RequestDailySummaries.RunAsync(scope.ServiceProvider.GetRequiredService<SymbolonDbContext>(), time.GetUtcNow(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Only the type: a provider's message can quote the connection string. The next check retries.
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The daily request summary failed ({ExceptionType}); it is tried again within the hour.")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
