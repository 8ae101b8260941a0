using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Symbolon.Contracts.Statements;

namespace Symbolon.Core.Statements;

/// <summary>What bounds the person's queries; shown on the Query page and in every answer.</summary>
internal sealed record AnalyticsLimits(int MemoryLimitMiB, int Threads, TimeSpan Timeout)
{
    public static AnalyticsLimits Default { get; } = new(512, Math.Max(1, Math.Min(Environment.ProcessorCount, 4)), TransactionSql.DefaultTimeout);

    public SqlQueryLimits ToContract() => new(MemoryLimitMiB, Threads, (int)Timeout.TotalSeconds);
}

/// <summary>The vault's small tables (receipts, check-ins, loyalty events, profile fields), decrypted, and the stamp they were read at.</summary>
internal sealed record AnalyticsRecords(RecordsStamp Stamp, WalletRows Wallet, IReadOnlyList<ProfileFieldRow> ProfileFields, IReadOnlyList<LoyaltyEventRow> LoyaltyEvents);

/// <summary>How many records and record versions the vault had: any write, delete or purge changes it.</summary>
internal readonly record struct RecordsStamp(long Records, long Versions);

internal sealed record ProfileFieldRow(Guid Id, string Kind, string? Label, string Value, DateTimeOffset UpdatedAt);

internal sealed record LoyaltyEventRow(Guid Id, string Programme, DateTimeOffset At, string Kind, int Amount, int BalanceAfter, string? Reward, string? Note);

/// <summary>
/// One in-memory DuckDB database per unlocked vault, owned by its <see cref="Vaults.VaultSession"/>: the transactions
/// are copied in once (from the projection's columns, strings once each) and appended to on import; the small
/// record tables are read again only when a record was written since. Queries then run at DuckDB's own speed instead
/// of paying for a fresh database each time. Nothing decrypted touches the disk: the database is in memory, spilling
/// is off (<c>temp_directory = ''</c>), file, network and extension access are off and the configuration is locked
/// before the first statement of the person runs. Queries of one vault run one at a time.
/// </summary>
internal sealed class VaultAnalytics : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly DuckDBConnection _connection;
    // Note: never disposed, so that a query arriving after the lock still finds a token to link to (and then fails as disposed).
    private readonly CancellationTokenSource _closing = new();
    private bool _disposed;
    private int _loadedRows;
    private long _loadedCategoryVersion = -1;
    private int _loadedStrings;
    private RecordsStamp? _recordsStamp;

    public VaultAnalytics(AnalyticsLimits limits)
    {
        Limits = limits;
        _connection = new DuckDBConnection("DataSource=:memory:");
        _connection.Open();
        Execute("SET temp_directory = ''");
        Execute(string.Create(CultureInfo.InvariantCulture, $"SET memory_limit = '{limits.MemoryLimitMiB}MiB'"));
        Execute(string.Create(CultureInfo.InvariantCulture, $"SET threads = {limits.Threads}"));
        foreach (var table in TransactionSql.Tables)
        {
            Execute("CREATE TABLE " + table);
        }

        Execute("CREATE TABLE strings(i INTEGER, s VARCHAR)");
        Execute("CREATE TABLE merchant_names(i INTEGER, s VARCHAR)");
        Execute("CREATE TABLE batches(i INTEGER, id UUID)");
        Execute("CREATE TABLE transaction_columns(day INTEGER, amount DECIMAL(18,4), currency INTEGER, description INTEGER, merchant INTEGER, category INTEGER, account INTEGER, batch INTEGER)");
        foreach (var setting in TransactionSql.Lockdown)
        {
            Execute(setting);
        }
    }

    public AnalyticsLimits Limits { get; }

    /// <summary>How long the last copy of transactions took, and how many rows it copied (for the bench and logs).</summary>
    public (TimeSpan Elapsed, int Rows) LastCopy { get; private set; }

    /// <summary>Brings the transactions up to date with the projection: appends new rows, or copies all again after a recategorization.</summary>
    public async Task SyncAsync(TransactionProjection projection, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await Task.Run(() => SyncTransactions(projection), ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs the person's statement. <paramref name="stamp"/> says whether the record tables are current; when they
    /// are not, <paramref name="records"/> reads them again.
    /// </summary>
    public async Task<SqlQueryResult> QueryAsync(
        TransactionProjection projection, RecordsStamp stamp, Func<CancellationToken, Task<AnalyticsRecords>> records, string sql, int maxRows, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var statement = TransactionSql.Check(sql);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _closing.Token);
        ct = linked.Token;
        await _gate.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var started = Stopwatch.GetTimestamp();
            if (_recordsStamp != stamp)
            {
                var fresh = await records(ct);
                await Task.Run(() => LoadRecords(fresh), ct);
            }

            return await Task.Run(() =>
            {
                SyncTransactions(projection);
                TransactionSql.EnsureSingleSelect(_connection, statement);
                var result = TransactionSql.Execute(_connection, statement, maxRows, Limits.Timeout, ct);
                return result with { ElapsedMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds, Limits = Limits.ToContract() };
            }, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void SyncTransactions(TransactionProjection projection)
    {
        var rebuild = projection.CategoryVersion != _loadedCategoryVersion || projection.Count < _loadedRows;
        if (!rebuild && projection.Count == _loadedRows)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var columns = projection.CopyColumns(rebuild ? 0 : _loadedRows);
        if (rebuild)
        {
            Execute("DELETE FROM transactions");
            Execute("DELETE FROM strings");
            Execute("DELETE FROM merchant_names");
            Execute("DELETE FROM batches");
            _loadedStrings = 0;
        }

        // Distinct strings go in once each; the rows carry their indices and are joined with them in one statement
        // that DuckDB runs on every core, which is much faster than marshalling every row's text.
        AppendIndexed("strings", columns.Strings, _loadedStrings);
        Execute("DELETE FROM merchant_names");
        AppendIndexed("merchant_names", columns.MerchantNames, 0);
        Execute("DELETE FROM batches");
        using (var batches = _connection.CreateAppender("batches"))
        {
            for (var i = 0; i < columns.Batches.Length; i++)
            {
                batches.CreateRow().AppendValue(i).AppendValue(columns.Batches[i]).EndRow();
            }
        }

        using (var rows = _connection.CreateAppender("transaction_columns"))
        {
            for (var i = 0; i < columns.Count; i++)
            {
                rows.CreateRow()
                    .AppendValue(columns.Days[i])
                    .AppendValue(columns.Amounts[i])
                    .AppendValue(columns.Currency[i])
                    .AppendValue(columns.Description[i])
                    .AppendValue(columns.MerchantGroup[i])
                    .AppendValue(columns.Category[i])
                    .AppendValue(columns.Account[i])
                    .AppendValue(columns.Batch[i])
                    .EndRow();
            }
        }

        Execute("""
            INSERT INTO transactions
            SELECT DATE '1970-01-01' + (c.day - 719162), c.amount, cu.s, d.s, m.s, ca.s, a.s, b.id
            FROM transaction_columns c
            JOIN strings cu ON cu.i = c.currency
            JOIN strings d ON d.i = c.description
            JOIN merchant_names m ON m.i = c.merchant
            JOIN strings ca ON ca.i = c.category
            JOIN strings a ON a.i = c.account
            JOIN batches b ON b.i = c.batch
            """);
        Execute("DELETE FROM transaction_columns");
        _loadedStrings = columns.Strings.Length;
        _loadedRows = columns.End;
        _loadedCategoryVersion = columns.CategoryVersion;
        LastCopy = (Stopwatch.GetElapsedTime(started), columns.Count);
    }

    private void AppendIndexed(string table, string[] values, int from)
    {
        using var appender = _connection.CreateAppender(table);
        for (var i = from; i < values.Length; i++)
        {
            appender.CreateRow().AppendValue(i).AppendValue(values[i]).EndRow();
        }
    }

    private void LoadRecords(AnalyticsRecords records)
    {
        foreach (var table in new[] { "receipts", "receipt_lines", "check_ins", "loyalty_events", "profile_fields" })
        {
            Execute("DELETE FROM " + table);
        }

        TransactionSql.Load(_connection, records.Wallet);
        using (var fields = _connection.CreateAppender("profile_fields"))
        {
            foreach (var field in records.ProfileFields)
            {
                var row = fields.CreateRow().AppendValue(field.Id).AppendValue(field.Kind);
                row = field.Label is null ? row.AppendNullValue() : row.AppendValue(field.Label);
                row.AppendValue(field.Value).AppendValue(field.UpdatedAt.UtcDateTime).EndRow();
            }
        }

        using (var events = _connection.CreateAppender("loyalty_events"))
        {
            foreach (var e in records.LoyaltyEvents)
            {
                var row = events.CreateRow().AppendValue(e.Id).AppendValue(e.Programme).AppendValue(e.At.UtcDateTime).AppendValue(e.Kind).AppendValue(e.Amount).AppendValue(e.BalanceAfter);
                row = e.Reward is null ? row.AppendNullValue() : row.AppendValue(e.Reward);
                row = e.Note is null ? row.AppendNullValue() : row.AppendValue(e.Note);
                row.EndRow();
            }
        }

        _recordsStamp = records.Stamp;
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        // Note: a query in flight holds the gate; it is interrupted, and the connection is closed once it has stopped.
        // The memory DuckDB held for the decrypted rows is released with it.
        _closing.Cancel();
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _connection.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }
}
