using Symbolon.Core.Requests;
using Symbolon.Core.Storage;
using Symbolon.Server.Hosting;
using Symbolon.Server.Storage;

namespace Symbolon.Server.Requests;

/// <summary>
/// Makes each vault's daily request summary (open and overdue requests) at the first check of every UTC day. It checks
/// hourly on <see cref="TimeProvider"/>, so tests move it with a fake clock.
/// </summary>
internal sealed class RequestSummaryJob(IServiceScopeFactory scopes, StorageInitializer storage, TimeProvider time, ILogger<RequestSummaryJob> logger)
    : PeriodicJob(scopes, storage, time, logger)
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromHours(1);

    protected override TimeSpan Interval => CheckInterval;

    protected override string Work => "The daily request summary";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) =>
        RequestDailySummaries.RunAsync(services.GetRequiredService<SymbolonDbContext>(), Time.GetUtcNow(), ct);
}
