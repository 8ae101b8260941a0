using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Cli.Tests;

/// <summary>
/// A vendor and the person driven over HTTP against a running server, so the CLI has a real relationship, grant and
/// tokens to show and revoke: registration, terms, PAR with PKCE S256, consent through the real consent page (signed in
/// with a browser-style session cookie), and the code exchange.
/// </summary>
internal sealed partial class VendorOverHttp : IDisposable
{
    private const string RedirectUri = "https://vendor.example/callback";

    private readonly HttpClient _vendor;
    private readonly Uri _server;

    private VendorOverHttp(Uri server, string clientId, string clientSecret)
    {
        _server = server;
        ClientId = clientId;
        _vendor = new HttpClient { BaseAddress = server };
        _vendor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(clientSecret)}")));
    }

    public string ClientId { get; }

    public static async Task<VendorOverHttp> RegisterAsync(Uri server, string name)
    {
        using var anonymous = new HttpClient { BaseAddress = server };
        var registration = await anonymous.PostAsJsonAsync("/connect/register", new ClientRegistrationRequest(name, [RedirectUri], Agreements: ["SD-BASE"]));
        Assert.Equal(HttpStatusCode.Created, registration.StatusCode);
        var registered = (await registration.Content.ReadFromJsonAsync<ClientRegistrationResponse>())!;
        var vendor = new VendorOverHttp(server, registered.ClientId, registered.ClientSecret);
        var metadata = (await anonymous.GetFromJsonAsync<SymbolonMetadata>("/.well-known/symbolon"))!;
        var accepted = await vendor._vendor.PostAsJsonAsync("/api/v1/agreements", new AgreementAcceptance("SD-BASE", metadata.Agreements.Single(a => a.Id == "SD-BASE").TextSha256));
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        return vendor;
    }

    /// <summary>The person consents to everything asked; returns the vendor's access and refresh tokens.</summary>
    public async Task<(string AccessToken, string RefreshToken)> GrantAsync(string passphrase, IReadOnlyList<string> datatypes, string purpose)
    {
        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var details = JsonSerializer.Serialize(new[] { new AuthorizationDetail(Datatypes.AuthorizationDetailsType, datatypes, [DataActions.Read], purpose, "SD-BASE") });
        var pushed = await _vendor.PostAsync("/connect/par", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri,
            ["code_challenge"] = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
            ["state"] = "cli-test",
            ["authorization_details"] = details,
        }));
        Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
        var requestUri = (await pushed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_uri").GetString()!;

        // Consent needs the person's session cookie; unlocking through the owner API sets it, as the web app does.
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var person = new HttpClient(handler) { BaseAddress = _server };
        Assert.Equal(HttpStatusCode.OK, (await person.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(passphrase))).StatusCode);
        var authorize = await person.GetAsync($"/connect/authorize?client_id={Uri.EscapeDataString(ClientId)}&request_uri={Uri.EscapeDataString(requestUri)}");
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        var page = await person.GetStringAsync(authorize.Headers.Location!.OriginalString);
        var form = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", Hidden(page, "__RequestVerificationToken")),
            new("client_id", Hidden(page, "client_id")),
            new("request_uri", Hidden(page, "request_uri")),
            new("consent_id", Hidden(page, "consent_id")),
            new("expiry", "90d"),
            new("decision", "allow"),
        };
        form.AddRange(datatypes.Select(d => new KeyValuePair<string, string>("field", d)));
        var decided = await person.PostAsync("/connect/authorize", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        var code = System.Web.HttpUtility.ParseQueryString(decided.Headers.Location!.Query)["code"]!;

        var token = await _vendor.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
        }));
        Assert.True(token.IsSuccessStatusCode, await token.Content.ReadAsStringAsync());
        var json = await token.Content.ReadFromJsonAsync<JsonElement>();
        return (json.GetProperty("access_token").GetString()!, json.GetProperty("refresh_token").GetString()!);
    }

    public async Task<HttpStatusCode> ReadProfileAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/profile");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var client = new HttpClient { BaseAddress = _server };
        return (await client.SendAsync(request)).StatusCode;
    }

    /// <summary>Whether OpenIddict itself still considers the token active (RFC 7662), independent of the grant check.</summary>
    public async Task<bool> IsActiveAsync(string token)
    {
        var response = await _vendor.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("active").GetBoolean();
    }

    public void Dispose() => _vendor.Dispose();

    private static string Hidden(string page, string name)
    {
        var match = Regex.Match(page, $"<input[^>]*name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"");
        Assert.True(match.Success, $"The consent page has no {name} input.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }
}
