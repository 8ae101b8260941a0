using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

public sealed class SetupTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Setup_shows_the_recovery_key_once_and_needs_confirmation_before_the_profile()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await app.RunAsync(nameof(Setup_shows_the_recovery_key_once_and_needs_confirmation_before_the_profile), async () =>
        {
            var page = app.Page;

            // Before any vault exists, every page leads to the setup.
            await page.GotoAsync("/profile");
            await page.WaitForURLAsync("**/setup");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create your vault" })).ToBeVisibleAsync();
            await app.ScreenshotAsync("setup");

            // A mismatch is refused next to the second input, and nothing is created.
            await page.GetByLabel("Passphrase", new() { Exact = true }).FillAsync(WebApp.Passphrase);
            await page.GetByLabel("Repeat the passphrase").FillAsync(WebApp.Passphrase + " typo");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create vault" }).ClickAsync();
            await Expect(page.GetByText("The two passphrases are not the same.")).ToBeVisibleAsync();
            await Expect(page.GetByLabel("Passphrase", new() { Exact = true })).ToHaveValueAsync("");

            var key = await app.CreateVaultAsync();
            Assert.Matches("^[A-Z2-7]{52}$", key);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Store this now — it is shown only once" })).ToBeVisibleAsync();
            await app.ScreenshotAsync("recovery-key");

            // Continue is refused until the person says the key is stored.
            var continueButton = page.GetByRole(AriaRole.Button, new() { Name = "Continue" });
            await continueButton.ClickAsync();
            await Expect(page.GetByTestId("recovery-key")).ToBeVisibleAsync();
            Assert.EndsWith("/setup", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
            Assert.False(await page.GetByTestId("stored").EvaluateAsync<bool>("box => box.checkValidity()"));

            await app.ConfirmRecoveryKeyStoredAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Profile", Exact = true })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("lock")).ToBeVisibleAsync();
            Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);

            // The key is never shown again: a new browser asking for /setup is sent to unlock.
            await app.OpenTabAsync();
            await app.Page.GotoAsync("/setup");
            await app.Page.WaitForURLAsync("**/unlock");
            await Expect(app.Page.GetByRole(AriaRole.Heading, new() { Name = "Unlock your vault" })).ToBeVisibleAsync();
        });
    }

    [Fact]
    public async Task Recovery_key_opens_the_vault_with_a_new_passphrase()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await app.RunAsync(nameof(Recovery_key_opens_the_vault_with_a_new_passphrase), async () =>
        {
            var key = await app.CreateVaultAndOpenProfileAsync();
            await app.AddEmailAsync("ada@example.org");
            await app.LockAsync();

            var page = app.Page;
            await page.GetByRole(AriaRole.Link, new() { Name = "Use your recovery key" }).ClickAsync();
            await page.WaitForURLAsync("**/recover");
            await page.GetByLabel("Recovery key").FillAsync(key.ToLowerInvariant());
            await page.GetByLabel("New passphrase", new() { Exact = true }).FillAsync("a brand new passphrase");
            await page.GetByLabel("Repeat the new passphrase").FillAsync("a brand new passphrase");
            await app.ScreenshotAsync("recover");
            await page.GetByRole(AriaRole.Button, new() { Name = "Recover and unlock" }).ClickAsync();
            await app.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("profile-summary")).ToContainTextAsync("1");

            await app.LockAsync();
            await app.UnlockAsync(WebApp.Passphrase);
            await Expect(page.GetByText("That passphrase does not open this vault.")).ToBeVisibleAsync();
            await app.UnlockAsync("a brand new passphrase");
            await app.WaitForInteractiveAsync();
            await app.OpenAsync("/profile");
            await Expect(app.Fields("email")).ToContainTextAsync("ada@example.org");
        });
    }
}
