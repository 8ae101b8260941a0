using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using DuckDB.NET.Data;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Statements;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Problems;
using Symbolon.Core.Records;
using Symbolon.Core.Vaults;
using Symbolon.Core.Wallet;

namespace Symbolon.Core.Statements;

/// <summary>
/// Read-only SQL over the person's own transactions, receipts and check-ins, in an in-memory DuckDB database that
/// lives for one query. The projection and the decrypted wallet records are copied in with DuckDB's appender; then the database is closed to the outside world before the
/// person's statement runs: no file, network or extension access, no spilling to a temporary directory, and the
/// configuration locked so the statement cannot open any of that again. Only a single SELECT (or WITH ... SELECT)
/// is run, as DuckDB's own parser reads it. Decrypted data never reaches the disk.
/// </summary>
internal static class TransactionSql
{
    public const int DefaultMaxRows = 1000;
    public const int MaxRowsLimit = 10_000;
    public const int MaxSqlLength = 20_000;
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The tables the person queries, described for the page and <c>--help</c>; times are UTC.</summary>
    public static readonly IReadOnlyList<string> Tables =
    [
        "transactions(date DATE, amount DECIMAL(18,4), currency VARCHAR, description VARCHAR, merchant VARCHAR, category VARCHAR, account VARCHAR, import_id UUID)",
        "receipts(id UUID, issued_at TIMESTAMP, store VARCHAR, store_location VARCHAR, receipt_number VARCHAR, currency VARCHAR, subtotal DECIMAL(18,4), tax_total DECIMAL(18,4), total DECIMAL(18,4), payment_method VARCHAR)",
        "receipt_lines(receipt_id UUID, line INTEGER, description VARCHAR, quantity DECIMAL(18,3), unit_price DECIMAL(18,4), tax DECIMAL(18,4), line_total DECIMAL(18,4))",
        "check_ins(id UUID, visited_at TIMESTAMP, place VARCHAR, note VARCHAR)",
    ];

    /// <summary>The tables as one line each, for help texts.</summary>
    public static string Schema => string.Join(Environment.NewLine, Tables);

    // Note: the order matters. enable_external_access and the autoload settings are set before lock_configuration,
    // which then refuses any SET or RESET; temp_directory '' turns spilling to disk off, so a query larger than
    // memory fails instead of writing decrypted rows to a temporary file.
    private static readonly string[] Lockdown =
    [
        "SET temp_directory = ''",
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        "SET allow_community_extensions = false",
        "SET enable_external_access = false",
        "SET lock_configuration = true",
    ];

    /// <summary>
    /// Decrypts the person's receipts and check-ins for this one query and runs it over them and the transactions,
    /// off the caller's thread (DuckDB's calls block).
    /// </summary>
    public static async Task<SqlQueryResult> RunAsync(
        TransactionProjection projection, Receipts receipts, CheckIns checkIns, VaultKeys keys, string sql, int maxRows = DefaultMaxRows, CancellationToken ct = default)
    {
        Check(sql);
        var wallet = new WalletRows(await receipts.ListAllAsync(keys, ct), await checkIns.ListAllAsync(keys, ct));
        return await Task.Run(() => Run(projection, wallet, sql, maxRows, ct: ct), ct);
    }

    public static SqlQueryResult Run(TransactionProjection projection, WalletRows wallet, string sql, int maxRows = DefaultMaxRows, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var statement = Check(sql);
        maxRows = Math.Clamp(maxRows, 1, MaxRowsLimit);
        var started = Stopwatch.GetTimestamp();

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Execute(connection, "SET temp_directory = ''");
        foreach (var table in Tables)
        {
            Execute(connection, "CREATE TABLE " + table);
        }

        Load(connection, projection, ct);
        Load(connection, wallet, ct);
        foreach (var setting in Lockdown)
        {
            Execute(connection, setting);
        }

        EnsureSingleSelect(connection, statement);

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout ?? DefaultTimeout);
        using var command = connection.CreateCommand();
        command.CommandText = statement;
        using var interrupt = timer.Token.Register(command.Cancel);
        try
        {
            using var reader = command.ExecuteReader();
            var columns = new List<SqlQueryColumn>(reader.FieldCount);
            for (var c = 0; c < reader.FieldCount; c++)
            {
                columns.Add(new SqlQueryColumn(reader.GetName(c), reader.GetDataTypeName(c)));
            }

            var rows = new List<IReadOnlyList<JsonElement?>>();
            var truncated = false;
            while (reader.Read())
            {
                if (rows.Count == maxRows)
                {
                    truncated = true;
                    break;
                }

                var row = new JsonElement?[reader.FieldCount];
                for (var c = 0; c < row.Length; c++)
                {
                    row[c] = reader.IsDBNull(c) ? null : ToJson(reader.GetValue(c));
                }

                rows.Add(row);
            }

            return new SqlQueryResult(columns, rows, truncated, maxRows, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is DuckDBException or OperationCanceledException && timer.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new SqlQueryTimeoutException(timeout ?? DefaultTimeout);
        }
        catch (DuckDBException e)
        {
            throw new SqlQueryFailedException(Clean(e.Message));
        }
    }

    /// <summary>The statement without comments' effect on the check, a trailing semicolon, or surrounding space.</summary>
    private static string Check(string sql)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new SqlQueryNotReadOnlyException("Write a SELECT statement, for example: SELECT category, sum(amount) FROM transactions GROUP BY category.");
        }

        if (sql.Length > MaxSqlLength)
        {
            throw new SqlQueryNotReadOnlyException($"The statement is longer than {MaxSqlLength} characters.");
        }

        if (sql.Contains('\0', StringComparison.Ordinal))
        {
            throw new SqlQueryNotReadOnlyException("The statement contains a NUL character.");
        }

        return sql.Trim().TrimEnd(';').Trim();
    }

    /// <summary>
    /// Asks DuckDB's parser what the text holds: <c>json_serialize_sql</c> serializes SELECT statements only and
    /// reports anything else as an error, so a second statement, DDL, COPY, ATTACH, SET, PRAGMA or INSTALL are refused
    /// before anything runs. The lockdown above still stands behind this check.
    /// </summary>
    private static void EnsureSingleSelect(DuckDBConnection connection, string statement)
    {
        using var command = connection.CreateCommand();
        // Note: json_serialize_sql needs its argument as a constant at bind time, so the statement goes in as a
        // string literal (quotes doubled, NUL refused) rather than as a parameter.
        command.CommandText = "SELECT json_serialize_sql('" + statement.Replace("'", "''", StringComparison.Ordinal) + "')";
        string json;
        try
        {
            json = (string)command.ExecuteScalar()!;
        }
        catch (DuckDBException e)
        {
            throw new SqlQueryFailedException(Clean(e.Message));
        }

        using var parsed = JsonDocument.Parse(json);
        var root = parsed.RootElement;
        if (root.TryGetProperty("error", out var error) && error.GetBoolean())
        {
            var type = root.TryGetProperty("error_type", out var t) ? t.GetString() : null;
            var message = root.TryGetProperty("error_message", out var m) ? m.GetString() : null;
            if (type is "parser" or "syntax" || (message is not null && (message.StartsWith("Parser Error", StringComparison.OrdinalIgnoreCase) || message.Contains("syntax error", StringComparison.OrdinalIgnoreCase))))
            {
                throw new SqlQueryFailedException(Clean(message ?? "The statement is not valid SQL."));
            }

            throw new SqlQueryNotReadOnlyException("Only a single SELECT statement (or WITH ... SELECT) can run here: queries read your data and never change or export it.");
        }

        if (!root.TryGetProperty("statements", out var statements) || statements.GetArrayLength() != 1)
        {
            throw new SqlQueryNotReadOnlyException("Run one statement at a time: a single SELECT (or WITH ... SELECT).");
        }
    }

    private static void Load(DuckDBConnection connection, TransactionProjection projection, CancellationToken ct)
    {
        var (rows, _) = projection.Query(new TransactionFilter(), null, int.MaxValue);
        using var appender = connection.CreateAppender("transactions");
        foreach (var t in rows)
        {
            ct.ThrowIfCancellationRequested();
            var row = appender.CreateRow()
                .AppendValue(t.Date.ToDateTime(TimeOnly.MinValue))
                .AppendValue(t.Amount)
                .AppendValue(t.Currency)
                .AppendValue(t.Description);
            row = t.Merchant is null ? row.AppendNullValue() : row.AppendValue(t.Merchant);
            row.AppendValue(t.Category)
                .AppendValue(t.Account)
                .AppendValue(t.BatchId)
                .EndRow();
        }
    }

    private static void Load(DuckDBConnection connection, WalletRows wallet, CancellationToken ct)
    {
        using (var receipts = connection.CreateAppender("receipts"))
        using (var lines = connection.CreateAppender("receipt_lines"))
        {
            foreach (var (record, receipt) in wallet.Receipts)
            {
                ct.ThrowIfCancellationRequested();
                receipts.CreateRow()
                    .AppendValue(record.Id)
                    .AppendValue(receipt.IssuedAt.UtcDateTime)
                    .AppendValue(receipt.StoreName)
                    .AppendValue(receipt.StoreLocation)
                    .AppendValue(receipt.ReceiptNumber)
                    .AppendValue(receipt.Currency)
                    .AppendValue(receipt.Subtotal)
                    .AppendValue(receipt.TaxTotal)
                    .AppendValue(receipt.Total)
                    .AppendValue(receipt.PaymentMethod)
                    .EndRow();
                for (var i = 0; i < receipt.Lines.Count; i++)
                {
                    var line = receipt.Lines[i];
                    lines.CreateRow()
                        .AppendValue(record.Id)
                        .AppendValue(i + 1)
                        .AppendValue(line.Description)
                        .AppendValue(line.Quantity)
                        .AppendValue(line.UnitPrice)
                        .AppendValue(line.Tax)
                        .AppendValue(line.LineTotal)
                        .EndRow();
                }
            }
        }

        using var checkIns = connection.CreateAppender("check_ins");
        foreach (var (record, checkIn) in wallet.CheckIns)
        {
            ct.ThrowIfCancellationRequested();
            checkIns.CreateRow()
                .AppendValue(record.Id)
                .AppendValue(checkIn.At.UtcDateTime)
                .AppendValue(checkIn.Place)
                .AppendValue(checkIn.Note)
                .EndRow();
        }
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A value as JSON: numbers stay numbers, dates become ISO 8601 text, anything else its text form.</summary>
    private static JsonElement ToJson(object value) => value switch
    {
        bool b => JsonSerializer.SerializeToElement(b),
        sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal => JsonSerializer.SerializeToElement(value, value.GetType()),
        BigInteger big => big >= long.MinValue && big <= long.MaxValue ? JsonSerializer.SerializeToElement((long)big) : JsonSerializer.SerializeToElement(big.ToString(CultureInfo.InvariantCulture)),
        DateTime d when d.TimeOfDay == TimeSpan.Zero => JsonSerializer.SerializeToElement(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        DateTime d => JsonSerializer.SerializeToElement(d.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
        DateOnly d => JsonSerializer.SerializeToElement(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        DateTimeOffset d => JsonSerializer.SerializeToElement(d.ToString("O", CultureInfo.InvariantCulture)),
        IFormattable f => JsonSerializer.SerializeToElement(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => JsonSerializer.SerializeToElement(value.ToString() ?? ""),
    };

    // DuckDB's messages name the statement's own tables, columns and functions; the first line says what is wrong.
    private static string Clean(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 500 ? line[..500] : line;
    }
}

/// <summary>The person's receipts and check-ins, decrypted for one query.</summary>
internal sealed record WalletRows(
    IReadOnlyList<(CurrentRecord Record, ReceiptInput Receipt)> Receipts,
    IReadOnlyList<(CurrentRecord Record, CheckInValue Value)> CheckIns)
{
    public static WalletRows None { get; } = new([], []);
}

/// <summary>The statement is not a single read-only SELECT.</summary>
internal sealed class SqlQueryNotReadOnlyException(string message)
    : SymbolonProblemException(ProblemCodes.QueryNotReadOnly, 400, "Only read-only queries can run.", message, message);

/// <summary>DuckDB could not run the statement (a syntax error, an unknown column, a refused file or network access).</summary>
internal sealed class SqlQueryFailedException(string message)
    : SymbolonProblemException(ProblemCodes.QueryFailed, 400, "The query could not run.", message, message);

/// <summary>The statement ran longer than the time a query may take.</summary>
internal sealed class SqlQueryTimeoutException(TimeSpan limit) : SymbolonProblemException(
    ProblemCodes.QueryTimeout, 400, "The query took too long.", Describe(limit), message: Describe(limit))
{
    private static string Describe(TimeSpan limit) =>
        string.Create(CultureInfo.InvariantCulture, $"The query ran for more than {limit.TotalSeconds:0} seconds and was stopped. Narrow it down, for example with a WHERE on the date.");
}
