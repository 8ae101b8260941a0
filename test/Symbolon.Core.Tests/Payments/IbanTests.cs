using Symbolon.Core.Payments;

namespace Symbolon.Core.Tests.Payments;

public class IbanTests
{
    [Theory]
    [InlineData("DE89370400440532013000", "DE89370400440532013000")]
    [InlineData("de89 3704 0044 0532 0130 00", "DE89370400440532013000")]
    [InlineData("GB82WEST12345698765432", "GB82WEST12345698765432")]
    [InlineData("GB82-WEST-1234-5698-7654-32", "GB82WEST12345698765432")]
    [InlineData("FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606")]
    [InlineData("NL91ABNA0417164300", "NL91ABNA0417164300")]
    [InlineData("AT611904300234573201", "AT611904300234573201")]
    [InlineData("BE68539007547034", "BE68539007547034")]
    [InlineData("NO9386011117947", "NO9386011117947")]
    [InlineData("MT84MALT011000012345MTLCAST001S", "MT84MALT011000012345MTLCAST001S")]
    [InlineData("LC55HEMM000100010012001200023015", "LC55HEMM000100010012001200023015")]
    [InlineData("CH9300762011623852957", "CH9300762011623852957")]
    public void Valid_IBANs_from_several_countries_are_normalized(string input, string expected)
    {
        Assert.True(Iban.TryNormalize(input, out var iban, out var error));
        Assert.Null(error);
        Assert.Equal(expected, iban);
        Assert.Equal(expected, Iban.Normalize(input));
    }

    [Theory]
    [InlineData("DE88370400440532013000", "The check digits do not match: a character is mistyped.")]
    [InlineData("DE89370400440532013001", "The check digits do not match: a character is mistyped.")]
    [InlineData("DE89370400440523013000", "The check digits do not match: a character is mistyped.")]
    [InlineData("GB82WEST12345698765423", "The check digits do not match: a character is mistyped.")]
    [InlineData("DE8937040044053201300", "An IBAN from Germany has 22 characters; this one has 21.")]
    [InlineData("NL91ABNA04171643001", "An IBAN from the Netherlands has 18 characters; this one has 19.")]
    [InlineData("XX89370400440532013000", "The IBAN does not start with the code of a country that issues IBANs.")]
    [InlineData("US89370400440532013000", "The IBAN does not start with the code of a country that issues IBANs.")]
    [InlineData("DEX9370400440532013000", "The third and fourth characters of an IBAN are its check digits.")]
    [InlineData("1289370400440532013000", "An IBAN starts with a two-letter country code and two check digits.")]
    [InlineData("DE89 3704 0044 0532 0130 0!", "An IBAN holds only the letters A to Z and digits.")]
    [InlineData("DE89 3704 0044 0532 0130 0Ä", "An IBAN holds only the letters A to Z and digits.")]
    [InlineData("", "The IBAN is empty.")]
    [InlineData("   ", "The IBAN is empty.")]
    [InlineData(null, "The IBAN is empty.")]
    public void Invalid_IBANs_are_refused_with_a_sentence_that_does_not_repeat_them(string? input, string expected)
    {
        Assert.False(Iban.TryNormalize(input, out var iban, out var error));
        Assert.Equal("", iban);
        Assert.Equal(expected, error);
        if (!string.IsNullOrWhiteSpace(input))
        {
            Assert.DoesNotContain(input, error, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(input.Replace(" ", "", StringComparison.Ordinal)[4..12], error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Normalize_throws_a_payment_input_exception_for_the_iban_field()
    {
        var e = Assert.Throws<PaymentInputException>(() => Iban.Normalize("DE88370400440532013000"));

        Assert.Equal(["The check digits do not match: a character is mistyped."], e.Errors["iban"]);
        Assert.Equal(400, e.Status);
        Assert.DoesNotContain("370400440532013000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pasted_novel_is_refused_without_being_walked()
    {
        Assert.False(Iban.TryNormalize(new string('1', 10_000), out _, out var error));
        Assert.Equal("An IBAN has at most 34 characters.", error);
    }

    [Fact]
    public void Check_digits_00_01_and_99_are_refused_although_they_pass_mod_97()
    {
        // Finds a German account whose check digits are 98 (or 97 or 02): then 01 (00, 99) passes mod 97 as well.
        var cases = new Dictionary<int, int> { [98] = 1, [97] = 0, [2] = 99 };
        foreach (var (real, alias) in cases)
        {
            var bban = Enumerable.Range(0, 10_000).Select(n => $"37040044{n:0000000000}").First(b => 98 - Iban.Mod97(b + "DE00") == real);
            Assert.True(Iban.TryNormalize($"DE{real:00}{bban}", out _, out _));
            Assert.Equal(1, Iban.Mod97($"{bban}DE{alias:00}"));
            Assert.False(Iban.TryNormalize($"DE{alias:00}{bban}", out _, out var error));
            Assert.Equal("The check digits do not match: a character is mistyped.", error);
        }
    }

    [Fact]
    public void Every_registry_country_has_its_length()
    {
        Assert.Equal(22, Iban.LengthFor("DE"));
        Assert.Equal(15, Iban.LengthFor("NO"));
        Assert.Equal(33, Iban.LengthFor("RU"));
        Assert.Equal(32, Iban.LengthFor("LC"));
        Assert.Equal(30, Iban.LengthFor("YE"));
        Assert.Equal(23, Iban.LengthFor("OM"));
        Assert.Equal(18, Iban.LengthFor("FK"));
        Assert.Equal(20, Iban.LengthFor("xk"));
        Assert.Null(Iban.LengthFor("US"));
    }

    [Fact]
    public void Format_groups_by_four_and_mask_shows_only_the_first_and_last_four()
    {
        Assert.Equal("DE89 3704 0044 0532 0130 00", Iban.Format("de89370400440532013000"));
        Assert.Equal("NO93 8601 1117 947", Iban.Format("NO93 8601 1117 947"));
        Assert.Equal("DE89 •••• •••• •••• ••30 00", Iban.Mask("DE89370400440532013000"));
        Assert.Equal("NO93 •••• •••7 947", Iban.Mask("NO9386011117947"));
        Assert.DoesNotContain("0532", Iban.Mask("DE89370400440532013000"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DE89370400440532013000", true)]
    [InlineData("CH9300762011623852957", true)]
    [InlineData("GB82WEST12345698765432", true)]
    [InlineData("NO9386011117947", true)]
    [InlineData("MC5811222000010123456789030", true)]
    [InlineData("ME25505000012345678951", true)]
    [InlineData("RS35260005601001611379", true)]
    [InlineData("TR330006100519786457841326", false)]
    [InlineData("BR1800360305000010009795493C1", false)]
    [InlineData("SA0380000000608010167519", false)]
    public void Sepa_countries_are_known(string iban, bool sepa) => Assert.Equal(sepa, Iban.IsSepa(iban));
}

public class BicTests
{
    [Theory]
    [InlineData("DEUTDEFF", "DEUTDEFF")]
    [InlineData("deut de ff 500", "DEUTDEFF500")]
    [InlineData("COBADEFFXXX", "COBADEFFXXX")]
    [InlineData("NWBKGB2L", "NWBKGB2L")]
    public void Valid_BICs_are_normalized(string input, string expected)
    {
        Assert.True(Bic.TryNormalize(input, out var bic, out var error));
        Assert.Null(error);
        Assert.Equal(expected, bic);
    }

    [Theory]
    [InlineData("DEUTDEF", "A BIC has 8 or 11 characters.")]
    [InlineData("DEUTDEFF50", "A BIC has 8 or 11 characters.")]
    [InlineData("DEUTDEFF5000", "A BIC has 8 or 11 characters.")]
    [InlineData("DEU1DEFF", "A BIC starts with four letters that name the bank.")]
    [InlineData("DEUTD1FF", "The fifth and sixth characters of a BIC are the letters of the bank's country.")]
    [InlineData("DEUT-DEFF", "A BIC holds only the letters A to Z and digits.")]
    [InlineData("", "The BIC is empty.")]
    [InlineData(null, "The BIC is empty.")]
    public void Invalid_BICs_are_refused(string? input, string expected)
    {
        Assert.False(Bic.TryNormalize(input, out _, out var error));
        Assert.Equal(expected, error);
        Assert.Equal(expected, Assert.Throws<PaymentInputException>(() => Bic.Normalize(input!)).Errors["bic"].Single());
    }
}
