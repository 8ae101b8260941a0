using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Bench.VendorApi;

/// <summary>
/// Gets a running server to the point where a vendor holds an access token: a vault with a profile, a registered
/// vendor that accepted SD-BASE, and the person's consent through the real consent form. Everything goes over HTTP,
/// as a person's browser and a vendor would.
/// </summary>
internal static partial class VendorSetup
{
    private const string RedirectUri = "https://vendor.example/callback";

    public static Task<string> GrantReadAsync(Uri server, CancellationToken ct) =>
        GrantAsync(server, [Datatypes.Name, Datatypes.Email, Datatypes.PostalAddress], [DataActions.Read], ct);

    /// <summary>The same setup, granting <paramref name="datatypes"/> with <paramref name="actions"/>; returns the access token.</summary>
    public static async Task<string> GrantAsync(Uri server, IReadOnlyList<string> datatypes, IReadOnlyList<string> actions, CancellationToken ct) =>
        (await GrantWithOwnerAsync(server, datatypes, actions, ct)).VendorToken;

    /// <summary>
    /// The same setup; returns the vendor's access token and the owner's personal access token that creating the vault
    /// gave (for the owner API afterwards: lock, unlock, the inbox report).
    /// </summary>
    public static async Task<(string VendorToken, string OwnerToken)> GrantWithOwnerAsync(Uri server, IReadOnlyList<string> datatypes, IReadOnlyList<string> actions, CancellationToken ct)
    {
        var (owner, ownerToken) = await CreateVaultAsync(server, ct);
        using (owner)
        {
            return (await GrantVendorAsync(server, owner, "Bench Vendor", datatypes, actions, ct), ownerToken);
        }
    }

    /// <summary>
    /// Creates the vault with a small profile; returns the person's browser (its cookie signed in, for consent pages)
    /// and the personal access token creating the vault gave.
    /// </summary>
    public static async Task<(HttpClient Owner, string OwnerToken)> CreateVaultAsync(Uri server, CancellationToken ct)
    {
        var owner = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseProxy = false }) { BaseAddress = server };
        var vault = await owner.PostAsJsonAsync("/owner/api/v1/vault", new CreateVaultRequest("bench horse battery staple"), ct);
        Ensure(vault, HttpStatusCode.Created);
        var ownerToken = (await vault.Content.ReadFromJsonAsync<CreateVaultResponse>(ct))!.AccessToken.Token!;
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        foreach (var field in new[]
        {
            new ProfileFieldInput(ProfileFieldKinds.Name, Name: new PersonName("Ada", "Lovelace")),
            new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"),
            new ProfileFieldInput(ProfileFieldKinds.Phone, "mobile", "+44 20 7946 0000"),
            new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: new PostalAddress("12 St James's Square", "London", null, "SW1Y 4LB", "GB")),
        })
        {
            Ensure(await owner.PostAsJsonAsync("/owner/api/v1/profile/fields", field, json, ct), HttpStatusCode.Created);
        }

        return (owner, ownerToken);
    }

    /// <summary>
    /// A vendor named <paramref name="name"/> registers, accepts SD-BASE, asks for <paramref name="datatypes"/> with
    /// <paramref name="actions"/> (PAR), the person consents in <paramref name="owner"/>'s browser; returns the vendor's access token.
    /// </summary>
    public static async Task<string> GrantVendorAsync(Uri server, HttpClient owner, string name, IReadOnlyList<string> datatypes, IReadOnlyList<string> actions, CancellationToken ct)
    {
        var registration = await owner.PostAsJsonAsync("/connect/register", new ClientRegistrationRequest(name, [RedirectUri], Agreements: ["SD-BASE"]), ct);
        Ensure(registration, HttpStatusCode.Created);
        var client = (await registration.Content.ReadFromJsonAsync<ClientRegistrationResponse>(ct))!;
        using var vendor = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = server };
        vendor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(client.ClientId)}:{Uri.EscapeDataString(client.ClientSecret)}")));

        var metadata = (await vendor.GetFromJsonAsync<SymbolonMetadata>("/.well-known/symbolon", ct))!;
        var terms = metadata.Agreements.Single(a => a.Id == "SD-BASE");
        Ensure(await vendor.PostAsJsonAsync("/api/v1/agreements", new AgreementAcceptance(terms.Id, terms.TextSha256), ct), HttpStatusCode.Created);

        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var details = JsonSerializer.Serialize(new[]
        {
            new AuthorizationDetail(Datatypes.AuthorizationDetailsType, datatypes, actions, "Deliver your order", "SD-BASE"),
        });
        var pushed = await vendor.PostAsync("/connect/par", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = client.ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri,
            ["code_challenge"] = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
            ["state"] = "bench",
            ["authorization_details"] = details,
        }), ct);
        Ensure(pushed, HttpStatusCode.Created);
        var requestUri = (await pushed.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("request_uri").GetString()!;

        var authorize = await owner.GetAsync($"/connect/authorize?client_id={Uri.EscapeDataString(client.ClientId)}&request_uri={Uri.EscapeDataString(requestUri)}", ct);
        Ensure(authorize, HttpStatusCode.Redirect);
        var page = await owner.GetStringAsync(authorize.Headers.Location!.OriginalString, ct);
        var form = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", Hidden(page, "__RequestVerificationToken")),
            new("client_id", Hidden(page, "client_id")),
            new("request_uri", Hidden(page, "request_uri")),
            new("consent_id", Hidden(page, "consent_id")),
            new("expiry", "30d"),
            new("decision", "allow"),
        };
        form.AddRange(FieldInput().Matches(page).Select(m => new KeyValuePair<string, string>("field", WebUtility.HtmlDecode(m.Groups[1].Value))));
        var decided = await owner.PostAsync("/connect/authorize", new FormUrlEncodedContent(form), ct);
        Ensure(decided, HttpStatusCode.Redirect);
        var code = System.Web.HttpUtility.ParseQueryString(decided.Headers.Location!.Query)["code"]
            ?? throw new InvalidOperationException("The consent did not return a code.");

        var token = await vendor.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
        }), ct);
        Ensure(token, HttpStatusCode.OK);
        return (await token.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("access_token").GetString()!;
    }

    private static void Ensure(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}, expected {(int)expected}.");
        }
    }

    private static string Hidden(string page, string name)
    {
        var match = Regex.Match(page, $"<input[^>]*name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"");
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException($"The consent page has no {name}.");
    }

    [GeneratedRegex("<input type=\"checkbox\"[^>]*name=\"field\" value=\"([^\"]+)\"")]
    private static partial Regex FieldInput();
}
