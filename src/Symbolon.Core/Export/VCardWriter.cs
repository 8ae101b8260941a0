using System.Text;
using System.Text.Json;
using Symbolon.Contracts.Profile;

namespace Symbolon.Core.Export;

/// <summary>
/// Writes the current profile as a vCard 4.0 (RFC 6350) or as its JSON form, jCard (RFC 7095).
/// Names map to N and FN, emails to EMAIL, phones to TEL, addresses to ADR, the birth date to BDAY,
/// languages to LANG and free-form preferences to NOTE. Labels home and work become TYPE parameters.
/// </summary>
internal static class VCardWriter
{
    public const string VCardMediaType = "text/vcard";
    public const string JCardMediaType = "application/vcard+json";

    public static string ToVCard(ProfileDocument profile)
    {
        var text = new StringBuilder();
        foreach (var property in Properties(profile))
        {
            var line = new StringBuilder(property.Name.ToUpperInvariant());
            foreach (var (name, value) in property.Parameters)
            {
                line.Append(';').Append(name.ToUpperInvariant()).Append('=').Append(value);
            }

            line.Append(':');
            line.Append(property.Structured
                ? string.Join(';', property.Values.Select(Escape))
                : Escape(property.Values[0]));
            Fold(text, line.ToString());
        }

        return text.ToString();
    }

    public static string ToJCard(ProfileDocument profile)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            json.WriteStringValue("vcard");
            json.WriteStartArray();
            foreach (var property in Properties(profile).Where(p => p.Name is not ("begin" or "end")))
            {
                json.WriteStartArray();
                json.WriteStringValue(property.Name);
                json.WriteStartObject();
                // In jCard the value type is the third element, so vCard's VALUE parameter is left out.
                foreach (var (name, value) in property.Parameters.Where(p => p.Name != "value"))
                {
                    json.WriteString(name, value);
                }

                json.WriteEndObject();
                json.WriteStringValue(property.ValueType);
                if (property.Structured)
                {
                    json.WriteStartArray();
                    foreach (var value in property.Values)
                    {
                        json.WriteStringValue(value);
                    }

                    json.WriteEndArray();
                }
                else
                {
                    // jCard writes dates in ISO 8601 extended form (RFC 7095 section 3.5.1).
                    json.WriteStringValue(property.JsonValue ?? property.Values[0]);
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private sealed record Property(string Name, IReadOnlyList<(string Name, string Value)> Parameters, string ValueType, IReadOnlyList<string> Values, bool Structured = false, string? JsonValue = null);

    private static IEnumerable<Property> Properties(ProfileDocument profile)
    {
        yield return new Property("begin", [], "text", ["VCARD"]);
        yield return new Property("version", [], "text", ["4.0"]);
        var names = profile.Fields.Where(f => f.Kind == ProfileFieldKinds.Name && f.Name is not null).ToList();
        var primary = names.FirstOrDefault()?.Name;
        var email = profile.Fields.FirstOrDefault(f => f.Kind == ProfileFieldKinds.Email)?.Text;

        // FN is required by RFC 6350; without a name the first email address stands in for it.
        yield return new Property("fn", [], "text", [primary?.Display ?? email ?? string.Empty]);
        if (primary is not null)
        {
            yield return new Property("n", [], "text", [primary.Family ?? "", primary.Given ?? "", primary.Middle ?? "", primary.Prefix ?? "", primary.Suffix ?? ""], Structured: true);
        }

        foreach (var extra in names.Skip(1))
        {
            yield return new Property("nickname", [], "text", [extra.Name!.Display]);
        }

        foreach (var field in profile.Fields)
        {
            var parameters = TypeParameter(field.Label);
            switch (field.Kind)
            {
                case ProfileFieldKinds.Email:
                    yield return new Property("email", parameters, "text", [field.Text!]);
                    break;
                case ProfileFieldKinds.Phone:
                    yield return new Property("tel", [.. parameters, ("value", "text")], "text", [field.Text!]);
                    break;
                case ProfileFieldKinds.PostalAddress when field.Address is { } a:
                    yield return new Property("adr", parameters, "text", ["", "", a.Street ?? "", a.Locality ?? "", a.Region ?? "", a.PostalCode ?? "", a.Country ?? ""], Structured: true);
                    break;
                case ProfileFieldKinds.BirthDate:
                    yield return new Property("bday", [], "date-and-or-time", [field.Text!.Replace("-", "", StringComparison.Ordinal)], JsonValue: field.Text);
                    break;
                case ProfileFieldKinds.Language:
                    yield return new Property("lang", parameters, "language-tag", [field.Text!]);
                    break;
                case ProfileFieldKinds.Preference:
                    yield return new Property("note", parameters, "text", [field.Text!]);
                    break;
            }
        }

        yield return new Property("end", [], "text", ["VCARD"]);
    }

    private static (string, string)[] TypeParameter(string? label) =>
        label?.ToLowerInvariant() is "home" or "work" ? [("type", label.ToLowerInvariant())] : [];

    // RFC 6350 section 3.4: backslash, comma, semicolon and newline are escaped in text values. A lone CR counts as
    // a newline too: left raw it would break the CRLF line structure of the card.
    private static string Escape(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace(",", "\\,", StringComparison.Ordinal)
        .Replace(";", "\\;", StringComparison.Ordinal)
        .Replace("\r\n", "\\n", StringComparison.Ordinal)
        .Replace("\r", "\\n", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);

    // RFC 6350 section 3.2: lines longer than 75 octets are folded with CRLF and a space,
    // never inside a UTF-8 sequence.
    private static void Fold(StringBuilder output, string line)
    {
        var octets = 0;
        var limit = 75;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (octets + size > limit)
            {
                output.Append("\r\n ");
                octets = 0;
                limit = 74;
            }

            output.Append(rune.ToString());
            octets += size;
        }

        output.Append("\r\n");
    }
}
