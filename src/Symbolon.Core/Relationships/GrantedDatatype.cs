using System.Text.Json;
using System.Text.Json.Serialization;

namespace Symbolon.Core.Relationships;

/// <summary>One datatype the person granted: the actions allowed, how it is narrowed and for what purpose.</summary>
internal sealed record GrantedDatatype(
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("actions")] IReadOnlyList<string> Actions,
    [property: JsonPropertyName("narrowing")] string Narrowing,
    [property: JsonPropertyName("purpose")] string Purpose)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public bool Allows(string action) => Actions.Contains(action, StringComparer.Ordinal);

    public static IReadOnlyList<GrantedDatatype> ParseList(string json) =>
        JsonSerializer.Deserialize<List<GrantedDatatype>>(json, Json) ?? [];

    public static string ToJson(IReadOnlyList<GrantedDatatype> granted) => JsonSerializer.Serialize(granted, Json);
}

/// <summary>Grant state helpers shared by the data API, the outbox and the owner's views.</summary>
internal static class GrantState
{
    /// <summary>True while the grant is neither revoked nor expired, and its relationship has not ended.</summary>
    public static bool IsActive(this GrantEntity grant, DateTimeOffset now) =>
        grant.RevokedAt is null && (grant.ExpiresAt is null || grant.ExpiresAt > now);
}
