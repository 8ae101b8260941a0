using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Mvc.Testing;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>
/// The protocol is standard: a generic OAuth 2.0 client library (Duende.IdentityModel) that knows nothing of Symbolon
/// discovers the vault (RFC 8414), registers (RFC 7591), pushes a request with PKCE (RFC 9126, RFC 7636), exchanges the
/// code, introspects (RFC 7662), refreshes and revokes (RFC 7009). Symbolon-specific are only two registration
/// members and the authorization_details value (RFC 9396), both passed through as opaque extensions.
/// </summary>
public sealed class StandardClientTests : IDisposable
{
    private const string RedirectUri = "https://vendor.example/callback";
    private static readonly string[] AcceptedAgreements = ["SD-BASE"];

    private readonly SymbolonApplicationFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_generic_oauth_client_completes_the_flow_with_metadata_pkce_and_par_only()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "mobile", "+31 6 1234 5678"));
        using var http = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        var disco = await http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = "http://localhost",
            Policy = new DiscoveryPolicy
            {
                DiscoveryDocumentPath = ".well-known/oauth-authorization-server",
                AllowHttpOnLoopback = true,

                // Reference tokens are opaque and no ID token is issued, so there are no keys a client needs.
                RequireKeySet = false,
            },
        });
        Assert.False(disco.IsError, disco.Error);
        Assert.Equal("http://localhost/", disco.Issuer);
        Assert.True(disco.RequirePushedAuthorizationRequests);
        Assert.Contains("S256", disco.CodeChallengeMethodsSupported);
        Assert.DoesNotContain("plain", disco.CodeChallengeMethodsSupported);

        var registration = await http.RegisterClientAsync(new DynamicClientRegistrationRequest
        {
            Address = disco.RegistrationEndpoint,
            Document = new DynamicClientRegistrationDocument
            {
                ClientName = "Plain OAuth Shop",
                RedirectUris = { new Uri(RedirectUri) },
                Extensions = { ["symbolon_agreements"] = JsonSerializer.SerializeToElement(AcceptedAgreements) },
            },
        });
        Assert.False(registration.IsError, registration.Error + " " + registration.ErrorDescription + " " + registration.Raw);
        var clientId = registration.ClientId!;
        var clientSecret = registration.ClientSecret!;

        // Accepting the person's terms is Symbolon's one addition; it is a plain authenticated JSON POST.
        await _app.AcceptAgreementAsync(new RegisteredVendor(clientId, clientSecret, null, RedirectUri));

        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var pushed = await http.PushAuthorizationAsync(new PushedAuthorizationRequest
        {
            Address = disco.PushedAuthorizationRequestEndpoint,
            ClientId = clientId,
            ClientSecret = clientSecret,
            ResponseType = "code",
            RedirectUri = RedirectUri,
            CodeChallenge = challenge,
            CodeChallengeMethod = "S256",
            State = "state-42",
            Parameters = { { "authorization_details", VendorFlow.Details([Datatypes.Email, Datatypes.Phone]) } },
        });
        Assert.False(pushed.IsError, pushed.Error);

        var authorizeUrl = new RequestUrl(disco.AuthorizeEndpoint!).Create(new Parameters { { "client_id", clientId }, { "request_uri", pushed.RequestUri! } });
        var callback = await VendorFlow.ConsentOnPageAsync(owner, new Uri(authorizeUrl), new ConsentChoices(Untick: [Datatypes.Phone]));
        var answer = new AuthorizeResponse(callback.ToString());
        Assert.False(answer.IsError, answer.Error);
        Assert.Equal("state-42", answer.State);
        Assert.Equal(disco.Issuer, answer.Issuer);

        var tokens = await http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = clientId,
            ClientSecret = clientSecret,
            Code = answer.Code!,
            RedirectUri = RedirectUri,
            CodeVerifier = verifier,
        });
        Assert.False(tokens.IsError, tokens.Error);
        Assert.NotNull(tokens.RefreshToken);
        Assert.Equal([Datatypes.Email], GrantedDatatypes(tokens.Json!.Value));

        var introspection = await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = disco.IntrospectionEndpoint,
            ClientId = clientId,
            ClientSecret = clientSecret,
            Token = tokens.AccessToken!,
        });
        Assert.False(introspection.IsError, introspection.Error);
        Assert.True(introspection.IsActive);
        Assert.Equal([Datatypes.Email], GrantedDatatypes(introspection.Json!.Value));

        using (var api = _app.CreateBearerClient(tokens.AccessToken!))
        {
            var profile = await api.GetStringAsync("/api/v1/profile");
            Assert.Contains("ada@example.org", profile, StringComparison.Ordinal);
            Assert.DoesNotContain("1234", profile, StringComparison.Ordinal);
        }

        var refreshed = await http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = clientId,
            ClientSecret = clientSecret,
            RefreshToken = tokens.RefreshToken!,
        });
        Assert.False(refreshed.IsError, refreshed.Error);
        Assert.NotEqual(tokens.RefreshToken, refreshed.RefreshToken);
        Assert.Equal([Datatypes.Email], GrantedDatatypes(refreshed.Json!.Value));

        foreach (var (token, hint) in new[] { (refreshed.AccessToken!, "access_token"), (refreshed.RefreshToken!, "refresh_token") })
        {
            var revoked = await http.RevokeTokenAsync(new TokenRevocationRequest
            {
                Address = disco.RevocationEndpoint,
                ClientId = clientId,
                ClientSecret = clientSecret,
                Token = token,
                TokenTypeHint = hint,
            });
            Assert.False(revoked.IsError, revoked.Error);
        }

        var after = await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = disco.IntrospectionEndpoint,
            ClientId = clientId,
            ClientSecret = clientSecret,
            Token = refreshed.AccessToken!,
        });
        Assert.False(after.IsActive);
        var again = await http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = clientId,
            ClientSecret = clientSecret,
            RefreshToken = refreshed.RefreshToken!,
        });
        Assert.Equal("invalid_grant", again.Error);
    }

    private static List<string> GrantedDatatypes(JsonElement json)
    {
        var details = json.GetProperty("authorization_details");
        if (details.ValueKind == JsonValueKind.String)
        {
            details = JsonDocument.Parse(details.GetString()!).RootElement;
        }

        return [.. details.EnumerateArray().SelectMany(d => d.GetProperty("datatypes").EnumerateArray()).Select(d => d.GetString()!)];
    }
}
