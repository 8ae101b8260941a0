using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>A vendor as registered: its credentials and the webhook secret the vault gave it.</summary>
public sealed record RegisteredVendor(string ClientId, string ClientSecret, string? WebhookSecret, string RedirectUri);

/// <summary>The token response the vendor got, with what was actually granted.</summary>
public sealed record VendorTokens(string AccessToken, string? RefreshToken, int ExpiresIn, JsonElement AuthorizationDetails);

/// <summary>What the person does on the consent page.</summary>
/// <param name="Untick">Datatypes the person unticks.</param>
/// <param name="Narrow">Narrowings the person picks, per datatype.</param>
/// <param name="Expiry">One of 1d, 30d, 90d, 365d, none.</param>
/// <param name="Decline">True to press Decline.</param>
public sealed record ConsentChoices(IReadOnlyList<string>? Untick = null, IReadOnlyDictionary<string, string>? Narrow = null, string Expiry = "90d", bool Decline = false);

/// <summary>
/// The vendor protocol driven over raw HTTP, as any OAuth client would: registration, agreement acceptance,
/// PAR with PKCE S256, the person's consent through the real consent page, code exchange and refresh.
/// </summary>
public static partial class VendorFlow
{
    public const string RedirectUri = "https://vendor.example/callback";

    public static async Task<RegisteredVendor> RegisterVendorAsync(this SymbolonApplicationFactory factory, string name = "Blue Door Coffee", string? webhookUri = null, IReadOnlyList<string>? agreements = null, JsonElement? jwks = null)
    {
        using var client = factory.CreateOwnerClient();
        var response = await client.PostAsJsonAsync("/connect/register", new ClientRegistrationRequest(
            name, [RedirectUri], ClientUri: "https://vendor.example", PolicyUri: "https://vendor.example/privacy", Jwks: jwks,
            WebhookUri: webhookUri, Agreements: agreements ?? ["SD-BASE", "SD-BASE-NTP"]));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var registered = (await response.Content.ReadFromJsonAsync<ClientRegistrationResponse>())!;
        return new RegisteredVendor(registered.ClientId, registered.ClientSecret, registered.WebhookSecret, RedirectUri);
    }

    public static HttpClient CreateVendorClient(this SymbolonApplicationFactory factory, RegisteredVendor vendor)
    {
        var client = factory.CreateOwnerClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(vendor.ClientId)}:{Uri.EscapeDataString(vendor.ClientSecret)}")));
        return client;
    }

    public static async Task<AgreementRecord> AcceptAgreementAsync(this SymbolonApplicationFactory factory, RegisteredVendor vendor, string agreement = "SD-BASE")
    {
        using var anonymous = factory.CreateOwnerClient();
        var metadata = (await anonymous.GetFromJsonAsync<SymbolonMetadata>("/.well-known/symbolon"))!;
        var proffered = metadata.Agreements.Single(a => a.Id == agreement);
        using var client = factory.CreateVendorClient(vendor);
        var response = await client.PostAsJsonAsync("/api/v1/agreements", new AgreementAcceptance(agreement, proffered.TextSha256));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<AgreementRecord>())!;
    }

    public static string Details(IReadOnlyList<string> datatypes, IReadOnlyList<string>? actions = null, string purpose = "Deliver your order", string agreement = "SD-BASE") =>
        JsonSerializer.Serialize(new[] { new AuthorizationDetail(Datatypes.AuthorizationDetailsType, datatypes, actions ?? [DataActions.Read], purpose, agreement) });

    /// <summary>Pushes an authorization request (RFC 9126); returns the HTTP response for tests that expect a refusal.</summary>
    public static async Task<HttpResponseMessage> PushAsync(this SymbolonApplicationFactory factory, RegisteredVendor vendor, IDictionary<string, string> parameters)
    {
        using var client = factory.CreateVendorClient(vendor);
        return await client.PostAsync("/connect/par", new FormUrlEncodedContent(parameters));
    }

    public static Dictionary<string, string> AuthorizationParameters(RegisteredVendor vendor, string details, string codeChallenge, string state = "state-1") => new()
    {
        ["client_id"] = vendor.ClientId,
        ["response_type"] = "code",
        ["redirect_uri"] = vendor.RedirectUri,
        ["code_challenge"] = codeChallenge,
        ["code_challenge_method"] = "S256",
        ["state"] = state,
        ["authorization_details"] = details,
    };

    public static (string Verifier, string Challenge) NewPkce()
    {
        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    /// <summary>The whole flow: PAR, the person's consent in the owner's session, and the code exchange.</summary>
    public static async Task<VendorTokens> GrantAsync(this SymbolonApplicationFactory factory, HttpClient owner, RegisteredVendor vendor, string details, ConsentChoices? choices = null)
    {
        var code = await AuthorizeAsync(factory, owner, vendor, details, choices ?? new ConsentChoices());
        return await factory.ExchangeCodeAsync(vendor, code.Code, code.Verifier);
    }

    public static async Task<(string Code, string Verifier, Uri Redirect)> AuthorizeAsync(SymbolonApplicationFactory factory, HttpClient owner, RegisteredVendor vendor, string details, ConsentChoices choices)
    {
        var redirect = await ConsentAsync(factory, owner, vendor, details, choices);
        var query = System.Web.HttpUtility.ParseQueryString(redirect.Location.Query);
        Assert.True(query["code"] is not null, $"No code in the redirect: {redirect.Location}");
        return (query["code"]!, redirect.Verifier, redirect.Location);
    }

    /// <summary>Runs PAR and the consent page; returns where the vault redirected the browser back to.</summary>
    public static async Task<(Uri Location, string Verifier)> ConsentAsync(SymbolonApplicationFactory factory, HttpClient owner, RegisteredVendor vendor, string details, ConsentChoices choices)
    {
        var (verifier, challenge) = NewPkce();
        var pushed = await factory.PushAsync(vendor, AuthorizationParameters(vendor, details, challenge));
        Assert.True(pushed.StatusCode == HttpStatusCode.Created, await pushed.Content.ReadAsStringAsync());
        var requestUri = (await pushed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_uri").GetString()!;

        var location = await ConsentOnPageAsync(owner, new Uri($"/connect/authorize?client_id={Uri.EscapeDataString(vendor.ClientId)}&request_uri={Uri.EscapeDataString(requestUri)}", UriKind.Relative), choices);
        return (location, verifier);
    }

    /// <summary>
    /// The person, signed in with <paramref name="owner"/>, follows an authorization URL to the consent page and
    /// submits it with <paramref name="choices"/>; returns where the vault redirected the browser back to.
    /// </summary>
    public static async Task<Uri> ConsentOnPageAsync(HttpClient owner, Uri authorizationUri, ConsentChoices choices)
    {
        var authorize = await owner.GetAsync(authorizationUri);
        Assert.True(authorize.StatusCode == HttpStatusCode.Redirect, $"{authorize.StatusCode}: {await authorize.Content.ReadAsStringAsync()}");
        var consentPath = authorize.Headers.Location!.OriginalString;
        Assert.StartsWith("/consent/", consentPath, StringComparison.Ordinal);

        var page = await owner.GetStringAsync(consentPath);
        var form = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", HiddenValue(page, "__RequestVerificationToken")),
            new("client_id", HiddenValue(page, "client_id")),
            new("request_uri", HiddenValue(page, "request_uri")),
            new("consent_id", HiddenValue(page, "consent_id")),
            new("expiry", choices.Expiry),
            new("decision", choices.Decline ? "deny" : "allow"),
        };
        foreach (Match field in FieldInput().Matches(page))
        {
            var datatype = WebUtility.HtmlDecode(field.Groups[1].Value);
            if (choices.Untick?.Contains(datatype) != true)
            {
                form.Add(new("field", datatype));
            }
        }

        foreach (var (datatype, narrowing) in choices.Narrow ?? new Dictionary<string, string>())
        {
            form.Add(new($"narrow:{datatype}", narrowing));
        }

        var decided = await owner.PostAsync("/connect/authorize", new FormUrlEncodedContent(form));
        Assert.True(decided.StatusCode == HttpStatusCode.Redirect, $"{decided.StatusCode}: {await decided.Content.ReadAsStringAsync()}");
        return decided.Headers.Location!;
    }

    public static async Task<VendorTokens> ExchangeCodeAsync(this SymbolonApplicationFactory factory, RegisteredVendor vendor, string code, string verifier)
    {
        var response = await factory.TokenRequestAsync(vendor, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = vendor.RedirectUri,
            ["code_verifier"] = verifier,
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await ReadTokensAsync(response);
    }

    public static async Task<HttpResponseMessage> TokenRequestAsync(this SymbolonApplicationFactory factory, RegisteredVendor vendor, Dictionary<string, string> parameters)
    {
        using var client = factory.CreateVendorClient(vendor);
        return await client.PostAsync("/connect/token", new FormUrlEncodedContent(parameters));
    }

    public static async Task<VendorTokens> ReadTokensAsync(HttpResponseMessage response)
    {
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new VendorTokens(
            json.GetProperty("access_token").GetString()!,
            json.TryGetProperty("refresh_token", out var refresh) ? refresh.GetString() : null,
            json.GetProperty("expires_in").GetInt32(),
            json.TryGetProperty("authorization_details", out var details) ? details.Clone() : default);
    }

    public static HttpClient CreateBearerClient(this SymbolonApplicationFactory factory, string accessToken)
    {
        var client = factory.CreateOwnerClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    private static string HiddenValue(string page, string name)
    {
        var match = Regex.Match(page, $"<input[^>]*name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"");
        Assert.True(match.Success, $"The consent page has no {name} input.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    [GeneratedRegex("<input type=\"checkbox\"[^>]*name=\"field\" value=\"([^\"]+)\"")]
    private static partial Regex FieldInput();
}
