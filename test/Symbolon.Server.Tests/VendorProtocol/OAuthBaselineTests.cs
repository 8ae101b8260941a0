using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>One vault with one registered vendor that accepted SD-BASE, shared by the baseline tests (each makes its own grants).</summary>
public sealed class VendorVaultFixture : IAsyncLifetime
{
    public SymbolonApplicationFactory Factory { get; } = new();
    public HttpClient Owner { get; private set; } = null!;
    public RegisteredVendor Vendor { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        (Owner, _) = await Factory.CreateVaultAsync();
        Vendor = await Factory.RegisterVendorAsync();
        await Factory.AcceptAgreementAsync(Vendor);
    }

    public Task DisposeAsync()
    {
        Owner.Dispose();
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The RFC 9700 (OAuth 2.0 security best current practice) baseline, one test per rule.</summary>
public sealed class OAuthBaselineTests(VendorVaultFixture vault) : IClassFixture<VendorVaultFixture>
{
    private static readonly string EmailRead = VendorFlow.Details([Datatypes.Email]);
    private static readonly string[] ImplicitRefusals = ["unsupported_response_type", "invalid_request", "unauthorized_client"];
    private static readonly string[] GrantTypeRefusals = ["unsupported_grant_type", "unauthorized_client"];

    [Fact]
    public async Task Pushed_request_without_a_code_challenge_is_refused()
    {
        var parameters = VendorFlow.AuthorizationParameters(vault.Vendor, EmailRead, VendorFlow.NewPkce().Challenge);
        parameters.Remove("code_challenge");
        parameters.Remove("code_challenge_method");
        await AssertOAuthErrorAsync(await vault.Factory.PushAsync(vault.Vendor, parameters), "invalid_request", "code_challenge");
    }

    [Fact]
    public async Task Pushed_request_with_the_plain_challenge_method_is_refused()
    {
        var (verifier, _) = VendorFlow.NewPkce();
        var parameters = VendorFlow.AuthorizationParameters(vault.Vendor, EmailRead, verifier);
        parameters["code_challenge_method"] = "plain";
        await AssertOAuthErrorAsync(await vault.Factory.PushAsync(vault.Vendor, parameters), "invalid_request", "code_challenge_method");
    }

    [Theory]
    [InlineData("https://elsewhere.example/callback")]
    [InlineData("https://vendor.example/callback/extra")]
    [InlineData("https://vendor.example/callbac")]
    [InlineData("https://vendor.example/callback?next=x")]
    [InlineData("https://vendor.example.evil.example/callback")]
    [InlineData("https://VENDOR.example/callback")]
    public async Task Redirect_uris_match_exactly(string redirectUri)
    {
        var parameters = VendorFlow.AuthorizationParameters(vault.Vendor, EmailRead, VendorFlow.NewPkce().Challenge);
        parameters["redirect_uri"] = redirectUri;
        await AssertOAuthErrorAsync(await vault.Factory.PushAsync(vault.Vendor, parameters), "invalid_request", "redirect_uri");
    }

    [Fact]
    public async Task Code_exchange_with_another_redirect_uri_is_refused()
    {
        var code = await VendorFlow.AuthorizeAsync(vault.Factory, vault.Owner, vault.Vendor, EmailRead, new ConsentChoices());
        var response = await vault.Factory.TokenRequestAsync(vault.Vendor, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code.Code,
            ["redirect_uri"] = "https://vendor.example/callback/extra",
            ["code_verifier"] = code.Verifier,
        });
        await AssertOAuthErrorAsync(response, "invalid_grant", null);
    }

    [Fact]
    public async Task Implicit_flow_is_refused()
    {
        var parameters = VendorFlow.AuthorizationParameters(vault.Vendor, EmailRead, VendorFlow.NewPkce().Challenge);
        parameters["response_type"] = "token";
        var response = await vault.Factory.PushAsync(vault.Vendor, parameters);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
        Assert.Contains(error, ImplicitRefusals);
    }

    [Theory]
    [InlineData("password")]
    [InlineData("client_credentials")]
    public async Task Other_grant_types_are_refused(string grantType)
    {
        var response = await vault.Factory.TokenRequestAsync(vault.Vendor, new Dictionary<string, string>
        {
            ["grant_type"] = grantType,
            ["username"] = "ada",
            ["password"] = "correct horse battery staple",
            ["device_code"] = "x",
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(body.GetProperty("error").GetString(), GrantTypeRefusals);
        Assert.False(body.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task Authorization_request_without_par_is_refused_on_a_page_of_the_vault_not_at_the_redirect_uri()
    {
        // The client and its redirect URI are registered, but anyone can register (RFC 7591): before the person has seen
        // the consent page, an error must not send their browser to that address (RFC 9700 §4.11.2).
        var (_, challenge) = VendorFlow.NewPkce();
        var query = string.Join('&', VendorFlow.AuthorizationParameters(vault.Vendor, EmailRead, challenge).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        await AssertErrorPageAsync(await vault.Owner.GetAsync("/connect/authorize?" + query), "invalid_request");
    }

    [Theory]
    [InlineData("urn:ietf:params:oauth:request_uri:not-pushed")]
    [InlineData("https://vendor.example/request")]
    [InlineData("")]
    public async Task An_invalid_request_uri_is_refused_on_a_page_of_the_vault(string requestUri)
    {
        var response = await vault.Owner.GetAsync($"/connect/authorize?client_id={Uri.EscapeDataString(vault.Vendor.ClientId)}&request_uri={Uri.EscapeDataString(requestUri)}");
        await AssertErrorPageAsync(response, null);
    }

    [Fact]
    public async Task An_unknown_client_is_refused_on_a_page_of_the_vault()
    {
        var response = await vault.Owner.GetAsync("/connect/authorize?client_id=nobody&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Ax&redirect_uri=https%3A%2F%2Fevil.example%2F");
        await AssertErrorPageAsync(response, null);
    }

    [Fact]
    public async Task Access_tokens_are_accepted_in_the_authorization_header_only()
    {
        var tokens = await vault.Factory.GrantAsync(vault.Owner, vault.Vendor, EmailRead);
        using var api = vault.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/grant") { Headers = { Authorization = new("Bearer", tokens.AccessToken) } })).StatusCode);

        // RFC 6750 §2.2 and §2.3 are not offered: a token in a URL lands in logs and Referer headers.
        var query = await api.GetAsync($"/api/v1/grant?access_token={Uri.EscapeDataString(tokens.AccessToken)}");
        Assert.Equal(HttpStatusCode.Unauthorized, query.StatusCode);
        Assert.StartsWith("Bearer", query.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var form = new HttpRequestMessage(HttpMethod.Get, "/api/v1/grant") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["access_token"] = tokens.AccessToken }) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.SendAsync(form)).StatusCode);
    }

    private static async Task AssertErrorPageAsync(HttpResponseMessage response, string? error)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("This request cannot go on", page, StringComparison.Ordinal);
        Assert.Contains("Nothing was shared", page, StringComparison.Ordinal);
        Assert.DoesNotContain("vendor.example/callback", page, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", page, StringComparison.Ordinal);
        if (error is not null)
        {
            Assert.Contains(error, page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Refresh_tokens_rotate_and_a_reused_one_revokes_the_newer_tokens()
    {
        var tokens = await vault.Factory.GrantAsync(vault.Owner, vault.Vendor, EmailRead);
        Assert.NotNull(tokens.RefreshToken);
        var rotated = await RefreshAsync(tokens.RefreshToken!);
        Assert.True(rotated.IsSuccessStatusCode, await rotated.Content.ReadAsStringAsync());
        var second = await VendorFlow.ReadTokensAsync(rotated);
        Assert.NotEqual(tokens.RefreshToken, second.RefreshToken);
        using (var api = vault.Factory.CreateBearerClient(second.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/grant")).StatusCode);
        }

        await AssertOAuthErrorAsync(await RefreshAsync(tokens.RefreshToken!), "invalid_grant", null);

        // Reuse means the old token leaked: everything issued from it dies too.
        await AssertOAuthErrorAsync(await RefreshAsync(second.RefreshToken!), "invalid_grant", null);
        using var revoked = vault.Factory.CreateBearerClient(second.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.GetAsync("/api/v1/grant")).StatusCode);
    }

    [Fact]
    public async Task Only_the_client_a_token_was_issued_to_can_introspect_or_revoke_it()
    {
        var tokens = await vault.Factory.GrantAsync(vault.Owner, vault.Vendor, EmailRead);
        var other = await vault.Factory.RegisterVendorAsync("Nosy Neighbour");
        await vault.Factory.AcceptAgreementAsync(other);
        using var otherClient = vault.Factory.CreateVendorClient(other);
        using var ownClient = vault.Factory.CreateVendorClient(vault.Vendor);

        // Another registered client learns nothing about the token, for either token type.
        foreach (var (token, hint) in new[] { (tokens.AccessToken, "access_token"), (tokens.RefreshToken!, "refresh_token") })
        {
            var foreign = await Introspect(otherClient, token, hint);
            Assert.False(foreign.GetProperty("active").GetBoolean(), foreign.ToString());
            Assert.False(foreign.TryGetProperty("sub", out _), foreign.ToString());
            Assert.False(foreign.TryGetProperty("authorization_details", out _), foreign.ToString());
        }

        // Nor can it revoke the token: the answer is the one for an unknown token, and the token keeps working.
        foreach (var (token, hint) in new[] { (tokens.AccessToken, "access_token"), (tokens.RefreshToken!, "refresh_token") })
        {
            var revoke = await otherClient.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["token_type_hint"] = hint }));
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        using (var api = vault.Factory.CreateBearerClient(tokens.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/grant")).StatusCode);
        }

        // The token's own client can do both.
        var own = await Introspect(ownClient, tokens.AccessToken, "access_token");
        Assert.True(own.GetProperty("active").GetBoolean(), own.ToString());
        Assert.Equal(vault.Vendor.ClientId, own.GetProperty("client_id").GetString());
        Assert.True((await Introspect(ownClient, tokens.RefreshToken!, "refresh_token")).GetProperty("active").GetBoolean());
        var revoked = await ownClient.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = tokens.AccessToken, ["token_type_hint"] = "access_token" }));
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        using var dead = vault.Factory.CreateBearerClient(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await dead.GetAsync("/api/v1/grant")).StatusCode);
        Assert.False((await Introspect(ownClient, tokens.AccessToken, "access_token")).GetProperty("active").GetBoolean());

        static async Task<JsonElement> Introspect(HttpClient client, string token, string hint)
        {
            var response = await client.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["token_type_hint"] = hint }));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
    }

    [Fact]
    public async Task Authorization_response_carries_the_issuer()
    {
        using var anonymous = vault.Factory.CreateOwnerClient();
        var metadata = await anonymous.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        var issuer = metadata.GetProperty("issuer").GetString();
        var code = await VendorFlow.AuthorizeAsync(vault.Factory, vault.Owner, vault.Vendor, EmailRead, new ConsentChoices());
        var query = System.Web.HttpUtility.ParseQueryString(code.Redirect.Query);
        Assert.Equal(issuer, query["iss"]);
        Assert.Equal("state-1", query["state"]);
        Assert.Equal(vault.Vendor.RedirectUri, code.Redirect.GetLeftPart(UriPartial.Path));
    }

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        vault.Factory.TokenRequestAsync(vault.Vendor, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken });

    internal static async Task AssertOAuthErrorAsync(HttpResponseMessage response, string error, string? mentions)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {text}");
        var body = JsonSerializer.Deserialize<JsonElement>(text);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.False(body.TryGetProperty("request_uri", out _));
        if (mentions is not null)
        {
            Assert.Contains(mentions, body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        }
    }
}

/// <summary>Access tokens are opaque and short-lived; this one moves the clock, so it has its own vault.</summary>
public sealed class AccessTokenLifetimeTests
{
    [Fact]
    public async Task Access_tokens_are_opaque_short_lived_and_refused_once_expired()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var vendor = await factory.RegisterVendorAsync();
        await factory.AcceptAgreementAsync(vendor);
        var tokens = await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Email]));

        // A JWT is three base64url parts joined by dots, the first a JSON header; a reference token is neither.
        Assert.DoesNotContain('.', tokens.AccessToken);
        Assert.False(LooksLikeJwt(tokens.AccessToken));
        Assert.InRange(tokens.ExpiresIn, 1, 600);

        using var api = factory.CreateBearerClient(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/grant")).StatusCode);
        factory.Time.Advance(TimeSpan.FromSeconds(tokens.ExpiresIn + 1));
        var expired = await api.GetAsync("/api/v1/grant");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("invalid_token", expired.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private static bool LooksLikeJwt(string token)
    {
        var parts = token.Split('.');
        if (parts.Length is not (3 or 5))
        {
            return false;
        }

        try
        {
            return JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement.TryGetProperty("alg", out _);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }
}
