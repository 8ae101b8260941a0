using BootShop.Data;
using BootShop.Shop;
using Symbolon.Intents;

namespace Symbolon.Browser.Tests;

/// <summary>The shoe shop's matching on its own (no hosts): each reason it gives for not offering, and which product wins.</summary>
public sealed class BootShopMatcherTests
{
    private static readonly DateOnly Today = new(2026, 12, 7);

    private static readonly Product[] Products =
    [
        Product(1, "Waterproof winter boots", "Hoog & Droog", 129m, 2, "boots,winter,waterproof", ("44", 0), ("43", 2)),
        Product(2, "Leather hiking boots", "Bergpad", 149m, 3, "boots,hiking,waterproof,leather", ("44", 2)),
        Product(3, "Suede Chelsea boots", "Hoog & Droog", 119m, 4, "boots,chelsea,suede", ("44", 1)),
        Product(4, "Trail running shoes", "Vlug", 99m, 1, "running,trail", ("44", 3)),
    ];

    private static readonly DeliveryArea[] Areas = [new() { Country = "NL" }, new() { Country = "BE", PostalPrefix = "2" }];

    [Theory]
    [InlineData("Waterproof winter boots", "44", 150, null, "NL", "351", "Leather hiking boots")]
    [InlineData("Winter boots", "43", 150, null, "NL", "351", "Waterproof winter boots")]
    [InlineData("A boot, size 44", "EU 44", 150, null, "BE", "20", "Suede Chelsea boots")]
    [InlineData("Shoes", "44", 150, null, "NL", null, "Trail running shoes")]
    public void The_best_fitting_product_in_stock_within_budget_wins(string title, string size, int budget, string? brand, string country, string? prefix, string expected)
    {
        var match = Matcher.Find(Intent(title, size, budget, brand, country, prefix), Products, Areas, Today);
        Assert.Null(match.Reason);
        Assert.Equal(expected, match.Product?.Name);
        Assert.Equal(match.Product!.Price, match.Amount);
    }

    [Theory]
    [InlineData("Winter boots", "47", 150, null, "NL", "351", null, "No size 47 in stock.")]
    [InlineData("Winter boots", "44", 100, null, "NL", "351", null, "Nothing fitting within EUR 100.00 (the cheapest is EUR 119.00).")]
    [InlineData("Winter boots", "44", 150, null, "NL", "351", 2, "Cannot deliver by 9 Dec (the soonest is 10 Dec).")]
    [InlineData("Winter boots", "44", 150, null, "BE", "9", null, "The shop does not deliver to BE 9….")]
    [InlineData("Winter boots", "44", 150, "Nike", "NL", null, null, "The shop has nothing like that from Nike.")]
    [InlineData("Winter boots", null, 150, null, "NL", null, null, "The intent names no size; shoes need one.")]
    public void Nothing_fits_and_the_reason_says_why(string title, string? size, int budget, string? brand, string country, string? prefix, int? deadlineDays, string reason)
    {
        var intent = Intent(title, size, budget, brand, country, prefix) with { Deadline = deadlineDays is { } days ? Today.AddDays(days) : null };
        var match = Matcher.Find(intent, Products, Areas, Today);
        Assert.Null(match.Product);
        Assert.Equal(reason, match.Reason);
    }

    [Fact]
    public void Used_pairs_pick_up_another_currency_and_too_many_pairs_get_no_offer()
    {
        Assert.Equal("The intent asks for used shoes; the shop sells new ones only.",
            Matcher.Find(Intent("Boots", "44", 150, null, "NL", null) with { Attributes = new IntentAttributes("44", Condition: "used") }, Products, Areas, Today).Reason);
        Assert.Equal("The intent asks for pick-up; the shop only delivers.",
            Matcher.Find(Intent("Boots", "44", 150, null, "NL", null) with { Where = new IntentPlace("NL", Pickup: new IntentPickup(52.1m, 5.1m, 10)) }, Products, Areas, Today).Reason);
        Assert.Equal("The budget is in USD; the shop prices in EUR only.",
            Matcher.Find(Intent("Boots", "44", 150, null, "NL", null) with { Budget = new IntentBudget(150m, "USD") }, Products, Areas, Today).Reason);
        var three = Matcher.Find(Intent("Hiking boots", "44", 1000, null, "NL", null) with { Attributes = new IntentAttributes("44", Quantity: 3) }, Products, Areas, Today);
        Assert.Equal("Only 2 pair(s) of size 44 in stock; 3 asked for.", three.Reason);
        var two = Matcher.Find(Intent("Hiking boots", "44", 1000, null, "NL", null) with { Attributes = new IntentAttributes("44", Quantity: 2) }, Products, Areas, Today);
        Assert.Equal((2, 298m), (two.Quantity, two.Amount));
    }

    private static Product Product(int id, string name, string brand, decimal price, int days, string keywords, params (string Size, int Quantity)[] stock) => new()
    {
        Id = id,
        Sku = "SKU-" + id,
        Name = name,
        Category = "shoes",
        Brand = brand,
        Condition = "new",
        Price = price,
        DeliveryDays = days,
        Keywords = keywords,
        Stock = [.. stock.Select(s => new StockLine { ProductId = id, Size = s.Size, Quantity = s.Quantity })],
    };

    private static IntentDocument Intent(string title, string? size, int budget, string? brand, string country, string? prefix)
    {
        using var keys = IntentKeys.Create();
        var now = new DateTimeOffset(Today.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
        return new IntentDocument(1, IntentCrypto.NewId("int_"), title, null, "shoes", new IntentAttributes(size, Brand: brand), new IntentBudget(budget, "EUR"), null,
            new IntentPlace(country, prefix), now, now.AddDays(2), new IntentTerms(IntentAgreement.Id, IntentAgreement.TextSha256, ["SD-BASE"]), [], keys.PublicKeys);
    }
}
