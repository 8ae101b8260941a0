using Symbolon.Contracts.LoyaltyCards;
using Symbolon.Core.LoyaltyCards;

namespace Symbolon.Core.Tests.LoyaltyCards;

public class BarcodeRulesTests
{
    [Theory]
    [InlineData(BarcodeFormats.Ean13, "4006381333931")]
    [InlineData(BarcodeFormats.Ean13, "400638133393")]
    [InlineData(BarcodeFormats.Ean8, "96385074")]
    [InlineData(BarcodeFormats.UpcA, "036000291452")]
    [InlineData(BarcodeFormats.UpcE, "01234565")]
    [InlineData(BarcodeFormats.Code39, "CARD-42 $/+%.")]
    [InlineData(BarcodeFormats.Code93, "ABC 123")]
    [InlineData(BarcodeFormats.Code128, "abc-123 {x}")]
    [InlineData(BarcodeFormats.Codabar, "A40156B")]
    [InlineData(BarcodeFormats.Codabar, "40156")]
    [InlineData(BarcodeFormats.Itf, "12345678")]
    [InlineData(BarcodeFormats.QrCode, "https://example.org/card?id=Käse")]
    [InlineData(BarcodeFormats.Aztec, "Käseschnitte")]
    [InlineData(BarcodeFormats.DataMatrix, "DM-55")]
    [InlineData(BarcodeFormats.Pdf417, "LOYALTY 998877")]
    public void Content_a_format_can_carry_is_accepted(string format, string content) => Assert.Null(BarcodeRules.Check(format, content));

    [Theory]
    [InlineData(BarcodeFormats.Ean13, "4006381333932", "check digit")]
    [InlineData(BarcodeFormats.Ean13, "40063813339", "13 digits")]
    [InlineData(BarcodeFormats.Ean13, "40063813339A1", "13 digits")]
    [InlineData(BarcodeFormats.Ean8, "96385075", "check digit")]
    [InlineData(BarcodeFormats.UpcA, "036000291453", "check digit")]
    [InlineData(BarcodeFormats.UpcA, "0360002914521", "12 digits")]
    [InlineData(BarcodeFormats.UpcE, "01234566", "check digit")]
    [InlineData(BarcodeFormats.UpcE, "21234565", "starts with 0 or 1")]
    [InlineData(BarcodeFormats.Code39, "card-42", "capital letters")]
    [InlineData(BarcodeFormats.Code93, "A_B", "capital letters")]
    [InlineData(BarcodeFormats.Code128, "Käse", "no accents")]
    [InlineData(BarcodeFormats.Codabar, "A12X", "Codabar holds digits")]
    [InlineData(BarcodeFormats.Itf, "12345", "even number")]
    [InlineData("CODE_11", "123", "Unknown barcode format")]
    public void Content_a_format_cannot_carry_is_refused_with_the_rule_not_the_value(string format, string content, string expected)
    {
        var reason = BarcodeRules.Check(format, content);

        Assert.NotNull(reason);
        Assert.Contains(expected, reason, StringComparison.Ordinal);
        Assert.DoesNotContain(content, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_dimensional_codes_have_a_length_limit()
    {
        Assert.NotNull(BarcodeRules.Check(BarcodeFormats.QrCode, new string('x', 1001)));
        Assert.NotNull(BarcodeRules.Check(BarcodeFormats.Pdf417, new string('x', 801)));
        Assert.NotNull(BarcodeRules.Check(BarcodeFormats.Code128, new string('x', 81)));
    }

    [Fact]
    public void The_validator_names_the_field_that_holds_the_barcode_content()
    {
        var onNumber = Assert.Throws<LoyaltyCardInvalidException>(() => LoyaltyCardValidator.Normalize(new LoyaltyCardInput("Shop", "4006381333932", BarcodeFormats.Ean13)));
        var onValue = Assert.Throws<LoyaltyCardInvalidException>(() => LoyaltyCardValidator.Normalize(new LoyaltyCardInput("Shop", "Card 1", BarcodeFormats.Ean13, BarcodeValue: "123")));
        var several = Assert.Throws<LoyaltyCardInvalidException>(() => LoyaltyCardValidator.Normalize(
            new LoyaltyCardInput(" ", "1", "CODE_11", HeaderColor: "blue", BalanceCurrency: "euro", Balance: -1, ValidFrom: TestDates.Later, Expiry: TestDates.Earlier)));

        Assert.Equal(["cardNumber"], onNumber.Errors.Keys);
        Assert.Equal(["barcodeValue"], onValue.Errors.Keys);
        Assert.Equal(["balance", "balanceCurrency", "barcodeFormat", "expiry", "headerColor", "store"], several.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_validator_trims_and_truncates_times_to_what_Catima_keeps()
    {
        var value = LoyaltyCardValidator.Normalize(new LoyaltyCardInput(
            " Shop ", " 123 ", BarcodeFormats.Code128, BalanceCurrency: "eur", HeaderColor: "#59a2be",
            ValidFrom: TestDates.Earlier.AddTicks(1234), LastUsed: TestDates.Later.AddMilliseconds(700), Groups: ["Food", "Food", " Travel "]));

        Assert.Equal(("Shop", "123", "EUR", "#59A2BE"), (value.Store, value.CardNumber, value.BalanceCurrency, value.HeaderColor));
        Assert.Equal(TestDates.Earlier, value.ValidFrom);
        Assert.Equal(TestDates.Later, value.LastUsed);
        Assert.Equal(["Food", "Travel"], value.Groups!);
    }

    [Fact]
    public void Catima_colours_are_Android_ARGB_integers()
    {
        Assert.Equal("#59A2BE", LoyaltyCardValidator.ColorFromArgb(-10902850));
        Assert.Equal(-10902850, LoyaltyCardValidator.ArgbFromColor("#59A2BE"));
        Assert.Equal(-1, LoyaltyCardValidator.ArgbFromColor("#FFFFFF"));
    }

    private static class TestDates
    {
        public static readonly DateTimeOffset Earlier = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public static readonly DateTimeOffset Later = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    }
}
