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
using Symbolon.Core.Wallet;

namespace Symbolon.Core.Statements;

/// <summary>
/// Read-only SQL over the person's own data, in the vault session's in-memory DuckDB database
/// (<see cref="VaultAnalytics"/>): the checks every statement passes before it runs, the tables it sees, and how
/// its answer is read. Only a single SELECT (or WITH ... SELECT) is run, as DuckDB's own parser reads it, in a
/// database closed to the outside world (no file, network or extension access, no spilling, configuration locked).
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
        "loyalty_events(id UUID, programme VARCHAR, occurred_at TIMESTAMP, kind VARCHAR, amount INTEGER, balance_after INTEGER, reward VARCHAR, note VARCHAR)",
        "profile_fields(id UUID, kind VARCHAR, label VARCHAR, value VARCHAR, updated_at TIMESTAMP)",
    ];

    /// <summary>The tables as one line each, for help texts.</summary>
    public static string Schema => string.Join(Environment.NewLine, Tables);

    // Note: the order matters. enable_external_access and the autoload settings are set before lock_configuration,
    // which then refuses any SET or RESET; temp_directory '' turns spilling to disk off, so a query larger than
    // memory fails instead of writing decrypted rows to a temporary file.
    internal static readonly string[] Lockdown =
    [
        "SET temp_directory = ''",
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        "SET allow_community_extensions = false",
        "SET enable_external_access = false",
        "SET lock_configuration = true",
    ];

    /// <summary>Runs a checked statement and reads at most <paramref name="maxRows"/> rows of its answer.</summary>
    internal static SqlQueryResult Execute(DuckDBConnection connection, string statement, int maxRows, TimeSpan timeout, CancellationToken ct)
    {
        maxRows = Math.Clamp(maxRows, 1, MaxRowsLimit);
        var started = Stopwatch.GetTimestamp();
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
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
            throw new SqlQueryTimeoutException(timeout);
        }
        catch (DuckDBException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        catch (DuckDBException e)
        {
            throw new SqlQueryFailedException(Clean(e.Message));
        }
    }

    /// <summary>The statement without comments' effect on the check, a trailing semicolon, or surrounding space.</summary>
    internal static string Check(string sql)
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
    internal static void EnsureSingleSelect(DuckDBConnection connection, string statement)
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

    internal static void Load(DuckDBConnection connection, WalletRows wallet)
    {
        using (var receipts = connection.CreateAppender("receipts"))
        using (var lines = connection.CreateAppender("receipt_lines"))
        {
            foreach (var (record, receipt) in wallet.Receipts)
            {
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
            checkIns.CreateRow()
                .AppendValue(record.Id)
                .AppendValue(checkIn.At.UtcDateTime)
                .AppendValue(checkIn.Place)
                .AppendValue(checkIn.Note)
                .EndRow();
        }
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
