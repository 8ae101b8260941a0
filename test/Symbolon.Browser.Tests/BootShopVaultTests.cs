using System.Net.Http.Json;
using System.Text.Json;
using BootShop.Data;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Intents;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;
using Symbolon.Server.Hosting;

namespace Symbolon.Browser.Tests;

/// <summary>
/// The walk-through of the README, through the vault's own intents API this time: the person makes an intent in their
/// vault, the vault posts it to the exchange, the shoe shop answers on its own, the vault fetches and compares the
/// offer, the person accepts it with their name and postal address, and the shop connects to the vault and sees exactly
/// those. Exchange, vault and shop are real hosts on loopback.
/// </summary>
public sealed class BootShopVaultTests
{
    private const string Passphrase = "correct horse battery staple";

    private static readonly JsonSerializerOptions Json = CreateJson();

    [Fact]
    public async Task An_intent_made_in_the_vault_gets_the_shops_offer_and_accepting_it_gives_the_shop_the_delivery_address_only()
    {
        await using var exchange = await ExchangeSite.StartAsync(webhooksToLoopback: true);
        await using var vault = await SymbolonServer.StartAsync("--Intents:PollInterval=00:00:00.5");
        await using var shop = await BootShopSite.StartAsync(exchange.BaseUrl);
        using var owner = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new() }) { BaseAddress = vault.BaseUrl };
        await SendAsync(owner, HttpMethod.Post, "/owner/api/v1/vault", new CreateVaultRequest(Passphrase));
        await SendAsync(owner, HttpMethod.Post, "/owner/api/v1/profile/fields", new ProfileFieldInput(ProfileFieldKinds.Name, "home", Name: new PersonName("Ada", "Lovelace")));
        await SendAsync(owner, HttpMethod.Post, "/owner/api/v1/profile/fields", new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: new PostalAddress("Lindengracht 88", "Utrecht", null, "3511 AB", "NL")));
        await SendAsync(owner, HttpMethod.Post, "/owner/api/v1/profile/fields", new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        await shop.WaitForAsync(db => db.Exchanges.SingleOrDefaultAsync());

        // The person names the exchange and makes the intent; the vault signs it with fresh keys and posts it.
        await SendAsync(owner, HttpMethod.Put, "/owner/api/v1/intents/exchanges", new IntentExchangeSettings([exchange.BaseUrl.ToString()]));
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var created = await SendAsync<IntentDetail>(owner, HttpMethod.Post, "/owner/api/v1/intents", new IntentInput(
            "Winter boots, waterproof", "shoes", 150m, "EUR", "NL", 3,
            Description: "Warm and waterproof boots for the winter.", Size: "44", Condition: "new", Deadline: today.AddDays(7), PostalPrefix: "351",
            Exchanges: [exchange.BaseUrl.ToString()]));
        var id = created.Summary.Id;

        // The shop answered on its own; the vault fetched the sealed offer, opened it and compares it.
        var offer = await WaitAsync(async () => (await owner.GetFromJsonAsync<IntentOfferList>($"/owner/api/v1/intents/{id}/offers", Json))!.Offers.SingleOrDefault());
        Assert.Equal(("Hoog & Droog Shoes", 149.00m, "EUR"), (offer.VendorName, offer.Price, offer.Currency));
        Assert.Equal("Leather hiking boots (Bergpad), size 44", Assert.Single(offer.Items).Description);
        Assert.Equal(today.AddDays(3), offer.DeliveryDate);

        // The person accepts, sharing name and postal address; the shop connects and sees exactly those.
        var accepted = await SendAsync<IntentAcceptance>(owner, HttpMethod.Post, $"/owner/api/v1/intents/{id}/offers/{offer.Id}/accept", new AcceptOfferInput([Datatypes.Name, Datatypes.PostalAddress]));
        Assert.Equal(offer.Id, accepted.OfferId);
        var order = await shop.WaitForAsync(db => db.Orders.SingleOrDefaultAsync(o => o.Status != OrderStatuses.Connecting), TimeSpan.FromSeconds(30));
        Assert.True(order.Status == OrderStatuses.Connected, order.Error);
        Assert.Equal(("Ada Lovelace", "Lindengracht 88, 3511 AB Utrecht, NL"), (order.DeliveryName, order.DeliveryAddress));
        Assert.Equal($"{Datatypes.Name},{Datatypes.PostalAddress}", order.GrantDatatypes);
        var orders = await new HttpClient().GetStringAsync(shop.Url("orders"));
        Assert.Contains("Lindengracht 88", orders, StringComparison.Ordinal);
        Assert.DoesNotContain("ada@example.org", orders, StringComparison.Ordinal);

        // In the vault: a relationship with the shop, whose conversation opens with the accepted offer.
        var relationship = Assert.Single((await owner.GetFromJsonAsync<List<RelationshipSummary>>("/owner/api/v1/relationships", Json))!);
        Assert.Equal("Hoog & Droog Shoes", relationship.VendorName);
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        SymbolonHost.ConfigureJson(options);
        return options;
    }

    private static async Task SendAsync<TBody>(HttpClient owner, HttpMethod method, string path, TBody body)
    {
        using var response = await owner.SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, options: Json) });
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<T> SendAsync<T>(HttpClient owner, HttpMethod method, string path, object body)
    {
        using var response = await owner.SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, options: Json) });
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "Not there in time.");
            await Task.Delay(200);
        }
    }
}
