using System.Globalization;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>
/// The Insights area in Chromium: a 100,000-row bank CSV uploaded with a moving progress bar, its columns mapped and
/// saved as a profile, the next file from the same bank imported in one step, and the transactions filtered,
/// totalled and downloaded.
/// </summary>
public sealed class InsightsTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const int Rows = 100_000;
    private static readonly string[] Partners = ["Wombat Kaffee", "REWE Markt", "Deutsche Bahn", "Netflix", "Kletterhalle Nord"];

    [Fact]
    public async Task A_large_csv_is_mapped_imported_with_progress_saved_as_a_profile_and_its_transactions_filtered_and_exported()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await app.RunAsync(nameof(A_large_csv_is_mapped_imported_with_progress_saved_as_a_profile_and_its_transactions_filtered_and_exported), async () =>
        {
            var page = app.Page;
            await app.CreateVaultAndOpenProfileAsync();

            // Before any import the overview says what to do.
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Areas" }).GetByRole(AriaRole.Link, new() { Name = "Insights" }).ClickAsync();
            await page.WaitForURLAsync("**/insights");
            await app.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("insights-empty")).ToBeVisibleAsync();
            await page.GetByTestId("insights-tabs").GetByRole(AriaRole.Link, new() { Name = "Import" }).ClickAsync();
            await page.WaitForURLAsync("**/insights/import");
            await Expect(page.GetByTestId("import-history-empty")).ToBeVisibleAsync();

            // Every percentage the bar shows is recorded, to see it move rather than jump from nothing to done.
            await page.EvaluateAsync("""
                () => {
                    window.symPercents = [];
                    new MutationObserver(() => {
                        const p = document.querySelector('[data-testid=import-percent]');
                        if (p && window.symPercents[window.symPercents.length - 1] !== p.textContent) window.symPercents.push(p.textContent);
                    }).observe(document.body, { subtree: true, childList: true, characterData: true });
                }
                """);

            // A bank whose headers the importer cannot guess: the person maps them.
            await page.Locator("input[type=file]").Last.SetInputFilesAsync(new FilePayload { Name = "wombat-bank-2024.csv", MimeType = "text/csv", Buffer = Statement(0, Rows) });
            var mapping = page.GetByTestId("import-mapping");
            await Expect(mapping).ToBeVisibleAsync(new() { Timeout = 120_000 });
            await Expect(page.GetByTestId("import-progress")).ToHaveAttributeAsync("data-stage", "mapping");
            await Expect(page.GetByTestId("mapping-problem")).ToContainTextAsync("booking date");
            await ChooseAsync(page, "map-date", "Tag");
            await ChooseAsync(page, "map-amount", "Wert");
            await ChooseAsync(page, "map-description", "Text");
            await ChooseAsync(page, "map-merchant", "Partner");
            await Expect(page.GetByTestId("mapping-problem")).ToContainTextAsync("not a date in the format yyyy-MM-dd");
            await ChooseAsync(page, "map-date-format", "dd.MM.yyyy");
            await Expect(page.GetByTestId("mapping-problem")).ToHaveCountAsync(0);
            var preview = page.GetByTestId("mapped-row");
            await Expect(preview).ToHaveCountAsync(8);
            await Expect(preview.First).ToContainTextAsync("2024-01-01");
            await Expect(preview.First).ToContainTextAsync("EUR -1.00");
            await Expect(preview.First).ToContainTextAsync("Wombat Kaffee");
            await Expect(preview.First).ToContainTextAsync("coffee");
            await WebApp.FillAsync(mapping, "Save as a profile (optional)", "Wombat Bank");
            await app.ScreenshotAsync("insights-import-mapping");

            await page.GetByTestId("import-mapped").ClickAsync();
            await Expect(page.GetByTestId("import-progress")).ToHaveAttributeAsync("data-stage", "done", new() { Timeout = 300_000 });
            await Expect(page.GetByTestId("import-summary")).ToContainTextAsync("Imported 100,000 transactions from wombat-bank-2024.csv (CSV)");
            var percents = await page.EvaluateAsync<string[]>("() => window.symPercents");
            output.WriteLine("progress shown: " + string.Join(" ", percents));
            Assert.Contains(percents, p => int.Parse(p.TrimEnd('%'), CultureInfo.InvariantCulture) is > 0 and < 100);
            await Expect(page.GetByTestId("import-history-row")).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("import-profile-row")).ToContainTextAsync("Wombat Bank");
            await app.ScreenshotAsync("insights-import-done");

            // The next statement from the same bank, overlapping the first: one step with the profile, nothing twice.
            await page.GetByTestId("import-profile").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "Profile: Wombat Bank" }).ClickAsync();
            await page.Locator("input[type=file]").Last.SetInputFilesAsync(new FilePayload { Name = "wombat-bank-2027.csv", MimeType = "text/csv", Buffer = Statement(Rows - 2, 3) });
            await Expect(page.GetByTestId("import-summary")).ToContainTextAsync("Imported 1 transaction from wombat-bank-2027.csv (CSV); 2 transactions you already had were skipped", new() { Timeout = 60_000 });
            await Expect(page.GetByTestId("import-mapping")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("import-history-row")).ToHaveCountAsync(2);

            // A broken file names its line and imports nothing.
            var broken = Encoding.UTF8.GetString(Statement(0, 5)).Replace("-3,02", "drei Euro", StringComparison.Ordinal);
            await page.Locator("input[type=file]").Last.SetInputFilesAsync(new FilePayload { Name = "broken.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(broken) });
            await Expect(page.GetByTestId("import-problem")).ToContainTextAsync("Line 4: column 'Wert' is not an amount");
            await Expect(page.GetByTestId("import-problem")).ToContainTextAsync("SYM2001");
            await Expect(page.GetByTestId("import-history-row")).ToHaveCountAsync(2);

            // The transactions: all of them, then filtered, with totals that follow the filter.
            await page.GetByTestId("insights-tabs").GetByRole(AriaRole.Link, new() { Name = "Transactions" }).ClickAsync();
            await page.WaitForURLAsync("**/insights/transactions");
            await Expect(page.GetByTestId("transaction-count")).ToHaveTextAsync("100,001");
            await Expect(page.GetByTestId("transaction")).ToHaveCountAsync(50);
            await Expect(page.GetByTestId("transactions-page")).ToHaveTextAsync("Showing 1–50 of 100,001");
            await page.GetByTestId("page-next").ClickAsync();
            await Expect(page.GetByTestId("transactions-page")).ToHaveTextAsync("Showing 51–100 of 100,001");
            await WebApp.FillAsync(page.GetByTestId("transaction-filters"), "Search description or merchant", "wombat");
            await Expect(page.GetByTestId("transaction-count")).ToHaveTextAsync("20,001");
            await Expect(page.GetByTestId("transactions-page")).ToHaveTextAsync("Showing 1–50 of 20,001");
            await WebApp.FillAsync(page.GetByTestId("transaction-filters"), "From", "2024-01-01");
            await WebApp.FillAsync(page.GetByTestId("transaction-filters"), "To (inclusive)", "2024-01-02");
            await Expect(page.GetByTestId("transaction-count")).ToHaveTextAsync("40");
            var (coffeeOut, coffeeCount) = Expected(i => Partners[i % Partners.Length] == "Wombat Kaffee" && i / 100 < 2);
            Assert.Equal(40, coffeeCount);
            await Expect(page.GetByTestId("currency-total")).ToContainTextAsync($"out {(-coffeeOut).ToString("#,0.00", CultureInfo.InvariantCulture)}");
            await Expect(page.GetByTestId("transaction-category").First).ToHaveTextAsync("coffee");
            await app.ScreenshotAsync("insights-transactions", fullPage: false);

            // The download is exactly the filtered set.
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-json").ClickAsync());
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(await download.PathAsync()));
            Assert.Equal(40, json.RootElement.GetArrayLength());
            Assert.All(json.RootElement.EnumerateArray(), t => Assert.Equal("Wombat Kaffee", t.GetProperty("merchant").GetString()));
            var csv = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-csv").ClickAsync());
            var lines = await File.ReadAllLinesAsync(await csv.PathAsync());
            Assert.Equal("date,amount,currency,description,merchant,category,account,id", lines[0]);
            Assert.Equal(41, lines.Length);

            // And the overview now sums it all up.
            await page.GetByTestId("insights-tabs").GetByRole(AriaRole.Link, new() { Name = "Overview" }).ClickAsync();
            await Expect(page.GetByTestId("insight-filters")).ToBeVisibleAsync();

            // Their own question in SQL: answered in a table; a statement that would export data is refused.
            await page.GetByTestId("insights-tabs").GetByRole(AriaRole.Link, new() { Name = "Query" }).ClickAsync();
            await page.WaitForURLAsync("**/insights/query");
            await app.WaitForInteractiveAsync();
            await WebApp.FillAsync(page.GetByTestId("query-editor"), "Query", "SELECT merchant, count(*) AS visits, sum(amount) AS spent FROM transactions WHERE category = 'coffee' GROUP BY merchant ORDER BY visits DESC");
            await page.GetByTestId("query-run").ClickAsync();
            await Expect(page.GetByTestId("query-row")).ToHaveCountAsync(1, new() { Timeout = 60_000 });
            await Expect(page.GetByTestId("query-row")).ToContainTextAsync("Wombat Kaffee");
            await Expect(page.GetByTestId("query-row")).ToContainTextAsync("20001");
            await app.ScreenshotAsync("insights-query");
            await WebApp.FillAsync(page.GetByTestId("query-editor"), "Query", "COPY transactions TO '/tmp/symbolon-browser-copy.csv'");
            await page.GetByTestId("query-run").ClickAsync();
            await Expect(page.GetByTestId("query-problem")).ToContainTextAsync("SYM2150");
            Assert.False(File.Exists("/tmp/symbolon-browser-copy.csv"));
        });
    }

    /// <summary>
    /// Picks <paramref name="option"/> in a MudSelect and waits until the select shows it, so that the next choice
    /// starts after this one's round trip to the server. Under load the answer to the previous choice (a new mapping
    /// problem, a new preview) could re-render the page while the next list was open and move its options under the
    /// pointer: the neighbouring column was picked. A pick that did not take is made again, at most twice.
    /// </summary>
    private static async Task ChooseAsync(IPage page, string select, string option)
    {
        var field = page.GetByTestId(select);
        for (var attempt = 1; ; attempt++)
        {
            await field.ClickAsync();
            var item = page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true });
            await Expect(item).ToBeVisibleAsync();
            await item.ClickAsync();
            try
            {
                await field.Locator("xpath=.").EvaluateAsync(
                    "(el, option) => new Promise((resolve, reject) => { const started = Date.now(); const check = () => { " +
                    "const shown = [...el.querySelectorAll('input')].some(i => i.value === option) || el.innerText.split('\\n').some(t => t.trim() === option); " +
                    "if (shown) resolve(true); else if (Date.now() - started > 10000) reject(new Error('not shown')); else setTimeout(check, 50); }; check(); })",
                    option);
                return;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
                await page.Keyboard.PressAsync("Escape");
            }
        }
    }

    /// <summary>Rows <paramref name="from"/> to <paramref name="from"/> + <paramref name="count"/> of a seeded bank export: German style, semicolons and decimal commas.</summary>
    private static byte[] Statement(int from, int count)
    {
        var csv = new StringBuilder("Tag;Text;Partner;Wert;Kontostand\n", (count + 1) * 64);
        for (var i = from; i < from + count; i++)
        {
            var partner = Partners[i % Partners.Length];
            csv.Append(Day(i).ToString("dd.MM.yyyy", CultureInfo.InvariantCulture)).Append(";KARTENZAHLUNG ").Append(partner.ToUpperInvariant()).Append(' ').Append(i)
                .Append(';').Append(partner).Append(';').Append(Amount(i).ToString("0.00", CultureInfo.InvariantCulture).Replace('.', ',')).Append(";1000,00\n");
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    private static DateOnly Day(int i) => new DateOnly(2024, 1, 1).AddDays(i / 100);

    private static decimal Amount(int i) => -(1 + (i % 7) + ((i % 100) / 100m));

    private static (decimal Out, int Count) Expected(Func<int, bool> which)
    {
        var rows = Enumerable.Range(0, Rows).Where(which).ToList();
        return (rows.Sum(Amount), rows.Count);
    }
}
