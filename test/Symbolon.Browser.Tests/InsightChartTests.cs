using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>The Insights overview's charts and the rules page, in a real browser against a real server.</summary>
public sealed class InsightChartTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_imported_statement_shows_the_coffee_chart_and_a_rule_recategorizes_all_like_it()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await app.RunAsync(nameof(An_imported_statement_shows_the_coffee_chart_and_a_rule_recategorizes_all_like_it), async () =>
        {
            await app.CreateVaultAndOpenProfileAsync();
            var page = app.Page;

            // Nothing imported: the overview says so and leads to the import page.
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Areas" }).GetByRole(AriaRole.Link, new() { Name = "Insights" }).ClickAsync();
            await page.WaitForURLAsync("**/insights");
            var empty = page.GetByTestId("insights-empty");
            await Expect(empty).ToBeVisibleAsync();
            await Expect(empty.GetByRole(AriaRole.Link, new() { Name = "Import a statement" })).ToHaveAttributeAsync("href", "/insights/import");
            await Expect(page.GetByTestId("insights-tabs").GetByRole(AriaRole.Link, new() { Name = "Rules" })).ToHaveAttributeAsync("href", "/insights/rules");

            // A statement through the owner API with the browser's own session: coffee this month and last month.
            var response = await page.APIRequest.PostAsync(
                "/owner/api/v1/imports?format=csv&fileName=card.csv&map=" + Uri.EscapeDataString("date=Date,amount=Amount,description=Description,merchant=Merchant,currency=Currency,account=Visa"),
                new() { DataByte = Statement(DateOnly.FromDateTime(DateTime.UtcNow)) });
            Assert.True(response.Ok, await response.TextAsync());

            await app.OpenAsync("/insights");
            var coffee = page.GetByTestId("coffee");
            await Expect(coffee).ToContainTextAsync("Coffee this month");
            await Expect(page.GetByTestId("coffee-amount")).ToHaveTextAsync("EUR 10.50");
            await Expect(page.GetByTestId("coffee-change")).ToHaveTextAsync("+75 %");
            await Expect(page.GetByTestId("coffee-chart").Locator("svg").First).ToBeVisibleAsync();
            await Expect(page.GetByTestId("category-row")).ToHaveCountAsync(3);
            await Expect(page.GetByTestId("top-merchants")).ToContainTextAsync("Blue Door Coffee");
            await Expect(page.GetByTestId("visits")).ToContainTextAsync("Blue Door Coffee");
            await Expect(page.GetByTestId("recurring-row")).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("price-increase")).ToContainTextAsync("Up from EUR 9.99");
            await Expect(page.GetByTestId("fee-account")).ToContainTextAsync("EUR 2.50");
            await app.ScreenshotAsync("coffee-chart");

            // Rules: every REWE purchase, past and future, becomes "supermarket".
            await page.GetByTestId("insights-tabs").GetByRole(AriaRole.Link, new() { Name = "Rules" }).ClickAsync();
            await page.WaitForURLAsync("**/insights/rules");
            await app.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("rule")).ToHaveCountAsync(7);
            var recategorize = page.GetByTestId("recategorize");
            await WebApp.FillAsync(recategorize, "Find transactions (text)", "rewe");
            await WebApp.FillAsync(recategorize, "New category", "supermarket");
            await page.GetByTestId("recategorize-find").ClickAsync();
            await Expect(page.GetByTestId("recategorize-row")).ToHaveCountAsync(2);
            await page.GetByTestId("recategorize-all").First.ClickAsync();
            await Expect(page.GetByText("Rule added at the top; 2 transactions changed category.")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("rule")).ToHaveCountAsync(8);
            await Expect(page.GetByTestId("rule").First).ToContainTextAsync("Supermarket");
            await Expect(page.GetByTestId("recategorize-row").First).ToContainTextAsync("Supermarket");
            await app.ScreenshotAsync("insights-rules");

            await app.OpenAsync("/insights");
            await Expect(page.GetByTestId("category-spend")).ToContainTextAsync("Supermarket");

            // One transaction, from the transactions list: the fee was a travel cost.
            await app.OpenAsync("/insights/transactions");
            var fee = page.GetByTestId("transaction").Filter(new() { HasText = "FOREIGN TRANSACTION FEE" });
            await Expect(fee.GetByTestId("transaction-category")).ToHaveTextAsync("fees");
            await fee.GetByTestId("transaction-category").ClickAsync();
            var dialog = page.GetByTestId("recategorize-dialog");
            await Expect(dialog).ToContainTextAsync("FOREIGN TRANSACTION FEE");
            await page.GetByTestId("recategorize-one").ClickAsync();
            await Expect(dialog).ToContainTextAsync("Choose or type the new category.");
            await WebApp.FillAsync(dialog, "New category", "travel");
            await app.ScreenshotAsync("insights-recategorize");
            await page.GetByTestId("recategorize-one").ClickAsync();
            await Expect(page.GetByText("Saved; 1 transaction changed category.")).ToBeVisibleAsync();
            await Expect(dialog).ToBeHiddenAsync();
            await Expect(fee.GetByTestId("transaction-category")).ToHaveTextAsync("travel");
            await Expect(page.GetByTestId("transaction").Filter(new() { HasText = "REWE" }).First.GetByTestId("transaction-category")).ToHaveTextAsync("supermarket");

            // Eleven card fees: the card lists the newest ten, counts all eleven, and links to every one of them.
            var fees = new StringBuilder("Date,Description,Merchant,Amount,Currency\n");
            for (var i = 0; i < 11; i++)
            {
                fees.Append(CultureInfo.InvariantCulture, $"{DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-i):yyyy-MM-dd},CARD FEE {i},,-1.00,EUR\n");
            }

            response = await page.APIRequest.PostAsync(
                "/owner/api/v1/imports?format=csv&fileName=fees.csv&map=" + Uri.EscapeDataString("date=Date,amount=Amount,description=Description,merchant=Merchant,currency=Currency,account=Visa"),
                new() { DataByte = Encoding.UTF8.GetBytes(fees.ToString()) });
            Assert.True(response.Ok, await response.TextAsync());
            await app.OpenAsync("/insights");
            await Expect(page.GetByTestId("fee-account")).ToContainTextAsync("EUR 11.00");
            await page.GetByTestId("fee-account").ClickAsync();
            await Expect(page.GetByTestId("fee-row")).ToHaveCountAsync(10);
            await Expect(page.GetByTestId("fee-more")).ToContainTextAsync("The newest 10 of 11 charges.");
            await page.GetByTestId("fee-all-link").ClickAsync();
            await page.WaitForURLAsync("**/insights/transactions?category=fees&from=*");
            await Expect(page.GetByTestId("transaction-count")).ToHaveTextAsync("11");
        });
    }

    /// <summary>Three coffees today, two last month, groceries, a fee, and a subscription whose price went up.</summary>
    private static byte[] Statement(DateOnly today)
    {
        var thisMonth = new DateOnly(today.Year, today.Month, 1);
        var lastMonth = thisMonth.AddMonths(-1);
        var rows = new List<(DateOnly, string, string, decimal)>
        {
            (today, "SQ *BLUE DOOR COFFEE 0042", "BLUE DOOR COFFEE", -3.50m),
            (today, "STARBUCKS STORE 12", "STARBUCKS", -4.20m),
            (today, "BLUE DOOR COFFEE 0042", "BLUE DOOR COFFEE", -2.80m),
            (today, "REWE MARKT 1234", "REWE", -54.10m),
            (today, "FOREIGN TRANSACTION FEE", "", -2.50m),
            (lastMonth.AddDays(2), "BLUE DOOR COFFEE 0042", "BLUE DOOR COFFEE", -3.00m),
            (lastMonth.AddDays(9), "STARBUCKS STORE 12", "STARBUCKS", -3.00m),
            (lastMonth.AddDays(12), "REWE MARKT 1234", "REWE", -31.40m),
        };
        for (var i = 1; i <= 4; i++)
        {
            rows.Add((thisMonth.AddMonths(-i), "STREAMFLIX.COM", "STREAMFLIX", i <= 1 ? -12.99m : -9.99m));
        }

        var csv = new StringBuilder("Date,Description,Merchant,Amount,Currency\n");
        foreach (var (date, description, merchant, amount) in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{date:yyyy-MM-dd},{description},{merchant},{amount.ToString("0.00", CultureInfo.InvariantCulture)},EUR\n");
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }
}
