using System.Globalization;
using System.Text.Json;
using Symbolon.Client;
using Symbolon.Contracts.Vendor;
using Symbolon.Intents;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>
/// Intents end to end, nothing faked: the person makes an intent in the web app (a bad budget is named next to its
/// field, the preview shows the signed JSON), a vendor they relate to (on the SDK, with its own Kestrel site for the
/// callback and webhooks) hears of it by webhook and offers twice through the vendor API, the offers appear ranked with
/// their sentences, one is declined and the other accepted in the dialog; a second intent is withdrawn. Then the open
/// market: a third intent goes to the real intent exchange (src/Symbolon.Exchange), a vendor the person does not know
/// finds it in the exchange's feed and offers, sealed to the intent's key (another offers too and is blocked from the
/// comparison view, then unblocked in Settings); the person accepts in the browser; the vendor
/// opens the acceptance, redeems the invitation with the SDK, and the relationship appears with the offer as its
/// conversation's entry.
/// </summary>
public sealed class IntentTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const string Shop = "Boot Shop";
    private const string Trail = "Trail Outfitters";
    private const string Soles = "Cheap Soles";

    [Fact]
    public async Task An_intent_from_the_form_gets_a_related_vendors_offers_ranked_one_declined_one_accepted_and_another_intent_is_withdrawn()
    {
        await using var app = await WebApp.StartAsync(browser, output, "--Intents:PollInterval=00:00:01");
        await using var site = await VendorSite.StartAsync();
        await using var exchange = await ExchangeSite.StartAsync();
        await app.RunAsync(nameof(An_intent_from_the_form_gets_a_related_vendors_offers_ranked_one_declined_one_accepted_and_another_intent_is_withdrawn), async () =>
        {
            var page = app.Page;
            await app.CreateVaultAndOpenProfileAsync();
            var dialog = await app.OpenAddDialogAsync("name");
            await WebApp.FillAsync(dialog, "Given name", "Ada");
            await WebApp.FillAsync(dialog, "Family name", "Lovelace");
            await app.SaveDialogAsync("Add");

            // The boot shop relates to the person already: registered on the SDK, granted their name in the browser.
            using var http = new HttpClient();
            var vault = await SymbolonVault.DiscoverAsync(http, app.Server.BaseUrl);
            var credentials = await vault.RegisterAsync(new ClientRegistrationRequest(
                Shop, [site.CallbackUri.ToString()], ClientUri: site.BaseUrl.ToString(), WebhookUri: site.WebhookUri.ToString(), Agreements: ["SD-BASE"]));
            var vendor = vault.CreateClient(credentials);
            await vendor.AcceptAgreementAsync("SD-BASE");
            var pending = await vendor.BeginAuthorizationAsync(site.CallbackUri,
                [new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Name], [DataActions.Read], "Address your parcels", "SD-BASE")]);
            var granted = site.Expect(vendor, pending);
            await page.GotoAsync(pending.AuthorizationUri.ToString());
            await page.GetByRole(AriaRole.Button, new() { Name = "Share selected" }).ClickAsync();
            await page.WaitForURLAsync(site.CallbackUri + "**");
            var session = await granted.WaitAsync(TimeSpan.FromSeconds(30));
            var webhooks = new WebhookVerifier(credentials.WebhookSecret!);

            // The exchange in Settings: a bad address is named next to the field; a good one is listed.
            await app.OpenAsync("/settings");
            var exchanges = page.GetByTestId("intent-exchanges");
            await Expect(exchanges.GetByTestId("exchanges-empty")).ToBeVisibleAsync();
            await WebApp.FillAsync(exchanges, "Exchange address", "ftp://exchange.example.org");
            await exchanges.GetByTestId("add-exchange").ClickAsync();
            await Expect(exchanges).ToContainTextAsync("Must be an absolute https address");
            await WebApp.FillAsync(exchanges, "Exchange address", exchange.BaseUrl.ToString());
            await exchanges.GetByTestId("add-exchange").ClickAsync();
            await Expect(exchanges.GetByTestId("exchange")).ToHaveTextAsync([exchange.Address]);
            await Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 45_000 });
            var exchangeShot = Path.Combine(browser.ScreenshotDirectory, "settings-intent-exchanges.png");
            await exchanges.ScreenshotAsync(new LocatorScreenshotOptions { Path = exchangeShot, Animations = ScreenshotAnimations.Disabled });
            output.WriteLine($"screenshot: {exchangeShot}");

            // No intent yet: the empty state explains intentcasting.
            await app.OpenAsync("/intents");
            await Expect(page.GetByTestId("intents-empty")).ToContainTextAsync("nobody learns who you are until you accept one");
            await app.ScreenshotAsync("intents-empty");
            await PhoneAsync(app, "intents-empty-phone", "intents-empty");

            // The form: a budget of nothing is named next to its field, never a blank page.
            await page.GetByTestId("new-intent-empty").ClickAsync();
            await page.WaitForURLAsync("**/intents/new");
            await app.WaitForInteractiveAsync();
            var deadline = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(10);
            await WebApp.FillAsync(page.Locator("body"), "Title", "Winter boots, waterproof");
            await WebApp.FillAsync(page.Locator("body"), "Description (optional)", "Warm lining; for walking to work in the snow.");
            await WebApp.FillAsync(page.Locator("body"), "Category", "shoes");
            await WebApp.FillAsync(page.Locator("body"), "Size (optional)", "44");
            await WebApp.FillAsync(page.Locator("body"), "Country", "NL");
            var preview = page.GetByTestId("intent-preview");
            await WebApp.FillAsync(page.Locator("body"), "Budget, at most", "140");
            await Expect(preview.GetByTestId("preview-json")).ToContainTextAsync("\"max\": 140");
            await WebApp.FillAsync(page.Locator("body"), "Budget, at most", "0");
            await Expect(page.GetByTestId("intent-terms")).ToContainTextAsync("Must be more than 0");
            await Expect(preview.GetByTestId("preview-stale")).ToBeVisibleAsync();
            await WebApp.FillAsync(page.Locator("body"), "Budget, at most", "150");
            await Expect(page.GetByTestId("intent-terms")).Not.ToContainTextAsync("Must be more than 0");
            await WebApp.FillAsync(page.Locator("body"), "Postal code starts with (optional)", "351");
            await WebApp.FillAsync(page.Locator("body"), "Deadline", deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            await page.GetByLabel(Shop, new() { Exact = true }).CheckAsync();
            await page.GetByLabel(exchange.Address, new() { Exact = true }).UncheckAsync();

            // The preview is exactly the JSON the vault signs, and says it in words.
            await Expect(preview.GetByTestId("preview-json")).ToContainTextAsync("\"postal_prefix\": \"351\"");
            await Expect(preview.GetByTestId("preview-json")).ToContainTextAsync("\"max\": 150");
            await Expect(preview.GetByTestId("preview-json")).ToContainTextAsync($"\"deadline\": \"{deadline:yyyy-MM-dd}\"");
            await Expect(preview.GetByTestId("preview-words")).ToContainTextAsync("They will pay at most EUR 150, all in.");
            await Expect(preview.GetByTestId("preview-reach")).ToHaveTextAsync($"Goes to {Shop}.");
            var json = await preview.GetByTestId("preview-json").InnerTextAsync();
            Assert.DoesNotContain("Ada", json, StringComparison.Ordinal);
            Assert.DoesNotContain(app.Server.BaseUrl.Authority, json, StringComparison.Ordinal);
            await Expect(page.GetByTestId("intent-signals")).ToContainTextAsync("Your vault holds no purchase in this category");
            await app.ScreenshotAsync("intent-new");
            await PhoneAsync(app, "intent-new-phone", "intent-preview");

            await page.GetByTestId("send-intent").ClickAsync();
            await page.WaitForURLAsync("**/intents/int_*");
            await app.WaitForInteractiveAsync();
            var intentId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
            await Expect(page.GetByTestId("offers-empty")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("reach-relationships")).ToHaveTextAsync(Shop);

            // The shop hears of it by webhook and reads it through the vendor API; an intent not addressed to it is 404.
            // All through the SDK: the webhook's typed data, GetIntentAsync and MakeIntentOfferAsync.
            var created = (await NextAsync(site, webhooks, WebhookEventTypes.IntentCreated)).GetIntentCreated();
            Assert.Equal(intentId, created.IntentId);
            var read = await session.GetIntentAsync(created.IntentId);
            Assert.Equal("Winter boots, waterproof", read.Intent.GetProperty("title").GetString());
            Assert.Equal(intentId, IntentCrypto.VerifyIntent(new SignedDocument(read.Payload, read.Signature))!.Id);
            Assert.Equal("SYM2701", (await Assert.ThrowsAsync<SymbolonProblemException>(() => session.GetIntentAsync("int_nosuchintent"))).Code);

            // It offers twice: one in budget, early, with returns; one over budget, late, delivery extra.
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            await OfferAsync(session, intentId, new IntentOfferInput(
                [new IntentOfferItem("Waterproof winter boots, size 44", 1, 129m)], 129m, "EUR", DateTimeOffset.UtcNow.AddDays(7),
                deadline.AddDays(-3), "Free returns within 30 days.", "https://boots.example/terms"));
            await OfferAsync(session, intentId, new IntentOfferInput(
                [new IntentOfferItem("Leather winter boots, size 44", 1, 165m)], 165m, "EUR", DateTimeOffset.UtcNow.AddDays(7),
                deadline.AddDays(4), DeliveryIncluded: false));

            // They appear by themselves, ranked, each criterion a sentence with its verdict.
            var offers = page.GetByTestId("offer");
            await Expect(offers).ToHaveCountAsync(2, new() { Timeout = 20_000 });
            var best = offers.Nth(0);
            var worse = offers.Nth(1);
            await Expect(best.GetByTestId("offer-rank")).ToHaveTextAsync("#1");
            await Expect(best.GetByTestId("offer-price")).ToHaveTextAsync("EUR 129");
            await Expect(best.Locator("[data-criterion='price']")).ToContainTextAsync("EUR 129, EUR 21 under your budget");
            await Expect(best.Locator("[data-criterion='price']")).ToHaveAttributeAsync("data-verdict", "good");
            await Expect(best.Locator("[data-criterion='delivery']")).ToContainTextAsync("3 days before your deadline");
            await Expect(best.Locator("[data-criterion='terms']")).ToContainTextAsync("its terms speak of returns");
            await Expect(best.GetByTestId("offer-source")).ToHaveTextAsync("a vendor you relate to");
            await Expect(worse.GetByTestId("offer-rank")).ToHaveTextAsync("#2");
            await Expect(worse.Locator("[data-criterion='price']")).ToContainTextAsync("EUR 15 over your budget; delivery is extra");
            await Expect(worse.Locator("[data-criterion='price']")).ToHaveAttributeAsync("data-verdict", "poor");
            await Expect(worse.Locator("[data-criterion='delivery']")).ToHaveAttributeAsync("data-verdict", "poor");
            await app.ScreenshotAsync("intent-offers");
            await PhoneAsync(app, "intent-offers-phone", "offer");

            // Decline the worse one: nothing is sent; it moves behind.
            await worse.GetByTestId("decline-offer").ClickAsync();
            await Expect(offers.Nth(1).GetByTestId("offer-status")).ToHaveTextAsync("Declined");

            // Accept the best one, telling the shop to use the name and the postal address (it reads them under its grants).
            await offers.Nth(0).GetByTestId("accept-offer").ClickAsync();
            var accept = page.GetByTestId("accept-dialog");
            await Expect(accept).ToBeVisibleAsync();
            await Expect(accept.GetByLabel("Your name")).ToBeCheckedAsync();
            await accept.GetByLabel("Your postal address").CheckAsync();
            await app.ScreenshotAsync("intent-accept-dialog", fullPage: false);
            await page.GetByTestId("confirm-accept").ClickAsync();
            await Expect(accept).ToBeHiddenAsync();
            await Expect(page.GetByTestId("accept-confirmation")).ToContainTextAsync($"{Shop} has been told and may collect a grant to read your name and your postal address");
            var connection = page.GetByTestId("intent-connection");
            await Expect(connection.GetByTestId("connection-state")).ToContainTextAsync($"Waiting for {Shop} to collect its grant");
            await Expect(page.GetByTestId("intent-facts").GetByTestId("intent-status")).ToHaveTextAsync("Accepted");
            await Expect(offers.Nth(0).GetByTestId("offer-status")).ToHaveTextAsync("Accepted");
            await Expect(page.GetByTestId("accept-offer")).ToHaveCountAsync(0);
            await app.ScreenshotAsync("intent-accepted");
            await PhoneAsync(app, "intent-accepted-phone", "intent-connection");

            // The shop is told which data to use; the offer is the relationship's conversation's newest entry.
            var acceptedEvent = await NextAsync(site, webhooks, WebhookEventTypes.IntentAccepted);
            Assert.Equal(intentId, acceptedEvent.Data.GetProperty("intent_id").GetString());
            Assert.Equal([Datatypes.Name, Datatypes.PostalAddress], acceptedEvent.Data.GetProperty("datatypes").EnumerateArray().Select(d => d.GetString()));

            // It reads the acceptance on the intent and redeems the invitation for exactly that; the page shows it collected.
            var collected = (await session.GetIntentAsync(intentId)).Acceptance!;
            var delivery = await vendor.RedeemInvitationAsync(collected.Invitation!,
                [new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Name, Datatypes.PostalAddress], [DataActions.Read], "Deliver the boots", "SD-BASE")]);
            Assert.Equal([Datatypes.Name, Datatypes.PostalAddress], delivery.Tokens.GrantedDatatypes.Order(StringComparer.Ordinal));
            await Expect(connection.GetByTestId("connection-state")).ToContainTextAsync($"{Shop} collected its grant for delivery", new() { Timeout = 15_000 });
            await connection.GetByTestId("open-relationship").ClickAsync();
            await page.WaitForURLAsync("**/relationships/*");
            await app.WaitForInteractiveAsync();
            await Expect(page.Locator("body")).ToContainTextAsync("Offer accepted: EUR 129.00");

            // A second intent, to the shop and the exchange, is withdrawn: the shop hears it closed.
            await app.OpenAsync("/intents/new");
            await WebApp.FillAsync(page.Locator("body"), "Title", "Rain jacket");
            await WebApp.FillAsync(page.Locator("body"), "Category", "clothing");
            await WebApp.FillAsync(page.Locator("body"), "Budget, at most", "80");
            await WebApp.FillAsync(page.Locator("body"), "Country", "NL");
            await page.GetByLabel(Shop, new() { Exact = true }).CheckAsync();
            await Expect(page.GetByTestId("preview-reach")).ToHaveTextAsync($"Goes to {Shop} and the exchange {exchange.BaseUrl.Authority}.");
            await Expect(page.GetByTestId("preview-warning")).ToContainTextAsync("who also watches this exchange could link this intent to you");
            await page.GetByTestId("send-intent").ClickAsync();
            await page.WaitForURLAsync("**/intents/int_*");
            await app.WaitForInteractiveAsync();
            var secondId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
            await Expect(page.GetByTestId("reach-exchange")).ToContainTextAsync(exchange.Address);
            await page.GetByTestId("withdraw-intent").ClickAsync();
            await app.Dialog.GetByRole(AriaRole.Button, new() { Name = "Withdraw", Exact = true }).ClickAsync();
            await Expect(page.GetByTestId("intent-facts").GetByTestId("intent-status")).ToHaveTextAsync("Withdrawn");
            await Expect(page.GetByTestId("withdraw-intent")).ToHaveCountAsync(0);
            var closed = await NextAsync(site, webhooks, WebhookEventTypes.IntentClosed, e => e.Data.GetProperty("intent_id").GetString() == secondId);
            Assert.Equal("withdrawn", closed.Data.GetProperty("reason").GetString());

            // The open market: a vendor the person does not know, on the exchange alone, subscribed to shoes around 35xx.
            using var exchangeHttp = new HttpClient { BaseAddress = exchange.BaseUrl };
            using var trailKeys = IntentKeys.Create();
            var trail = new ExchangeVendorClient(exchangeHttp);
            await trail.RegisterAsync(new ExchangeVendorRegistration(Trail, "https://trail.example", trailKeys.PublicKeys.Sign, trailKeys.PublicKeys.Offer));
            await trail.SetSubscriptionsAsync([new ExchangeSubscription("shoes", "NL", "35")]);
            using var solesKeys = IntentKeys.Create();
            var soles = new ExchangeVendorClient(exchangeHttp);
            await soles.RegisterAsync(new ExchangeVendorRegistration(Soles, "https://soles.example", solesKeys.PublicKeys.Sign, solesKeys.PublicKeys.Offer));
            await soles.SetSubscriptionsAsync([new ExchangeSubscription("shoes", "NL", "35")]);

            await app.OpenAsync("/intents/new");
            await WebApp.FillAsync(page.Locator("body"), "Title", "Trail running shoes");
            await WebApp.FillAsync(page.Locator("body"), "Category", "shoes");
            await WebApp.FillAsync(page.Locator("body"), "Budget, at most", "120");
            await WebApp.FillAsync(page.Locator("body"), "Country", "NL");
            await WebApp.FillAsync(page.Locator("body"), "Postal code starts with (optional)", "351");
            await Expect(page.GetByTestId("preview-reach")).ToHaveTextAsync($"Goes to the exchange {exchange.BaseUrl.Authority}.");
            await page.GetByTestId("send-intent").ClickAsync();
            await page.WaitForURLAsync("**/intents/int_*");
            await app.WaitForInteractiveAsync();
            var thirdId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
            await Expect(page.GetByTestId("exchange-state")).ToHaveTextAsync("Posted", new() { Timeout = 20_000 });

            // The vendor finds it in the feed, checks the intent key's signature, and offers, sealed to the intent.
            var published = await EventuallyAsync(async () => (await trail.GetFeedAsync()).Intents.FirstOrDefault(i => i.Id == thirdId), "the intent in the exchange's feed");
            var intent = IntentCrypto.VerifyIntent(published.Intent)!;
            Assert.Equal("Trail running shoes", intent.Title);
            var trailOffer = new OfferDocument(
                1, "off_" + Guid.NewGuid().ToString("N"), intent.Id, intent.Keys.Sign,
                new OfferVendor(Trail, "https://trail.example", trailKeys.PublicKeys.Sign, trailKeys.PublicKeys.Offer),
                [new OfferItem("Trail running shoes, size 44", 1, 109m)], new OfferPrice(109m, "EUR"), today.AddDays(4),
                "Returns within 14 days.", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(5),
                new OfferAcceptedTerms(IntentAgreement.Id, IntentAgreement.TextSha256));
            await trail.MakeOfferAsync(published, trailOffer, trailKeys, CancellationToken.None);
            await soles.MakeOfferAsync(published, trailOffer with
            {
                Id = "off_" + Guid.NewGuid().ToString("N"),
                Vendor = new OfferVendor(Soles, "https://soles.example", solesKeys.PublicKeys.Sign, solesKeys.PublicKeys.Offer),
                Items = [new OfferItem("Trail running shoes, size 44", 1, 115m)],
                Price = new OfferPrice(115m, "EUR"),
            }, solesKeys, CancellationToken.None);

            // The vault fetches them, opens and checks them; they appear with their source. The person blocks the
            // dearer vendor: its offer goes, and it is listed under Settings (checked below).
            var marketOffer = page.GetByTestId("offer");
            await Expect(marketOffer).ToHaveCountAsync(2, new() { Timeout = 20_000 });
            await Expect(marketOffer.Nth(1)).ToContainTextAsync(Soles);
            await marketOffer.Nth(1).GetByTestId("block-vendor").ClickAsync();
            await app.Dialog.GetByRole(AriaRole.Button, new() { Name = "Block", Exact = true }).ClickAsync();
            await Expect(marketOffer).ToHaveCountAsync(1);
            await Expect(marketOffer.GetByTestId("offer-source")).ToHaveTextAsync($"via {exchange.BaseUrl.Authority}");
            await Expect(marketOffer.Locator("[data-criterion='price']")).ToContainTextAsync("EUR 109, EUR 11 under your budget");
            await Expect(marketOffer.GetByTestId("block-vendor")).ToBeVisibleAsync();
            await marketOffer.GetByTestId("accept-offer").ClickAsync();
            await Expect(page.GetByTestId("accept-dialog")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("accept-duration")).ToContainTextAsync("7 days to connect");
            await page.GetByTestId("confirm-accept").ClickAsync();
            await Expect(page.GetByTestId("accept-confirmation")).ToHaveTextAsync($"{Trail} will be told; it can read your name and your postal address once it connects.");
            await Expect(page.GetByTestId("connection-state")).ToContainTextAsync($"Waiting for {Trail} to connect");
            await Expect(page.GetByTestId("step-told")).ToContainTextAsync($"Told through {exchange.BaseUrl.Authority}", new() { Timeout = 20_000 });
            await app.ScreenshotAsync("intent-exchange-waiting");

            // The vendor hears of it at the exchange, opens the acceptance with its own key, and redeems the invitation.
            var acceptedAt = await EventuallyAsync(async () => (await trail.GetEventsAsync()).Events.FirstOrDefault(e => e.Type == ExchangeEventTypes.OfferAccepted && e.IntentId == thirdId), "the acceptance at the exchange");
            var acceptance = ExchangeVendorClient.OpenAcceptance(acceptedAt, intent, trailKeys)!;
            Assert.Equal([Datatypes.Name, Datatypes.PostalAddress], acceptance.Grant.Datatypes);
            var trailVault = await SymbolonVault.DiscoverAsync(http, new Uri(acceptance.VaultUrl));
            var trailVendor = trailVault.CreateClient(await trailVault.RegisterAsync(new ClientRegistrationRequest(Trail, ["https://trail.example/callback"], Agreements: ["SD-BASE"])));
            await trailVendor.AcceptAgreementAsync("SD-BASE");
            var trailSession = await trailVendor.RedeemInvitationAsync(acceptance.Invitation,
                [new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Name, Datatypes.PostalAddress], [DataActions.Read], acceptance.Grant.Purpose, "SD-BASE")]);
            Assert.Contains("Lovelace", JsonSerializer.Serialize((await trailSession.GetProfileAsync()).Profile), StringComparison.Ordinal);

            // The page sees the connection by itself; the relationship opens with the offer in its conversation.
            await Expect(page.GetByTestId("connection-state")).ToContainTextAsync($"Connected: {Trail} is one of your relationships", new() { Timeout = 20_000 });
            await app.ScreenshotAsync("intent-exchange-connected");
            await page.GetByTestId("open-relationship").ClickAsync();
            await page.WaitForURLAsync("**/relationships/*");
            await app.WaitForInteractiveAsync();
            await Expect(page.Locator("body")).ToContainTextAsync(Trail);
            await Expect(page.Locator("body")).ToContainTextAsync("Offer accepted: EUR 109.00");

            // The blocked vendor is listed in Settings, and can be unblocked there.
            await app.OpenAsync("/settings");
            var blocked = page.GetByTestId("blocked-vendor");
            await Expect(blocked).ToHaveCountAsync(1);
            await Expect(blocked).ToContainTextAsync(Soles);
            await blocked.GetByTestId("unblock-vendor").ClickAsync();
            await Expect(page.GetByTestId("blocked-empty")).ToBeVisibleAsync();

            // The list: all three, with their status, budget, reach and offer counts.
            await app.OpenAsync("/intents");
            var rows = page.GetByTestId("intent-row");
            await Expect(rows).ToHaveCountAsync(3);
            await Expect(rows.GetByTestId("intent-status")).ToHaveTextAsync(["Accepted", "Withdrawn", "Accepted"]);
            await Expect(rows.Nth(2)).ToContainTextAsync("up to EUR 150");
            await Expect(rows.Nth(2).GetByTestId("intent-offers")).ToContainTextAsync("of 2 in all");
            await Expect(rows.Nth(1).GetByTestId("intent-reach")).ToContainTextAsync(exchange.BaseUrl.Authority);
            await app.ScreenshotAsync("intents-list");
            await PhoneAsync(app, "intents-list-phone", "intent-row");
        });
    }

    private static async Task OfferAsync(VendorSession session, string intentId, IntentOfferInput offer)
    {
        var received = await session.MakeIntentOfferAsync(intentId, offer, Guid.NewGuid().ToString("N"));
        Assert.Equal(intentId, received.IntentId);
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "Not within 20 s: " + what);
            await Task.Delay(250);
        }
    }

    /// <summary>The next webhook of <paramref name="type"/> (others, such as grant events, are passed over), signature checked.</summary>
    private static async Task<WebhookEvent> NextAsync(VendorSite site, WebhookVerifier verifier, string type, Func<WebhookEvent, bool>? match = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var received = await site.Webhooks.ReadAsync(timeout.Token);
            var verified = verifier.Verify(received.Body, received.Headers);
            if (verified.Type == type && (match is null || match(verified)))
            {
                return verified;
            }
        }
    }

    /// <summary>
    /// The page as a phone shows it: opened afresh in a 390 × 844 tab of the same browser profile (so the layout is the
    /// one a phone gets on load, with the navigation folded away), as tall as its content.
    /// </summary>
    private async Task PhoneAsync(WebApp app, string name, string ready)
    {
        var phone = await app.Page.Context.NewPageAsync();
        try
        {
            await phone.SetViewportSizeAsync(390, 844);
            await phone.GotoAsync(app.Page.Url);
            await phone.Locator(".sym-app[data-ready='true']").WaitForAsync();
            await phone.GetByTestId(ready).First.WaitForAsync();
            var height = await phone.EvaluateAsync<int>("() => document.documentElement.scrollHeight");
            var width = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            Assert.True(width <= 390, $"{name}: the page is {width} px wide on a 390 px phone.");
            await phone.SetViewportSizeAsync(390, Math.Max(844, height));
            var path = Path.Combine(browser.ScreenshotDirectory, name + ".png");
            await phone.ScreenshotAsync(new PageScreenshotOptions { Path = path, Animations = ScreenshotAnimations.Disabled });
            output.WriteLine($"screenshot: {path}");
        }
        finally
        {
            await phone.CloseAsync();
        }
    }
}
