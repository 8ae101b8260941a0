using Symbolon.Core.Statements;

namespace Symbolon.Core.Tests.Statements;

/// <summary>The in-memory SQL engine's guards that the API tests cannot reach quickly: the timeout and the statement check.</summary>
public sealed class TransactionSqlTests
{
    [Fact]
    public void A_query_that_runs_too_long_is_interrupted()
    {
        var e = Assert.Throws<SqlQueryTimeoutException>(() =>
            TransactionSql.Run(new TransactionProjection(), "SELECT count(*) FROM range(1000000000000) a, range(10) b WHERE a.range % 7 = b.range", timeout: TimeSpan.FromMilliseconds(300)));
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
        Assert.Throws<SqlQueryNotReadOnlyException>(() => TransactionSql.Run(new TransactionProjection(), sql));

    [Fact]
    public void An_empty_vault_has_an_empty_table()
    {
        var result = TransactionSql.Run(new TransactionProjection(), "SELECT count(*) AS n, sum(amount) AS total FROM transactions");
        Assert.Equal(0, result.Rows[0][0]!.Value.GetInt64());
        Assert.Null(result.Rows[0][1]);
    }
}
