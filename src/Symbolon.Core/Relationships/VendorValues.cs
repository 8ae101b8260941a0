using System.Text.Json;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Validation;

namespace Symbolon.Core.Relationships;

/// <summary>
/// Reads a value a vendor writes, shaped as it reads values (<c>VendorField.Value</c>): a string for text
/// datatypes, an object for names and addresses. Errors name the part of <c>value</c> that is wrong and never
/// repeat what was sent.
/// </summary>
internal static class VendorValues
{
    private static readonly string[] NameParts = ["given", "family", "middle", "prefix", "suffix"];
    private static readonly string[] AddressParts = ["street", "locality", "region", "postal_code", "country"];

    public static ProfileFieldInput ToInput(string kind, string? label, JsonElement value)
    {
        var (text, name, address) = Read(kind, value);
        return new ProfileFieldInput(kind, label, text, name, address);
    }

    public static ProfileFieldUpdate ToUpdate(string kind, string? label, JsonElement value, int? expectedVersion)
    {
        var (text, name, address) = Read(kind, value);
        return new ProfileFieldUpdate(label, text, name, address, expectedVersion);
    }

    /// <summary>Renames the profile validator's field names (text, name.given, address.postalCode) to the vendor's (value, value.given, value.postal_code).</summary>
    public static ValidationFailedException ForVendor(ValidationFailedException e) =>
        new(e.Errors.GroupBy(x => VendorName(x.Key)).ToDictionary(g => g.Key, g => g.SelectMany(x => x.Value).Distinct().ToArray()));

    private static string VendorName(string field) => field switch
    {
        "text" or "name" or "address" => "value",
        "address.postalCode" => "value.postal_code",
        _ when field.StartsWith("name.", StringComparison.Ordinal) => "value." + field["name.".Length..],
        _ when field.StartsWith("address.", StringComparison.Ordinal) => "value." + field["address.".Length..],
        _ => field,
    };

    private static (string? Text, PersonName? Name, PostalAddress? Address) Read(string kind, JsonElement value)
    {
        switch (kind)
        {
            case ProfileFieldKinds.Name:
                var name = Parts(value, NameParts, "a name");
                return (null, new PersonName(name["given"], name["family"], name["middle"], name["prefix"], name["suffix"]), null);
            case ProfileFieldKinds.PostalAddress:
                var address = Parts(value, AddressParts, "an address");
                return (null, null, new PostalAddress(address["street"], address["locality"], address["region"], address["postal_code"], address["country"]));
            default:
                if (value.ValueKind != JsonValueKind.String)
                {
                    throw ValidationFailedException.For("value", $"A {kind} value is a JSON string.");
                }

                return (value.GetString(), null, null);
        }
    }

    private static Dictionary<string, string?> Parts(JsonElement value, string[] known, string what)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw ValidationFailedException.For("value", $"{Capitalized(what)} is a JSON object with the members {string.Join(", ", known)}.");
        }

        var errors = new ValidationErrors();
        var parts = known.ToDictionary(k => k, _ => (string?)null);
        foreach (var member in value.EnumerateObject())
        {
            if (!parts.ContainsKey(member.Name))
            {
                // Only names we would have written ourselves are repeated back; anything else could be a value.
                errors.Add("value", $"{Capitalized(what)} has only the members {string.Join(", ", known)}; remove the others.");
                continue;
            }

            if (member.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (member.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add("value." + member.Name, "This part is a JSON string or null.");
                continue;
            }

            parts[member.Name] = member.Value.GetString();
        }

        errors.ThrowIfAny();
        return parts;
    }

    private static string Capitalized(string what) => char.ToUpperInvariant(what[0]) + what[1..];
}
