using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

public sealed class AreaTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private static readonly string[] NavigationAreas = ["Home", "Profile", "Relationships", "Wallet", "Insights", "Requests", "Intents", "Payments", "Settings"];

    [Fact]
    public async Task Home_navigation_lists_every_area_and_an_unknown_address_gets_a_404()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await app.RunAsync(nameof(Home_navigation_lists_every_area_and_an_unknown_address_gets_a_404), async () =>
        {
            await app.CreateVaultAndOpenProfileAsync();
            await app.AddEmailAsync("ada@example.org", "home");
            var page = app.Page;

            // Every other kind of field has its own inputs.
            var dialog = await app.OpenAddDialogAsync("phone");
            await WebApp.FillAsync(dialog, "Phone number", "+31 20 123 4567");
            await dialog.GetByText("mobile", new() { Exact = true }).ClickAsync();
            await app.SaveDialogAsync("Add");
            dialog = await app.OpenAddDialogAsync("birth_date");
            await WebApp.FillAsync(dialog, "Birth date", "1990-04-23");
            await app.SaveDialogAsync("Add");
            dialog = await app.OpenAddDialogAsync("language");
            await WebApp.FillAsync(dialog, "Language tag", "nl");
            await Expect(dialog).ToContainTextAsync("Dutch");
            await app.SaveDialogAsync("Add");
            dialog = await app.OpenAddDialogAsync("preference");
            await WebApp.FillAsync(dialog, "Preference", "No paper mail, please.");
            await app.SaveDialogAsync("Add");
            await Expect(app.Fields("phone")).ToContainTextAsync("mobile");
            await Expect(app.Fields("birth_date")).ToContainTextAsync("23 April 1990");
            await Expect(app.Fields("language")).ToContainTextAsync("Dutch (nl)");
            await Expect(app.Fields("preference")).ToContainTextAsync("No paper mail");
            await Expect(page.GetByTestId("add-birth_date")).ToHaveCountAsync(0);
            await app.ScreenshotAsync("profile-complete");

            await page.SetViewportSizeAsync(390, 844);
            await app.ScreenshotAsync("profile-phone-width", fullPage: false);
            await page.SetViewportSizeAsync(1280, 860);

            var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Areas" });
            foreach (var area in NavigationAreas)
            {
                await Expect(nav.GetByRole(AriaRole.Link, new() { Name = area })).ToBeVisibleAsync();
            }

            await nav.GetByRole(AriaRole.Link, new() { Name = "Home" }).ClickAsync();
            await Expect(page.GetByTestId("field-count")).ToHaveTextAsync("5");
            await Expect(page.GetByTestId("profile-summary")).ToContainTextAsync("by You");
            await app.ScreenshotAsync("home");

            // Every area is built: none says "Coming soon" any more, on the home page or behind its link.
            await Expect(page.GetByText("Coming soon")).ToHaveCountAsync(0);
            await nav.GetByRole(AriaRole.Link, new() { Name = "Payments" }).ClickAsync();
            await page.WaitForURLAsync("**/payments");
            await Expect(page.GetByTestId("payments-tabs")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("coming-soon")).ToHaveCountAsync(0);

            // An address that does not exist gets the app's own page, with a real 404.
            var response = await page.GotoAsync("/no-such-page");
            Assert.Equal(404, response?.Status);
            await Expect(page.GetByTestId("not-found")).ToBeVisibleAsync();
            await app.WaitForInteractiveAsync();
            await app.ScreenshotAsync("not-found");
        });
    }

    [Fact]
    public async Task Settings_show_the_key_derivation_and_manage_tokens_deleted_records_and_the_passphrase()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await app.RunAsync(nameof(Settings_show_the_key_derivation_and_manage_tokens_deleted_records_and_the_passphrase), async () =>
        {
            await app.CreateVaultAndOpenProfileAsync();
            var page = app.Page;
            await app.AddEmailAsync("old@example.org");
            await app.Fields("email").GetByTestId("delete").ClickAsync();
            await app.SaveDialogAsync("Delete");
            await Expect(app.Fields("email")).ToHaveCountAsync(0);
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Areas" }).GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
            await page.WaitForURLAsync("**/settings");

            await Expect(page.GetByTestId("kdf")).ToHaveTextAsync("Argon2id, 64 MiB, 3 passes");
            await Expect(page.GetByTestId("vault-info")).ToContainTextAsync("Ed25519");

            // A second client signs in; this browser sees it and signs it out, and its cookie is refused from then on.
            using var other = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = app.Server.BaseUrl };
            other.DefaultRequestHeaders.UserAgent.ParseAdd("curl/8.5.0");
            var unlocked = await other.PostAsync("/owner/api/v1/vault/unlock", new StringContent($"{{\"passphrase\":\"{WebApp.Passphrase}\"}}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.OK, unlocked.StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await other.GetAsync("/owner/api/v1/profile")).StatusCode);
            await app.OpenAsync("/settings");
            await Expect(page.GetByTestId("sign-in-row")).ToHaveCountAsync(2);
            await Expect(page.GetByTestId("sign-in-row").Filter(new() { Has = page.GetByTestId("this-browser") })).ToContainTextAsync("Chromium (headless) on Linux");
            await page.GetByTestId("sign-in-row").Filter(new() { HasText = "curl" }).GetByTestId("end-sign-in").ClickAsync();
            await Expect(page.GetByText("curl is signed out.")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("sign-in-row")).ToHaveCountAsync(1);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await other.GetAsync("/owner/api/v1/profile")).StatusCode);

            // How long the vault stays unlocked without its owner.
            await Expect(page.GetByTestId("auto-lock")).ToContainTextAsync("This is the default");
            await page.GetByTestId("auto-lock-select").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "15 minutes", Exact = true }).ClickAsync();
            await Expect(page.GetByText("Your vault now locks itself after 15 minutes without you.")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("auto-lock")).Not.ToContainTextAsync("This is the default");

            await WebApp.FillAsync(page.GetByTestId("tokens"), "What is it for?", "Nightly backup");
            await page.GetByTestId("create-token").ClickAsync();
            await Expect(page.GetByTestId("token-secret")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^sym_pat_"));
            await Expect(page.GetByTestId("token-row")).ToContainTextAsync("Nightly backup");
            await app.ScreenshotAsync("settings");

            // The exports are plain downloads with the session cookie.
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-vcard").ClickAsync());
            Assert.Equal("profile.vcf", download.SuggestedFilename);

            await page.GetByTestId("token-row").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
            await app.Dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
            await Expect(page.GetByTestId("token-row")).ToHaveCountAsync(0);

            // Purging removes the deleted email address and its history for good.
            await Expect(page.GetByTestId("deleted-count")).ToHaveTextAsync("1 deleted record is kept in history.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Purge deleted records" }).ClickAsync();
            await app.Dialog.GetByRole(AriaRole.Button, new() { Name = "Purge", Exact = true }).ClickAsync();
            await Expect(page.GetByTestId("deleted-count")).ToHaveTextAsync("There are no deleted records.");

            // A new passphrase; the wrong current one is refused next to its input first.
            var form = page.GetByTestId("change-passphrase");
            await WebApp.FillAsync(form, "Current passphrase", "not the passphrase");
            await WebApp.FillAsync(form, "New passphrase", "an even better passphrase");
            await WebApp.FillAsync(form, "Repeat the new passphrase", "an even better passphrase");
            await form.GetByRole(AriaRole.Button, new() { Name = "Change passphrase" }).ClickAsync();
            await Expect(form).ToContainTextAsync("That passphrase does not open this vault.");
            await WebApp.FillAsync(form, "Current passphrase", WebApp.Passphrase);
            await form.GetByRole(AriaRole.Button, new() { Name = "Change passphrase" }).ClickAsync();
            await Expect(page.GetByText("Passphrase changed.")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("vault-info")).Not.ToContainTextAsync("Never");

            await app.LockAsync();
            await app.UnlockAsync("an even better passphrase");
            await app.WaitForInteractiveAsync();
        });
    }
}
