using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Server.Inbox;

namespace Symbolon.Server.VendorApi;

/// <summary>
/// Commits the access-log lines of vendor calls that change nothing. A refusal's line is committed before the caller is
/// answered, in groups: one writer commits whatever is queued in one transaction (SQLite has one writer at a time, and
/// concurrent single-row inserts made each call wait for the database). An allowed read's line is folded instead: reads
/// of the same relationship, grant, action, datatypes and status within one UTC hour are counted in memory, and every
/// <see cref="FlushInterval"/> each such count becomes one line with its <see cref="AccessLogEntity.Count"/> and
/// <see cref="AccessLogEntity.LastAt"/>, the shape <see cref="AccessLogCompaction"/> gives old lines. Committing a line
/// before every read's response was half of what an authorized read cost.
/// </summary>
/// <remarks>
/// The trade-off, documented in docs/architecture.md: a read is answered before its line is committed, so a crash of
/// the server process loses at most the reads of the last <see cref="FlushInterval"/> (a normal stop commits them, see
/// <see cref="StopAsync"/>). Reading the log (<see cref="FlushAsync"/>, which the owner's views call first) commits
/// what is pending, so the person always sees their latest reads. Writes that change data still log in their own
/// transaction, so the line and the change commit together.
/// </remarks>
internal sealed partial class AccessLogWriter(IServiceScopeFactory scopes, TimeProvider time, ILogger<AccessLogWriter> logger) : BackgroundService, IPendingAccessLog
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private const int MaxBatch = 512;

    /// <summary>How often a folded line is tried again after its commit failed, before it is given up (and logged as lost).</summary>
    private const int MaxAttempts = 5;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<FoldKey, FoldedReads> _folded = new();
    private readonly ConcurrentQueue<Pending> _retry = new();

    /// <summary>Taken while folded reads are moved to the queue, so that a flush's marker follows every line folded before it.</summary>
    private readonly Lock _flushGate = new();
    private bool _stopped;

    /// <summary>
    /// A line to commit: a refusal's (<paramref name="Committed"/> completes when it is committed), a folded line
    /// (<paramref name="Committed"/> null; tried again after a failed commit), or a marker with no line that completes
    /// once everything queued before it is committed.
    /// </summary>
    private sealed record Pending(AccessLogEntity? Entry, TaskCompletionSource? Committed, int Attempt = 1);

    /// <summary>What makes two allowed reads the same line (the relationship and grant fix the vault and the purpose).</summary>
    private readonly record struct FoldKey(Guid RelationshipId, Guid? GrantId, string Action, string Datatypes, int Status, long Hour);

    /// <summary>The reads one key counted since the last flush; locked while counted, and taken (closed) by a flush.</summary>
    private sealed class FoldedReads(RelationshipEntity relationship, GrantEntity? grant, DateTimeOffset first)
    {
        public RelationshipEntity Relationship { get; } = relationship;
        public GrantEntity? Grant { get; } = grant;
        public DateTimeOffset First { get; } = first;
        public DateTimeOffset Last { get; set; } = first;
        public int Count { get; set; }
        public bool Taken { get; set; }
    }

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

    /// <summary>Counts an allowed read; its line is committed with the next flush, within <see cref="FlushInterval"/>.</summary>
    public void Fold(RelationshipEntity relationship, GrantEntity? grant, string action, string datatypes, int status, DateTimeOffset at)
    {
        var key = new FoldKey(relationship.Id, grant?.Id, action, datatypes, status, at.ToUnixTimeSeconds() / 3600);
        while (true)
        {
            var reads = _folded.GetOrAdd(key, static (_, state) => new FoldedReads(state.relationship, state.grant, state.at), (relationship, grant, at));
            lock (reads)
            {
                if (!reads.Taken)
                {
                    reads.Count++;
                    if (at > reads.Last)
                    {
                        reads.Last = at;
                    }

                    return;
                }
            }

            // A flush took this count between the look-up and the lock: start the key's next one.
            _folded.TryRemove(new KeyValuePair<FoldKey, FoldedReads>(key, reads));
        }
    }

    /// <summary>
    /// Commits the folded reads and completes once every line queued before the call is committed: the owner's views of
    /// the log call it first, so a read the vendor was answered for is in the log the person looks at.
    /// </summary>
    public Task FlushAsync()
    {
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_flushGate)
        {
            QueueFolded();
            if (!_queue.Writer.TryWrite(new Pending(null, marker)))
            {
                // Stopping: StopAsync queued the folded reads already, and the writer commits them before it ends.
                return Task.CompletedTask;
            }
        }

        return marker.Task;
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        // Folded reads and lines already queued are still committed: the loop drains the queue before it ends.
        lock (_flushGate)
        {
            QueueFolded();
            _stopped = true;
            _queue.Writer.TryComplete();
        }

        return base.StopAsync(cancellationToken);
    }

    /// <summary>Moves every folded count into the queue as one line each. Called under <see cref="_flushGate"/>.</summary>
    private void QueueFolded()
    {
        if (_stopped)
        {
            return;
        }

        while (_retry.TryDequeue(out var again))
        {
            _queue.Writer.TryWrite(again);
        }

        foreach (var (key, reads) in _folded)
        {
            int count;
            DateTimeOffset last;
            lock (reads)
            {
                reads.Taken = true;
                (count, last) = (reads.Count, reads.Last);
            }

            _folded.TryRemove(new KeyValuePair<FoldKey, FoldedReads>(key, reads));
            if (count == 0)
            {
                continue;
            }

            var entry = RelationshipService.NewAccessLogEntry(reads.First, reads.Relationship, reads.Grant, key.Action, key.Datatypes, allowed: true, key.Status);
            entry.Count = count;
            entry.LastAt = count > 1 ? last : null;
            _queue.Writer.TryWrite(new Pending(entry, null));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ticker = TickAsync(stoppingToken);
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
                    if (batch.Exists(p => p.Entry is not null))
                    {
                        writer ??= await Writer.OpenAsync(scopes);
                        await writer.CommitAsync(batch);
                    }

                    foreach (var pending in batch)
                    {
                        pending.Committed?.TrySetResult();
                    }
                }
                catch (Exception e)
                {
                    LogFailed(logger, batch.Count, e.GetType().Name);
                    var lost = 0;
                    foreach (var pending in batch)
                    {
                        if (pending.Entry is not null && pending.Committed is null)
                        {
                            // A folded read's caller was answered already; its line is tried again with the next flush.
                            if (pending.Attempt < MaxAttempts)
                            {
                                _retry.Enqueue(pending with { Attempt = pending.Attempt + 1 });
                            }
                            else
                            {
                                lost += pending.Entry.Count;
                            }
                        }
                        else
                        {
                            pending.Committed?.TrySetException(e);
                        }
                    }

                    if (lost > 0)
                    {
                        LogLost(logger, lost, MaxAttempts);
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

            await ticker;
        }
    }

    /// <summary>Flushes the folded reads every <see cref="FlushInterval"/> until the server stops.</summary>
    private async Task TickAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(FlushInterval, time, stoppingToken);
                lock (_flushGate)
                {
                    QueueFolded();
                }
            }
        }
        catch (OperationCanceledException)
        {
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
                if (pending.Entry is null)
                {
                    continue;
                }

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

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not commit {Count} access-log lines ({ExceptionType}); refusals' requests fail, folded reads are tried again.")]
    private static partial void LogFailed(ILogger logger, int count, string exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up on the access-log lines of {Reads} vendor reads after {Attempts} failed commits.")]
    private static partial void LogLost(ILogger logger, int reads, int attempts);
}

/// <summary>
/// Access-log lines for vendor calls that change nothing: an allowed read is folded and committed within a second
/// (<see cref="AccessLogWriter.Fold"/>), a refusal is committed before the caller is answered.
/// </summary>
internal static class VendorAccessLog
{
    public static Task AppendAsync(HttpContext context, RelationshipEntity relationship, GrantEntity? grant, string action, IEnumerable<string> datatypes, bool allowed, int status)
    {
        var services = context.RequestServices;
        var time = services.GetRequiredService<TimeProvider>();
        var writer = services.GetRequiredService<AccessLogWriter>();
        if (allowed && status != StatusCodes.Status202Accepted)
        {
            // Unattended mode: a use of the key with nobody signed in is counted for the person to see.
            services.GetRequiredService<Inbox.KeyUseTally>().Note(
                services.GetRequiredService<Core.Vaults.IVaultSessions>().Find(relationship.VaultId), relationship.Id, !HttpMethods.IsGet(context.Request.Method), time.GetUtcNow());
        }

        if (context.Replay() is not null)
        {
            // Applying the inbox: the line joins the batch's transaction (the writer's own connection would wait for it).
            var db = services.GetRequiredService<Core.Storage.SymbolonDbContext>();
            db.AccessLog.Add(RelationshipService.NewAccessLogEntry(time, relationship, grant, action, datatypes, allowed, status));
            return db.SaveChangesAsync(context.RequestAborted);
        }

        if (AccessLogCompaction.IsFoldable(action, allowed))
        {
            writer.Fold(relationship, grant, action, string.Join(',', datatypes), status, time.GetUtcNow());
            return Task.CompletedTask;
        }

        return writer.AppendAsync(RelationshipService.NewAccessLogEntry(time, relationship, grant, action, datatypes, allowed, status));
    }
}
