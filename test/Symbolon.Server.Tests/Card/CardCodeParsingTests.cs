using Symbolon.Client;

namespace Symbolon.Server.Tests.Card;

/// <summary>The SDK reading what a till scanned or what was typed: <see cref="SymbolonCardCode"/>.</summary>
public sealed class CardCodeParsingTests
{
    [Fact]
    public void A_scanned_card_uri_gives_the_vault_and_the_code()
    {
        var card = SymbolonCardCode.Parse("symbolon:card?v=https%3A%2F%2Fvault.example.org%2Fada%2F&c=7KQ2M9XD4TPB");
        Assert.Equal(new Uri("https://vault.example.org/ada/"), card.VaultUrl);
        Assert.Equal("7KQ2M9XD4TPB", card.Code);
        Assert.Equal("7KQ2-M9XD-4TPB", card.DisplayCode);
        Assert.Equal("symbolon:card?v=https%3A%2F%2Fvault.example.org%2Fada%2F&c=7KQ2M9XD4TPB", card.ToString());
        Assert.Equal(card.Code, SymbolonCardCode.Parse(card.ToString()).Code);
    }

    [Theory]
    [InlineData("https://vault.example.org/ 7kq2-m9xd-4tpb")]
    [InlineData("  https://vault.example.org/   7KQ2 M9XD 4TPB ")]
    [InlineData("https://vault.example.org/ 7KQ2-M9XD-4TPB")]
    public void A_typed_address_and_code_are_read_in_any_case_with_or_without_separators(string typed)
    {
        var card = SymbolonCardCode.Parse(typed);
        Assert.Equal(new Uri("https://vault.example.org/"), card.VaultUrl);
        Assert.Equal("7KQ2M9XD4TPB", card.Code);
    }

    [Fact]
    public void Look_alike_letters_are_read_as_the_digits_they_resemble()
    {
        var card = SymbolonCardCode.Parse("oIL2-M9XD-4TPB", new Uri("http://127.0.0.1:5000/"));
        Assert.Equal("0112M9XD4TPB", card.Code);
        Assert.Equal(new Uri("http://127.0.0.1:5000/"), card.VaultUrl);
    }

    [Theory]
    [InlineData("")]
    [InlineData("7KQ2-M9XD-4TPB")]
    [InlineData("symbolon:card?c=7KQ2M9XD4TPB")]
    [InlineData("symbolon:card?v=https%3A%2F%2Fvault.example.org%2F")]
    [InlineData("symbolon:card?v=https%3A%2F%2Fvault.example.org%2F&c=7KQ2M9XD4TPB&c=7KQ2M9XD4TPC")]
    [InlineData("symbolon:card?v=ftp%3A%2F%2Fvault.example.org%2F&c=7KQ2M9XD4TPB")]
    [InlineData("symbolon:card?v=https%3A%2F%2Fvault.example.org%2F%3Fx%3D1&c=7KQ2M9XD4TPB")]
    [InlineData("symbolon:card?v=vault.example.org&c=7KQ2M9XD4TPB")]
    [InlineData("https://vault.example.org/ 7KQ2-M9XD-4TP")]
    [InlineData("https://vault.example.org/ 7KQ2-M9XD-4TPBX")]
    [InlineData("https://vault.example.org/ 7KQ2-M9XD-4TPU")]
    [InlineData("https://user@vault.example.org/ 7KQ2-M9XD-4TPB")]
    public void Anything_else_is_refused_with_a_message_that_never_repeats_the_input(string input)
    {
        Assert.False(SymbolonCardCode.TryParse(input, out var card));
        Assert.Null(card);
        var error = Assert.Throws<FormatException>(() => SymbolonCardCode.Parse(input));
        Assert.DoesNotContain("7KQ2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("vault.example.org", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_is_an_argument_error_and_a_typed_code_needs_a_vault_address()
    {
        Assert.Throws<ArgumentNullException>(() => SymbolonCardCode.Parse(null!));
        Assert.False(SymbolonCardCode.TryParse(null, out _));
        Assert.Throws<FormatException>(() => SymbolonCardCode.Parse("7KQ2-M9XD-4TPB", new Uri("mailto:ada@example.org")));
        Assert.Throws<FormatException>(() => SymbolonCardCode.Parse("7KQ2", new Uri("https://vault.example.org/")));
    }
}
