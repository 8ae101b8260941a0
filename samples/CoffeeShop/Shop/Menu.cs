using CoffeeShop.Data;
using Symbolon.Contracts.Vendor;

namespace CoffeeShop.Shop;

/// <summary>One thing on the menu; prices include VAT.</summary>
public sealed record MenuItem(string Id, string Name, decimal Price, bool Coffee);

/// <summary>The menu, and how a sale becomes an itemized receipt the vault accepts.</summary>
public static class Menu
{
    public const string Currency = "EUR";

    /// <summary>Dutch low VAT rate on food and drinks; prices include it.</summary>
    public const decimal VatRate = 0.09m;

    public static IReadOnlyList<MenuItem> Items { get; } =
    [
        new("espresso", "Espresso", 2.40m, Coffee: true),
        new("flat-white", "Flat white", 3.60m, Coffee: true),
        new("cappuccino", "Cappuccino", 3.40m, Coffee: true),
        new("filter", "Filter coffee", 2.80m, Coffee: true),
        new("croissant", "Croissant", 2.90m, Coffee: false),
        new("banana-bread", "Banana bread", 3.20m, Coffee: false),
    ];

    public static IReadOnlyList<string> PaymentMethods { get; } = ["card", "cash", "mobile"];

    public static MenuItem? Find(string id) => Items.FirstOrDefault(i => string.Equals(i.Id, id, StringComparison.Ordinal));

    /// <summary>The lines of a sale: amounts in cents precision, the VAT contained in each line's total.</summary>
    public static SaleLine Line(MenuItem item, int quantity)
    {
        var total = item.Price * quantity;
        return new SaleLine(item.Name, quantity, item.Price, total, VatIn(total));
    }

    /// <summary>The VAT contained in a price that includes it, rounded to the cent (half away from zero).</summary>
    public static decimal VatIn(decimal grossAmount) =>
        Math.Round(grossAmount * VatRate / (1 + VatRate), 2, MidpointRounding.AwayFromZero);

    /// <summary>The receipt pushed into the customer's vault for a sale; prices include VAT, so the total is the subtotal.</summary>
    public static ReceiptInput Receipt(string storeName, string storeLocation, Sale sale, IReadOnlyList<SaleLine> lines)
    {
        var receiptLines = lines.Select(l => new ReceiptLineInput(l.Item, l.Quantity, l.UnitPrice, l.Tax, l.LineTotal)).ToList();
        var subtotal = lines.Sum(l => l.LineTotal);
        return new ReceiptInput(
            StoreName: storeName,
            IssuedAt: sale.At,
            Currency: Currency,
            Lines: receiptLines,
            Subtotal: subtotal,
            TaxTotal: lines.Sum(l => l.Tax),
            Total: subtotal,
            PaymentMethod: sale.PaymentMethod,
            StoreLocation: storeLocation,
            TaxIncluded: true,
            ReceiptNumber: sale.ReceiptNumber);
    }
}
