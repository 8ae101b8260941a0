using Symbolon.Contracts.Vendor;
using Symbolon.Core.Records;
using Symbolon.Core.Statements;
using Symbolon.Core.Wallet;

namespace Symbolon.Core.Tests.Statements;

/// <summary>The in-memory SQL engine's guards that the API tests cannot reach quickly: the timeout and the statement check.</summary>
public sealed class TransactionSqlTests
{
    [Fact]
    public void A_query_that_runs_too_long_is_interrupted()
    {
        var e = Assert.Throws<SqlQueryTimeoutException>(() =>
            Run(new TransactionProjection(), WalletRows.None, "SELECT count(*) FROM range(1000000000000) a, range(10) b WHERE a.range % 7 = b.range", timeout: TimeSpan.FromMilliseconds(300)));
        Assert.Contains("was stopped", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT 1; SELECT 2")]
    [InlineData("UPDATE transactions SET amount = 0")]
    [InlineData("CALL pragma_version()")]
    [InlineData("SET lock_configuration = false")]
    [InlineData("RESET enable_external_access")]
    [InlineData("DETACH memory")]
    [InlineData("CHECKPOINT")]
    public void Anything_but_one_select_is_refused_before_it_runs(string sql) =>
        Assert.Throws<SqlQueryNotReadOnlyException>(() => Run(new TransactionProjection(), WalletRows.None, sql));

    [Fact]
    public void An_empty_vault_has_an_empty_table()
    {
        var result = Run(new TransactionProjection(), WalletRows.None, "SELECT count(*) AS n, sum(amount) AS total FROM transactions");
        Assert.Equal(0, result.Rows[0][0]!.Value.GetInt64());
        Assert.Null(result.Rows[0][1]);
    }

    [Fact]
    public void Receipts_their_lines_and_check_ins_are_tables_too()
    {
        var coffee = Guid.NewGuid();
        var groceries = Guid.NewGuid();
        var at = new DateTimeOffset(2026, 11, 20, 8, 15, 0, TimeSpan.FromHours(1));
        var wallet = new WalletRows(
            [
                (Record(coffee, "receipt"), new ReceiptInput("Blue Door Coffee", at, "EUR",
                    [new ReceiptLineInput("Flat white", 2, 3.40m, 0, 6.80m), new ReceiptLineInput("Croissant", 1, 2.10m, 0, 2.10m)], 8.90m, 0, 8.90m, "card", TaxIncluded: true)),
                (Record(groceries, "receipt"), new ReceiptInput("Corner Grocer", at.AddDays(1), "EUR",
                    [new ReceiptLineInput("Oat milk", 3, 1.99m, 0.36m, 5.97m)], 5.97m, 0.36m, 6.33m, "cash", ReceiptNumber: "R-77")),
            ],
            [(Record(Guid.NewGuid(), "checkin"), new CheckInValue("Blue Door Coffee", at, "with Sam", [], null))]);

        var result = Run(new TransactionProjection(), wallet, """
            SELECT r.store, sum(l.quantity) AS items, max(r.total) AS total, max(r.issued_at) AS issued_at,
                   (SELECT count(*) FROM check_ins c WHERE c.place = r.store) AS check_ins
            FROM receipts r JOIN receipt_lines l ON l.receipt_id = r.id
            GROUP BY r.store ORDER BY r.store
            """);

        Assert.Equal(["store", "items", "total", "issued_at", "check_ins"], result.Columns.Select(c => c.Name));
        Assert.Equal(2, result.Rows.Count);
        Assert.Equal("Blue Door Coffee", result.Rows[0][0]!.Value.GetString());
        Assert.Equal(3m, result.Rows[0][1]!.Value.GetDecimal());
        Assert.Equal(8.90m, result.Rows[0][2]!.Value.GetDecimal());
        Assert.Equal("2026-11-20T07:15:00", result.Rows[0][3]!.Value.GetString());
        Assert.Equal(1, result.Rows[0][4]!.Value.GetInt64());
        Assert.Equal((6.33m, 0L), (result.Rows[1][2]!.Value.GetDecimal(), result.Rows[1][4]!.Value.GetInt64()));
    }

    [Fact]
    public async Task The_query_database_stays_warm_and_follows_imports_recategorizations_and_record_writes()
    {
        var projection = new TransactionProjection();
        projection.Append(Guid.NewGuid(), 0, Chunk(("BLUE DOOR COFFEE", -3.40m), ("REWE", -20m)));
        using var analytics = new VaultAnalytics(AnalyticsLimits.Default);
        var reads = 0;
        Task<AnalyticsRecords> Records(RecordsStamp stamp, string place)
        {
            reads++;
            return Task.FromResult(new AnalyticsRecords(stamp, new WalletRows([], [(Record(Guid.NewGuid(), "checkin"), new CheckInValue(place, DateTimeOffset.UnixEpoch, null, [], null))]), [], []));
        }

        async Task<string> Ask(string sql, RecordsStamp stamp, string place = "first") =>
            string.Join("|", (await analytics.QueryAsync(projection, stamp, _ => Records(stamp, place), sql, 100, default)).Rows.Select(r => string.Join(",", r.Select(v => v?.ToString()))));

        Assert.Equal("2", await Ask("SELECT count(*) FROM transactions", new RecordsStamp(1, 1)));
        Assert.Equal(2, analytics.LastCopy.Rows);

        // An import appends: only the new rows are copied.
        projection.Append(Guid.NewGuid(), 0, Chunk(("NETFLIX.COM", -15.99m)));
        Assert.Equal("3,Netflix Com", await Ask("SELECT count(*), max(merchant) FILTER (WHERE amount = -15.99) FROM transactions", new RecordsStamp(1, 1)));
        Assert.Equal(1, analytics.LastCopy.Rows);

        // A recategorization copies everything again, so SQL sees the categories the insights see.
        projection.Recategorize([new CategoryRule("coffee", ["coffee"])], new Dictionary<(Guid, int), string>());
        Assert.Equal("coffee:1|uncategorized:2", await Ask("SELECT category || ':' || count(*) FROM transactions GROUP BY category ORDER BY 1", new RecordsStamp(1, 1)));
        Assert.Equal(3, analytics.LastCopy.Rows);

        // The record tables are read again only when a record was written since.
        Assert.Equal("first", await Ask("SELECT place FROM check_ins", new RecordsStamp(1, 1), "not read"));
        Assert.Equal(1, reads);
        Assert.Equal("second", await Ask("SELECT place FROM check_ins", new RecordsStamp(1, 2), "second"));
        Assert.Equal(2, reads);
        Assert.Equal("0,0", await Ask("SELECT (SELECT count(*) FROM loyalty_events), (SELECT count(*) FROM profile_fields)", new RecordsStamp(1, 2)));
    }

    [Fact]
    public async Task The_person_sees_the_limits_and_a_disposed_database_answers_no_more()
    {
        var analytics = new VaultAnalytics(AnalyticsLimits.Default with { MemoryLimitMiB = 256, Threads = 1 });
        var result = await analytics.QueryAsync(new TransactionProjection(), new RecordsStamp(0, 0), _ => Task.FromResult(new AnalyticsRecords(new RecordsStamp(0, 0), WalletRows.None, [], [])),
            "SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t", 10, default);
        Assert.Equal(new Contracts.Statements.SqlQueryLimits(256, 1, 30), result.Limits);
        Assert.Equal("1", result.Rows[0][1]!.Value.ToString());
        analytics.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => analytics.QueryAsync(new TransactionProjection(), new RecordsStamp(0, 0),
            _ => Task.FromResult(new AnalyticsRecords(new RecordsStamp(0, 0), WalletRows.None, [], [])), "SELECT 1", 10, default));
    }

    private static TransactionColumns Chunk(params (string Description, decimal Amount)[] lines) =>
        TransactionChunkCodec.Decode(TransactionChunkCodec.Encode(
            [.. lines.Select(l => new StatementLine { Account = "visa", Date = new DateOnly(2026, 11, 1), Amount = l.Amount, Currency = "EUR", Description = l.Description, Position = "line 1" })], 0, lines.Length));

    private static Contracts.Statements.SqlQueryResult Run(TransactionProjection projection, WalletRows wallet, string sql, TimeSpan? timeout = null)
    {
        using var analytics = new VaultAnalytics(AnalyticsLimits.Default with { Timeout = timeout ?? TransactionSql.DefaultTimeout });
        var stamp = new RecordsStamp(1, 1);
        return analytics.QueryAsync(projection, stamp, _ => Task.FromResult(new AnalyticsRecords(stamp, wallet, [], [])), sql, TransactionSql.DefaultMaxRows, default).GetAwaiter().GetResult();
    }

    private static CurrentRecord Record(Guid id, string type) =>
        new(id, type, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, Actor.Owner, []);
}
