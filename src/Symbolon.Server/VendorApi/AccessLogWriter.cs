using System.Data.Common;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
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
        Writer? writer = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                try
                {
                    writer ??= await Writer.OpenAsync(scopes);
                    await writer.CommitAsync(batch);
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

                    // The connection may be what failed (a restarted database server): the next group opens a new one.
                    if (writer is not null)
                    {
                        await writer.DisposeAsync();
                        writer = null;
                    }
                }
            }
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// One database context and connection kept open for the writer's lifetime, with one prepared <c>INSERT</c>: opening
    /// a scope, a context and a connection for each group cost more than inserting the group, and EF Core's change
    /// tracking and per-save command building were then the largest part of a vendor read. The statement is built from
    /// EF Core's model of <c>access_log</c> (table, columns, and each column's type mapping with its value converter), so
    /// its rows are exactly what <c>SaveChanges</c> would write. Its lines are committed without waiting for the disk to
    /// flush them. A committed line survives the server process crashing (it is in the database's log, handed to the
    /// operating system); only a power loss or kernel crash right after the commit could lose the last lines, until the
    /// next fully synchronous commit or checkpoint flushes them. Waiting for a flush on every group made each vendor read
    /// wait for the disk and capped reads at a few hundred per second. Data changes keep fully synchronous commits: only
    /// these lines of reads and refusals, which change nothing, are committed this way, on this connection alone
    /// (SQLite's <c>synchronous=NORMAL</c>, safe from corruption in WAL mode; PostgreSQL's <c>synchronous_commit=off</c>).
    /// </summary>
    private sealed class Writer(AsyncServiceScope scope, SymbolonDbContext db, DbCommand insert, Column[] columns) : IAsyncDisposable
    {
        public static async Task<Writer> OpenAsync(IServiceScopeFactory scopes)
        {
            var scope = scopes.CreateAsyncScope();
            try
            {
                var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
                await db.Database.OpenConnectionAsync(CancellationToken.None);
                await db.Database.ExecuteSqlRawAsync(db.StorageProvider.RelaxedDurabilitySql, CancellationToken.None);
                var (insert, columns) = PrepareInsert(db);
                return new Writer(scope, db, insert, columns);
            }
            catch
            {
                await scope.DisposeAsync();
                throw;
            }
        }

        public async Task CommitAsync(List<Pending> batch)
        {
            var connection = db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            insert.Transaction = transaction;
            foreach (var pending in batch)
            {
                foreach (var column in columns)
                {
                    column.Parameter.Value = column.ValueOf(pending.Entry);
                }

                await insert.ExecuteNonQueryAsync(CancellationToken.None);
            }

            await transaction.CommitAsync(CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await insert.DisposeAsync();

                // The connection goes back to the pool, where other work expects SQLite's full synchronous mode
                // (Npgsql resets session settings itself when a connection returns to its pool).
                if (db.StorageProvider.RestoreDurabilitySql is { } restore)
                {
                    await db.Database.ExecuteSqlRawAsync(restore, CancellationToken.None);
                }
            }
            catch (Exception e) when (e is DbException or InvalidOperationException)
            {
                // A broken connection is discarded by the pool anyway.
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
                await scope.DisposeAsync();
            }
        }

        private static (DbCommand Insert, Column[] Columns) PrepareInsert(SymbolonDbContext db)
        {
            var entity = db.Model.FindEntityType(typeof(AccessLogEntity)) ?? throw new InvalidOperationException("The model has no access log.");
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var sql = db.GetService<ISqlGenerationHelper>();
            var properties = entity.GetProperties().ToArray();
            if (properties.FirstOrDefault(p => p.IsShadowProperty()) is { } shadow)
            {
                throw new InvalidOperationException($"The access log's column {shadow.Name} has no property to read it from.");
            }

            var command = db.Database.GetDbConnection().CreateCommand();
            var columns = new Column[properties.Length];
            for (var i = 0; i < properties.Length; i++)
            {
                var property = properties[i];
                var mapping = property.GetRelationalTypeMapping();
                var parameter = mapping.CreateParameter(command, "p" + i.ToString(CultureInfo.InvariantCulture), null, property.IsNullable);

                // Named exactly as in the statement text (with its prefix), so that SQLite finds the parameter at the
                // first lookup on every execution instead of trying each prefix in turn.
                parameter.ParameterName = sql.GenerateParameterNamePlaceholder(parameter.ParameterName);
                command.Parameters.Add(parameter);
                var getter = property.GetGetter();
                var converter = mapping.Converter;
                columns[i] = new Column(parameter, entry => getter.GetClrValueUsingContainingEntity(entry) is { } value
                    ? converter is null ? value : converter.ConvertToProvider(value) ?? DBNull.Value
                    : DBNull.Value);
            }

            command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) "
                + $"VALUES ({string.Join(", ", properties.Select((_, i) => sql.GenerateParameterNamePlaceholder("p" + i.ToString(CultureInfo.InvariantCulture))))})";
            command.Prepare();
            return (command, columns);
        }
    }

    /// <summary>One column of the prepared insert: its parameter and how an entry's value becomes the provider's value.</summary>
    private sealed record Column(DbParameter Parameter, Func<AccessLogEntity, object> ValueOf);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not commit {Count} access-log lines ({ExceptionType}); their requests fail.")]
    private static partial void LogFailed(ILogger logger, int count, string exceptionType);
}

/// <summary>Access-log lines for vendor calls that change nothing (reads and refusals), committed in groups.</summary>
internal static class VendorAccessLog
{
    public static Task AppendAsync(HttpContext context, RelationshipEntity relationship, GrantEntity? grant, string action, IEnumerable<string> datatypes, bool allowed, int status)
    {
        var services = context.RequestServices;
        var entry = RelationshipService.NewAccessLogEntry(services.GetRequiredService<TimeProvider>(), relationship, grant, action, datatypes, allowed, status);
        return services.GetRequiredService<AccessLogWriter>().AppendAsync(entry);
    }
}
