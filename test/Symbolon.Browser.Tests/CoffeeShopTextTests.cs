using CoffeeShop.Data;
using CoffeeShop.Shop;
using Symbolon.Client;
using Symbolon.Contracts.Problems;

namespace Symbolon.Browser.Tests;

/// <summary>
/// What the coffee shop's counter says about a sale and about a refusal, without a browser or a vault: the sentences
/// for a customer who is away (their vault locked) and for a sale their vault queued meanwhile.
/// </summary>
public sealed class CoffeeShopTextTests
{
    private static SymbolonProblemException Refusal(int status, string code) => new(new ProblemDocument(Title: "Refused.", Status: status, Code: code));

    private static Sale Sale(string kind, DateTimeOffset? queuedAt) => new()
    {
        Kind = kind,
        ReceiptNumber = "BD-20261207-ABC123",
        LinesJson = "[]",
        PaymentMethod = "card",
        QueuedAt = queuedAt,
    };

    [Fact]
    public void Refusals_while_the_customer_is_away_are_sentences_that_say_what_to_do()
    {
        Assert.Equal(ShopErrors.CustomerAway, ShopErrors.Describe(Refusal(423, ProblemCodes.PersonAway)));
        Assert.Equal(ShopErrors.InboxFull, ShopErrors.Describe(Refusal(429, ProblemCodes.InboxFull)));
        Assert.Equal(ShopErrors.InboxBytesFull, ShopErrors.Describe(Refusal(413, ProblemCodes.InboxBytesFull)));
        Assert.StartsWith("The customer's vault is locked right now", ShopErrors.Describe(Refusal(423, ProblemCodes.VaultLocked)), StringComparison.Ordinal);
        foreach (var sentence in new[] { ShopErrors.CustomerAway, ShopErrors.InboxFull, ShopErrors.InboxBytesFull })
        {
            Assert.StartsWith("The customer is away", sentence, StringComparison.Ordinal);
            Assert.DoesNotContain("SYM", sentence, StringComparison.Ordinal);
        }

        Assert.Contains("send it again later", ShopErrors.InboxFull, StringComparison.Ordinal);
        Assert.False(ShopErrors.IsPermissionWithdrawn(Refusal(423, ProblemCodes.PersonAway)));
    }

    [Fact]
    public void A_queued_sale_is_not_reported_as_sent()
    {
        var at = new DateTimeOffset(2026, 12, 7, 9, 30, 0, TimeSpan.Zero);
        Assert.Equal("Receipt BD-20261207-ABC123 sent to the customer's vault.", Till.Confirmation(Sale(Till.SaleKind, null)));
        var queued = Till.Confirmation(Sale(Till.SaleKind, at));
        Assert.StartsWith("Receipt BD-20261207-ABC123 queued until the customer opens their vault", queued, StringComparison.Ordinal);
        Assert.DoesNotContain("sent to", queued, StringComparison.Ordinal);

        Assert.Equal("Free coffee given: ten stamps redeemed. Enjoy!", Till.Confirmation(Sale(Till.RewardKind, null)));
        var reward = Till.Confirmation(Sale(Till.RewardKind, at));
        Assert.Contains("queued until the customer opens their vault", reward, StringComparison.Ordinal);
        Assert.Contains("refuses the redemption", reward, StringComparison.Ordinal);
        Assert.DoesNotContain("ten stamps redeemed", reward, StringComparison.Ordinal);
    }
}
