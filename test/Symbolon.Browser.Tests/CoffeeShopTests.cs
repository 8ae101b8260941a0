using System.Net;
using System.Security.Cryptography;
using System.Text;
using CoffeeShop.Shop;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>
/// The sample coffee shop (samples/CoffeeShop, built only on <c>Symbolon.Client</c>) next to the real Symbolon
/// server, with the person in one Chromium tab and the counter in another: nothing faked on either side.
/// </summary>
public sealed class CoffeeShopTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_card_scanned_at_the_counter_brings_receipts_and_stamps_to_the_wallet_a_free_coffee_and_a_clear_refusal_after_revocation()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await using var shop = await CoffeeShopSite.StartAsync(app.Server.BaseUrl);
        await app.RunAsync(nameof(A_card_scanned_at_the_counter_brings_receipts_and_stamps_to_the_wallet_a_free_coffee_and_a_clear_refusal_after_revocation), async () =>
        {
            var page = app.Page;
            await app.CreateVaultAndOpenProfileAsync();
            var dialog = await app.OpenAddDialogAsync("name");
            await WebApp.FillAsync(dialog, "Given name", "Ada");
            await WebApp.FillAsync(dialog, "Family name", "Lovelace");
            await app.SaveDialogAsync("Add");
            await app.AddEmailAsync("ada@example.org", "home");

            // The person shows their card.
            await app.OpenAsync("/wallet/card");
            var typed = (await page.GetByTestId("card-code").InnerTextAsync()).Trim();

            // The counter, in another tab: the till types the vault's address and the code (a till without a scanner).
            var counter = await page.Context.NewPageAsync();
            await counter.GotoAsync(shop.Url("/counter"));
            await Expect(counter.GetByTestId("shop-name")).ToHaveTextAsync("Blue Door Coffee");
            await Expect(counter.GetByTestId("visits-empty")).ToBeVisibleAsync();
            await counter.GetByTestId("card-input").FillAsync("not a card");
            await counter.GetByTestId("redeem").ClickAsync();
            await Expect(counter.GetByTestId("counter-error")).ToContainTextAsync("That is not a Symbolon card code.");
            await counter.GetByTestId("card-input").FillAsync($"{app.Server.BaseUrl} {typed}");
            await counter.GetByTestId("redeem").ClickAsync();
            await Expect(counter.GetByTestId("visit-pending")).ToContainTextAsync("Waiting for the customer to approve in their Symbolon app");
            await ScreenshotAsync(counter, "coffeeshop-counter-waiting");

            // The shop registered itself with the person's vault on this first scan, with a signed webhook address.
            await using (var db = shop.Database())
            {
                var registration = await db.Vaults.SingleAsync();
                Assert.StartsWith("whsec_", registration.WebhookSecret, StringComparison.Ordinal);
                Assert.Equal("SD-BASE", registration.Agreement);
            }

            // The person approves in their Symbolon app.
            await app.OpenAsync("/wallet/card");
            var banner = page.GetByTestId("card-request-pending");
            await Expect(banner).ToContainTextAsync("Blue Door Coffee wants to", new() { Timeout = 30_000 });
            await banner.GetByTestId("card-request-review").ClickAsync();
            await Expect(page.GetByTestId("card-request")).ToContainTextAsync("Keep your coffee stamps on your card and show your balance at the counter");
            await app.ScreenshotAsync("coffeeshop-approve");
            await page.GetByRole(AriaRole.Button, new() { Name = "Share selected" }).ClickAsync();
            await page.WaitForURLAsync("**/wallet/card?decided=approved");

            // The counter sees the approval by itself and greets the customer by the name they shared.
            await Expect(counter.GetByTestId("visit-approved")).ToHaveTextAsync("Hello, Ada Lovelace", new() { Timeout = 45_000 });
            await Expect(counter.GetByTestId("stamp-balance")).ToHaveTextAsync("0 of 10 stamps");

            // A flat white and a croissant: an itemized receipt and one stamp.
            await counter.GetByTestId("qty-flat-white").FillAsync("1");
            await counter.GetByTestId("qty-croissant").FillAsync("1");
            await counter.GetByTestId("ring-up").ClickAsync();
            await Expect(counter.GetByTestId("sale-ok")).ToContainTextAsync("sent to the customer's vault");
            await Expect(counter.GetByTestId("stamp-balance")).ToHaveTextAsync("1 of 10 stamps");
            await ScreenshotAsync(counter, "coffeeshop-counter-sale");

            // A push retried after a lost answer is stored once: the shop forgets the vault's acknowledgement and pushes again.
            int firstSale;
            string firstReceiptId;
            await using (var db = shop.Database())
            {
                var sale = await db.Sales.SingleAsync();
                (firstSale, firstReceiptId) = (sale.Id, sale.ReceiptId!);
                sale.ReceiptId = null;
                sale.LoyaltyRecorded = false;
                await db.SaveChangesAsync();
            }

            var again = await shop.Services.GetRequiredService<Till>().PushAsync(firstSale, CancellationToken.None);
            Assert.Null(again.Error);
            Assert.Equal(firstReceiptId, again.ReceiptId);
            Assert.Equal(1, again.StampBalanceAfter);

            // The person sees the receipt, line by line, and the stamp.
            await app.OpenAsync("/wallet/purchases");
            var receipt = page.GetByTestId("receipt");
            await Expect(receipt).ToHaveCountAsync(1);
            await Expect(receipt).ToContainTextAsync("Blue Door Coffee");
            await Expect(receipt.GetByTestId("receipt-line")).ToHaveCountAsync(2);
            await Expect(receipt).ToContainTextAsync("Flat white");
            await Expect(receipt.GetByTestId("receipt-total")).ToHaveTextAsync("EUR 6.50");
            await app.OpenAsync("/wallet");
            var programme = page.GetByTestId("programme-card");
            await Expect(programme).ToContainTextAsync("Blue Door Coffee coffee card");
            await Expect(programme.GetByTestId("programme-balance")).ToContainTextAsync("1");

            // The person locks their vault and leaves. A cappuccino meanwhile: the vault takes the receipt and the stamp
            // sealed to its key, and the counter says they wait for the customer.
            await app.LockAsync();
            await counter.GetByTestId("qty-cappuccino").FillAsync("1");
            await counter.GetByTestId("ring-up").ClickAsync();
            await Expect(counter.GetByTestId("sale-queued")).ToContainTextAsync("queued until the customer opens their vault");
            await Expect(counter.GetByTestId("stamp-balance")).ToHaveTextAsync("2 of 10 stamps");
            await ScreenshotAsync(counter, "coffeeshop-counter-queued");

            // Back: every page says what arrived while they were away; the receipt is in the wallet, once.
            await app.UnlockAsync(WebApp.Passphrase);
            var away = page.GetByTestId("away-banner");
            await Expect(away.GetByTestId("away-title")).ToHaveTextAsync("2 items arrived while you were away", new() { Timeout = 20_000 });
            await Expect(away.GetByTestId("away-vendors")).ToContainTextAsync("Blue Door Coffee: 1 receipt, 1 loyalty update");
            await Expect(away.GetByTestId("away-state")).ToContainTextAsync("All added to your vault.", new() { Timeout = 20_000 });
            await app.ScreenshotAsync("away-banner", fullPage: false);
            await app.OpenAsync("/wallet/purchases");
            await Expect(page.GetByTestId("receipt")).ToHaveCountAsync(2);
            await Expect(page.GetByTestId("receipt").Filter(new() { HasText = "Cappuccino" })).ToHaveCountAsync(1);
            await away.GetByTestId("away-seen").ClickAsync();
            await Expect(away).ToHaveCountAsync(0);

            // Eight espressos make ten stamps; the counter offers the free coffee, which redeems them.
            await counter.GetByTestId("qty-espresso").FillAsync("8");
            await counter.GetByTestId("ring-up").ClickAsync();
            await Expect(counter.GetByTestId("stamp-balance")).ToHaveTextAsync("10 of 10 stamps");
            await ScreenshotAsync(counter, "coffeeshop-counter-ten-stamps");
            await counter.GetByTestId("free-coffee").ClickAsync();
            await Expect(counter.GetByTestId("sale-ok")).ToContainTextAsync("Free coffee given");
            await Expect(counter.GetByTestId("stamp-balance")).ToHaveTextAsync("0 of 10 stamps");
            await Expect(counter.GetByTestId("free-coffee")).ToHaveCountAsync(0);

            await app.OpenAsync("/wallet");
            await Expect(programme.GetByTestId("programme-balance")).ToContainTextAsync("0");
            await Expect(programme).ToContainTextAsync("Reward: A free coffee");
            await app.ScreenshotAsync("coffeeshop-wallet");
            await app.OpenAsync("/wallet/purchases");
            await Expect(page.GetByTestId("receipt")).ToHaveCountAsync(4);

            // The customer page: the pairwise identifier, only the granted fields, the balance, the shop's own sales.
            await counter.GetByRole(AriaRole.Link, new() { Name = "What the shop holds about this customer" }).ClickAsync();
            await Expect(counter.GetByTestId("customer-subject")).Not.ToBeEmptyAsync();
            await Expect(counter.GetByTestId("customer-field")).ToHaveCountAsync(2);
            await Expect(counter.GetByTestId("customer-field").Filter(new() { HasText = "ada@example.org" })).ToHaveCountAsync(1);
            await Expect(counter.GetByTestId("customer-stamps")).ToHaveTextAsync("0 of 10 stamps");
            await Expect(counter.GetByTestId("customer-balance-source")).ToHaveTextAsync("As the customer's vault reports it now.");
            await Expect(counter.GetByTestId("customer-granted")).ToContainTextAsync("Stamp card — append, read");
            await Expect(counter.GetByTestId("customer-sale")).ToHaveCountAsync(4);
            await ScreenshotAsync(counter, "coffeeshop-customer");

            // The person changes their email; the vault's signed webhook tells the shop, without the value.
            await app.OpenAsync("/profile");
            var email = app.Fields("email");
            await email.GetByTestId("edit").ClickAsync();
            await Expect(app.Dialog).ToBeVisibleAsync();
            await WebApp.FillAsync(app.Dialog, "Email address", "ada@lovelace.example");
            await app.SaveDialogAsync("Save");
            await WaitForWebhookAsync(counter, shop, "Email changed");
            await Expect(counter.GetByTestId("webhook").First).Not.ToContainTextAsync("lovelace.example");

            // A forged delivery to the shop's webhook address is refused and not stored.
            string webhookUrl;
            await using (var db = shop.Database())
            {
                webhookUrl = shop.Url($"webhooks/{(await db.Vaults.SingleAsync()).WebhookKey}");
            }

            var stored = await counter.GetByTestId("webhook").CountAsync();
            using (var http = new HttpClient())
            using (var forged = new HttpRequestMessage(HttpMethod.Post, webhookUrl))
            {
                // Well formed and current, but signed with a secret that is not the vault's.
                const string body = """{"type":"grant.revoked","timestamp":"2026-11-23T06:00:00Z","data":{"subject":"x","grant_id":"y","relationship_ended":true}}""";
                var timestamp = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
                var signature = Convert.ToBase64String(HMACSHA256.HashData(RandomNumberGenerator.GetBytes(32), Encoding.UTF8.GetBytes($"msg_forged.{timestamp}.{body}")));
                forged.Content = new StringContent(body, Encoding.UTF8, "application/json");
                forged.Headers.Add("webhook-id", "msg_forged");
                forged.Headers.Add("webhook-timestamp", timestamp);
                forged.Headers.Add("webhook-signature", $"v1,{signature}");
                var refused = await http.SendAsync(forged);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            await counter.ReloadAsync();
            await Expect(counter.GetByTestId("webhook")).ToHaveCountAsync(stored);

            // The person revokes; the vault tells the shop, and the shop's next push is refused in plain words.
            await app.OpenAsync("/relationships");
            await page.GetByTestId("relationship-card").Filter(new() { HasText = "Blue Door Coffee" }).ClickAsync();
            await page.WaitForURLAsync("**/relationships/*");
            await app.WaitForInteractiveAsync();
            var grant = page.GetByTestId("grant").First;
            await grant.GetByTestId("revoke-grant").ClickAsync();
            await app.Dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
            await Expect(grant.GetByTestId("grant-status")).ToHaveTextAsync("Revoked");
            await WaitForWebhookAsync(counter, shop, "Withdrew permission");
            await ScreenshotAsync(counter, "coffeeshop-webhooks");

            await counter.GotoAsync(shop.Url("/counter"));
            await counter.GetByTestId("recent-visit").First.GetByRole(AriaRole.Link, new() { Name = "Open" }).ClickAsync();
            await counter.GetByTestId("qty-cappuccino").FillAsync("1");
            await counter.GetByTestId("ring-up").ClickAsync();
            await Expect(counter.GetByTestId("sale-error")).ToHaveTextAsync(ShopErrors.PermissionWithdrawn);
            await ScreenshotAsync(counter, "coffeeshop-counter-refused");
            await app.OpenAsync("/wallet/purchases");
            await Expect(page.GetByTestId("receipt")).ToHaveCountAsync(4);
        });
    }

    [Fact]
    public async Task Connect_with_symbolon_without_a_card_uses_the_code_flow_and_shows_only_what_was_granted()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await using var shop = await CoffeeShopSite.StartAsync(app.Server.BaseUrl);
        await app.RunAsync(nameof(Connect_with_symbolon_without_a_card_uses_the_code_flow_and_shows_only_what_was_granted), async () =>
        {
            var page = app.Page;
            await app.CreateVaultAndOpenProfileAsync();
            var dialog = await app.OpenAddDialogAsync("name");
            await WebApp.FillAsync(dialog, "Given name", "Grace");
            await WebApp.FillAsync(dialog, "Family name", "Hopper");
            await app.SaveDialogAsync("Add");
            await app.AddEmailAsync("grace@example.org", "home");

            // At the shop's settings, in the same browser (the person is signed in to their vault there).
            await page.GotoAsync(shop.Url("/settings"));
            await Expect(page.GetByTestId("vaults-empty")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("connect-vault")).ToHaveValueAsync(app.Server.BaseUrl.ToString());
            await page.GetByTestId("connect").ClickAsync();

            // The vault's consent page: the person keeps the name to themselves and shares the rest.
            await Expect(page.GetByTestId("consent")).ToContainTextAsync("Blue Door Coffee");
            await page.GetByTestId($"consent-field-{Symbolon.Contracts.Vendor.Datatypes.Name}").UncheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Share selected" }).ClickAsync();

            // Back at the shop: the customer page shows the email, not the name.
            await page.WaitForURLAsync(shop.Url("/customers/") + "**");
            await Expect(page.GetByTestId("customer-subject")).Not.ToBeEmptyAsync();
            await Expect(page.GetByTestId("customer-field")).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("customer-field")).ToHaveTextAsync("grace@example.org");
            await Expect(page.GetByTestId("customer-balance-source")).ToHaveTextAsync("As the customer's vault reports it now.");
            await Expect(page.Locator("body")).Not.ToContainTextAsync("Hopper");
            await app.ScreenshotAsync("coffeeshop-connected-customer");

            await page.GotoAsync(shop.Url("/settings"));
            await Expect(page.GetByTestId("vault-row")).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("vault-row")).ToContainTextAsync("SD-BASE");
        });
    }

    /// <summary>Webhooks arrive when the vault delivers them; the page is looked at again until one says what is expected.</summary>
    private static async Task WaitForWebhookAsync(IPage counter, CoffeeShopSite shop, string summary)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            await counter.GotoAsync(shop.Url("/webhooks"));
            if (await counter.GetByTestId("webhook-summary").Filter(new() { HasText = summary }).CountAsync() > 0)
            {
                return;
            }

            await Task.Delay(500);
        }

        await Expect(counter.GetByTestId("webhook-summary").Filter(new() { HasText = summary })).ToHaveCountAsync(1);
    }

    private async Task ScreenshotAsync(IPage counter, string name)
    {
        var path = Path.Combine(browser.ScreenshotDirectory, name + ".png");
        await counter.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        output.WriteLine($"screenshot: {path}");
    }
}
