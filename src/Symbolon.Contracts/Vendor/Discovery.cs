using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Vendor;

/// <summary>The vault's protocol metadata at <c>/.well-known/symbolon</c>.</summary>
/// <param name="Issuer">The OAuth issuer; its RFC 8414 metadata is at <c>/.well-known/oauth-authorization-server</c>.</param>
/// <param name="ApiBase">The data API's base address, ending in <c>/api/v1/</c>.</param>
/// <param name="ProtocolVersion">The protocol version, <c>1</c>.</param>
/// <param name="RegistrationEndpoint">Where vendors register (RFC 7591).</param>
/// <param name="AgreementsEndpoint">Where a registered vendor accepts one of the proffered agreements.</param>
/// <param name="Datatypes">The datatypes a vendor can ask for.</param>
/// <param name="Agreements">The agreements the person proffers; a vendor must accept one before any grant.</param>
/// <param name="WebhookEvents">The webhook event types the vault sends.</param>
public sealed record SymbolonMetadata(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("api_base")] string ApiBase,
    [property: JsonPropertyName("protocol_version")] int ProtocolVersion,
    [property: JsonPropertyName("registration_endpoint")] string RegistrationEndpoint,
    [property: JsonPropertyName("agreements_endpoint")] string AgreementsEndpoint,
    [property: JsonPropertyName("datatypes")] IReadOnlyList<DatatypeDescription> Datatypes,
    [property: JsonPropertyName("agreements")] IReadOnlyList<ProfferedAgreement> Agreements,
    [property: JsonPropertyName("webhook_events")] IReadOnlyList<string> WebhookEvents)
{
    /// <summary>
    /// Where the vendor API (everything under <see cref="ApiBase"/>) is described as an OpenAPI 3.1 document, for
    /// generating a client in another language; null from a vault that does not publish one.
    /// </summary>
    [JsonPropertyName("openapi_document")]
    public string? OpenApiDocument { get; init; }
}

/// <summary>One datatype a vendor can ask for.</summary>
/// <param name="Id">Its id, for example <c>profile.email</c>.</param>
/// <param name="Title">Its name in plain language.</param>
/// <param name="Actions">The actions it supports.</param>
/// <param name="Narrowings">The narrowings the person may choose instead of the whole value.</param>
public sealed record DatatypeDescription(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("actions")] IReadOnlyList<string> Actions,
    [property: JsonPropertyName("narrowings")] IReadOnlyList<string> Narrowings);

/// <summary>An agreement the person proffers (IEEE 7012 "MyTerms").</summary>
/// <param name="Id">The roster id, for example <c>SD-BASE</c>.</param>
/// <param name="Title">Its short title.</param>
/// <param name="Text">Its full text.</param>
/// <param name="TextSha256">Lower-case hex SHA-256 of the UTF-8 text; agreement records name it.</param>
public sealed record ProfferedAgreement(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("text_sha256")] string TextSha256);
