using System.Text.Json;
using Symbolon.Contracts.Vendor;

namespace CoffeeShop.Shop;

/// <summary>How the shop shows a granted field: text as it is, names and addresses as their parts in order.</summary>
public static class FieldText
{
    public static string Of(VendorField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.Value.ValueKind switch
        {
            JsonValueKind.String => field.Value.GetString() ?? "",
            JsonValueKind.Object => string.Join(" ", field.Value.EnumerateObject()
                .Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.True or JsonValueKind.False)
                .Select(p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : $"{p.Name}: {p.Value}")),
            _ => field.Value.ToString(),
        };
    }

    public static string Label(string datatype) => datatype switch
    {
        Datatypes.Name => "Name",
        Datatypes.Email => "Email",
        Datatypes.Phone => "Phone number",
        Datatypes.PostalAddress => "Postal address",
        Datatypes.BirthDate => "Birth date",
        Datatypes.Language => "Language",
        Datatypes.Receipts => "Receipts",
        Datatypes.Loyalty => "Stamp card",
        Datatypes.CheckIns => "Check-ins",
        Datatypes.Notes => "Notes",
        _ => datatype,
    };
}
