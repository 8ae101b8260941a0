using System.Globalization;
using System.Text.Json;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Core.Relationships;

/// <summary>
/// Turns the person's profile into what one vendor may see: only datatypes granted for reading, each value
/// narrowed as granted, every id pairwise. Nothing else leaves this class.
/// </summary>
internal static class VendorDisclosure
{
    public static VendorProfile Profile(RelationshipEntity relationship, IReadOnlyList<GrantedDatatype> granted, ProfileDocument profile, DateTimeOffset now)
    {
        var fields = new List<VendorField>();
        foreach (var field in profile.Fields)
        {
            var datatype = ProfileDatatype(field.Kind);
            var grant = granted.FirstOrDefault(g => g.Datatype == datatype && g.Allows(DataActions.Read));
            if (grant is null)
            {
                continue;
            }

            fields.Add(new VendorField(
                PairwiseIds.FieldId(relationship.PairwiseKey, field.Id),
                datatype,
                grant.Narrowing == Narrowings.Full ? field.Label : null,
                grant.Narrowing,
                Value(field, grant.Narrowing, now),
                field.Version,
                field.UpdatedAt));
        }

        return new VendorProfile(relationship.Subject, fields);
    }

    public static string ProfileDatatype(string kind) => "profile." + kind;

    /// <summary>The value as a vendor sees it under a narrowing.</summary>
    public static JsonElement Value(ProfileField field, string narrowing, DateTimeOffset now)
    {
        object? value = (field.Kind, narrowing) switch
        {
            (ProfileFieldKinds.PostalAddress, Narrowings.PostalCode) => new Dictionary<string, string?> { ["postal_code"] = field.Address?.PostalCode, ["country"] = field.Address?.Country },
            (ProfileFieldKinds.PostalAddress, Narrowings.Country) => new Dictionary<string, string?> { ["country"] = field.Address?.Country },
            (ProfileFieldKinds.PostalAddress, _) => new Dictionary<string, string?>
            {
                ["street"] = field.Address?.Street,
                ["locality"] = field.Address?.Locality,
                ["region"] = field.Address?.Region,
                ["postal_code"] = field.Address?.PostalCode,
                ["country"] = field.Address?.Country,
            },
            (ProfileFieldKinds.Name, _) => new Dictionary<string, string?>
            {
                ["given"] = field.Name?.Given,
                ["family"] = field.Name?.Family,
                ["middle"] = field.Name?.Middle,
                ["prefix"] = field.Name?.Prefix,
                ["suffix"] = field.Name?.Suffix,
            },
            (ProfileFieldKinds.BirthDate, Narrowings.Over18) => new Dictionary<string, bool> { ["over_18"] = IsAdult(field.Text, now) },
            _ => field.Text,
        };
        return JsonSerializer.SerializeToElement(value);
    }

    private static bool IsAdult(string? birthDate, DateTimeOffset now)
    {
        if (!DateOnly.TryParseExact(birthDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var born))
        {
            return false;
        }

        return born.AddYears(18) <= DateOnly.FromDateTime(now.UtcDateTime);
    }
}
