using System.Diagnostics;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Storage;
using Symbolon.Server.Errors;

namespace Symbolon.Server.Storage;

/// <summary>
/// Brings the database schema up to date when the server starts. It runs alongside the rest of start-up, so the
/// server answers liveness checks (<c>/healthz</c>) at once, while every other request waits until storage is ready
/// (<see cref="WaitUntilReadyAsync"/>). If storage cannot be brought up (a wrong connection string, a database
/// from a newer version) the error is logged and the server stops with exit code 1, as if start-up had failed.
/// </summary>
internal sealed partial class StorageInitializer(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<StorageInitializer> logger) : IHostedService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the schema is up to date; faults when it could not be brought up.</summary>
    public Task Ready => _ready.Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(() => InitializeAsync(lifetime.ApplicationStopping), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task InitializeAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var scope = services.CreateAsyncScope();
            await StorageSetup.MigrateAsync(scope.ServiceProvider.GetRequiredService<SymbolonDbContext>(), ct);
            var elapsed = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LogReady(logger, elapsed);
            _ready.TrySetResult();
        }
        catch (Exception e)
        {
            // Note: only the type is logged; a provider's message can quote the connection string.
            var type = e.GetType().FullName ?? "?";
            LogFailed(logger, type, e.StackTrace ?? "");
            _ready.TrySetException(e);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits until storage is ready; when it failed, answers 503 with a problem document instead.</summary>
    public async Task WaitUntilReadyAsync(HttpContext context)
    {
        try
        {
            await Ready.WaitAsync(context.RequestAborted);
        }
        catch (Exception) when (Ready.IsFaulted)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            var problem = ProblemCatalog.Create(ProblemCodes.Unexpected, 503, "Storage is not available.", "The server could not open its database; its log says why.");
            await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage ready in {ElapsedMilliseconds} ms")]
    private static partial void LogReady(ILogger logger, long elapsedMilliseconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Storage could not be brought up ({ExceptionType}); stopping. {StackTrace}")]
    private static partial void LogFailed(ILogger logger, string exceptionType, string stackTrace);
}
