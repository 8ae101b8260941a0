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
            TransactionSql.Run(new TransactionProjection(), WalletRows.None, "SELECT count(*) FROM range(1000000000000) a, range(10) b WHERE a.range % 7 = b.range", timeout: TimeSpan.FromMilliseconds(300)));
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
        Assert.Throws<SqlQueryNotReadOnlyException>(() => TransactionSql.Run(new TransactionProjection(), WalletRows.None, sql));

    [Fact]
    public void An_empty_vault_has_an_empty_table()
    {
        var result = TransactionSql.Run(new TransactionProjection(), WalletRows.None, "SELECT count(*) AS n, sum(amount) AS total FROM transactions");
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

        var result = TransactionSql.Run(new TransactionProjection(), wallet, """
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

    private static CurrentRecord Record(Guid id, string type) =>
        new(id, type, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, Actor.Owner, []);
}
