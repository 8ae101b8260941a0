using Symbolon.Server.Storage;

namespace Symbolon.Server.Hosting;

/// <summary>
/// Work the server does on a clock: once storage is ready, then again <see cref="Interval"/> after each run ends, on
/// <see cref="TimeProvider"/> so that tests move it with a fake clock. Each run gets a scope (and so a database
/// context) of its own. A failed run is logged by its exception type only, since a provider's message can quote the
/// connection string, and the next run tries again.
/// </summary>
internal abstract partial class PeriodicJob(IServiceScopeFactory scopes, StorageInitializer storage, TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected ILogger Logger { get; } = logger;

    /// <summary>The wait between the end of one run and the start of the next.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>What a run does, as the start of a log line ("Folding the access log").</summary>
    protected abstract string Work { get; }

    /// <summary>One run, with the services of its own scope.</summary>
    protected abstract Task RunAsync(IServiceProvider services, CancellationToken ct);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
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
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await RunAsync(scope.ServiceProvider, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(Logger, Work, e.GetType().FullName ?? "?", Interval);
            }

            try
            {
                await Task.Delay(Interval, Time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Work} failed ({ExceptionType}); it is tried again in {Interval}.")]
    private static partial void LogFailed(ILogger logger, string work, string exceptionType, TimeSpan interval);
}
