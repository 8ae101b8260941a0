using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Wallet;

namespace Symbolon.Core.Tests.Wallet;

/// <summary>Receipt arithmetic in decimal at each currency's minor unit, and the currency table from .NET's globalization data.</summary>
public sealed class ReceiptValidationTests
{
    private static ReceiptInput One(string currency, decimal quantity, decimal unitPrice, decimal lineTotal, decimal tax = 0) =>
        new("Shop", new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero), currency, [new ReceiptLineInput("Item", quantity, unitPrice, tax, lineTotal)], lineTotal, tax, lineTotal + tax, "cash");

    [Theory]
    [InlineData("EUR", "0.333", "1.50", "0.50")]      // 0.4995 rounds half away from zero to 0.50
    [InlineData("EUR", "3", "0.10", "0.30")]          // no binary floating point: 3 × 0.10 is exactly 0.30
    [InlineData("JPY", "3", "480", "1440")]
    [InlineData("KWD", "1", "1.125", "1.125")]        // three minor digits
    [InlineData("BHD", "2", "0.005", "0.010")]
    public void Receipts_that_add_up_at_the_currency_minor_unit_are_accepted(string currency, string quantity, string unitPrice, string lineTotal)
    {
        var receipt = One(currency, decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture), decimal.Parse(unitPrice, System.Globalization.CultureInfo.InvariantCulture), decimal.Parse(lineTotal, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(receipt.Total, Receipts.Validate(receipt).Total);
    }

    [Fact]
    public void Every_wrong_field_is_named_at_once_by_its_path()
    {
        var receipt = new ReceiptInput(" ", new DateTimeOffset(1999, 1, 1, 0, 0, 0, TimeSpan.Zero), "XAU",
            [new ReceiptLineInput("Item", 1, 2, 0, 2), new ReceiptLineInput("", -1, -3, -1, 1)], 3, -1, 2, "");
        var e = Assert.Throws<WalletProblemException>(() => Receipts.Validate(receipt));
        Assert.Equal(ProblemCodes.InvalidReceipt, e.Code);
        Assert.Equal(
            ["currency", "issued_at", "lines[1].description", "lines[1].quantity", "lines[1].tax", "lines[1].unit_price", "payment_method", "store_name", "tax_total"],
            e.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_currency_table_comes_from_globalization_data_and_knows_minor_units()
    {
        Assert.True(Currencies.All.Count > 100);
        Assert.Equal(2, Currencies.DigitsOf("EUR"));
        Assert.Equal(0, Currencies.DigitsOf("JPY"));
        Assert.Equal(3, Currencies.DigitsOf("KWD"));
        Assert.False(Currencies.IsKnown("XQZ"));
        Assert.False(Currencies.IsKnown("eur"));
        Assert.False(Currencies.IsKnown("XAU"));
    }

    [Fact]
    public void Too_many_lines_is_a_413_problem_naming_lines()
    {
        var lines = Enumerable.Range(0, Receipts.MaxLines + 1).Select(_ => new ReceiptLineInput("Item", 1, 1, 0, 1)).ToList();
        var e = Assert.Throws<WalletProblemException>(() => Receipts.Validate(One("EUR", 1, 1, 1) with { Lines = lines }));
        Assert.Equal((ProblemCodes.ReceiptTooLarge, 413), (e.Code, e.Status));
        Assert.Contains("lines", e.Errors!.Keys);
    }
}
