using Microsoft.Extensions.Options;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Server.Hosting;
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
    IServiceScopeFactory scopes, StorageInitializer storage, TimeProvider time, IOptions<AccessLogOptions> options, ILogger<AccessLogCompactor> logger)
    : PeriodicJob(scopes, storage, time, logger)
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromHours(1);

    /// <summary>Where the next run starts: everything at first, then what aged since the last run.</summary>
    private DateTimeOffset _from = DateTimeOffset.MinValue;

    protected override TimeSpan Interval => CheckInterval;

    protected override string Work => "Folding the access log";

    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var before = Time.GetUtcNow() - options.Value.DetailWindow;
        var removed = await new AccessLogCompaction(services.GetRequiredService<SymbolonDbContext>()).CompactAsync(_from, before, ct);
        if (removed > 0)
        {
            LogFolded(Logger, removed);
        }

        // What aged since the last run, with a margin for an hour cut at its edge.
        _from = before - TimeSpan.FromDays(2);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Access log: {Removed} repeated reads older than the detail window folded into hourly lines.")]
    private static partial void LogFolded(ILogger logger, int removed);
}
