using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Symbolon.Client;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Cli.Tests;

/// <summary>
/// A vendor built on the SDK and the person driven over HTTP against a running server, so the CLI has a real
/// relationship, grant and tokens to show and revoke: registration, terms, PAR with PKCE S256, consent through the real
/// consent page (signed in with a browser-style session cookie), and the code exchange.
/// </summary>
internal sealed class VendorOverHttp : IDisposable
{
    private static readonly Uri RedirectUri = new("https://vendor.example/callback");

    private readonly HttpClient _http;
    private readonly SymbolonVendorClient _vendor;
    private readonly Uri _server;

    private VendorOverHttp(Uri server, HttpClient http, SymbolonVendorClient vendor)
    {
        _server = server;
        _http = http;
        _vendor = vendor;
    }

    public string ClientId => _vendor.Credentials.ClientId;

    /// <summary>The session the last grant gave, for calls through the SDK.</summary>
    public VendorSession? Session { get; private set; }

    public static async Task<VendorOverHttp> RegisterAsync(Uri server, string name)
    {
        var http = new HttpClient();
        var vault = await SymbolonVault.DiscoverAsync(http, server);
        var credentials = await vault.RegisterAsync(new ClientRegistrationRequest(name, [RedirectUri.AbsoluteUri], Agreements: ["SD-BASE"]));
        var vendor = vault.CreateClient(credentials);
        await vendor.AcceptAgreementAsync("SD-BASE");
        return new VendorOverHttp(server, http, vendor);
    }

    /// <summary>The person consents to everything asked (reading, unless other <paramref name="actions"/> are named); returns the vendor's access and refresh tokens.</summary>
    public async Task<(string AccessToken, string RefreshToken)> GrantAsync(string passphrase, IReadOnlyList<string> datatypes, string purpose, IReadOnlyList<string>? actions = null)
    {
        var pending = await _vendor.BeginAuthorizationAsync(RedirectUri, [new AuthorizationDetail(Datatypes.AuthorizationDetailsType, datatypes, actions ?? [DataActions.Read], purpose, "SD-BASE")]);

        // Consent needs the person's session cookie; unlocking through the owner API sets it, as the web app does.
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var person = new HttpClient(handler) { BaseAddress = _server };
        Assert.Equal(HttpStatusCode.OK, (await person.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(passphrase))).StatusCode);
        var authorize = await person.GetAsync(pending.AuthorizationUri);
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

        var session = await _vendor.CompleteAuthorizationAsync(decided.Headers.Location!, pending);
        Session = session;
        return (session.Tokens.AccessToken, session.Tokens.RefreshToken!);
    }

    public async Task<HttpStatusCode> ReadProfileAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/profile");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var client = new HttpClient { BaseAddress = _server };
        return (await client.SendAsync(request)).StatusCode;
    }

    /// <summary>Whether OpenIddict itself still considers the token active (RFC 7662), independent of the grant check.</summary>
    public async Task<bool> IsActiveAsync(string token) => (await _vendor.IntrospectAsync(token)).Active;

    public void Dispose() => _http.Dispose();

    private static string Hidden(string page, string name)
    {
        var match = Regex.Match(page, $"<input[^>]*name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"");
        Assert.True(match.Success, $"The consent page has no {name} input.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }
}
