using Symbolon.Core.Payments;

namespace Symbolon.Core.Tests.Payments;

public class CreditorReferenceTests
{
    [Theory]
    [InlineData("539007547034", "RF18539007547034")]
    [InlineData("5390 0754 7034", "RF18539007547034")]
    [InlineData("2348231", "RF712348231")]
    [InlineData("a", "RF25A")]
    public void Create_adds_the_ISO_11649_check_digits(string body, string expected) => Assert.Equal(expected, CreditorReference.Create(body));

    [Theory]
    [InlineData("")]
    [InlineData("1234567890123456789012")]
    [InlineData("ABC-123")]
    [InlineData("ÄBC")]
    public void Create_refuses_a_body_that_is_not_1_to_21_letters_and_digits(string body)
    {
        var e = Assert.Throws<PaymentInputException>(() => CreditorReference.Create(body));
        Assert.Equal(["A creditor reference's body has 1 to 21 letters A to Z and digits."], e.Errors["reference"]);
    }

    [Theory]
    [InlineData("RF18539007547034", true)]
    [InlineData("RF18 5390 0754 7034", true)]
    [InlineData("rf18539007547034", true)]
    [InlineData("RF712348231", true)]
    [InlineData("RF71 2348 231", true)]
    [InlineData("RF19539007547034", false)]
    [InlineData("RF18539007547035", false)]
    [InlineData("RF18539007547043", false)]
    [InlineData("RF18", false)]
    [InlineData("RF", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("XY18539007547034", false)]
    [InlineData("RF18-5390-0754-7034", false)]
    [InlineData("RF181234567890123456789012", false)]
    public void IsValid_checks_the_digits_allowing_spaces_and_any_case(string? reference, bool valid) => Assert.Equal(valid, CreditorReference.IsValid(reference));

    [Fact]
    public void Normalize_and_Format_write_it_compact_and_in_groups_of_four()
    {
        Assert.Equal("RF18539007547034", CreditorReference.Normalize("rf18 5390 0754 7034"));
        Assert.Equal("RF18 5390 0754 7034", CreditorReference.Format("rf18539007547034"));
        Assert.Equal("RF71 2348 231", CreditorReference.Format("RF712348231"));
        Assert.Throws<PaymentInputException>(() => CreditorReference.Normalize("RF19539007547034"));
    }

    [Fact]
    public void New_references_are_valid_full_length_and_unique()
    {
        var references = Enumerable.Range(0, 200).Select(_ => CreditorReference.New()).ToList();

        Assert.All(references, r => Assert.True(CreditorReference.IsValid(r)));
        Assert.All(references, r => Assert.Equal(25, r.Length));
        Assert.All(references, r => Assert.Matches("^RF[0-9]{2}[0-9A-Z]{21}$", r));
        Assert.Equal(references.Count, references.Distinct().Count());
    }

    [Theory]
    [InlineData("RF18 5390 0754 7034", new[] { "RF18539007547034" })]
    [InlineData("RF18539007547034", new[] { "RF18539007547034" })]
    [InlineData("Rechnung 2026-11 RF18 5390 0754 7034 vielen Dank", new[] { "RF18539007547034" })]
    [InlineData("SVWZ+rf18 5390 0754 7034 EREF+NOTPROVIDED", new[] { "RF18539007547034" })]
    [InlineData("EREF: rf18539007547034, Miete", new[] { "RF18539007547034" })]
    [InlineData("RF71 2348 231 PAID", new[] { "RF712348231" })]
    [InlineData("RF18 5390 0754 7034 and again RF18539007547034", new[] { "RF18539007547034" })]
    [InlineData("first RF712348231 then RF18 5390 0754 7034.", new[] { "RF712348231", "RF18539007547034" })]
    [InlineData("RF19 5390 0754 7034 is mistyped", new string[0])]
    [InlineData("XRF18539007547034 is part of a word", new string[0])]
    [InlineData("RF18539007547034KREF+X runs into the next field", new string[0])]
    [InlineData("RF", new string[0])]
    [InlineData("nothing here", new string[0])]
    [InlineData("", new string[0])]
    public void FindIn_finds_every_valid_reference_in_free_text(string text, string[] expected) => Assert.Equal(expected, CreditorReference.FindIn(text));

    [Fact]
    public void FindIn_finds_a_new_reference_as_a_bank_prints_it_before_more_words()
    {
        for (var i = 0; i < 50; i++)
        {
            var reference = CreditorReference.New();

            Assert.Equal([reference], CreditorReference.FindIn($"Überweisung {CreditorReference.Format(reference)} Danke schön"));
            Assert.Equal([reference], CreditorReference.FindIn($"{reference.ToLowerInvariant()} Danke"));
        }
    }
}
