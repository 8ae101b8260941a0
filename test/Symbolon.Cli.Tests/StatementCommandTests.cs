using System.Globalization;
using System.Text;
using Symbolon.Cli.Infrastructure;
using Symbolon.Cli.Operations;
using Symbolon.Contracts.Statements;

namespace Symbolon.Cli.Tests;

/// <summary><c>import</c>, <c>transactions</c> and <c>query</c>, on the storage directly and through a running server.</summary>
public sealed class StatementCommandTests : IDisposable
{
    private const string Map = "date=Buchungstag,amount=Betrag,description=Verwendungszweck,merchant=Empfaenger,dateFormat=dd.MM.yyyy,decimal=comma,account=Giro";
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Local_mode_imports_with_a_saved_profile_lists_filters_and_queries()
    {
        await _cli.InitAsync();
        var first = _cli.WriteFile("jan.csv", Statement(0, 30));
        var second = _cli.WriteFile("feb.csv", Statement(20, 20));

        var summary = (await _cli.RunWithPassphraseAsync("import", first, "--map", Map, "--save-profile", "Wombat Bank", "--json")).Succeeded().Json<ImportSummary>();
        Assert.Equal((30, 30, "jan.csv", "csv"), (summary.Parsed, summary.Added, summary.FileName, summary.Format));
        var again = (await _cli.RunWithPassphraseAsync("import", second, "--profile", "Wombat Bank")).Succeeded();
        Assert.Contains("Imported 10 transactions from feb.csv (csv); 10 transactions already there were skipped.", again.Stdout, StringComparison.Ordinal);

        await AssertListingAndQueriesAsync(_cli.RunWithPassphraseAsync);
    }

    [Fact]
    public async Task Remote_mode_imports_with_a_progress_bar_lists_filters_and_queries_through_the_server()
    {
        await using var server = await RunningServer.StartAsync(_cli.DataDirectory);
        await _cli.InitAsync();
        var first = _cli.WriteFile("jan.csv", Statement(0, 30));
        var second = _cli.WriteFile("feb.csv", Statement(20, 20));
        var large = _cli.WriteFile("year.csv", Statement(1000, 20_000));

        (await _cli.RunAsync("import", first, "--map", Map, "--save-profile", "Wombat Bank")).Succeeded();
        Assert.Contains("Imported 10 transactions", (await _cli.RunAsync("import", second, "--profile", "Wombat Bank")).Succeeded().Stdout, StringComparison.Ordinal);
        await AssertListingAndQueriesAsync(_cli.RunAsync);

        // On a terminal, a long file gets bars for the upload, the reading and the storing.
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var terminal = new CliEnvironment
        {
            Out = stdout,
            Error = stderr,
            Variables = name => _cli.Environment.TryGetValue(name, out var value) ? value : null,
            IsErrorTerminal = true,
        };
        var code = await CliApp.RunAsync(["import", large, "--profile", "Wombat Bank", "--data-dir", _cli.DataDirectory], terminal);
        // Note: without an interactive terminal Spectre.Console draws the bars only when its refresh catches a change,
        // so what it printed depends on timing; the reports that feed the bars are checked below instead.
        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("Imported 20,000 transactions", stdout.ToString(), StringComparison.Ordinal);

        // What feeds those bars: the bytes sent, then the server's stream of rows read and rows stored.
        var env = CliEnvironment.Captured(stdout, stderr, _cli.Environment);
        await using var context = new CliContext(env, CliContext.ResolveStorage(env, _cli.DataDirectory), null, null);
        var operations = await context.ConnectAsync(CancellationToken.None);
        Assert.Equal("remote", operations.Mode);
        var bytes = Encoding.UTF8.GetBytes(Statement(30_000, 20_000));
        var seen = new Collected();
        var summary = await operations.ImportStatementAsync(StatementUpload.FromBytes(bytes, "next.csv", null, "Wombat Bank", null, null), seen, CancellationToken.None);
        Assert.Equal(20_000, summary.Added);
        Assert.Contains(seen.Reports, p => p.Stage == "upload" && p.Done > 0 && p.Done < bytes.Length);
        Assert.Contains(seen.Reports, p => p.Stage == "upload" && p.Done == bytes.Length);
        Assert.Contains(seen.Reports, p => p.Stage == "parse" && p.Rows is > 0 and < 20_000);
        Assert.Contains(seen.Reports, p => p.Stage == "store" && p.Rows > 0);
    }

    [Fact]
    public async Task Errors_name_the_line_and_refused_queries_say_why()
    {
        await _cli.InitAsync();
        var broken = _cli.WriteFile("broken.csv", Statement(0, 5).Replace("-3,02", "drei", StringComparison.Ordinal));

        var failed = (await _cli.RunWithPassphraseAsync("import", broken, "--map", Map)).Failed();
        Assert.Contains("Line 4: column 'Betrag' is not an amount", failed.Stderr, StringComparison.Ordinal);
        Assert.Contains("No transactions yet", (await _cli.RunWithPassphraseAsync("transactions")).Succeeded().Stdout, StringComparison.Ordinal);

        var copy = (await _cli.RunWithPassphraseAsync("query", $"COPY transactions TO '{_cli.PathOf("out.csv")}'")).Failed();
        Assert.Contains("Only a single SELECT statement", copy.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.PathOf("out.csv")));
        var file = (await _cli.RunWithPassphraseAsync("query", $"SELECT * FROM read_csv('{_cli.PassphraseFile}')")).Failed();
        Assert.Contains("The query could not run.", file.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(CliHarness.Passphrase, file.Stderr, StringComparison.Ordinal);
    }

    private static async Task AssertListingAndQueriesAsync(Func<string[], Task<CliResult>> run)
    {
        var all = (await run(["transactions", "--all", "--json"])).Succeeded().Json<List<TransactionItem>>();
        Assert.Equal(40, all.Count);
        Assert.Equal(all.OrderByDescending(t => t.Date).Select(t => t.Date), all.Select(t => t.Date));

        var coffee = (await run(["transactions", "--category", "coffee", "--from", "2025-01-01", "--to", "2025-01-20", "--json"])).Succeeded().Json<List<TransactionItem>>();
        Assert.Equal(4, coffee.Count);
        Assert.All(coffee, t => Assert.Equal(("Wombat Kaffee", "Giro"), (t.Merchant, t.Account)));

        var table = (await run(["transactions", "--text", "wombat", "--limit", "3"])).Succeeded().Stdout;
        Assert.Contains("Wombat Kaffee", table, StringComparison.Ordinal);
        Assert.Contains("Showing the newest 3 of 8 transactions", table, StringComparison.Ordinal);
        Assert.Contains("EUR: in 0.00, out ", table, StringComparison.Ordinal);

        var result = (await run(["query", "SELECT merchant, count(*) AS visits FROM transactions GROUP BY merchant ORDER BY visits DESC, merchant", "--json"])).Succeeded().Json<SqlQueryResult>();
        Assert.Equal(["merchant", "visits"], result.Columns.Select(c => c.Name));
        Assert.Equal(("Deutsche Bahn", 8L), (result.Rows[0][0]!.Value.GetString(), result.Rows[0][1]!.Value.GetInt64()));
        var printed = (await run(["query", "SELECT category, sum(amount) AS total FROM transactions GROUP BY category ORDER BY category"])).Succeeded();
        Assert.Contains("coffee", printed.Stdout, StringComparison.Ordinal);
        Assert.Contains("5 rows in", printed.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A German bank's export: rows cycle through five merchants, one day each.</summary>
    private static string Statement(int from, int count)
    {
        string[] partners = ["Wombat Kaffee", "REWE Markt", "Deutsche Bahn", "Netflix", "Kletterhalle Nord"];
        var csv = new StringBuilder("Buchungstag;Verwendungszweck;Empfaenger;Betrag\n");
        for (var i = from; i < from + count; i++)
        {
            csv.Append(new DateOnly(2025, 1, 1).AddDays(i).ToString("dd.MM.yyyy", CultureInfo.InvariantCulture))
                .Append(";KARTENZAHLUNG ").Append(i).Append(';').Append(partners[i % 5]).Append(';')
                .Append((-(1 + (i % 5) + (i % 100 / 100m))).ToString("0.00", CultureInfo.InvariantCulture).Replace('.', ',')).Append('\n');
        }

        return csv.ToString();
    }

    public void Dispose() => _cli.Dispose();

    /// <summary>Keeps every report in order, on the reporting thread (Progress&lt;T&gt; would post them later).</summary>
    private sealed class Collected : IProgress<StatementProgress>
    {
        public System.Collections.Concurrent.ConcurrentQueue<StatementProgress> Reports { get; } = new();

        public void Report(StatementProgress value) => Reports.Enqueue(value);
    }
}
