using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Validation;

namespace Symbolon.Core.Profile;

/// <summary>Checks a profile value and normalizes it (trimmed, empty parts removed, country upper-cased).</summary>
internal static partial class ProfileValidator
{
    public const int MaxLabelLength = 40;
    public const int MaxPartLength = 200;
    public const int MaxPreferenceLength = 500;

    public static ProfileValue Normalize(string kind, string? label, string? text, PersonName? name, PostalAddress? address, TimeProvider time)
    {
        var errors = new ValidationErrors();
        if (!ProfileFieldKinds.All.Contains(kind))
        {
            errors.Add("kind", $"Unknown kind '{Truncate(kind)}'. Use one of: {string.Join(", ", ProfileFieldKinds.All)}.");
            errors.ThrowIfAny();
        }

        label = Clean(label);
        if (label is not null && (label.Length > MaxLabelLength || !LabelPattern().IsMatch(label)))
        {
            errors.Add("label", $"A label is up to {MaxLabelLength} letters, digits, spaces or dashes (for example home or work).");
        }

        text = Clean(text);
        if (ProfileFieldKinds.IsText(kind))
        {
            if (name is not null)
            {
                errors.Add("name", $"A {kind} field has no name; put the value in text.");
            }

            if (address is not null)
            {
                errors.Add("address", $"A {kind} field has no address; put the value in text.");
            }

            text = CheckText(kind, text, errors, time);
            errors.ThrowIfAny();
            return new ProfileValue(label, text, null, null);
        }

        if (text is not null)
        {
            errors.Add("text", kind == ProfileFieldKinds.Name ? "Give a name in its parts (name.given, name.family ...), not as text." : "Give an address in its parts (address.street, address.locality ...), not as text.");
        }

        if (kind == ProfileFieldKinds.Name)
        {
            if (address is not null)
            {
                errors.Add("address", "A name field has no address.");
            }

            var cleaned = name is null ? null : new PersonName(Clean(name.Given), Clean(name.Family), Clean(name.Middle), Clean(name.Prefix), Clean(name.Suffix));
            if (cleaned is null || (cleaned.Given is null && cleaned.Family is null))
            {
                errors.Add("name", "Give at least a given or a family name.");
            }
            else
            {
                CheckLength(errors, "name.given", cleaned.Given);
                CheckLength(errors, "name.family", cleaned.Family);
                CheckLength(errors, "name.middle", cleaned.Middle);
                CheckLength(errors, "name.prefix", cleaned.Prefix);
                CheckLength(errors, "name.suffix", cleaned.Suffix);
            }

            errors.ThrowIfAny();
            return new ProfileValue(label, null, cleaned, null);
        }

        if (name is not null)
        {
            errors.Add("name", "An address field has no name.");
        }

        var addr = address is null ? null : new PostalAddress(Clean(address.Street), Clean(address.Locality), Clean(address.Region), Clean(address.PostalCode), Clean(address.Country)?.ToUpperInvariant());
        if (addr is null || (addr.Street is null && addr.Locality is null && addr.PostalCode is null))
        {
            errors.Add("address", "Give at least a street, a locality or a postal code.");
        }
        else
        {
            CheckLength(errors, "address.street", addr.Street);
            CheckLength(errors, "address.locality", addr.Locality);
            CheckLength(errors, "address.region", addr.Region);
            if (addr.PostalCode is { Length: > 20 })
            {
                errors.Add("address.postalCode", "A postal code is at most 20 characters.");
            }

            if (addr.Country is not null && !IsCountryCode(addr.Country))
            {
                errors.Add("address.country", "Use a two-letter ISO 3166-1 country code, for example NL, DE or US.");
            }
        }

        errors.ThrowIfAny();
        return new ProfileValue(label, null, null, addr);
    }

    private static string? CheckText(string kind, string? text, ValidationErrors errors, TimeProvider time)
    {
        if (text is null)
        {
            errors.Add("text", $"A {kind} field needs a value in text.");
            return null;
        }

        switch (kind)
        {
            case ProfileFieldKinds.Email:
                // The dot must be in the domain: "first.last@intranet" has a dot, but no domain mail can reach from outside.
                if (text.Length > 254 || !MailAddress.TryCreate(text, out var mail) || mail.Address != text || !mail.Host.Contains('.', StringComparison.Ordinal))
                {
                    errors.Add("text", "This is not an email address (expected something like name@example.org).");
                }

                break;
            case ProfileFieldKinds.Phone:
                if (!PhonePattern().IsMatch(text) || text.Count(char.IsAsciiDigit) < 5)
                {
                    errors.Add("text", "This is not a phone number: use digits, spaces, dashes, dots, parentheses and an optional leading +, for example +31 20 123 4567.");
                }

                break;
            case ProfileFieldKinds.BirthDate:
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    errors.Add("text", "Write the birth date as YYYY-MM-DD, for example 1990-04-23.");
                }
                else if (date.Year < 1900 || date > DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime))
                {
                    errors.Add("text", "The birth date must be after 1900 and not in the future.");
                }

                break;
            case ProfileFieldKinds.Language:
                if (!LanguagePattern().IsMatch(text))
                {
                    errors.Add("text", "Use a BCP 47 language tag, for example en, nl or pt-BR.");
                }

                break;
            case ProfileFieldKinds.Preference:
                if (text.Length > MaxPreferenceLength)
                {
                    errors.Add("text", $"A preference is at most {MaxPreferenceLength} characters.");
                }

                break;
        }

        return text;
    }

    private static bool IsCountryCode(string code)
    {
        if (code.Length != 2 || !code.All(char.IsAsciiLetterUpper))
        {
            return false;
        }

        try
        {
            return new RegionInfo(code).TwoLetterISORegionName == code;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void CheckLength(ValidationErrors errors, string field, string? value)
    {
        if (value is { Length: > MaxPartLength })
        {
            errors.Add(field, $"At most {MaxPartLength} characters.");
        }
    }

    private static string? Clean(string? value)
    {
        var trimmed = value?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }

    // Note: echoing back a whole unknown value could put personal data into an error message.
    private static string Truncate(string? value) => value is null ? "" : value.Length <= 24 ? value : value[..24] + "…";

    [GeneratedRegex(@"^[\p{L}\p{N}][\p{L}\p{N} \-]*$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^\+?[0-9 ()\-.]{5,30}$")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex LanguagePattern();
}

/// <summary>The stored value of a profile field (the JSON sealed in its record).</summary>
internal sealed record ProfileValue(string? Label, string? Text, PersonName? Name, PostalAddress? Address);
