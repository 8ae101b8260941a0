using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BootShop.Data;
using BootShop.Shop;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Client;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Relationships;
using Symbolon.Core.Vaults;
using Symbolon.Intents;
using Symbolon.Server.Hosting;

namespace Symbolon.Browser.Tests;

/// <summary>
/// Intentcasting end to end with nothing faked: the intent exchange, the Symbolon server (the person's vault) and the
/// sample shoe shop (samples/BootShop, built only on the SDK) as real hosts on loopback, and the shop's pages in
/// Chromium. The test plays the vault's intent side with an intent's own keys, exactly as the protocol has it: it
/// posts signed intents, reads and opens the sealed offers, and accepts one with an invitation its vault made.
/// </summary>
public sealed class BootShopTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Passphrase = "correct horse battery staple";

    private const string ForgedWebhookBody = """{"type":"offer.closed","timestamp":"2026-12-07T10:00:00Z","data":{}}""";

    [Fact]
    public async Task The_shop_answers_intents_on_its_own_and_after_an_acceptance_connects_to_the_vault_for_the_delivery_address()
    {
        await using var exchange = await ExchangeSite.StartAsync(webhooksToLoopback: true);
        await using var vault = await SymbolonServer.StartAsync();
        await using var shop = await BootShopSite.StartAsync(exchange.BaseUrl);
        var (owner, vaultId) = await CreateVaultAsync(vault);
        await AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Name, "home", Name: new PersonName("Ada", "Lovelace")));
        await AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: new PostalAddress("Lindengracht 88", "Utrecht", null, "3511 AB", "NL")));
        await AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));

        // On first start the shop registered at the exchange with its key pair (kept 0600) and a webhook address.
        var registration = await shop.WaitForAsync(db => db.Exchanges.SingleOrDefaultAsync());
        Assert.NotNull(registration.WebhookUrl);
        Assert.Equal("shoes in NL, shoes in BE 2…", registration.Subscriptions);
        var keyFile = Path.Combine(shop.DataDirectory, VendorKeyStore.FileName);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        // A webhook not signed with the secret the exchange gave the shop is refused and leaves nothing behind.
        using (var stranger = new HttpClient())
        using (var forgedHook = new HttpRequestMessage(HttpMethod.Post, registration.WebhookUrl))
        {
            forgedHook.Content = new StringContent(ForgedWebhookBody, Encoding.UTF8, "application/json");
            forgedHook.Headers.Add(WebhookVerifier.IdHeader, "msg_forged");
            forgedHook.Headers.Add(WebhookVerifier.TimestampHeader, DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            forgedHook.Headers.Add(WebhookVerifier.SignatureHeader, "v1," + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.SendAsync(forgedHook)).StatusCode);
        }

        using var http = exchange.CreateClient();
        var holder = new ExchangeVaultClient(http);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        // Four intents, each with its own keys: boots the shop has (not the winter ones, sold out in 44), a size it
        // does not have, running shoes the person will withdraw, and clogs whose "acceptance" will be forged.
        using var boots = IntentKeys.Create();
        var bootsIntent = Intent(boots, "Winter boots, waterproof", "Warm and waterproof boots for the winter.", "44", 150m, today.AddDays(7), "351");
        using var big = IntentKeys.Create();
        var bigIntent = Intent(big, "Walking boots", "Boots for long walks.", "47", 200m, today.AddDays(7), "351");
        using var running = IntentKeys.Create();
        var runningIntent = Intent(running, "Trail running shoes", null, "40", 120m, null, "3");
        using var clogs = IntentKeys.Create();
        var clogsIntent = Intent(clogs, "Wooden clogs for the garden", null, "38", 50m, today.AddDays(10), "10");
        foreach (var (keys, intent) in new[] { (boots, bootsIntent), (big, bigIntent), (running, runningIntent), (clogs, clogsIntent) })
        {
            await holder.PostIntentAsync(keys, IntentCrypto.Sign(intent, keys.SignKey, IntentCrypto.IntentLabel));
        }

        // The shop answered on its own: one sealed offer for each intent it can serve, none for size 47.
        var (bootsRelayed, bootsOffer) = await SingleOfferAsync(holder, boots, bootsIntent);
        Assert.Equal("Leather hiking boots (Bergpad), size 44", Assert.Single(bootsOffer.Items).Description);
        Assert.Equal(new OfferPrice(149.00m, "EUR", true), bootsOffer.Price);
        Assert.Equal(today.AddDays(3), bootsOffer.DeliveryDate);
        Assert.StartsWith("Free returns within 30 days", bootsOffer.Terms, StringComparison.Ordinal);
        Assert.Equal(registration.VendorId, bootsRelayed.VendorId);
        Assert.Equal(bootsOffer.Vendor.SignKey, shop.Services.GetRequiredService<VendorKeyStore>().PublicKeys.Sign);
        Assert.True(bootsOffer.ExpiresAt <= bootsIntent.ExpiresAt);
        var (runningRelayed, runningOffer) = await SingleOfferAsync(holder, running, runningIntent);
        Assert.Equal(99.00m, runningOffer.Price.Amount);
        var (clogsRelayed, clogsOffer) = await SingleOfferAsync(holder, clogs, clogsIntent);
        await shop.WaitForAsync(db => db.Intents.SingleOrDefaultAsync(i => i.IntentId == bigIntent.Id));
        Assert.Empty((await holder.GetOffersAsync(big, bigIntent.Id)).Offers);

        // The Intents page says what the shop did, offer or not.
        var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(shop.Url("intents"));
        await Expect(page.GetByTestId("exchange-status")).ToContainTextAsync("Answering intents at");
        await Expect(Row(page, bootsIntent.Id).GetByTestId("intent-decision")).ToContainTextAsync("Offered Leather hiking boots (Bergpad), size 44 at EUR 149.00");
        await Expect(Row(page, bigIntent.Id).GetByTestId("intent-decision")).ToHaveTextAsync("No size 47 in stock.");
        await Expect(Row(page, runningIntent.Id).GetByTestId("intent-decision")).ToContainTextAsync("Offered Trail running shoes (Vlug), size 40 at EUR 99.00");

        // The person withdraws the running shoes intent: the shop hears its offer closed.
        await holder.WithdrawAsync(running, runningIntent.Id);
        await shop.WaitForAsync(db => db.Offers.SingleOrDefaultAsync(o => o.OfferId == runningOffer.Id && o.Status == OfferStatuses.Closed));

        // Someone who is not the intent's holder cannot accept for it: an acceptance signed by another key is not believed.
        using var impostor = IntentKeys.Create();
        var forged = ExchangeVaultClient.SealAcceptance(
            Acceptance(clogsIntent, clogsOffer, vault.BaseUrl, "inv_forged", today),
            impostor,
            clogsOffer);
        await holder.AcceptAsync(clogs, clogsIntent.Id, clogsRelayed.OfferId, forged);
        await shop.WaitForAsync(db => db.Offers.SingleOrDefaultAsync(o => o.OfferId == clogsOffer.Id && o.Note != null));

        // The person accepts the boots: their vault makes an invitation for name and postal address only, and the
        // signed acceptance, sealed to the shop, goes through the exchange.
        // The person's vault locks before the shop gets there: the shop says so on the Orders page and keeps the invitation.
        var invitation = await InviteAsync(vault, vaultId, bootsIntent, bootsOffer);
        Assert.True(await vault.Services.GetRequiredService<IVaultSessions>().LockAsync(vaultId));
        var acceptance = Acceptance(bootsIntent, bootsOffer, vault.BaseUrl, invitation.Code, today) with { InvitationExpiresAt = invitation.ExpiresAt };
        await holder.AcceptAsync(boots, bootsIntent.Id, bootsRelayed.OfferId, ExchangeVaultClient.SealAcceptance(acceptance, boots, bootsOffer));
        var failed = await shop.WaitForAsync(db => db.Orders.SingleOrDefaultAsync(o => o.Status != OrderStatuses.Connecting), TimeSpan.FromSeconds(30));
        Assert.Equal(OrderStatuses.Failed, failed.Status);
        await page.GotoAsync(shop.Url("orders"));
        var row = page.GetByTestId("order");
        await Expect(row.GetByTestId("order-error")).ToHaveTextAsync("The customer's vault is locked right now, so it cannot let the shop in. Try again once they have opened it.");

        // Once the person is back, the shop connects: it redeems the invitation and reads what it may see.
        var unlocked = await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(Passphrase), Json);
        Assert.True(unlocked.IsSuccessStatusCode, await unlocked.Content.ReadAsStringAsync());
        await row.GetByRole(AriaRole.Button, new() { Name = "Connect again" }).ClickAsync();
        await Expect(row.GetByTestId("order-status")).ToHaveTextAsync("connected");
        var order = await shop.WaitForAsync(db => db.Orders.SingleOrDefaultAsync(o => o.Status == OrderStatuses.Connected));
        Assert.Equal(("Ada Lovelace", "Lindengracht 88, 3511 AB Utrecht, NL"), (order.DeliveryName, order.DeliveryAddress));
        Assert.Null(order.Invitation);
        Assert.Null(order.Error);
        await Expect(row.GetByTestId("order-what")).ToHaveTextAsync("Leather hiking boots (Bergpad), size 44");
        await Expect(row.GetByTestId("order-name")).ToHaveTextAsync("Ada Lovelace");
        await Expect(row.GetByTestId("order-address")).ToHaveTextAsync("Lindengracht 88, 3511 AB Utrecht, NL");
        Assert.DoesNotContain("ada@example.org", await page.ContentAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Path.Combine(browser.ScreenshotDirectory, "bootshop-orders.png"), FullPage = true });

        // The rest of the story on the shop's pages: the closed offer, the forged acceptance, the accepted boots.
        await page.GotoAsync(shop.Url("intents"));
        await Expect(Row(page, runningIntent.Id).GetByTestId("offer-status")).ToHaveTextAsync("offer closed");
        await Expect(Row(page, clogsIntent.Id).GetByTestId("offer-note")).ToContainTextAsync("does not open or verify");
        await Expect(Row(page, bootsIntent.Id).GetByTestId("offer-status")).ToHaveTextAsync("offer accepted");
        await page.ScreenshotAsync(new() { Path = Path.Combine(browser.ScreenshotDirectory, "bootshop-intents.png"), FullPage = true });
        await context.CloseAsync();

        await using (var db = shop.Database())
        {
            Assert.Empty(await db.Orders.Where(o => o.IntentId == clogsIntent.Id).ToListAsync());
            Assert.Contains(await db.Webhooks.Select(w => w.Type).ToListAsync(), t => t == ExchangeEventTypes.IntentPublished);
            Assert.False(await db.Webhooks.AnyAsync(w => w.MessageId == "msg_forged"));
            Assert.Equal(1, (await db.Stock.SingleAsync(s => s.Size == "44" && s.ProductId == db.Products.Single(p => p.Sku == "BP-HIKE-02").Id)).Quantity);
        }

        // In the person's vault: a relationship with the shop, the offer as its first entry, and a grant for exactly what they chose.
        var relationships = (await owner.GetFromJsonAsync<List<Contracts.Relationships.RelationshipSummary>>("/owner/api/v1/relationships", Json))!;
        Assert.Equal("Hoog & Droog Shoes", Assert.Single(relationships).VendorName);
    }

    [Fact]
    public async Task Without_a_webhook_address_the_exchange_takes_the_shop_reads_its_feed_and_it_still_answers()
    {
        // This exchange will not post to loopback: the shop registers without webhooks and reads the feed.
        await using var exchange = await ExchangeSite.StartAsync(webhooksToLoopback: false);
        await using var shop = await BootShopSite.StartAsync(exchange.BaseUrl);
        var registration = await shop.WaitForAsync(db => db.Exchanges.SingleOrDefaultAsync());
        Assert.Null(registration.WebhookUrl);
        Assert.Null(registration.WebhookSecret);

        using var http = exchange.CreateClient();
        var holder = new ExchangeVaultClient(http);
        using var keys = IntentKeys.Create();
        var intent = Intent(keys, "Chelsea boots", "Suede, please.", "EU 39", 130m, null, "1");
        await holder.PostIntentAsync(keys, IntentCrypto.Sign(intent, keys.SignKey, IntentCrypto.IntentLabel));
        var (_, offer) = await SingleOfferAsync(holder, keys, intent);
        Assert.Equal("Suede Chelsea boots (Hoog & Droog), size 39", Assert.Single(offer.Items).Description);
        var seen = await shop.WaitForAsync(db => db.Intents.SingleOrDefaultAsync(i => i.IntentId == intent.Id));
        Assert.Equal("feed", seen.Via);

        // A pick-up intent and one below the shop's prices get no offer, and the shop says why.
        using var pickupKeys = IntentKeys.Create();
        var pickup = Intent(pickupKeys, "Chelsea boots", null, "39", 130m, null, null) with { Where = new IntentPlace("NL", Pickup: new IntentPickup(52.1m, 5.1m, 10)) };
        using var cheapKeys = IntentKeys.Create();
        var cheap = Intent(cheapKeys, "Chelsea boots", null, "39", 100m, null, "2");
        await holder.PostIntentAsync(pickupKeys, IntentCrypto.Sign(pickup, pickupKeys.SignKey, IntentCrypto.IntentLabel));
        await holder.PostIntentAsync(cheapKeys, IntentCrypto.Sign(cheap, cheapKeys.SignKey, IntentCrypto.IntentLabel));
        Assert.Equal("The intent asks for pick-up; the shop only delivers.", (await shop.WaitForAsync(db => db.Intents.SingleOrDefaultAsync(i => i.IntentId == pickup.Id))).Decision);
        Assert.Equal("Nothing fitting within EUR 100.00 (the cheapest is EUR 119.00).", (await shop.WaitForAsync(db => db.Intents.SingleOrDefaultAsync(i => i.IntentId == cheap.Id))).Decision);
        Assert.Empty((await holder.GetOffersAsync(cheapKeys, cheap.Id)).Offers);
    }

    private static readonly JsonSerializerOptions Json = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        SymbolonHost.ConfigureJson(options);
        return options;
    }

    private static ILocator Row(IPage page, string intentId) => page.Locator($"[data-testid=intent][data-intent-id='{intentId}']");

    private static IntentDocument Intent(IntentKeys keys, string title, string? description, string size, decimal budget, DateOnly? deadline, string? postalPrefix)
    {
        var now = DateTimeOffset.UtcNow;
        return new IntentDocument(
            1,
            IntentCrypto.NewId("int_"),
            title,
            description,
            "shoes",
            new IntentAttributes(Size: size, Condition: "new"),
            new IntentBudget(budget, "EUR"),
            deadline,
            new IntentPlace("NL", postalPrefix),
            now,
            now.AddDays(2),
            new IntentTerms(IntentAgreement.Id, IntentAgreement.TextSha256, ["SD-BASE"]),
            [],
            keys.PublicKeys);
    }

    private static AcceptanceDocument Acceptance(IntentDocument intent, OfferDocument offer, Uri vaultUrl, string invitation, DateOnly today) => new(
        1,
        intent.Id,
        offer.Id,
        vaultUrl.ToString(),
        invitation,
        new AcceptanceGrant([Datatypes.Name, Datatypes.PostalAddress], new Dictionary<string, string>(), "Deliver the boots you ordered", "SD-BASE", null),
        DateTimeOffset.UtcNow,
        DateTimeOffset.UtcNow.AddDays(7));

    /// <summary>Waits for the one offer on an intent, and opens and checks it as the vault would.</summary>
    private static async Task<(RelayedOffer Relayed, OfferDocument Offer)> SingleOfferAsync(ExchangeVaultClient holder, IntentKeys keys, IntentDocument intent)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var page = await holder.GetOffersAsync(keys, intent.Id);
            if (page.Offers.Count > 0)
            {
                var relayed = Assert.Single(page.Offers);
                var offer = ExchangeVaultClient.OpenOffer(relayed, intent, keys, DateTimeOffset.UtcNow);
                Assert.NotNull(offer);
                return (relayed, offer);
            }

            Assert.True(DateTime.UtcNow < deadline, $"No offer on '{intent.Title}' in time.");
            await Task.Delay(100);
        }
    }

    private static async Task<(HttpClient Owner, Guid VaultId)> CreateVaultAsync(SymbolonServer server)
    {
        var owner = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new() }) { BaseAddress = server.BaseUrl };
        var response = await owner.PostAsJsonAsync("/owner/api/v1/vault", new CreateVaultRequest(Passphrase), Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var created = (await response.Content.ReadFromJsonAsync<CreateVaultResponse>(Json))!;
        return (owner, created.VaultId);
    }

    private static async Task AddFieldAsync(HttpClient owner, ProfileFieldInput input)
    {
        var response = await owner.PostAsJsonAsync("/owner/api/v1/profile/fields", input, Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>What the vault does when its person accepts an exchange offer: an invitation for what they chose, with the offer as the first entry.</summary>
    private static async Task<CreatedInvitation> InviteAsync(SymbolonServer vault, Guid vaultId, IntentDocument intent, OfferDocument offer)
    {
        var session = vault.Services.GetRequiredService<IVaultSessions>().Find(vaultId)!;
        await using var scope = vault.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RelationshipInvitations>().CreateAsync(
            session.Keys,
            new InvitationGrant([Datatypes.Name, Datatypes.PostalAddress], new Dictionary<string, string>(), "Deliver the boots you ordered", "SD-BASE", null),
            new InvitationOrigin(intent.Id, Guid.NewGuid(), offer.Vendor.Name, offer.Vendor.Site, offer.Vendor.SignKey, $"Offer accepted: {offer.Items[0].Description}, EUR {offer.Price.Amount}."));
    }
}
