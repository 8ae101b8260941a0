using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
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
/// go in as the projection is filled on unlock (<see cref="BeginLoadAsync"/>), or are copied from the projection's
/// columns (after a recategorization, or when the load could not fill it), and are appended to on import; the small
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
        var rows = projection.AnalyticsRows(rebuild ? 0 : _loadedRows);
        if (rebuild)
        {
            Execute("DELETE FROM transactions");
        }

        AppendTransactions(rows);
        _loadedRows = rows.End;
        _loadedCategoryVersion = rows.CategoryVersion;
        LastCopy = (Stopwatch.GetElapsedTime(started), rows.Count);
    }

    private void AppendTransactions(AnalyticsRows rows)
    {
        using var strings = new DuckDBStrings();
        using var merchantNames = new DuckDBStrings();
        strings.AddFrom(rows.Strings);
        merchantNames.AddFrom(rows.MerchantNames);
        var batches = rows.Batches.Select(ToDuckDBUuid).ToArray();
        using var appender = new DuckDBVectorAppender(_connection, "transactions");
        var count = rows.Count;
        WriteRows(
            appender, strings, merchantNames, batches,
            rows.Days.AsSpan(rows.From, count), rows.Amounts.AsSpan(rows.From, count), rows.Currency.AsSpan(rows.From, count), rows.Description.AsSpan(rows.From, count),
            rows.Merchant.AsSpan(rows.From, count), rows.Category, rows.Account.AsSpan(rows.From, count), rows.Batch.AsSpan(rows.From, count));
        appender.Close();
    }

    // The rows go straight into DuckDB's vectors in its physical types: day numbers as DATE (days since
    // 1970-01-01), amounts as DECIMAL(18,4) (ten-thousandths, cut off past the fourth decimal as DuckDB.NET's
    // appender does), import ids as UUID, and each text as a reference to the UTF-8 of its distinct string, made
    // once per string rather than once per row. A row without a merchant shows its description's merchant name.
    // Called with loops over every row: compiled fully optimized at once instead of starting in tier 0.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void WriteRows(
        DuckDBVectorAppender appender, DuckDBStrings text, DuckDBStrings merchantName, DuckDBHugeInt[] batches,
        ReadOnlySpan<int> days, ReadOnlySpan<decimal> amounts, ReadOnlySpan<int> currencies, ReadOnlySpan<int> descriptions,
        ReadOnlySpan<int> merchants, ReadOnlySpan<int> categories, ReadOnlySpan<int> accounts, ReadOnlySpan<int> batchOfRow)
    {
        const int UnixEpochDayNumber = 719162;
        var size = DuckDBVectorAppender.VectorSize;
        for (var start = 0; start < days.Length; start += size)
        {
            var count = Math.Min(size, days.Length - start);
            var day = appender.Column<int>(0);
            var amount = appender.Column<long>(1);
            var currency = appender.Column<DuckDBString>(2);
            var description = appender.Column<DuckDBString>(3);
            var merchant = appender.Column<DuckDBString>(4);
            var category = appender.Column<DuckDBString>(5);
            var account = appender.Column<DuckDBString>(6);
            var importId = appender.Column<DuckDBHugeInt>(7);
            for (var i = 0; i < count; i++)
            {
                var at = start + i;
                day[i] = days[at] - UnixEpochDayNumber;
                amount[i] = (long)decimal.Multiply(amounts[at], 10_000m);
                currency[i] = text[currencies[at]];
                description[i] = text[descriptions[at]];
                merchant[i] = merchantName[merchants[at] >= 0 ? merchants[at] : descriptions[at]];
                category[i] = text[categories[at]];
                account[i] = text[accounts[at]];
                importId[i] = batches[batchOfRow[at]];
            }

            appender.Append(count);
        }
    }

    /// <summary>
    /// Loads the transactions of a projection being filled as its rows come (see <see cref="TransactionProjection.Fill"/>),
    /// holding the database until it is completed or disposed; null when the database holds transactions already.
    /// </summary>
    public async Task<AnalyticsLoad?> BeginLoadAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        if (_disposed || _loadedRows != 0 || _loadedCategoryVersion != -1)
        {
            _gate.Release();
            return null;
        }

        return new AnalyticsLoad(this);
    }

    /// <summary>One load of a projection's rows as they are filled; see <see cref="BeginLoadAsync"/>.</summary>
    internal sealed class AnalyticsLoad(VaultAnalytics analytics) : IFilledRows, IDisposable
    {
        private readonly DuckDBStrings _strings = new();
        private readonly DuckDBStrings _merchantNames = new();
        private DuckDBHugeInt[] _batches = [];
        private DuckDBVectorAppender? _appender = new(analytics._connection, "transactions");
        private int _rows;
        private bool _done;

        public void Append(FilledRows rows)
        {
            // A vault locking meanwhile stops the load rather than waiting for it.
            analytics._closing.Token.ThrowIfCancellationRequested();
            _strings.AddFrom(rows.Strings);
            _merchantNames.AddFrom(rows.MerchantNames);
            if (_batches.Length != rows.Batches.Count)
            {
                _batches = [.. rows.Batches.Select(ToDuckDBUuid)];
            }

            WriteRows(
                _appender ?? throw new ObjectDisposedException(nameof(AnalyticsLoad)), _strings, _merchantNames, _batches,
                rows.Days, rows.Amounts, rows.Currency, rows.Description, rows.Merchant, rows.Category, rows.Account, rows.Batch);
            _rows += rows.Count;
        }

        /// <summary>
        /// Flushes the rows into the table and records that it holds the projection's first <paramref name="rows"/>
        /// transactions as of <paramref name="categoryVersion"/> (taken before anyone could recategorize them); when
        /// it did not receive every row, empties the table instead, for the next query to copy them as usual.
        /// </summary>
        public void Complete(int rows, long categoryVersion, bool tookAll)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                _appender?.Close();
                if (tookAll && _rows == rows)
                {
                    analytics._loadedRows = _rows;
                    analytics._loadedCategoryVersion = categoryVersion;
                    analytics.LastCopy = (Stopwatch.GetElapsedTime(started), _rows);
                    _done = true;
                }
            }
#pragma warning disable CA1031 // Runs after the projection was handed out; the table is emptied and the next query copies the rows as usual.
            catch (Exception)
#pragma warning restore CA1031
            {
                _done = false;
            }
            finally
            {
                Dispose();
            }
        }

        public void Dispose()
        {
            if (_appender is null)
            {
                return;
            }

            try
            {
                _appender.Dispose();
                _appender = null;
                if (!_done && !analytics._disposed)
                {
                    analytics.Execute("DELETE FROM transactions");
                }
            }
            finally
            {
                _strings.Dispose();
                _merchantNames.Dispose();
                analytics._gate.Release();
            }
        }
    }

    private static DuckDBHugeInt ToDuckDBUuid(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        var upper = BinaryPrimitives.ReadUInt64BigEndian(bytes) ^ (1UL << 63);
        return new DuckDBHugeInt(BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), (long)upper);
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
