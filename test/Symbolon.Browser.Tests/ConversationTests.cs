using Symbolon.Client;
using Symbolon.Contracts.Vendor;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>
/// The relationship's conversation end to end: a vendor on the SDK (its own site for the callback and webhooks), the
/// real server, and the person in Chromium reading, replying and pushing a corrected value once.
/// </summary>
public sealed class ConversationTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_vendor_message_is_read_and_answered_in_the_thread_and_a_pushed_phone_number_reaches_the_vendor_once()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await using var site = await VendorSite.StartAsync();
        await app.RunAsync(nameof(A_vendor_message_is_read_and_answered_in_the_thread_and_a_pushed_phone_number_reaches_the_vendor_once), async () =>
        {
            var page = app.Page;
            await app.CreateVaultAndOpenProfileAsync();
            await app.AddEmailAsync("ada@example.org", "home");
            var dialog = await app.OpenAddDialogAsync("phone");
            await WebApp.FillAsync(dialog, "Phone number", "+31 6 8765 4321");
            await app.SaveDialogAsync("Add");
            await Expect(app.Fields("phone")).ToContainTextAsync("8765");

            // The vendor asks only to add receipts: it may read nothing of the profile.
            using var http = new HttpClient();
            var vault = await SymbolonVault.DiscoverAsync(http, app.Server.BaseUrl);
            var credentials = await vault.RegisterAsync(new ClientRegistrationRequest(
                "Blue Door Coffee", [site.CallbackUri.ToString()], ClientUri: site.BaseUrl.ToString(), WebhookUri: site.WebhookUri.ToString(), Agreements: ["SD-BASE"]));
            var vendor = vault.CreateClient(credentials);
            await vendor.AcceptAgreementAsync("SD-BASE");
            var pending = await vendor.BeginAuthorizationAsync(site.CallbackUri,
                [new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Receipts], [DataActions.Append], "Send your receipts", "SD-BASE")]);
            var granted = site.Expect(vendor, pending);
            await page.GotoAsync(pending.AuthorizationUri.ToString());
            await page.GetByRole(AriaRole.Button, new() { Name = "Share selected" }).ClickAsync();
            await page.WaitForURLAsync(site.CallbackUri + "**");
            var session = await granted.WaitAsync(TimeSpan.FromSeconds(30));

            // The vendor writes; the home page tells the person.
            await session.SendMessageAsync("Your beans are roasted and ready for pick-up.");
            await app.OpenAsync("/");
            var unread = page.GetByTestId("unread-messages");
            await Expect(unread).ToContainTextAsync("Blue Door Coffee");
            await unread.GetByRole(AriaRole.Link, new() { Name = "Read" }).ClickAsync();
            await page.WaitForURLAsync("**/relationships/*");
            await app.WaitForInteractiveAsync();

            var thread = page.GetByTestId("thread");
            var fromVendor = thread.Locator("[data-testid='thread-entry'][data-kind='message'][data-from='vendor']");
            await Expect(fromVendor).ToContainTextAsync("Your beans are roasted and ready for pick-up.");
            await Expect(thread.Locator("[data-kind='agreement.accepted']")).ToHaveCountAsync(1);
            await Expect(thread.Locator("[data-kind='grant.given']")).ToHaveCountAsync(1);

            // The person replies from the thread; the vendor hears of it by a signed webhook and reads the reply.
            await thread.Locator("textarea").FillAsync("Thank you, I will come by at five.");
            await thread.GetByTestId("send-message").ClickAsync();
            await Expect(thread.Locator("[data-testid='thread-entry'][data-kind='message'][data-from='person']")).ToContainTextAsync("Thank you, I will come by at five.");
            var verifier = new WebhookVerifier(credentials.WebhookSecret!);
            var created = await site.Webhooks.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            var createdData = verifier.Verify(created.Body, created.Headers).GetMessageCreated();
            var reply = Assert.Single(await session.GetRepliesAsync());
            Assert.Equal((createdData.MessageId, "Thank you, I will come by at five."), (reply.Id, reply.Text));

            // The person pushes the phone number once.
            await thread.GetByTestId("push-update").ClickAsync();
            await Expect(app.Dialog).ToBeVisibleAsync();
            await app.Dialog.Locator("[data-testid='push-field'][data-kind='phone']").GetByRole(AriaRole.Radio).CheckAsync();
            await app.Dialog.GetByTestId("push-confirm").ClickAsync();
            var pushedEntry = thread.Locator("[data-testid='thread-entry'][data-kind='update.pushed']");
            await Expect(pushedEntry).ToContainTextAsync("You pushed an update: your phone number");
            await Expect(pushedEntry).ToContainTextAsync("Waiting for the vendor to fetch it");
            await Expect(page.GetByTestId("access-log")).ToContainTextAsync("push");
            await app.ScreenshotAsync("conversation");

            // The vendor fetches it once with the webhook's reference; it still cannot read the profile.
            var pushed = await site.Webhooks.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            var pushedData = verifier.Verify(pushed.Body, pushed.Headers).GetUpdatePushed();
            Assert.DoesNotContain("8765", pushed.Body, StringComparison.Ordinal);
            var value = await session.FetchPushedUpdateAsync(pushedData.UpdateId);
            Assert.Equal("+31 6 8765 4321", value.Field.Value.GetString());
            var again = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.FetchPushedUpdateAsync(pushedData.UpdateId));
            Assert.Equal("SYM2304", again.Code);
            var profile = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.GetProfileAsync());
            Assert.Equal("SYM1403", profile.Code);

            // Blocked: the vendor's next message is refused and the thread does not grow.
            await thread.GetByTestId("permission-blocked").ClickAsync();
            await Expect(thread.GetByTestId("message-settings")).ToContainTextAsync("Blocked:");
            var blocked = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.SendMessageAsync("One more thing"));
            Assert.Equal("SYM2301", blocked.Code);
            await page.ReloadAsync();
            await app.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("thread").Locator("[data-kind='message']")).ToHaveCountAsync(2);
            await Expect(page.GetByTestId("thread").Locator("[data-kind='update.pushed']")).ToContainTextAsync("The vendor has fetched it");
            await app.ScreenshotAsync("conversation-after");
        });
    }
}
