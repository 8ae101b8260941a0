using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Json;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Client;

/// <summary>
/// A person's vault as a vendor finds it: its OAuth 2.0 metadata (RFC 8414) and its Symbolon metadata (data API,
/// datatypes, the agreements the person proffers). Start here: <see cref="DiscoverAsync(HttpClient, Uri, VaultAddressPolicy, TimeProvider, CancellationToken)"/>, then
/// <see cref="RegisterAsync"/> once, then <see cref="CreateClient"/> with the stored credentials.
/// </summary>
public sealed class SymbolonVault
{
    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    private SymbolonVault(HttpClient http, Uri issuer, AuthorizationServerMetadata authorizationServer, SymbolonMetadata metadata, TimeProvider time)
    {
        _http = http;
        _time = time;
        Issuer = issuer;
        AuthorizationServer = authorizationServer;
        Metadata = metadata;
    }

    /// <summary>The vault's issuer identifier, as verified against the address it was discovered at.</summary>
    public Uri Issuer { get; }

    /// <summary>The vault's RFC 8414 metadata.</summary>
    public AuthorizationServerMetadata AuthorizationServer { get; }

    /// <summary>The vault's Symbolon metadata: data API base, datatypes and proffered agreements.</summary>
    public SymbolonMetadata Metadata { get; }

    /// <summary>The data API's base address (ends in <c>/api/v1/</c>).</summary>
    public Uri ApiBase => SymbolonHttp.Absolute(Metadata.ApiBase, "api_base");

    /// <summary>
    /// Reads both metadata documents of the vault at <paramref name="vaultUrl"/>. Refuses a vault whose RFC 8414
    /// <c>issuer</c> is not <paramref name="vaultUrl"/> (RFC 8414 §3.3: a mix-up or impersonation otherwise goes
    /// unnoticed), or that does not support PKCE S256, pushed authorization requests and <c>symbolon:data</c>.
    /// </summary>
    /// <param name="http">
    /// The client to send every request with, for example one from <c>IHttpClientFactory</c>. The SDK sends absolute
    /// addresses, sets its headers per request and never disposes it.
    /// </param>
    /// <param name="vaultUrl">The vault's address, for example <c>https://vault.example.org/</c>.</param>
    /// <param name="timeProvider">The clock for token expiry; the system clock when null.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <exception cref="SymbolonOAuthException">The metadata is missing, inconsistent or names another issuer (<c>invalid_metadata</c>).</exception>
    /// <exception cref="SymbolonProblemException">The vault refused to serve its metadata.</exception>
    [SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "The overload with a VaultAddressPolicy has no optional parameters, so no existing call binds differently.")]
    public static async Task<SymbolonVault> DiscoverAsync(HttpClient http, Uri vaultUrl, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(vaultUrl);
        if (!vaultUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("The vault's address must be absolute.", nameof(vaultUrl));
        }

        var issuer = WithTrailingSlash(vaultUrl);
        using var oauthResponse = await http.GetAsync(new Uri(issuer, ".well-known/oauth-authorization-server"), cancellationToken).ConfigureAwait(false);
        var oauth = await SymbolonHttp.ReadAsync<AuthorizationServerMetadata>(oauthResponse, cancellationToken).ConfigureAwait(false);
        if (!Uri.TryCreate(oauth.Issuer, UriKind.Absolute, out var advertised) || WithTrailingSlash(advertised) != issuer)
        {
            throw new SymbolonOAuthException("invalid_metadata", $"The vault at {issuer} names another issuer ({oauth.Issuer}); refusing it.");
        }

        if (oauth.CodeChallengeMethodsSupported?.Contains("S256") != true)
        {
            throw new SymbolonOAuthException("invalid_metadata", "The vault does not support PKCE with S256.");
        }

        if (oauth.AuthorizationDetailsTypesSupported?.Contains(Datatypes.AuthorizationDetailsType) != true)
        {
            throw new SymbolonOAuthException("invalid_metadata", $"The vault does not support authorization_details of type {Datatypes.AuthorizationDetailsType}.");
        }

        using var symbolonResponse = await http.GetAsync(new Uri(issuer, ".well-known/symbolon"), cancellationToken).ConfigureAwait(false);
        var symbolon = await SymbolonHttp.ReadAsync<SymbolonMetadata>(symbolonResponse, cancellationToken).ConfigureAwait(false);
        if (!Uri.TryCreate(symbolon.Issuer, UriKind.Absolute, out var symbolonIssuer) || WithTrailingSlash(symbolonIssuer) != issuer)
        {
            throw new SymbolonOAuthException("invalid_metadata", $"The vault's Symbolon metadata names another issuer ({symbolon.Issuer}).");
        }

        // Every endpoint must parse now, so that a broken document fails discovery rather than a later call.
        SymbolonHttp.Absolute(oauth.AuthorizationEndpoint, "authorization_endpoint");
        SymbolonHttp.Absolute(oauth.TokenEndpoint, "token_endpoint");
        SymbolonHttp.Absolute(oauth.PushedAuthorizationRequestEndpoint, "pushed_authorization_request_endpoint");
        SymbolonHttp.Absolute(symbolon.ApiBase, "api_base");
        return new SymbolonVault(http, issuer, oauth, symbolon, timeProvider ?? TimeProvider.System);
    }

    /// <summary>
    /// Like <see cref="DiscoverAsync(HttpClient, Uri, TimeProvider, CancellationToken)"/>, contacting only a vault
    /// <paramref name="policy"/> allows: the address (and every address its name resolves to) is checked before
    /// anything is sent, and so is every endpoint the vault's metadata names.
    /// </summary>
    /// <param name="http">The client to send every request with.</param>
    /// <param name="vaultUrl">The vault's address, for example from a scanned card.</param>
    /// <param name="policy">Which vault addresses may be contacted, for example <see cref="VaultAddressPolicy.Default"/>.</param>
    /// <param name="timeProvider">The clock for token expiry; the system clock when null.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <exception cref="SymbolonOAuthException">
    /// The policy refuses the address or an endpoint (<c>vault_address_not_allowed</c>), or the metadata is missing,
    /// inconsistent or names another issuer (<c>invalid_metadata</c>).
    /// </exception>
    /// <exception cref="SymbolonProblemException">The vault refused to serve its metadata.</exception>
    public static async Task<SymbolonVault> DiscoverAsync(HttpClient http, Uri vaultUrl, VaultAddressPolicy policy, TimeProvider? timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(vaultUrl);
        ArgumentNullException.ThrowIfNull(policy);
        await policy.CheckAsync(vaultUrl, cancellationToken).ConfigureAwait(false);
        var vault = await DiscoverAsync(http, vaultUrl, timeProvider, cancellationToken).ConfigureAwait(false);

        // The metadata comes from the vault, so the endpoints it names are held to the same policy as its address.
        foreach (var endpoint in new[]
        {
            vault.AuthorizationServer.AuthorizationEndpoint, vault.AuthorizationServer.TokenEndpoint,
            vault.AuthorizationServer.PushedAuthorizationRequestEndpoint, vault.AuthorizationServer.DeviceAuthorizationEndpoint,
            vault.AuthorizationServer.IntrospectionEndpoint, vault.AuthorizationServer.RevocationEndpoint,
            vault.AuthorizationServer.RegistrationEndpoint, vault.Metadata.RegistrationEndpoint, vault.Metadata.ApiBase, vault.Metadata.AgreementsEndpoint,
        })
        {
            if (endpoint is not null && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
            {
                await policy.CheckAsync(uri, cancellationToken).ConfigureAwait(false);
            }
        }

        return vault;
    }

    /// <summary>Finds a proffered agreement by its roster id, for example <c>SD-BASE</c>.</summary>
    /// <param name="agreementId">The roster id.</param>
    /// <returns>The agreement with its text and hash, or null when the person does not proffer it.</returns>
    public ProfferedAgreement? FindAgreement(string agreementId) =>
        Metadata.Agreements.FirstOrDefault(a => string.Equals(a.Id, agreementId, StringComparison.Ordinal));

    /// <summary>
    /// Registers the vendor (RFC 7591). Do this once per vault and store the returned credentials: the secrets are
    /// shown only in this response. Registering grants nothing; the vendor still accepts an agreement and asks the person.
    /// </summary>
    /// <param name="request">The vendor's metadata: name, redirect URIs, webhook address, accepted agreements.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The credentials to store.</returns>
    /// <exception cref="SymbolonOAuthException">The vault refused the metadata (<c>invalid_redirect_uri</c>, <c>invalid_client_metadata</c>).</exception>
    public async Task<VendorCredentials> RegisterAsync(ClientRegistrationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpoint = SymbolonHttp.Absolute(AuthorizationServer.RegistrationEndpoint ?? Metadata.RegistrationEndpoint, "registration_endpoint");
        using var response = await _http.PostAsJsonAsync(endpoint, request, SymbolonHttp.Json, cancellationToken).ConfigureAwait(false);
        var registered = await SymbolonHttp.ReadAsync<ClientRegistrationResponse>(response, cancellationToken).ConfigureAwait(false);
        return new VendorCredentials(registered.ClientId, registered.ClientSecret, registered.WebhookSecret);
    }

    /// <summary>A client acting as the registered vendor: agreements, authorization, tokens.</summary>
    /// <param name="credentials">The credentials <see cref="RegisterAsync"/> returned.</param>
    public SymbolonVendorClient CreateClient(VendorCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return new SymbolonVendorClient(this, _http, credentials, _time);
    }

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? new Uri(uri.GetLeftPart(UriPartial.Path)) : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
}
