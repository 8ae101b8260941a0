using System.Text.Json.Serialization;

namespace Symbolon.Client;

/// <summary>The members of the vault's RFC 8414 authorization server metadata the SDK uses.</summary>
/// <param name="Issuer">The issuer identifier; equals the vault's address.</param>
/// <param name="AuthorizationEndpoint">Where the person's browser goes to decide.</param>
/// <param name="TokenEndpoint">Where codes and refresh tokens are exchanged.</param>
/// <param name="PushedAuthorizationRequestEndpoint">Where authorization requests are pushed first (RFC 9126).</param>
/// <param name="IntrospectionEndpoint">Where tokens are introspected (RFC 7662).</param>
/// <param name="RevocationEndpoint">Where tokens are revoked (RFC 7009).</param>
/// <param name="RegistrationEndpoint">Where clients register (RFC 7591).</param>
/// <param name="CodeChallengeMethodsSupported">The PKCE methods; Symbolon supports <c>S256</c> only.</param>
/// <param name="AuthorizationDetailsTypesSupported">The RFC 9396 types; Symbolon's is <c>symbolon:data</c>.</param>
/// <param name="AuthorizationResponseIssParameterSupported">True when authorization responses carry <c>iss</c> (RFC 9207).</param>
/// <param name="RequirePushedAuthorizationRequests">True when every authorization request must be pushed first.</param>
public sealed record AuthorizationServerMetadata(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("authorization_endpoint")] string AuthorizationEndpoint,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("pushed_authorization_request_endpoint")] string PushedAuthorizationRequestEndpoint,
    [property: JsonPropertyName("introspection_endpoint")] string? IntrospectionEndpoint = null,
    [property: JsonPropertyName("revocation_endpoint")] string? RevocationEndpoint = null,
    [property: JsonPropertyName("registration_endpoint")] string? RegistrationEndpoint = null,
    [property: JsonPropertyName("code_challenge_methods_supported")] IReadOnlyList<string>? CodeChallengeMethodsSupported = null,
    [property: JsonPropertyName("authorization_details_types_supported")] IReadOnlyList<string>? AuthorizationDetailsTypesSupported = null,
    [property: JsonPropertyName("authorization_response_iss_parameter_supported")] bool AuthorizationResponseIssParameterSupported = false,
    [property: JsonPropertyName("require_pushed_authorization_requests")] bool RequirePushedAuthorizationRequests = false)
{
    /// <summary>Where a point of sale redeems a person's card code (RFC 8628 device authorization endpoint).</summary>
    [JsonPropertyName("device_authorization_endpoint")]
    public string? DeviceAuthorizationEndpoint { get; init; }
}
