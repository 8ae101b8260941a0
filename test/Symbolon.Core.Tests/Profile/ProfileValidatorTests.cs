using Microsoft.Extensions.Time.Testing;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Profile;
using Symbolon.Core.Validation;

namespace Symbolon.Core.Tests.Profile;

public class ProfileValidatorTests
{
    // Today is 2026-11-23 (UTC) for every test here.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 22, 30, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("ada@example.org")]
    [InlineData("ada.lovelace+newsletter@mail.example.co.uk")]
    [InlineData("ADA@EXAMPLE.ORG")]
    [InlineData("o'brien@example.ie")]
    public void Good_email_addresses_are_accepted(string email) =>
        Assert.Equal(email, Text(ProfileFieldKinds.Email, email));

    [Theory]
    [InlineData("ada-at-example.org")]
    [InlineData("ada@")]
    [InlineData("@mail.example.net")]
    [InlineData("ada@example")]
    [InlineData("ada.lovelace@example")]
    [InlineData("ada@@example.org")]
    [InlineData("ada@exa mple.org")]
    [InlineData("Ada Lovelace <ada@example.org>")]
    [InlineData("ada@example.org, bob@example.org")]
    public void Bad_email_addresses_are_refused(string email) =>
        AssertRefused(ProfileFieldKinds.Email, "text", email, text: email);

    [Fact]
    public void An_email_address_longer_than_254_characters_is_refused()
    {
        var email = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 3)) + ".example.org";
        Assert.True(email.Length > 254);

        AssertRefused(ProfileFieldKinds.Email, "text", email, text: email);
    }

    [Theory]
    [InlineData("+31 20 123 4567")]
    [InlineData("(020) 123-4567")]
    [InlineData("020.123.4567")]
    [InlineData("12345")]
    [InlineData("+1 (555) 010-9999")]
    public void Good_phone_numbers_are_accepted(string phone) =>
        Assert.Equal(phone, Text(ProfileFieldKinds.Phone, phone));

    [Theory]
    [InlineData("1234")]
    [InlineData("+31 20 CALL ME")]
    [InlineData("(((())))")]
    [InlineData("++31 20 123 4567")]
    [InlineData("+31 20 123 4567 ext 89")]
    [InlineData("0031/20/1234567")]
    [InlineData("+31 20 123 4567 8901 2345 6789 0123")]
    [InlineData("1-2-3-4")]
    public void Bad_phone_numbers_are_refused(string phone) =>
        AssertRefused(ProfileFieldKinds.Phone, "text", phone, text: phone);

    [Theory]
    [InlineData("1990-04-23")]
    [InlineData("1900-01-01")]
    [InlineData("2000-02-29")]
    [InlineData("2026-11-23")]
    public void Good_birth_dates_are_accepted(string date) =>
        Assert.Equal(date, Text(ProfileFieldKinds.BirthDate, date));

    [Theory]
    [InlineData("23-04-1990")]
    [InlineData("1990-4-23")]
    [InlineData("1990/04/23")]
    [InlineData("19900423")]
    [InlineData("1990-02-30")]
    [InlineData("1990-13-01")]
    [InlineData("1990-04-23T00:00:00")]
    [InlineData("April 23, 1990")]
    [InlineData("1899-12-31")]
    [InlineData("2026-11-24")]
    [InlineData("2126-01-01")]
    public void Bad_or_future_birth_dates_are_refused(string date) =>
        AssertRefused(ProfileFieldKinds.BirthDate, "text", date, text: date);

    [Theory]
    [InlineData("en")]
    [InlineData("nl")]
    [InlineData("pt-BR")]
    [InlineData("zh-Hant-TW")]
    [InlineData("gsw")]
    [InlineData("es-419")]
    public void Good_language_tags_are_accepted(string tag) =>
        Assert.Equal(tag, Text(ProfileFieldKinds.Language, tag));

    [Theory]
    [InlineData("english")]
    [InlineData("e")]
    [InlineData("en_US")]
    [InlineData("en-")]
    [InlineData("12")]
    [InlineData("pt-BRAZILIAN")]
    [InlineData("en US")]
    public void Bad_language_tags_are_refused(string tag) =>
        AssertRefused(ProfileFieldKinds.Language, "text", tag, text: tag);

    [Fact]
    public void A_preference_is_free_text_of_at_most_500_characters()
    {
        var longest = new string('p', ProfileValidator.MaxPreferenceLength);
        Assert.Equal(longest, Text(ProfileFieldKinds.Preference, longest));
        Assert.Equal("no paper mail, please; ☕ only", Text(ProfileFieldKinds.Preference, "  no paper mail, please; ☕ only \n"));

        AssertRefused(ProfileFieldKinds.Preference, "text", longest + "q", text: longest + "q");
    }

    [Theory]
    [InlineData(ProfileFieldKinds.Email)]
    [InlineData(ProfileFieldKinds.Phone)]
    [InlineData(ProfileFieldKinds.BirthDate)]
    [InlineData(ProfileFieldKinds.Language)]
    [InlineData(ProfileFieldKinds.Preference)]
    public void A_text_kind_needs_text(string kind)
    {
        AssertRefused(kind, "text", null, text: null);
        AssertRefused(kind, "text", null, text: "   ");
    }

    [Theory]
    [InlineData("home")]
    [InlineData("work")]
    [InlineData("Zuhause")]
    [InlineData("home 2")]
    [InlineData("zweit-wohnung")]
    [InlineData("1st")]
    [InlineData("дом")]
    [InlineData("1234567890123456789012345678901234567890")]
    public void Good_labels_are_accepted(string label)
    {
        var value = ProfileValidator.Normalize(ProfileFieldKinds.Email, "  " + label + " ", "ada@example.org", null, null, _time);
        Assert.Equal(label, value.Label);
    }

    [Theory]
    [InlineData("12345678901234567890123456789012345678901")]
    [InlineData("-home")]
    [InlineData(" -home")]
    [InlineData("home!")]
    [InlineData("home/work")]
    [InlineData("<script>")]
    [InlineData("home_2")]
    [InlineData("home\nwork")]
    public void Bad_labels_are_refused(string label) =>
        AssertRefused(ProfileFieldKinds.Email, "label", label, label: label, text: "ada@example.org");

    [Fact]
    public void An_empty_label_means_no_label()
    {
        Assert.Null(ProfileValidator.Normalize(ProfileFieldKinds.Email, "   ", "ada@example.org", null, null, _time).Label);
        Assert.Null(ProfileValidator.Normalize(ProfileFieldKinds.Email, null, "ada@example.org", null, null, _time).Label);
    }

    [Fact]
    public void A_name_needs_a_given_or_a_family_name_and_is_cleaned()
    {
        var given = ProfileValidator.Normalize(ProfileFieldKinds.Name, null, null, new PersonName(" Ada ", null, "", "  "), null, _time);
        var family = ProfileValidator.Normalize(ProfileFieldKinds.Name, null, null, new PersonName(null, "Lovelace"), null, _time);

        Assert.Equal(new PersonName("Ada", null, null, null, null), given.Name);
        Assert.Equal(new PersonName(null, "Lovelace", null, null, null), family.Name);
        Assert.Null(given.Text);
        Assert.Null(given.Address);

        AssertRefused(ProfileFieldKinds.Name, "name", null, name: null);
        AssertRefused(ProfileFieldKinds.Name, "name", null, name: new PersonName("  ", ""));
        AssertRefused(ProfileFieldKinds.Name, "name", "Augusta", name: new PersonName(null, null, Middle: "Augusta", Prefix: "Hon."));
    }

    [Theory]
    [InlineData("name.given")]
    [InlineData("name.family")]
    [InlineData("name.middle")]
    [InlineData("name.prefix")]
    [InlineData("name.suffix")]
    public void Each_name_part_is_at_most_200_characters(string field)
    {
        var tooLong = "Z" + new string('x', ProfileValidator.MaxPartLength);
        var name = field switch
        {
            "name.given" => new PersonName(tooLong, "Lovelace"),
            "name.family" => new PersonName("Ada", tooLong),
            "name.middle" => new PersonName("Ada", "Lovelace", Middle: tooLong),
            "name.prefix" => new PersonName("Ada", "Lovelace", Prefix: tooLong),
            _ => new PersonName("Ada", "Lovelace", Suffix: tooLong),
        };

        AssertRefused(ProfileFieldKinds.Name, field, tooLong, name: name);
    }

    [Fact]
    public void An_address_needs_a_street_a_locality_or_a_postal_code()
    {
        foreach (var enough in new[]
        {
            new PostalAddress("Keizersgracht 1", null, null, null, null),
            new PostalAddress(null, "Amsterdam", null, null, null),
            new PostalAddress(null, null, null, "1015 CJ", null),
        })
        {
            Assert.NotNull(ProfileValidator.Normalize(ProfileFieldKinds.PostalAddress, "home", null, null, enough, _time).Address);
        }

        AssertRefused(ProfileFieldKinds.PostalAddress, "address", null, address: null);
        AssertRefused(ProfileFieldKinds.PostalAddress, "address", "Noord-Holland", address: new PostalAddress(" ", "", "Noord-Holland", null, "NL"));
    }

    [Fact]
    public void An_address_is_cleaned_and_its_country_upper_cased()
    {
        var value = ProfileValidator.Normalize(ProfileFieldKinds.PostalAddress, null, null, null, new PostalAddress(" Keizersgracht 1 ", "Amsterdam", "", "1015 CJ ", "nl"), _time);

        Assert.Equal(new PostalAddress("Keizersgracht 1", "Amsterdam", null, "1015 CJ", "NL"), value.Address);
    }

    [Theory]
    [InlineData("NL")]
    [InlineData("de")]
    [InlineData("US")]
    [InlineData("JP")]
    [InlineData("BR")]
    public void Good_country_codes_are_accepted(string country)
    {
        var value = ProfileValidator.Normalize(ProfileFieldKinds.PostalAddress, null, null, null, new PostalAddress("Main Street 1", null, null, null, country), _time);
        Assert.Equal(country.ToUpperInvariant(), value.Address!.Country);
    }

    [Theory]
    [InlineData("NLD")]
    [InlineData("N")]
    [InlineData("N1")]
    [InlineData("XQ")]
    [InlineData("UK")]
    [InlineData("Netherlands")]
    [InlineData("Ä")]
    public void Bad_country_codes_are_refused(string country) =>
        AssertRefused(ProfileFieldKinds.PostalAddress, "address.country", country, address: new PostalAddress("Main Street 1", null, null, null, country));

    [Fact]
    public void Address_parts_have_length_limits_named_by_field()
    {
        var tooLong = "Q" + new string('x', ProfileValidator.MaxPartLength);

        AssertRefused(ProfileFieldKinds.PostalAddress, "address.street", tooLong, address: new PostalAddress(tooLong, "Amsterdam", null, null, null));
        AssertRefused(ProfileFieldKinds.PostalAddress, "address.locality", tooLong, address: new PostalAddress("Main Street 1", tooLong, null, null, null));
        AssertRefused(ProfileFieldKinds.PostalAddress, "address.region", tooLong, address: new PostalAddress("Main Street 1", null, tooLong, null, null));
        AssertRefused(ProfileFieldKinds.PostalAddress, "address.postalCode", "123456789012345678901", address: new PostalAddress("Main Street 1", null, null, "123456789012345678901", null));
    }

    [Fact]
    public void A_value_of_the_wrong_shape_for_its_kind_is_refused()
    {
        var name = new PersonName("Ada", "Lovelace");
        var address = new PostalAddress("Keizersgracht 1", "Amsterdam", null, "1015 CJ", "NL");

        AssertRefused(ProfileFieldKinds.Email, "name", null, text: "ada@example.org", name: name);
        AssertRefused(ProfileFieldKinds.Phone, "address", null, text: "+31 20 123 4567", address: address);
        AssertRefused(ProfileFieldKinds.Name, "text", "Ada Lovelace", text: "Ada Lovelace", name: name);
        AssertRefused(ProfileFieldKinds.Name, "address", null, name: name, address: address);
        AssertRefused(ProfileFieldKinds.PostalAddress, "text", "Keizersgracht 1, Amsterdam", text: "Keizersgracht 1, Amsterdam", address: address);
        AssertRefused(ProfileFieldKinds.PostalAddress, "name", null, name: name, address: address);
    }

    [Fact]
    public void Every_error_of_one_value_is_reported_at_once()
    {
        var error = Assert.Throws<ValidationFailedException>(() =>
            ProfileValidator.Normalize(ProfileFieldKinds.PostalAddress, "-bad", "Keizersgracht 1", null, new PostalAddress("Keizersgracht 1", null, null, null, "XX1"), _time));

        Assert.Equal(["address.country", "label", "text"], error.Errors.Keys.Order());
    }

    [Fact]
    public void An_unknown_kind_is_refused_without_echoing_all_of_it()
    {
        var kind = "shoe_size_of_ada_lovelace_born_1815_in_london";

        var error = Assert.Throws<ValidationFailedException>(() => ProfileValidator.Normalize(kind, null, "38", null, null, _time));

        Assert.Equal(["kind"], error.Errors.Keys);
        Assert.DoesNotContain(kind, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(kind, error.Errors["kind"][0], StringComparison.Ordinal);
        Assert.Contains("email", error.Errors["kind"][0], StringComparison.Ordinal);
    }

    private string? Text(string kind, string text) => ProfileValidator.Normalize(kind, null, text, null, null, _time).Text;

    /// <summary>Asserts the value is refused with an error under <paramref name="field"/>, and that no message repeats the personal value.</summary>
    private void AssertRefused(string kind, string field, string? personalValue, string? label = null, string? text = null, PersonName? name = null, PostalAddress? address = null)
    {
        var error = Assert.Throws<ValidationFailedException>(() => ProfileValidator.Normalize(kind, label, text, name, address, _time));

        Assert.Contains(field, error.Errors.Keys);
        Assert.All(error.Errors.Values.SelectMany(m => m), message => Assert.False(string.IsNullOrWhiteSpace(message)));
        var trimmed = personalValue?.Trim();
        if (trimmed is { Length: >= 4 })
        {
            Assert.DoesNotContain(trimmed, error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.All(error.Errors.Values.SelectMany(m => m), message => Assert.DoesNotContain(trimmed, message, StringComparison.OrdinalIgnoreCase));
        }
    }
}
