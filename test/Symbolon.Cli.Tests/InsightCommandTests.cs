using Symbolon.Cli.Infrastructure;
using Symbolon.Contracts.Insights;

namespace Symbolon.Cli.Tests;

/// <summary><c>symbolon insights</c> in local mode over the fixed card statement of the core tests.</summary>
public sealed class InsightCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Insights_print_tables_bar_charts_and_json_with_the_hand_computed_totals()
    {
        await _cli.InitAsync();
        await ImportCardStatementAsync();

        var spend = (await _cli.RunWithPassphraseAsync("insights", "spend", "--date", "2026-11-23")).Succeeded();
        Assert.Contains("2026-11", spend.Stdout, StringComparison.Ordinal);
        Assert.Contains("groceries", spend.Stdout, StringComparison.Ordinal);
        Assert.Contains("+105.5 %", spend.Stdout, StringComparison.Ordinal); // coffee: 18.70 against 9.10
        Assert.Contains("2026-11, EUR", spend.Stdout, StringComparison.Ordinal); // the bar chart's label

        var coffee = (await _cli.RunWithPassphraseAsync("insights", "spend", "--date", "2026-11-23", "--category", "coffee", "--json")).Succeeded().Json<SpendReport>();
        Assert.Equal((18.70m, 9.10m), (coffee.Groups[0].Current, coffee.Groups[0].Previous));

        var merchants = (await _cli.RunWithPassphraseAsync("insights", "merchants", "--date", "2026-11-23", "--category", "coffee", "--json")).Succeeded().Json<SpendReport>();
        Assert.Equal(["Starbucks", "Blue Door Coffee Berlin"], merchants.Groups.Select(g => g.Key));

        var visits = (await _cli.RunWithPassphraseAsync("insights", "visits", "--category", "coffee")).Succeeded();
        Assert.Contains("Starbucks", visits.Stdout, StringComparison.Ordinal);

        var fees = (await _cli.RunWithPassphraseAsync("insights", "fees", "--json")).Succeeded().Json<FeeReport>();
        Assert.Equal(49.25m, Assert.Single(fees.Accounts).Total);

        var recurring = (await _cli.RunWithPassphraseAsync("insights", "recurring", "--as-of", "2026-11-23")).Succeeded();
        Assert.Contains("price up from 12.99 on 2026-10-01", recurring.Stdout, StringComparison.Ordinal);
        Assert.Contains("Spotify", recurring.Stdout, StringComparison.Ordinal);

        var bad = (await _cli.RunWithPassphraseAsync("insights", "fees", "--from", "last week")).Failed(ExitCodes.Usage);
        Assert.Contains("--from takes a date as yyyy-MM-dd", bad.Stderr, StringComparison.Ordinal);
        var period = await _cli.RunWithPassphraseAsync("insights", "spend", "--period", "fortnight");
        Assert.NotEqual(ExitCodes.Success, period.ExitCode);
    }

    /// <summary>Imports the card statement the way a person would, with <c>symbolon import</c>.</summary>
    private async Task ImportCardStatementAsync() =>
        (await _cli.RunWithPassphraseAsync(
            "import", Path.Combine(AppContext.BaseDirectory, "Insights", "card.csv"),
            "--map", "date=Date,amount=Amount,description=Description,merchant=Merchant,currency=Currency,account=Visa", "--json")).Succeeded();

    public void Dispose() => _cli.Dispose();
}
