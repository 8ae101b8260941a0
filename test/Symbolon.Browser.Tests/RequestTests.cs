using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>
/// Requests end to end: the person sends the real coffee shop (samples/CoffeeShop, on the SDK alone) an access request
/// and then a deletion request from the web app; the shop answers both by itself; nothing faked on either side.
/// </summary>
public sealed class RequestTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_shop_answers_an_access_request_with_an_export_in_the_vault_and_a_deletion_request_by_forgetting_the_customer()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await using var shop = await CoffeeShopSite.StartAsync(app.Server.BaseUrl);
        await app.RunAsync(nameof(The_shop_answers_an_access_request_with_an_export_in_the_vault_and_a_deletion_request_by_forgetting_the_customer), async () =>
        {
            var page = app.Page;
            await app.CreateVaultAndOpenProfileAsync();
            var dialog = await app.OpenAddDialogAsync("name");
            await WebApp.FillAsync(dialog, "Given name", "Ada");
            await WebApp.FillAsync(dialog, "Family name", "Lovelace");
            await app.SaveDialogAsync("Add");
            await app.AddEmailAsync("ada@example.org", "home");

            // No requests yet.
            await app.OpenAsync("/requests");
            await Expect(page.GetByTestId("requests-empty")).ToBeVisibleAsync();

            // The customer shows their card at the shop and approves; the shop sells them a coffee.
            await app.OpenAsync("/wallet/card");
            var typed = (await page.GetByTestId("card-code").InnerTextAsync()).Trim();
            var counter = await page.Context.NewPageAsync();
            await counter.GotoAsync(shop.Url("/counter"));
            await counter.GetByTestId("card-input").FillAsync($"{app.Server.BaseUrl} {typed}");
            await counter.GetByTestId("redeem").ClickAsync();
            await app.OpenAsync("/wallet/card");
            var banner = page.GetByTestId("card-request-pending");
            await Expect(banner).ToContainTextAsync("Blue Door Coffee wants to", new() { Timeout = 30_000 });
            await banner.GetByTestId("card-request-review").ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Share selected" }).ClickAsync();
            await page.WaitForURLAsync("**/wallet/card?decided=approved");
            await Expect(counter.GetByTestId("visit-approved")).ToHaveTextAsync("Hello, Ada Lovelace", new() { Timeout = 45_000 });
            await counter.GetByTestId("qty-flat-white").FillAsync("2");
            await counter.GetByTestId("ring-up").ClickAsync();
            await Expect(counter.GetByTestId("sale-ok")).ToContainTextAsync("sent to the customer's vault");
            string subject;
            await using (var db = shop.Database())
            {
                subject = (await db.Customers.SingleAsync()).Subject;
                Assert.Equal(1, await db.Sales.CountAsync());
            }

            // The person asks the shop for a copy of their data.
            await app.OpenAsync("/requests");
            await page.GetByTestId("new-request").ClickAsync();
            var form = page.GetByTestId("request-dialog");
            await Expect(form).ToBeVisibleAsync();
            await form.GetByTestId("request-vendor").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "Blue Door Coffee", Exact = true }).ClickAsync();
            await form.GetByTestId("request-kind").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "Copy of my data", Exact = true }).ClickAsync();
            await Expect(form).ToContainTextAsync("One month from when you send it");
            await WebApp.FillAsync(form, "Message (optional)", "Everything you keep about me, please.");
            await app.ScreenshotAsync("request-new");
            await page.GetByTestId("send-request").ClickAsync();
            await page.WaitForURLAsync("**/requests/*");
            await Expect(page.GetByTestId("request-facts")).ToContainTextAsync("Blue Door Coffee");
            await Expect(page.GetByTestId("due-rule")).ToContainTextAsync("One month from receipt");

            // The shop hears of it by webhook and answers with its export; the answer appears by itself.
            var thread = page.GetByTestId("request-thread");
            await Expect(thread.GetByTestId("reply")).ToHaveCountAsync(1, new() { Timeout = 45_000 });
            await Expect(thread.GetByTestId("reply-text")).ToContainTextAsync("Here is everything we hold about you");
            await Expect(page.GetByTestId("request-facts").GetByTestId("request-status")).ToHaveTextAsync("Answered");
            var attachment = thread.GetByTestId("attachment");
            await Expect(attachment).ToContainTextAsync("coffeeshop-export.json");
            await Expect(attachment).ToContainTextAsync("from Blue Door Coffee");
            await app.ScreenshotAsync("request-answered");

            // The export landed in the vault: the person downloads it, and it holds the shop's own rows about them.
            var download = await page.RunAndWaitForDownloadAsync(() => attachment.ClickAsync());
            Assert.Equal("coffeeshop-export.json", download.SuggestedFilename);
            await using (var stream = await download.CreateReadStreamAsync())
            {
                var export = await JsonSerializer.DeserializeAsync<JsonElement>(stream);
                Assert.Equal(subject, export.GetProperty("customer").GetProperty("subject").GetString());
                var sale = Assert.Single(export.GetProperty("sales").EnumerateArray());
                Assert.Contains("Flat white", sale.GetProperty("lines").ToString(), StringComparison.Ordinal);
            }

            // Then the person asks the shop to delete it all.
            await app.OpenAsync("/requests");
            await page.GetByTestId("new-request").ClickAsync();
            await Expect(form).ToBeVisibleAsync();
            await form.GetByTestId("request-kind").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "Delete my data", Exact = true }).ClickAsync();
            await page.GetByTestId("send-request").ClickAsync();
            await page.WaitForURLAsync("**/requests/*");
            await Expect(thread.GetByTestId("reply")).ToHaveCountAsync(1, new() { Timeout = 45_000 });
            await Expect(thread.GetByTestId("reply-text")).ToContainTextAsync("We deleted everything we held about you");

            // The list shows both answered.
            await app.OpenAsync("/requests");
            var rows = page.GetByTestId("request-row");
            await Expect(rows).ToHaveCountAsync(2);
            await Expect(rows.GetByTestId("request-status")).ToHaveTextAsync(["Answered", "Answered"]);
            await app.ScreenshotAsync("requests-list");

            // The shop's own database no longer holds the customer: no customer, sale, visit or webhook row, and its
            // log of requests keeps only that it complied.
            await using (var db = shop.Database())
            {
                Assert.Equal(0, await db.Customers.CountAsync());
                Assert.Equal(0, await db.Sales.CountAsync());
                Assert.Equal(0, await db.Visits.CountAsync(v => v.CustomerId != null));
                Assert.Equal(0, await db.Webhooks.CountAsync(w => w.Subject != null || w.CustomerId != null));
                var requests = await db.Requests.OrderBy(r => r.Id).ToListAsync();
                Assert.Equal(["access", "erasure"], requests.Select(r => r.Kind));
                Assert.All(requests, r => Assert.Null(r.Subject));
            }

            await counter.GotoAsync(shop.Url("/requests"));
            await Expect(counter.GetByTestId("request-row")).ToHaveCountAsync(2);
            await Expect(counter.GetByTestId("request-outcome").First).ToContainTextAsync("Deleted the customer");
            var path = Path.Combine(browser.ScreenshotDirectory, "coffeeshop-requests.png");
            await counter.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
            output.WriteLine($"screenshot: {path}");
        });
    }
}
