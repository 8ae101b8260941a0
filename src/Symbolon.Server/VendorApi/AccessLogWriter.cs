using System.Threading.Channels;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;

namespace Symbolon.Server.VendorApi;

/// <summary>
/// Commits access-log lines of vendor calls in groups, and answers each caller only once its line is committed.
/// Every vendor read appends a line, so under concurrent reads every request is a write; SQLite has one writer at a
/// time and Microsoft.Data.Sqlite waits out a busy database by sleeping, so concurrent single-row inserts made each
/// read take around a hundred milliseconds. One writer committing whatever is queued in one transaction (group
/// commit) keeps the line durable before the response, like a direct insert, without the contention.
/// Writes that change data still log in their own transaction, so the line and the change commit together.
/// </summary>
internal sealed partial class AccessLogWriter(IServiceScopeFactory scopes, ILogger<AccessLogWriter> logger) : BackgroundService
{
    private const int MaxBatch = 512;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    private sealed record Pending(AccessLogEntity Entry, TaskCompletionSource Committed);

    /// <summary>Queues the line and completes when it is committed (or faults when the commit failed).</summary>
    public Task AppendAsync(AccessLogEntity entry)
    {
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(entry, committed)))
        {
            throw new InvalidOperationException("The server is stopping; the access log takes no more lines.");
        }

        return committed.Task;
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        // Lines already queued are still committed: the loop drains the queue before it ends.
        _queue.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
                db.AccessLog.AddRange(batch.Select(p => p.Entry));
                await db.SaveChangesAsync(CancellationToken.None);
                foreach (var pending in batch)
                {
                    pending.Committed.TrySetResult();
                }
            }
            catch (Exception e)
            {
                LogFailed(logger, batch.Count, e.GetType().Name);
                foreach (var pending in batch)
                {
                    pending.Committed.TrySetException(e);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not commit {Count} access-log lines ({ExceptionType}); their requests fail.")]
    private static partial void LogFailed(ILogger logger, int count, string exceptionType);
}

/// <summary>Access-log lines for vendor calls that change nothing (reads and refusals), committed in groups.</summary>
internal static class VendorAccessLog
{
    public static Task AppendAsync(HttpContext context, RelationshipEntity relationship, GrantEntity? grant, string action, IEnumerable<string> datatypes, bool allowed, int status)
    {
        var services = context.RequestServices;
        var entry = services.GetRequiredService<RelationshipService>().NewAccessLogEntry(relationship, grant, action, datatypes, allowed, status);
        return services.GetRequiredService<AccessLogWriter>().AppendAsync(entry);
    }
}
