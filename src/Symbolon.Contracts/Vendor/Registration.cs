using System.Text.Json;
using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Vendor;

/// <summary>A vendor's registration request (RFC 7591 client metadata plus Symbolon's extensions).</summary>
/// <param name="ClientName">The vendor's name as the person will see it.</param>
/// <param name="RedirectUris">Redirect URIs, matched exactly.</param>
/// <param name="ClientUri">The vendor's home page.</param>
/// <param name="LogoUri">The vendor's logo.</param>
/// <param name="PolicyUri">The vendor's privacy policy.</param>
/// <param name="TosUri">The vendor's terms of service.</param>
/// <param name="Jwks">A JSON Web Key Set (RFC 7517) holding the vendor's Ed25519 key (RFC 8037, <c>kty</c> <c>OKP</c>) used to countersign agreements; optional.</param>
/// <param name="WebhookUri">Where the vault sends signed webhooks; optional (https, or http on loopback).</param>
/// <param name="Agreements">The roster ids of the proffered agreements the vendor accepts.</param>
/// <param name="GrantTypes">Optional; only <c>authorization_code</c>, <c>refresh_token</c> and <c>urn:ietf:params:oauth:grant-type:device_code</c> (the card at the counter) are accepted.</param>
/// <param name="ResponseTypes">Optional; only <c>code</c> is accepted.</param>
/// <param name="TokenEndpointAuthMethod">Optional; <c>client_secret_basic</c> (the default) or <c>client_secret_post</c>.</param>
/// <param name="Contacts">Optional contact addresses for the vendor's administrators.</param>
/// <param name="SoftwareId">Optional identifier of the vendor's software.</param>
/// <param name="SoftwareVersion">Optional version of the vendor's software.</param>
/// <remarks>
/// Unlike the rest of the API, members this type does not name are ignored rather than refused: RFC 7591 §2 requires
/// the server to ignore client metadata it does not understand, and generic OAuth client libraries send OpenID
/// Connect members (such as <c>post_logout_redirect_uris</c>) by default.
/// </remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record ClientRegistrationRequest(
    [property: JsonPropertyName("client_name")] string ClientName,
    [property: JsonPropertyName("redirect_uris")] IReadOnlyList<string> RedirectUris,
    [property: JsonPropertyName("client_uri")] string? ClientUri = null,
    [property: JsonPropertyName("logo_uri")] string? LogoUri = null,
    [property: JsonPropertyName("policy_uri")] string? PolicyUri = null,
    [property: JsonPropertyName("tos_uri")] string? TosUri = null,
    [property: JsonPropertyName("jwks")] JsonElement? Jwks = null,
    [property: JsonPropertyName("symbolon_webhook_uri")] string? WebhookUri = null,
    [property: JsonPropertyName("symbolon_agreements")] IReadOnlyList<string>? Agreements = null,
    [property: JsonPropertyName("grant_types")] IReadOnlyList<string>? GrantTypes = null,
    [property: JsonPropertyName("response_types")] IReadOnlyList<string>? ResponseTypes = null,
    [property: JsonPropertyName("token_endpoint_auth_method")] string? TokenEndpointAuthMethod = null,
    [property: JsonPropertyName("contacts")] IReadOnlyList<string>? Contacts = null,
    [property: JsonPropertyName("software_id")] string? SoftwareId = null,
    [property: JsonPropertyName("software_version")] string? SoftwareVersion = null);

/// <summary>The registration response: the client's credentials and its metadata as registered.</summary>
/// <param name="ClientId">The client id.</param>
/// <param name="ClientSecret">The client secret, shown only in this response.</param>
/// <param name="ClientIdIssuedAt">When the id was issued (seconds since the epoch).</param>
/// <param name="ClientSecretExpiresAt">Always 0: the secret does not expire.</param>
/// <param name="ClientName">The vendor's name.</param>
/// <param name="RedirectUris">The registered redirect URIs.</param>
/// <param name="GrantTypes">The grant types the client may use.</param>
/// <param name="ResponseTypes">The response types the client may use.</param>
/// <param name="TokenEndpointAuthMethod">How the client authenticates: <c>client_secret_basic</c>.</param>
/// <param name="WebhookUri">The registered webhook address, if any.</param>
/// <param name="WebhookSecret">The Standard Webhooks signing secret (<c>whsec_…</c>), shown only in this response; null without a webhook.</param>
/// <param name="Agreements">The accepted agreements as registered.</param>
public sealed record ClientRegistrationResponse(
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("client_secret")] string ClientSecret,
    [property: JsonPropertyName("client_id_issued_at")] long ClientIdIssuedAt,
    [property: JsonPropertyName("client_secret_expires_at")] long ClientSecretExpiresAt,
    [property: JsonPropertyName("client_name")] string ClientName,
    [property: JsonPropertyName("redirect_uris")] IReadOnlyList<string> RedirectUris,
    [property: JsonPropertyName("grant_types")] IReadOnlyList<string> GrantTypes,
    [property: JsonPropertyName("response_types")] IReadOnlyList<string> ResponseTypes,
    [property: JsonPropertyName("token_endpoint_auth_method")] string TokenEndpointAuthMethod,
    [property: JsonPropertyName("symbolon_webhook_uri")] string? WebhookUri,
    [property: JsonPropertyName("symbolon_webhook_secret")] string? WebhookSecret,
    [property: JsonPropertyName("symbolon_agreements")] IReadOnlyList<string> Agreements);

/// <summary>An RFC 7591 error response.</summary>
/// <param name="Error">The error code, for example <c>invalid_redirect_uri</c> or <c>invalid_client_metadata</c>.</param>
/// <param name="ErrorDescription">What is wrong, in plain language.</param>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription = null);
