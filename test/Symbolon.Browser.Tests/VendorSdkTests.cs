using System.Text.Json;
using Symbolon.Client;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>
/// End to end with nothing faked: a vendor built only on <c>Symbolon.Client</c> (its own Kestrel site for the
/// callback and webhooks), the real Symbolon server, and the person in Chromium.
/// </summary>
public sealed class VendorSdkTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_vendor_on_the_sdk_is_granted_in_the_browser_sees_the_address_change_and_is_refused_after_revocation()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await using var site = await VendorSite.StartAsync();
        await app.RunAsync(nameof(A_vendor_on_the_sdk_is_granted_in_the_browser_sees_the_address_change_and_is_refused_after_revocation), async () =>
        {
            var page = app.Page;
            await app.CreateVaultAndOpenProfileAsync();
            await app.AddEmailAsync("ada@example.org", "home");
            var dialog = await app.OpenAddDialogAsync("phone");
            await WebApp.FillAsync(dialog, "Phone number", "+31 6 1234 5678");
            await app.SaveDialogAsync("Add");
            dialog = await app.OpenAddDialogAsync("postal_address");
            await WebApp.FillAsync(dialog, "Street and number", "Herengracht 1");
            await WebApp.FillAsync(dialog, "Postal code", "1015 BA");
            await WebApp.FillAsync(dialog, "City or town", "Amsterdam");
            await app.SaveDialogAsync("Add");
            await Expect(app.Fields("postal_address")).ToContainTextAsync("Herengracht 1");

            // The vendor: discover, register (with its webhook address), accept the person's terms, ask.
            using var http = new HttpClient();
            var vault = await SymbolonVault.DiscoverAsync(http, app.Server.BaseUrl);
            var credentials = await vault.RegisterAsync(new ClientRegistrationRequest(
                "Blue Door Coffee", [site.CallbackUri.ToString()], ClientUri: site.BaseUrl.ToString(), WebhookUri: site.WebhookUri.ToString(), Agreements: ["SD-BASE"]));
            Assert.StartsWith("whsec_", credentials.WebhookSecret, StringComparison.Ordinal);
            var vendor = vault.CreateClient(credentials);
            await vendor.AcceptAgreementAsync("SD-BASE");
            var pending = await vendor.BeginAuthorizationAsync(site.CallbackUri,
            [
                new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Email, Datatypes.PostalAddress, Datatypes.Phone], [DataActions.Read], "Deliver your coffee beans", "SD-BASE"),
            ]);
            var granted = site.Expect(vendor, pending);

            // The person, signed in, follows the vendor's link, sees the consent page, unticks the phone and shares.
            await page.GotoAsync(pending.AuthorizationUri.ToString());
            var consent = page.GetByTestId("consent");
            await Expect(consent).ToContainTextAsync("Blue Door Coffee");
            await Expect(page.GetByTestId("consent-purpose")).ToContainTextAsync("Deliver your coffee beans");
            await Expect(page.GetByTestId("consent-agreement")).ToContainTextAsync("SD-BASE");
            await page.GetByTestId($"consent-field-{Datatypes.Phone}").UncheckAsync();
            await app.ScreenshotAsync("vendor-sdk-consent");
            await page.GetByRole(AriaRole.Button, new() { Name = "Share selected" }).ClickAsync();

            // The browser lands on the vendor's callback, where the SDK completed the flow.
            await page.WaitForURLAsync(site.CallbackUri + "**");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connected to your vault" })).ToBeVisibleAsync();
            var session = await granted.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal([Datatypes.Email, Datatypes.PostalAddress], session.Tokens.GrantedDatatypes.Order());

            // Exactly email and address, no phone.
            var first = await session.GetProfileAsync();
            Assert.Equal([Datatypes.Email, Datatypes.PostalAddress], first.Profile.Fields.Select(f => f.Datatype).Order());
            var raw = JsonSerializer.Serialize(first.Profile);
            Assert.Contains("ada@example.org", raw, StringComparison.Ordinal);
            Assert.Contains("Herengracht 1", raw, StringComparison.Ordinal);
            Assert.DoesNotContain("1234", raw, StringComparison.Ordinal);
            Assert.True((await session.GetProfileAsync()).NotModified);

            // The person moves house, once, in the web app; the vendor sees the new address under a new ETag.
            await app.OpenAsync("/profile");
            var address = app.Fields("postal_address");
            await address.GetByTestId("edit").ClickAsync();
            await Expect(app.Dialog).ToBeVisibleAsync();
            await WebApp.FillAsync(app.Dialog, "Street and number", "Keizersgracht 2");
            await app.SaveDialogAsync("Save");
            await Expect(address).ToContainTextAsync("Keizersgracht 2");
            var changed = await session.GetProfileAsync();
            Assert.False(changed.NotModified);
            Assert.NotEqual(first.ETag, changed.ETag);
            Assert.Equal("Keizersgracht 2", changed.Profile.Fields.Single(f => f.Datatype == Datatypes.PostalAddress).Value.GetProperty("street").GetString());

            // ... and hears of the move by webhook, signed with the secret it got at registration, without the value.
            var webhooks = new WebhookVerifier(credentials.WebhookSecret!);
            var moved = await site.Webhooks.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            var movedChange = Assert.Single(webhooks.Verify(moved.Body, moved.Headers).GetProfileUpdated().Changes);
            Assert.Equal((Datatypes.PostalAddress, "update"), (movedChange.Datatype, movedChange.Operation));
            Assert.Equal(changed.Profile.Fields.Single(f => f.Datatype == Datatypes.PostalAddress).Id, movedChange.FieldId);
            Assert.DoesNotContain("Keizersgracht", moved.Body, StringComparison.Ordinal);

            // The person revokes the grant in the web app; the vendor's very next call is refused.
            await app.OpenAsync("/relationships");
            await page.GetByTestId("relationship-card").Filter(new() { HasText = "Blue Door Coffee" }).ClickAsync();
            await page.WaitForURLAsync("**/relationships/*");
            await app.WaitForInteractiveAsync();
            var grant = page.GetByTestId("grant");
            await grant.GetByTestId("revoke-grant").ClickAsync();
            await app.Dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
            await Expect(grant.GetByTestId("grant-status")).ToHaveTextAsync("Revoked");
            var refused = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.GetProfileAsync());
            Assert.Equal(401, refused.Status);
            Assert.True(refused.Code is ProblemCodes.GrantNotInForce or ProblemCodes.InvalidAccessToken, refused.Message);
            var revoked = await site.Webhooks.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(webhooks.Verify(revoked.Body, revoked.Headers).GetGrantRevoked().RelationshipEnded);
        });
    }
}
