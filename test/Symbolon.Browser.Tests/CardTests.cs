using Symbolon.Client;
using Symbolon.Contracts.Vendor;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>
/// The card at the counter, end to end: the person shows the card in Chromium, a till on <c>Symbolon.Client</c>
/// redeems the code and polls (RFC 8628), the person approves in the browser, and the till's wait completes.
/// </summary>
public sealed class CardTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_till_redeems_the_card_and_its_poll_completes_when_the_person_approves_in_the_browser()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await app.RunAsync(nameof(A_till_redeems_the_card_and_its_poll_completes_when_the_person_approves_in_the_browser), async () =>
        {
            var page = app.Page;
            await app.CreateVaultAndOpenProfileAsync();
            await app.AddEmailAsync("ada@example.org", "home");

            // The person opens the card: a QR code and a code to type, with its countdown.
            await app.OpenAsync("/wallet/card");
            await Expect(page.GetByTestId("card-qr").Locator("svg")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("card-countdown")).ToContainTextAsync("Works once");
            await Expect(page.GetByTestId("card-recent-empty")).ToBeVisibleAsync();
            var typed = (await page.GetByTestId("card-code").InnerTextAsync()).Trim();
            Assert.Matches("^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$", typed);
            await app.ScreenshotAsync("card");

            // The till (no scanner): the vault's address and the typed code, through the SDK.
            using var http = new HttpClient();
            var card = SymbolonCardCode.Parse($"{app.Server.BaseUrl} {typed.ToLowerInvariant()}");
            var vault = await SymbolonVault.DiscoverAsync(http, card.VaultUrl);
            var vendor = vault.CreateClient(await vault.RegisterAsync(new ClientRegistrationRequest("Blue Door Coffee", ["https://bluedoor.example/callback"], Agreements: ["SD-BASE"])));
            await vendor.AcceptAgreementAsync("SD-BASE");
            var authorization = await vendor.RedeemCardAsync(card,
            [
                new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Email], [DataActions.Read], "Email your receipts", "SD-BASE"),
                new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Notes], [DataActions.Append], "Keep your stamps", "SD-BASE"),
            ]);
            var statuses = new List<CardAuthorizationStatus>();
            var waiting = authorization.WaitForApprovalAsync(new Progress<CardAuthorizationStatus>(s => { lock (statuses) { statuses.Add(s); } }));

            // The request appears in the app while the till waits; the person reviews it.
            var banner = page.GetByTestId("card-request-pending");
            await Expect(banner).ToContainTextAsync("Blue Door Coffee wants to", new() { Timeout = 30_000 });
            await Expect(banner).ToContainTextAsync("under SD-BASE");
            Assert.False(waiting.IsCompleted);
            await banner.GetByTestId("card-request-review").ClickAsync();
            await Expect(page.GetByTestId("card-request")).ToContainTextAsync("Blue Door Coffee");
            await Expect(page.GetByTestId("consent-agreement")).ToContainTextAsync("SD-BASE");
            await app.ScreenshotAsync("card-request");
            await page.GetByRole(AriaRole.Button, new() { Name = "Share selected" }).ClickAsync();

            await page.WaitForURLAsync("**/wallet/card?decided=approved");
            await Expect(page.GetByTestId("card-decided")).ToContainTextAsync("Approved");

            // The till's poll completes with tokens for what was granted, and its own handle for the person.
            var session = await waiting.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Contains(CardAuthorizationStatus.Pending, statuses);
            Assert.False(string.IsNullOrEmpty(session.Tokens.Subject));
            Assert.True(session.Tokens.Allows(Datatypes.Email, DataActions.Read));
            Assert.True(session.Tokens.Allows(Datatypes.Notes, DataActions.Append));
            var profile = await session.GetProfileAsync();
            Assert.Equal(session.Tokens.Subject, profile.Profile.Subject);
            Assert.Equal("ada@example.org", Assert.Single(profile.Profile.Fields).Value.GetString());

            // The same code does not pair twice.
            var again = await Assert.ThrowsAsync<SymbolonOAuthException>(() => vendor.RedeemCardAsync(card,
                [new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Notes], [DataActions.Append], "Keep your stamps", "SD-BASE")]));
            Assert.Equal(CardProtocol.InvalidCardCodeError, again.Error);
            Assert.StartsWith("SYM1603", again.Description, StringComparison.Ordinal);

            await app.OpenAsync("/wallet/card");
            await Expect(page.GetByTestId("card-recent-status").First).ToHaveTextAsync("approved");
        });
    }
}
