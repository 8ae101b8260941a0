using System.Net;
using System.Net.Http.Json;
using System.Text;
using Symbolon.Contracts.Statements;

namespace Symbolon.Server.Tests;

/// <summary>Read-only SQL over the person's transactions: answers, refusals, limits, and nothing decrypted on disk.</summary>
public sealed class TransactionQueryApiTests(TransactionQueryApiTests.FourTransactions shared) : IClassFixture<TransactionQueryApiTests.FourTransactions>
{
    private const string Sentinel = "PANGOLINSENTINEL";

    /// <summary>A vault with four imported transactions, for the refused statements (a refused statement changes nothing).</summary>
    public sealed class FourTransactions : SharedVault
    {
        protected override Task SeedAsync(HttpClient owner) => ImportAsync(owner, 4);
    }

    [Fact]
    public async Task A_select_answers_over_the_persons_transactions_with_a_row_limit()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        await ImportAsync(owner, 20);

        var byCategory = await QueryAsync(owner, new SqlQueryRequest("SELECT category, count(*) AS n, sum(amount) AS total FROM transactions GROUP BY category ORDER BY category;"));
        Assert.Equal(["category", "n", "total"], byCategory.Columns.Select(c => c.Name));
        Assert.Equal(
            [("coffee", 10L, -55.0m), ("groceries", 10L, -110.0m)],
            byCategory.Rows.Select(r => (r[0]!.Value.GetString(), r[1]!.Value.GetInt64(), r[2]!.Value.GetDecimal())));

        var with = await QueryAsync(owner, new SqlQueryRequest("WITH coffee AS (SELECT * FROM transactions WHERE category = 'coffee') SELECT min(date) AS first, count(merchant) FROM coffee"));
        Assert.Equal("2025-01-01", with.Rows[0][0]!.Value.GetString());

        var limited = await QueryAsync(owner, new SqlQueryRequest("SELECT * FROM transactions ORDER BY date", MaxRows: 5));
        Assert.Equal((5, true, 5), (limited.Rows.Count, limited.Truncated, limited.MaxRows));

        var locked = await QueryAsync(owner, new SqlQueryRequest("SELECT current_setting('enable_external_access') AS external, current_setting('lock_configuration') AS locked"));
        Assert.Equal((false, true), (locked.Rows[0][0]!.Value.GetBoolean(), locked.Rows[0][1]!.Value.GetBoolean()));
    }

    [Fact]
    public async Task Check_ins_the_person_recorded_are_a_table_beside_the_transactions()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        await ImportAsync(owner, 2);
        foreach (var (place, day) in new[] { ("Blue Door Coffee", 3), ("Blue Door Coffee", 5), ("City Library", 5) })
        {
            var created = await owner.PostAsJsonAsync("/owner/api/v1/check-ins", new Symbolon.Contracts.Wallet.CheckInInput(place, new DateTimeOffset(2026, 11, day, 9, 0, 0, TimeSpan.Zero)), SymbolonApplicationFactory.Json);
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        var visits = await QueryAsync(owner, new SqlQueryRequest(
            "SELECT place, count(*) AS visits, (SELECT count(*) FROM transactions) AS transactions, (SELECT count(*) FROM receipts) AS receipts FROM check_ins GROUP BY place ORDER BY visits DESC"));
        Assert.Equal(
            [("Blue Door Coffee", 2L, 2L, 0L), ("City Library", 1L, 2L, 0L)],
            visits.Rows.Select(r => (r[0]!.Value.GetString(), r[1]!.Value.GetInt64(), r[2]!.Value.GetInt64(), r[3]!.Value.GetInt64())));
    }

    [Theory]
    [InlineData("COPY transactions TO '{dir}/copy.csv'", "SYM2150")]
    [InlineData("ATTACH '{dir}/attached.db' AS other", "SYM2150")]
    [InlineData("SELECT 1; COPY transactions TO '{dir}/second.csv'", "SYM2150")]
    [InlineData("CREATE TABLE kept AS SELECT * FROM transactions", "SYM2150")]
    [InlineData("DELETE FROM transactions", "SYM2150")]
    [InlineData("INSTALL httpfs", "SYM2150")]
    [InlineData("LOAD httpfs", "SYM2150")]
    [InlineData("SET enable_external_access = true", "SYM2150")]
    [InlineData("PRAGMA database_list", "SYM2150")]
    [InlineData("EXPORT DATABASE '{dir}/export'", "SYM2150")]
    [InlineData("SELECT * FROM read_csv('{dir}/secret.csv')", "SYM2151")]
    [InlineData("SELECT * FROM read_text('{dir}/secret.csv')", "SYM2151")]
    [InlineData("SELECT * FROM glob('{dir}/*')", "SYM2151")]
    [InlineData("SELECT * FROM 'https://example.org/data.csv'", "SYM2151")]
    [InlineData("SELECT nope FROM transactions", "SYM2151")]
    [InlineData("SELEKT 1", "SYM2151")]
    [InlineData("   ", "SYM2150")]
    public async Task Statements_that_write_export_attach_or_reach_files_are_refused_and_leave_nothing_behind(string sql, string code)
    {
        var owner = shared.Owner;
        var dir = Directory.CreateTempSubdirectory("symbolon-query-").FullName;
        File.WriteAllText(Path.Combine(dir, "secret.csv"), "a,b\n1,2\n");

        var response = await owner.PostAsJsonAsync("/owner/api/v1/query", new SqlQueryRequest(sql.Replace("{dir}", dir, StringComparison.Ordinal)), SymbolonApplicationFactory.Json);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(code, body, StringComparison.Ordinal);
        Assert.Equal(["secret.csv"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
        Assert.DoesNotContain(Sentinel, body, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task A_heavy_query_keeps_every_decrypted_row_in_memory_and_out_of_files_and_logs()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        await ImportAsync(owner, 2000);
        var before = Snapshot(Environment.CurrentDirectory, Path.GetTempPath());

        // A sort and a join large enough that DuckDB would spill to a temporary directory if it were allowed to.
        var result = await QueryAsync(owner, new SqlQueryRequest(
            "SELECT a.description, count(*) AS n FROM transactions a JOIN transactions b ON a.category = b.category GROUP BY a.description ORDER BY a.description DESC", MaxRows: 3));
        Assert.True(result.Truncated);
        Assert.StartsWith(Sentinel, result.Rows[0][0]!.Value.GetString(), StringComparison.Ordinal);

        // Nothing of DuckDB's (a .tmp spill directory, a database or WAL file) appeared next to the process or in the temp directory.
        var after = Snapshot(Environment.CurrentDirectory, Path.GetTempPath());
        Assert.DoesNotContain(after.Except(before), p => Path.GetFileName(p).Contains("duckdb", StringComparison.OrdinalIgnoreCase) || Path.GetFileName(p) == ".tmp");

        foreach (var file in Directory.EnumerateFiles(app.DataDirectory, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(Sentinel, Encoding.Latin1.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Path.Combine(Environment.CurrentDirectory, ".tmp")));
        Assert.DoesNotContain(app.Logs, l => l.Contains(Sentinel, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Anonymous_callers_and_bad_limits_get_problems()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        var anonymous = app.CreateOwnerClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/owner/api/v1/query", new SqlQueryRequest("SELECT 1"))).StatusCode);
        var tooMany = await owner.PostAsJsonAsync("/owner/api/v1/query", new SqlQueryRequest("SELECT 1", MaxRows: 100_000), SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("maxRows", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var empty = await QueryAsync(owner, new SqlQueryRequest("SELECT count(*) AS n FROM transactions"));
        Assert.Equal(0, empty.Rows[0][0]!.Value.GetInt64());
    }

    private static HashSet<string> Snapshot(params string[] roots) =>
        [.. roots.SelectMany(r => Directory.Exists(r) ? SafeFiles(r) : [])];

    private static string[] SafeFiles(string root)
    {
        try
        {
            return Directory.GetFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0 });
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Rows alternate coffee (5.50) and groceries (11.00); descriptions start with the sentinel.</summary>
    private static async Task ImportAsync(HttpClient owner, int rows)
    {
        var csv = new StringBuilder("Date,Description,Payee,Amount\n");
        for (var i = 0; i < rows; i++)
        {
            var coffee = i % 2 == 0;
            csv.Append(new DateOnly(2025, 1, 1).AddDays(i / 2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
                .Append(',').Append(Sentinel).Append(' ').Append(i)
                .Append(',').Append(coffee ? "Wombat Coffee" : "Corner Grocer")
                .Append(',').Append(coffee ? "-5.50" : "-11.00").Append('\n');
        }

        var response = await owner.PostAsync("/owner/api/v1/imports?fileName=q.csv", new ByteArrayContent(Encoding.UTF8.GetBytes(csv.ToString())));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<SqlQueryResult> QueryAsync(HttpClient owner, SqlQueryRequest request)
    {
        var response = await owner.PostAsJsonAsync("/owner/api/v1/query", request, SymbolonApplicationFactory.Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<SqlQueryResult>(SymbolonApplicationFactory.Json))!;
    }
}
