using Symbolon.Client;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>
/// The wallet end to end: a vendor on <c>Symbolon.Client</c> pushes a receipt and stamps into the real server, and
/// the person sees them on the wallet's overview and purchase history in Chromium, then records a shared check-in.
/// </summary>
public sealed class WalletTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_receipt_and_stamps_pushed_through_the_sdk_appear_in_the_wallet_and_purchase_history()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await using var site = await VendorSite.StartAsync();
        await app.RunAsync(nameof(A_receipt_and_stamps_pushed_through_the_sdk_appear_in_the_wallet_and_purchase_history), async () =>
        {
            var page = app.Page;
            await app.CreateVaultAndOpenProfileAsync();

            // Before any shop: the wallet explains itself.
            await app.OpenAsync("/wallet");
            await Expect(page.GetByTestId("programmes-empty")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("receipts-empty")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("wallet-tabs").GetByRole(AriaRole.Link, new() { Name = "Purchases" })).ToBeVisibleAsync();
            await app.ScreenshotAsync("wallet-empty");

            // The shop: registers, accepts the person's terms and asks to add receipts and stamps and read its programme.
            using var http = new HttpClient();
            var vault = await SymbolonVault.DiscoverAsync(http, app.Server.BaseUrl);
            var vendor = vault.CreateClient(await vault.RegisterAsync(new ClientRegistrationRequest("Blue Door Coffee", [site.CallbackUri.ToString()], Agreements: ["SD-BASE"])));
            await vendor.AcceptAgreementAsync("SD-BASE");
            var pending = await vendor.BeginAuthorizationAsync(site.CallbackUri,
            [
                new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Receipts, Datatypes.Loyalty], [DataActions.Read, DataActions.Append], "Digital receipts and your coffee card", "SD-BASE"),
                new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.CheckIns], [DataActions.Read], "See the visits you share with us", "SD-BASE"),
            ]);
            var granted = site.Expect(vendor, pending);
            await page.GotoAsync(pending.AuthorizationUri.ToString());
            await Expect(page.GetByTestId("consent")).ToContainTextAsync("Receipts of what you buy from them");
            await Expect(page.GetByTestId("consent")).ToContainTextAsync("Stamps and points on their loyalty programme");
            await app.ScreenshotAsync("wallet-consent");
            await page.GetByRole(AriaRole.Button, new() { Name = "Share selected" }).ClickAsync();
            await page.WaitForURLAsync(site.CallbackUri + "**");
            var session = await granted.WaitAsync(TimeSpan.FromSeconds(30));

            // At the counter: a receipt (sent twice, stored once) and three stamps.
            var receipt = new ReceiptInput(
                "Blue Door Coffee", new DateTimeOffset(2026, 11, 22, 8, 15, 0, TimeSpan.Zero), "EUR",
                [new ReceiptLineInput("Flat white", 2, 3.20m, 0.58m, 6.40m), new ReceiptLineInput("Almond croissant", 1, 2.95m, 0.27m, 2.95m)],
                9.35m, 0.85m, 10.20m, "card", "Lindengracht 12, Haarlem", ReceiptNumber: "R-1001");
            var pushed = await session.PushReceiptAsync(receipt, "sale-1001");
            Assert.Equal(pushed.Id, (await session.PushReceiptAsync(receipt, "sale-1001")).Id);
            var card = new LoyaltyProgrammeInput("Coffee card", LoyaltyProgrammeKinds.Stamps, "stamps", 10, "A free coffee");
            await session.PushLoyaltyEventAsync(new LoyaltyEventInput(LoyaltyEventKinds.StampEarned, 2, card, Note: "R-1001"), "stamps-1001");
            await session.PushLoyaltyEventAsync(new LoyaltyEventInput(LoyaltyEventKinds.StampEarned), "stamps-1002");
            Assert.Equal(3, (await session.GetLoyaltyAsync()).Balance);
            Assert.Single(await session.GetReceiptsAsync());
            var over = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.PushLoyaltyEventAsync(new LoyaltyEventInput(LoyaltyEventKinds.StampsRedeemed, 4)));
            Assert.Equal(ProblemCodes.InsufficientBalance, over.Code);
            var bad = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.PushReceiptAsync(receipt with { Total = 99m }, "sale-bad"));
            Assert.Equal(ProblemCodes.InvalidReceipt, bad.Code);
            Assert.True(bad.Problem.Errors!.ContainsKey("total"));

            // The person sees the programme and the receipt in the wallet ...
            await app.OpenAsync("/wallet");
            var programme = page.GetByTestId("programme-card");
            await Expect(programme).ToContainTextAsync("Coffee card");
            await Expect(programme).ToContainTextAsync("Blue Door Coffee");
            await Expect(programme.GetByTestId("programme-balance")).ToContainTextAsync("3");
            await Expect(programme).ToContainTextAsync("7 more stamps for A free coffee");
            await Expect(page.GetByTestId("recent-receipt")).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("recent-receipt")).ToContainTextAsync("EUR 10.20");
            await app.ScreenshotAsync("wallet-overview");

            // ... and line by line in the purchase history.
            await page.GetByTestId("wallet-tabs").GetByRole(AriaRole.Link, new() { Name = "Purchases" }).ClickAsync();
            await page.WaitForURLAsync("**/wallet/purchases");
            await app.WaitForInteractiveAsync();
            var shown = page.GetByTestId("receipt");
            await Expect(shown).ToHaveCountAsync(1);
            await Expect(shown.GetByTestId("receipt-line")).ToHaveCountAsync(2);
            await Expect(shown).ToContainTextAsync("Almond croissant");
            await Expect(shown.GetByTestId("receipt-total")).ToHaveTextAsync("EUR 10.20");
            await Expect(page.GetByTestId("purchase-totals")).ToContainTextAsync("1 receipt");
            await app.ScreenshotAsync("wallet-purchases");

            // A visit shared with the shop: the shop reads it, and nothing it was not shared.
            await page.GetByTestId("wallet-tabs").GetByRole(AriaRole.Link, new() { Name = "Check-ins" }).ClickAsync();
            await page.WaitForURLAsync("**/wallet/check-ins");
            await app.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("checkins-empty")).ToBeVisibleAsync();
            await WebApp.FillAsync(page.GetByTestId("checkin-form"), "Place", "Blue Door Coffee, Haarlem");
            await page.GetByTestId("checkin-add").ClickAsync();
            await Expect(page.GetByTestId("checkin")).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("checkin-shared-summary")).ToHaveTextAsync("Shared with nobody.");
            Assert.Empty(await session.GetCheckInsAsync());
            await page.GetByTestId("checkin").GetByTestId("checkin-sharing").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "Blue Door Coffee" }).ClickAsync();
            await Expect(page.GetByTestId("checkin-shared-summary")).ToHaveTextAsync("Shared with Blue Door Coffee.");
            await page.GetByRole(AriaRole.Heading, new() { Name = "Check-ins", Exact = true }).ClickAsync();
            Assert.Equal("Blue Door Coffee, Haarlem", Assert.Single(await session.GetCheckInsAsync()).Place);
            await app.ScreenshotAsync("wallet-check-ins");

            // The relationship shows what this vendor put in the wallet.
            await app.OpenAsync("/relationships");
            await page.GetByTestId("relationship-card").Filter(new() { HasText = "Blue Door Coffee" }).ClickAsync();
            await page.WaitForURLAsync("**/relationships/*");
            await Expect(page.GetByTestId("relationship-balance")).ToContainTextAsync("3 stamps");
            await Expect(page.GetByTestId("relationship-wallet")).ToContainTextAsync("EUR 10.20");
        });
    }
}
