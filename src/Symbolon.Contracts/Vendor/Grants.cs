using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Vendor;

/// <summary>One RFC 9396 authorization detail of type <c>symbolon:data</c>.</summary>
/// <param name="Type">Always <c>symbolon:data</c>.</param>
/// <param name="Datatypes">The datatypes asked for (or granted), for example <c>profile.email</c>.</param>
/// <param name="Actions">The actions: <c>read</c>, <c>append</c>, <c>update</c>.</param>
/// <param name="Purpose">Why the vendor asks, in plain language the person will read.</param>
/// <param name="Agreement">The roster id of the agreement the vendor accepted.</param>
/// <param name="Narrowing">In granted details only: per datatype, how it was narrowed when not <c>full</c>.</param>
/// <param name="Expires">In granted details only: when the grant ends, if the person set an end.</param>
public sealed record AuthorizationDetail(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("datatypes")] IReadOnlyList<string> Datatypes,
    [property: JsonPropertyName("actions")] IReadOnlyList<string> Actions,
    [property: JsonPropertyName("purpose")] string Purpose,
    [property: JsonPropertyName("agreement")] string Agreement,
    [property: JsonPropertyName("narrowing"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Narrowing = null,
    [property: JsonPropertyName("expires"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? Expires = null);
