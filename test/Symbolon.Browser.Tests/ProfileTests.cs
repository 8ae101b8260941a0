using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

public sealed class ProfileTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Postal_address_added_then_changed_shows_both_versions_in_its_history()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await app.RunAsync(nameof(Postal_address_added_then_changed_shows_both_versions_in_its_history), async () =>
        {
            await app.CreateVaultAndOpenProfileAsync();
            var page = app.Page;
            await app.ScreenshotAsync("profile-empty");

            // A structured name, in its parts.
            var dialog = await app.OpenAddDialogAsync("name");
            await WebApp.FillAsync(dialog, "Given name", "Ada");
            await WebApp.FillAsync(dialog, "Family name", "Lovelace");
            await app.SaveDialogAsync("Add");
            await Expect(app.Fields("name")).ToContainTextAsync("Ada Lovelace");

            // An invalid value is explained next to its input and nothing is added.
            dialog = await app.OpenAddDialogAsync("email");
            await WebApp.FillAsync(dialog, "Email address", "ada at example");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
            await Expect(dialog.GetByText("This is not an email address")).ToBeVisibleAsync();
            await app.ScreenshotAsync("profile-validation", fullPage: false);
            await WebApp.FillAsync(dialog, "Email address", "ada@example.org");
            await WebApp.FillAsync(dialog, "Label (optional)", "home");
            await app.SaveDialogAsync("Add");
            await Expect(app.Fields("email")).ToContainTextAsync("ada@example.org");
            await Expect(app.Fields("email")).ToContainTextAsync("home");

            // The address: added, then changed.
            dialog = await app.OpenAddDialogAsync("postal_address");
            await WebApp.FillAsync(dialog, "Street and number", "Herengracht 1");
            await WebApp.FillAsync(dialog, "Postal code", "1015 BA");
            await WebApp.FillAsync(dialog, "City or town", "Amsterdam");
            await WebApp.FillAsync(dialog, "Label (optional)", "home");
            await app.SaveDialogAsync("Add");
            var address = app.Fields("postal_address");
            await Expect(address).ToHaveCountAsync(1);
            await Expect(address).ToContainTextAsync("Herengracht 1");

            await address.GetByTestId("edit").ClickAsync();
            await Expect(app.Dialog).ToBeVisibleAsync();
            await Expect(app.Dialog.GetByLabel("Street and number", new() { Exact = true })).ToHaveValueAsync("Herengracht 1");
            await WebApp.FillAsync(app.Dialog, "Street and number", "Keizersgracht 2");
            await app.SaveDialogAsync("Save");
            await Expect(address).ToContainTextAsync("Keizersgracht 2");
            await Expect(address).Not.ToContainTextAsync("Herengracht");
            await app.ScreenshotAsync("profile");

            // Its history: both versions, by "You", the change marked against the version before.
            await address.GetByTestId("history").ClickAsync();
            var history = app.Dialog;
            await Expect(history).ToBeVisibleAsync();
            var entries = history.GetByTestId("history-entry");
            await Expect(entries).ToHaveCountAsync(2);
            var newest = entries.Nth(0);
            var oldest = entries.Nth(1);
            await Expect(newest).ToHaveAttributeAsync("data-version", "2");
            await Expect(newest).ToContainTextAsync("Changed");
            await Expect(newest.GetByTestId("history-actor")).ToHaveTextAsync("You");
            await Expect(newest.Locator("mark")).ToHaveTextAsync("Keizersgracht 2");
            await Expect(newest).ToContainTextAsync("was Herengracht 1");
            await Expect(oldest).ToHaveAttributeAsync("data-version", "1");
            await Expect(oldest).ToContainTextAsync("Added");
            await Expect(oldest).ToContainTextAsync("Herengracht 1");
            await Expect(oldest.GetByTestId("history-actor")).ToHaveTextAsync("You");
            await app.ScreenshotAsync("field-history", fullPage: false);
            await history.GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).Last.ClickAsync();
            await Expect(history).ToBeHiddenAsync();

            // Deleting keeps the history: the profile-wide timeline still shows the deleted field.
            var email = app.Fields("email");
            await email.GetByTestId("delete").ClickAsync();
            await Expect(app.Dialog).ToContainTextAsync("stays in the field's history");
            await app.Dialog.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
            await Expect(email).ToHaveCountAsync(0);

            await page.GetByRole(AriaRole.Link, new() { Name = "History" }).First.ClickAsync();
            await page.WaitForURLAsync("**/profile/history");
            var all = page.GetByTestId("history-entry");
            await Expect(all).ToHaveCountAsync(5);
            await Expect(all.First).ToContainTextAsync("Deleted");
            await Expect(all.First).ToContainTextAsync("Email address (home)");
            await Expect(all.First).ToContainTextAsync("deleted field");
            await app.ScreenshotAsync("profile-history");
        });
    }

    [Fact]
    public async Task Lock_then_wrong_and_right_passphrase_keeps_the_profile()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await app.RunAsync(nameof(Lock_then_wrong_and_right_passphrase_keeps_the_profile), async () =>
        {
            await app.CreateVaultAndOpenProfileAsync();
            await app.AddEmailAsync("grace@example.org", "work");
            var page = app.Page;
            var otherTab = await app.OpenSecondTabAsync("/profile");
            await Expect(otherTab.GetByTestId("group-email")).ToContainTextAsync("grace@example.org");

            await app.LockAsync();
            await Expect(page.GetByText("Your vault is locked.")).ToBeVisibleAsync();

            // The other tab loses the data at once, without a reload.
            await Expect(otherTab.GetByTestId("locked-meanwhile")).ToBeVisibleAsync();
            await Expect(otherTab.GetByText("grace@example.org")).ToHaveCountAsync(0);
            await otherTab.CloseAsync();

            // Locked means locked: the profile is out of reach until the passphrase is given again.
            await page.GotoAsync("/profile");
            await page.WaitForURLAsync("**/unlock?ReturnUrl=%2Fprofile");

            await app.UnlockAsync("not the passphrase");
            await Expect(page.GetByText("That passphrase does not open this vault.")).ToBeVisibleAsync();
            await Expect(page.GetByLabel("Passphrase", new() { Exact = true })).ToHaveValueAsync("");
            await app.ScreenshotAsync("unlock-wrong-passphrase");

            await app.UnlockAsync(WebApp.Passphrase);
            await page.WaitForURLAsync("**/profile");
            await app.WaitForInteractiveAsync();
            await Expect(app.Fields("email")).ToContainTextAsync("grace@example.org");
            await Expect(app.Fields("email")).ToContainTextAsync("work");
        });
    }
}
