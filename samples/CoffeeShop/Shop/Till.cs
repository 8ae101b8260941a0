using System.Globalization;
using System.Text.Json;
using CoffeeShop.Data;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Vendor;

namespace CoffeeShop.Shop;

/// <summary>
/// Rings up sales and gives free coffees. A sale is written to the shop's database first, then pushed: the receipt
/// and the stamps under idempotency keys derived from the sale's id, so that pushing a sale again (after a timeout,
/// or with "Send again") stores it once in the customer's vault. While the customer is away (their vault locked) the
/// vault queues the receipt and stamps sealed until they open it; the sale then says so (<see cref="Sale.QueuedAt"/>).
/// </summary>
public sealed class Till(IDbContextFactory<ShopDb> dbs, CustomerSessions sessions, ShopSettingsStore settings, TimeProvider time)
{
    public const int StampsForReward = 10;
    public const string Reward = "A free coffee";

    public const string SaleKind = "sale";
    public const string RewardKind = "reward";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The programme as the shop describes it to the customer's wallet.</summary>
    public static LoyaltyProgrammeInput Programme(string shopName) =>
        new($"{shopName} coffee card", LoyaltyProgrammeKinds.Stamps, "stamps", StampsForReward, Reward);

    /// <summary>Rings up a sale for a customer and pushes its receipt and stamps.</summary>
    /// <param name="customerId">The customer, approved at the counter.</param>
    /// <param name="quantities">Menu item id to quantity; items not on the menu are ignored, as are quantities below one.</param>
    /// <param name="paymentMethod">card, cash or mobile.</param>
    /// <param name="cancellationToken">Cancels the pushes (the sale stays, to be sent again).</param>
    /// <returns>The sale, with what the vault said.</returns>
    /// <exception cref="ArgumentException">Nothing was picked, or the payment method is unknown.</exception>
    public async Task<Sale> RingUpAsync(int customerId, IReadOnlyDictionary<string, int> quantities, string paymentMethod, CancellationToken cancellationToken)
    {
        var lines = quantities
            .Select(q => (Item: Menu.Find(q.Key), Quantity: q.Value))
            .Where(q => q.Item is not null && q.Quantity > 0)
            .Select(q => Menu.Line(q.Item!, Math.Min(q.Quantity, 50)))
            .ToList();
        if (lines.Count == 0)
        {
            throw new ArgumentException("Pick at least one item from the menu.", nameof(quantities));
        }

        if (!Menu.PaymentMethods.Contains(paymentMethod, StringComparer.Ordinal))
        {
            throw new ArgumentException("Choose how the customer paid: card, cash or mobile.", nameof(paymentMethod));
        }

        var sale = await CreateAsync(customerId, SaleKind, lines, paymentMethod, cancellationToken);
        return await PushAsync(sale.Id, cancellationToken);
    }

    /// <summary>Gives a free coffee for ten stamps: redeems the stamps (a reward event) and pushes a receipt of 0.00.</summary>
    public async Task<Sale> GiveFreeCoffeeAsync(int customerId, CancellationToken cancellationToken)
    {
        var sale = await CreateAsync(customerId, RewardKind, [new SaleLine("Free coffee (ten stamps)", 1, 0m, 0m, 0m)], "reward", cancellationToken);
        return await PushAsync(sale.Id, cancellationToken);
    }

    /// <summary>Pushes whatever of a sale the vault has not acknowledged yet; safe to repeat.</summary>
    public async Task<Sale> PushAsync(int saleId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var sale = await db.Sales.Include(s => s.Customer).SingleAsync(s => s.Id == saleId, cancellationToken);
        var customer = sale.Customer!;
        var shop = await settings.GetAsync(cancellationToken);
        // Even when a webhook said the customer withdrew permission, the push goes to the vault: the vault decides, and
        // its refusal is what the counter shows.
        var session = await sessions.GetAsync(customer.Id, cancellationToken);
        if (session is null)
        {
            sale.Error = ShopErrors.PermissionWithdrawn;
            await db.SaveChangesAsync(cancellationToken);
            return sale;
        }

        var lines = JsonSerializer.Deserialize<List<SaleLine>>(sale.LinesJson, Json)!;
        try
        {
            if (sale.Kind == RewardKind && !sale.LoyaltyRecorded)
            {
                // The redemption first: if the customer has too few stamps, no free coffee lands on their receipts.
                var redeemed = await session.PushLoyaltyEventAsync(
                    new LoyaltyEventInput(LoyaltyEventKinds.RewardIssued, StampsForReward, Programme(shop.Name), Reward, $"Receipt {sale.ReceiptNumber}"),
                    $"reward-{sale.Key}", cancellationToken);
                Record(sale, customer, redeemed);
            }

            if (sale.ReceiptId is null)
            {
                var receipt = await session.PushReceiptAsync(Menu.Receipt(shop.Name, shop.Location, sale, lines), $"receipt-{sale.Key}", cancellationToken);
                sale.ReceiptId = receipt.Id;
                if (receipt.Queued is { } queued)
                {
                    sale.QueuedAt ??= queued.ReceivedAt;
                }
            }

            if (sale.Kind == SaleKind && !sale.LoyaltyRecorded)
            {
                var coffees = lines.Where(l => Menu.Items.Any(i => i.Coffee && i.Name == l.Item)).Sum(l => l.Quantity);
                if (coffees > 0)
                {
                    var stamped = await session.PushLoyaltyEventAsync(
                        new LoyaltyEventInput(LoyaltyEventKinds.StampEarned, coffees, Programme(shop.Name), Note: $"Receipt {sale.ReceiptNumber}"),
                        $"stamp-{sale.Key}", cancellationToken);
                    Record(sale, customer, stamped);
                }
                else
                {
                    sale.LoyaltyRecorded = true;
                }
            }

            sale.Error = null;
        }
        catch (Exception e) when (ShopErrors.Describe(e) is { } message)
        {
            sale.Error = message;
            if (ShopErrors.IsPermissionWithdrawn(e))
            {
                await sessions.MarkWithdrawnAsync(customer.Id, cancellationToken);
                customer.PermissionWithdrawnAt ??= time.GetUtcNow();
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return sale;
    }

    /// <summary>
    /// What the counter tells the cashier about a sale the vault did not refuse: sent, or queued until the customer
    /// opens their vault. A free coffee is given either way: the counter offers it only when the card held ten stamps
    /// when the vault last said, but a queued redemption is checked against the balance only when the customer opens
    /// their vault, and may be refused then.
    /// </summary>
    public static string Confirmation(Sale sale) => (sale.Kind, sale.QueuedAt is not null) switch
    {
        (RewardKind, false) => "Free coffee given: ten stamps redeemed. Enjoy!",
        (RewardKind, true) => "Free coffee given. The customer is away, so redeeming their ten stamps is queued until the customer opens their vault: "
            + "their vault checks the balance then, and refuses the redemption if the card no longer holds ten stamps (the webhooks page will say).",
        (_, false) => $"Receipt {sale.ReceiptNumber} sent to the customer's vault.",
        (_, true) => $"Receipt {sale.ReceiptNumber} queued until the customer opens their vault: they are away, and their vault adds the receipt and stamps then.",
    };

    private static void Record(Sale sale, Customer customer, VendorLoyaltyEvent recorded)
    {
        sale.LoyaltyRecorded = true;
        if (recorded.Queued is { } queued)
        {
            // The balance is not known until the customer opens their vault. The shop counts the event in as sent, so
            // the card at the counter shows what it will hold and the same ten stamps are not offered twice; the
            // vault's next answer puts the balance right if the queued event is refused.
            sale.QueuedAt ??= queued.ReceivedAt;
            sale.StampBalanceAfter = null;
            customer.StampBalance = Math.Max(0, customer.StampBalance + recorded.Amount);
        }
        else
        {
            sale.StampBalanceAfter = recorded.BalanceAfter;
            customer.StampBalance = recorded.BalanceAfter;
        }
    }

    private async Task<Sale> CreateAsync(int customerId, string kind, IReadOnlyList<SaleLine> lines, string paymentMethod, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var key = Guid.NewGuid();
        var now = time.GetUtcNow();
        var sale = new Sale
        {
            Key = key,
            CustomerId = customerId,
            Kind = kind,
            At = now,
            ReceiptNumber = string.Create(CultureInfo.InvariantCulture, $"BD-{now:yyyyMMdd}-{key.ToString("N")[..6].ToUpperInvariant()}"),
            LinesJson = JsonSerializer.Serialize(lines, Json),
            Total = lines.Sum(l => l.LineTotal),
            PaymentMethod = paymentMethod,
        };
        db.Sales.Add(sale);
        await db.SaveChangesAsync(cancellationToken);
        return sale;
    }

    /// <summary>The lines of a stored sale.</summary>
    public static IReadOnlyList<SaleLine> Lines(Sale sale) => JsonSerializer.Deserialize<List<SaleLine>>(sale.LinesJson, Json) ?? [];
}
