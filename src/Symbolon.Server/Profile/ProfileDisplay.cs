using System.Globalization;
using MudBlazor;
using Symbolon.Contracts.Profile;

namespace Symbolon.Server.Profile;

/// <summary>One named part of a field value as shown to the person, for example ("Locality", "Utrecht").</summary>
public sealed record ValuePart(string Name, string? Value);

/// <summary>How each kind of profile field is named, drawn and written out in the web app.</summary>
public static class ProfileDisplay
{
    public static string GroupTitle(string kind) => kind switch
    {
        ProfileFieldKinds.Name => "Names",
        ProfileFieldKinds.Email => "Email addresses",
        ProfileFieldKinds.Phone => "Phone numbers",
        ProfileFieldKinds.PostalAddress => "Postal addresses",
        ProfileFieldKinds.BirthDate => "Birth date",
        ProfileFieldKinds.Language => "Languages",
        ProfileFieldKinds.Preference => "Preferences",
        _ => kind,
    };

    /// <summary>The kind as a noun in a sentence: "Add an email address".</summary>
    public static string Noun(string kind) => kind switch
    {
        ProfileFieldKinds.Name => "name",
        ProfileFieldKinds.Email => "email address",
        ProfileFieldKinds.Phone => "phone number",
        ProfileFieldKinds.PostalAddress => "postal address",
        ProfileFieldKinds.BirthDate => "birth date",
        ProfileFieldKinds.Language => "language",
        ProfileFieldKinds.Preference => "preference",
        _ => kind,
    };

    public static string WithArticle(string kind)
    {
        var noun = Noun(kind);
        return ("aeiou".Contains(noun[0], StringComparison.Ordinal) ? "an " : "a ") + noun;
    }

    public static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    public static string Icon(string kind) => kind switch
    {
        ProfileFieldKinds.Name => Icons.Material.Outlined.Badge,
        ProfileFieldKinds.Email => Icons.Material.Outlined.Email,
        ProfileFieldKinds.Phone => Icons.Material.Outlined.Phone,
        ProfileFieldKinds.PostalAddress => Icons.Material.Outlined.Place,
        ProfileFieldKinds.BirthDate => Icons.Material.Outlined.Cake,
        ProfileFieldKinds.Language => Icons.Material.Outlined.Translate,
        ProfileFieldKinds.Preference => Icons.Material.Outlined.Tune,
        _ => Icons.Material.Outlined.Notes,
    };

    /// <summary>What the empty group says, so that an empty profile still explains itself.</summary>
    public static string EmptyHint(string kind) => kind switch
    {
        ProfileFieldKinds.Name => "No name yet. Vendors you allow will use it to address you.",
        ProfileFieldKinds.Email => "No email address yet.",
        ProfileFieldKinds.Phone => "No phone number yet.",
        ProfileFieldKinds.PostalAddress => "No postal address yet. Add one for deliveries you arrange yourself.",
        ProfileFieldKinds.BirthDate => "No birth date. Add it only if you want vendors you trust to be able to ask for it.",
        ProfileFieldKinds.Language => "No language yet. Vendors will use it to speak to you in your language.",
        ProfileFieldKinds.Preference => "No preferences yet, such as \"no paper mail\" or \"contact me by email only\".",
        _ => "Nothing yet.",
    };

    /// <summary>Labels suggested in the add dialog.</summary>
    public static IReadOnlyList<string> SuggestedLabels(string kind) => kind switch
    {
        ProfileFieldKinds.Email => ["home", "work"],
        ProfileFieldKinds.Phone => ["mobile", "home", "work"],
        ProfileFieldKinds.PostalAddress => ["home", "work", "delivery"],
        ProfileFieldKinds.Name => ["legal", "preferred"],
        _ => [],
    };

    public static bool ShowsLabel(string kind) => kind is not ProfileFieldKinds.BirthDate;

    /// <summary>The value on one line (addresses on several), as in a list.</summary>
    public static string Summary(string kind, string? text, PersonName? name, PostalAddress? address) => kind switch
    {
        ProfileFieldKinds.Name => name?.Display ?? "",
        ProfileFieldKinds.PostalAddress => string.Join(", ", AddressLines(address)),
        ProfileFieldKinds.BirthDate => FormatBirthDate(text),
        ProfileFieldKinds.Language => LanguageName(text) is { } language ? $"{language} ({text})" : text ?? "",
        _ => text ?? "",
    };

    public static string Summary(ProfileField field) => Summary(field.Kind, field.Text, field.Name, field.Address);

    public static IReadOnlyList<string> AddressLines(PostalAddress? address)
    {
        if (address is null)
        {
            return [];
        }

        var lines = new List<string>();
        if (address.Street is { } street)
        {
            lines.AddRange(street.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        var town = string.Join(' ', new[] { address.PostalCode, address.Locality }.Where(p => !string.IsNullOrWhiteSpace(p)));
        if (address.Region is { } region)
        {
            town = town.Length == 0 ? region : $"{town}, {region}";
        }

        if (town.Length > 0)
        {
            lines.Add(town);
        }

        if (address.Country is { } country)
        {
            lines.Add(CountryName(country) ?? country);
        }

        return lines;
    }

    /// <summary>The named parts of a value, in a stable order, so that two versions can be compared part by part.</summary>
    public static IReadOnlyList<ValuePart> Parts(string kind, string? label, string? text, PersonName? name, PostalAddress? address)
    {
        var parts = new List<ValuePart>();
        switch (kind)
        {
            case ProfileFieldKinds.Name:
                parts.Add(new("Prefix", name?.Prefix));
                parts.Add(new("Given name", name?.Given));
                parts.Add(new("Middle name", name?.Middle));
                parts.Add(new("Family name", name?.Family));
                parts.Add(new("Suffix", name?.Suffix));
                break;
            case ProfileFieldKinds.PostalAddress:
                parts.Add(new("Street", address?.Street));
                parts.Add(new("Postal code", address?.PostalCode));
                parts.Add(new("Locality", address?.Locality));
                parts.Add(new("Region", address?.Region));
                parts.Add(new("Country", address?.Country is { } c ? CountryName(c) is { } n ? $"{n} ({c})" : c : null));
                break;
            default:
                parts.Add(new(Capitalized(Noun(kind)), Summary(kind, text, null, null)));
                break;
        }

        if (ShowsLabel(kind))
        {
            parts.Add(new("Label", label));
        }

        return parts;
    }

    public static IReadOnlyList<ValuePart> Parts(ProfileFieldVersion version, string kind) =>
        Parts(kind, version.Label, version.Text, version.Name, version.Address);

    public static string Operation(string operation) => operation switch
    {
        "create" => "Added",
        "update" => "Changed",
        "delete" => "Deleted",
        _ => Capitalized(operation),
    };

    public static string FormatBirthDate(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)
            : text ?? "";

    public static string? CountryName(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }

        try
        {
            return new RegionInfo(code).EnglishName;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public static string? LanguageName(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag))
        {
            return null;
        }

        try
        {
            var culture = CultureInfo.GetCultureInfo(tag, predefinedOnly: true);
            return culture.EnglishName;
        }
        catch (CultureNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Countries to choose from, by English name, from the platform's own region data.</summary>
    public static IReadOnlyList<(string Code, string Name)> Countries { get; } = [.. CultureInfo.GetCultures(CultureTypes.SpecificCultures)
        .Select(c =>
        {
            try
            {
                return new RegionInfo(c.Name);
            }
            catch (ArgumentException)
            {
                return null;
            }
        })
        .OfType<RegionInfo>()
        .Where(r => r.TwoLetterISORegionName.Length == 2 && r.TwoLetterISORegionName.All(char.IsAsciiLetterUpper))
        .DistinctBy(r => r.TwoLetterISORegionName)
        .Select(r => (r.TwoLetterISORegionName, r.EnglishName))
        .OrderBy(r => r.EnglishName, StringComparer.OrdinalIgnoreCase)];
}
