using System.Text.Json;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Core.Relationships;

/// <summary>An authorization request's <c>authorization_details</c> that cannot be honoured, with the reason in plain words.</summary>
internal sealed class InvalidAuthorizationDetailsException(string message) : Exception(message);

/// <summary>
/// Reads and checks RFC 9396 <c>authorization_details</c> of type <c>symbolon:data</c>. Messages name the
/// member and the datatype or action at fault; they never echo free text such as the purpose.
/// </summary>
internal static class AuthorizationDetailsReader
{
    public const int MaximumLength = 8 * 1024;
    public const int MaximumDetails = 10;
    public const int MaximumPurposeLength = 500;

    /// <summary>Parses and validates; <paramref name="acceptedAgreement"/> is the agreement the vendor has accepted, if any.</summary>
    public static IReadOnlyList<AuthorizationDetail> Read(string? json, IReadOnlyCollection<string> proffered, string? acceptedAgreement)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new InvalidAuthorizationDetailsException("authorization_details is required: name the datatypes, actions, purpose and agreement (type \"symbolon:data\").");
        }

        if (json.Length > MaximumLength)
        {
            throw new InvalidAuthorizationDetailsException($"authorization_details is longer than {MaximumLength} characters.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            throw new InvalidAuthorizationDetailsException("authorization_details is not valid JSON.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
            {
                throw new InvalidAuthorizationDetailsException("authorization_details must be a non-empty JSON array.");
            }

            if (document.RootElement.GetArrayLength() > MaximumDetails)
            {
                throw new InvalidAuthorizationDetailsException($"authorization_details may hold at most {MaximumDetails} entries.");
            }

            var details = new List<AuthorizationDetail>();
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                details.Add(ReadOne(element, $"authorization_details[{index}]", proffered, acceptedAgreement));
                index++;
            }

            return details;
        }
    }

    private static AuthorizationDetail ReadOne(JsonElement element, string at, IReadOnlyCollection<string> proffered, string? acceptedAgreement)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidAuthorizationDetailsException($"{at} must be a JSON object.");
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Name is not ("type" or "datatypes" or "actions" or "purpose" or "agreement" or "locations"))
            {
                throw new InvalidAuthorizationDetailsException($"{at} has an unknown member \"{Truncate(property.Name)}\".");
            }
        }

        var type = String(element, "type", at);
        if (type != Datatypes.AuthorizationDetailsType)
        {
            throw new InvalidAuthorizationDetailsException($"{at}.type must be \"{Datatypes.AuthorizationDetailsType}\".");
        }

        var datatypes = Strings(element, "datatypes", at);
        var actions = Strings(element, "actions", at);
        foreach (var action in actions)
        {
            if (action is not (DataActions.Read or DataActions.Append or DataActions.Update))
            {
                throw new InvalidAuthorizationDetailsException($"{at}.actions: \"{Truncate(action)}\" is not an action; use read, append or update.");
            }
        }

        foreach (var datatype in datatypes)
        {
            var info = DatatypeCatalog.Find(datatype)
                ?? throw new InvalidAuthorizationDetailsException($"{at}.datatypes: \"{Truncate(datatype)}\" is not a datatype this vault offers (see /.well-known/symbolon).");
            var unsupported = actions.FirstOrDefault(a => !info.Actions.Contains(a));
            if (unsupported is not null)
            {
                throw new InvalidAuthorizationDetailsException($"{at}: {datatype} does not support the action \"{unsupported}\".");
            }
        }

        var purpose = String(element, "purpose", at).Trim();
        if (purpose.Length is 0 or > MaximumPurposeLength)
        {
            throw new InvalidAuthorizationDetailsException($"{at}.purpose must say why, in 1 to {MaximumPurposeLength} characters.");
        }

        var agreement = String(element, "agreement", at);
        if (!proffered.Contains(agreement))
        {
            throw new InvalidAuthorizationDetailsException($"{at}.agreement: \"{Truncate(agreement)}\" is not an agreement this vault proffers (see /.well-known/symbolon).");
        }

        if (acceptedAgreement != agreement)
        {
            throw new InvalidAuthorizationDetailsException($"{at}.agreement: the vendor has not accepted {agreement}; accept it at the agreements endpoint first.");
        }

        return new AuthorizationDetail(type, datatypes, actions, purpose, agreement);
    }

    private static string String(JsonElement element, string name, string at)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(value.GetString()))
        {
            throw new InvalidAuthorizationDetailsException($"{at}.{name} is required and must be a string.");
        }

        return value.GetString()!;
    }

    private static List<string> Strings(JsonElement element, string name, string at)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw new InvalidAuthorizationDetailsException($"{at}.{name} is required and must be a non-empty array of strings.");
        }

        var list = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(item.GetString()))
            {
                throw new InvalidAuthorizationDetailsException($"{at}.{name} must hold only non-empty strings.");
            }

            list.Add(item.GetString()!);
        }

        return [.. list.Distinct(StringComparer.Ordinal)];
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
