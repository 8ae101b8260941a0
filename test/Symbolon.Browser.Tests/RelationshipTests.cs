using System.Net;
using System.Net.Http.Headers;
using Symbolon.Client;
using Symbolon.Contracts.Vendor;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

public sealed class RelationshipTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const string RedirectUri = "https://vendor.example/callback";

    [Fact]
    public async Task Person_consents_unticking_and_narrowing_then_revokes_and_the_vendors_next_call_is_refused()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await app.RunAsync(nameof(Person_consents_unticking_and_narrowing_then_revokes_and_the_vendors_next_call_is_refused), async () =>
        {
            await app.CreateVaultAndOpenProfileAsync();
            await app.AddEmailAsync("ada@example.org", "home");
            var page = app.Page;

            // The vendor, through the SDK: registration, terms, a pushed authorization request with PKCE S256.
            using var http = new HttpClient();
            var vault = await SymbolonVault.DiscoverAsync(http, app.Server.BaseUrl);
            var credentials = await vault.RegisterAsync(new ClientRegistrationRequest(
                "Blue Door Coffee", [RedirectUri], ClientUri: "https://vendor.example", PolicyUri: "https://vendor.example/privacy", Agreements: ["SD-BASE"]));
            var vendor = vault.CreateClient(credentials);
            await vendor.AcceptAgreementAsync("SD-BASE");
            var pending = await vendor.BeginAuthorizationAsync(new Uri(RedirectUri),
            [
                new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Email, Datatypes.Phone, Datatypes.PostalAddress], [DataActions.Read], "Deliver your coffee beans", "SD-BASE"),
            ]);

            // The vendor's redirect target does not exist here; the browser's visit to it is answered locally.
            await page.RouteAsync("https://vendor.example/**", route => route.FulfillAsync(new() { Status = 200, ContentType = "text/plain", Body = "vendor callback" }));

            // The person, signed in, opens the authorization request and sees the consent page.
            await page.GotoAsync(pending.AuthorizationUri.AbsoluteUri);
            var consent = page.GetByTestId("consent");
            await Expect(consent).ToContainTextAsync("Blue Door Coffee");
            await Expect(page.GetByTestId("consent-purpose")).ToContainTextAsync("Deliver your coffee beans");
            await page.GetByTestId($"consent-field-{Datatypes.Phone}").UncheckAsync();
            await page.GetByTestId($"consent-narrow-{Datatypes.PostalAddress}").SelectOptionAsync(Narrowings.PostalCode);
            await app.ScreenshotAsync("consent");
            await page.GetByTestId("consent-allow").ClickAsync();
            await page.WaitForURLAsync("https://vendor.example/callback**");
            var callback = new Uri(page.Url);
            Assert.False(string.IsNullOrEmpty(System.Web.HttpUtility.ParseQueryString(callback.Query)["code"]), "No code in the redirect.");

            // The vendor exchanges the code and reads what it was granted.
            var session = await vendor.CompleteAuthorizationAsync(callback, pending);
            var accessToken = session.Tokens.AccessToken;
            using var api = new HttpClient { BaseAddress = app.Server.BaseUrl };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            var profile = await api.GetAsync("/api/v1/profile");
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
            Assert.Contains("ada@example.org", await profile.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // The person sees the relationship and exactly what was granted.
            await app.OpenAsync("/relationships");
            var card = page.GetByTestId("relationship-card");
            await Expect(card).ToHaveCountAsync(1);
            await Expect(card).ToContainTextAsync("Blue Door Coffee");
            await Expect(card.GetByTestId("active-grants")).ToHaveTextAsync("1");
            await app.ScreenshotAsync("relationships");
            await card.ClickAsync();
            await page.WaitForURLAsync("**/relationships/*");
            await app.WaitForInteractiveAsync();
            var grant = page.GetByTestId("grant");
            await Expect(grant).ToHaveCountAsync(1);
            await Expect(grant.GetByTestId("grant-status")).ToHaveTextAsync("Active");
            var fields = grant.GetByTestId("granted-field");
            await Expect(fields).ToHaveCountAsync(2);
            await Expect(grant.Locator($"[data-datatype='{Datatypes.Phone}']")).ToHaveCountAsync(0);
            await Expect(grant.Locator($"[data-datatype='{Datatypes.PostalAddress}']")).ToContainTextAsync("only the postal code and country");
            await Expect(page.GetByTestId("agreement")).ToContainTextAsync("SD-BASE");
            await Expect(page.GetByTestId("access-entry")).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("access-log")).ToContainTextAsync("Deliver your coffee beans");
            await app.ScreenshotAsync("relationship-detail");

            // One click (and a confirmation) revokes it; the vendor's very next call is refused.
            await grant.GetByTestId("revoke-grant").ClickAsync();
            await app.Dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
            await Expect(grant.GetByTestId("grant-status")).ToHaveTextAsync("Revoked");
            await Expect(grant.GetByTestId("revoke-grant")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("thread")).ToContainTextAsync("You revoked");
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/profile")).StatusCode);
            await app.ScreenshotAsync("relationship-revoked");
        });
    }
}
