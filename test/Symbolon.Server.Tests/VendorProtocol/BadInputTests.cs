using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>Malformed, unknown, unproffered and oversized input gets an OAuth error or an RFC 9457 problem that says what is wrong.</summary>
public sealed class BadInputTests(VendorVaultFixture vault) : IClassFixture<VendorVaultFixture>
{
    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("{\"type\":\"symbolon:data\"}", "JSON array")]
    [InlineData("[]", "JSON array")]
    [InlineData("[{\"type\":\"payment_initiation\",\"datatypes\":[\"profile.email\"],\"actions\":[\"read\"],\"purpose\":\"p\",\"agreement\":\"SD-BASE\"}]", ".type must be")]
    [InlineData("[{\"type\":\"symbolon:data\",\"datatypes\":[\"profile.email\"],\"actions\":[\"read\"],\"agreement\":\"SD-BASE\"}]", ".purpose")]
    [InlineData("[{\"type\":\"symbolon:data\",\"datatypes\":[\"profile.shoe_size\"],\"actions\":[\"read\"],\"purpose\":\"p\",\"agreement\":\"SD-BASE\"}]", "is not a datatype")]
    [InlineData("[{\"type\":\"symbolon:data\",\"datatypes\":[\"profile.birth_date\"],\"actions\":[\"update\"],\"purpose\":\"p\",\"agreement\":\"SD-BASE\"}]", "does not support the action \"update\"")]
    [InlineData("[{\"type\":\"symbolon:data\",\"datatypes\":[\"profile.email\"],\"actions\":[\"delete\"],\"purpose\":\"p\",\"agreement\":\"SD-BASE\"}]", "is not an action")]
    [InlineData("[{\"type\":\"symbolon:data\",\"datatypes\":\"profile.email\",\"actions\":[\"read\"],\"purpose\":\"p\",\"agreement\":\"SD-BASE\"}]", ".datatypes is required")]
    [InlineData("[{\"type\":\"symbolon:data\",\"datatypes\":[\"profile.email\"],\"actions\":[\"read\"],\"purpose\":\"p\",\"agreement\":\"NO-SUCH-TERMS\"}]", "not an agreement this vault proffers")]
    public async Task Malformed_authorization_details_are_refused_saying_why(string details, string says)
    {
        var parameters = VendorFlow.AuthorizationParameters(vault.Vendor, details, VendorFlow.NewPkce().Challenge);
        await OAuthBaselineTests.AssertOAuthErrorAsync(await vault.Factory.PushAsync(vault.Vendor, parameters), "invalid_authorization_details", says);
    }

    [Fact]
    public async Task Missing_authorization_details_are_refused()
    {
        var parameters = VendorFlow.AuthorizationParameters(vault.Vendor, "", VendorFlow.NewPkce().Challenge);
        parameters.Remove("authorization_details");
        var response = await vault.Factory.PushAsync(vault.Vendor, parameters);
        await OAuthBaselineTests.AssertOAuthErrorAsync(response, "invalid_authorization_details", "authorization_details is required");
    }

    [Fact]
    public async Task An_agreement_the_vendor_has_not_accepted_is_refused()
    {
        var newcomer = await vault.Factory.RegisterVendorAsync("Newcomer Books");
        var parameters = VendorFlow.AuthorizationParameters(newcomer, VendorFlow.Details([Datatypes.Email]), VendorFlow.NewPkce().Challenge);
        await OAuthBaselineTests.AssertOAuthErrorAsync(await vault.Factory.PushAsync(newcomer, parameters), "invalid_authorization_details", "has not accepted SD-BASE");
    }

    [Fact]
    public async Task Accepting_an_agreement_the_vault_does_not_proffer_is_a_problem()
    {
        using var client = vault.Factory.CreateVendorClient(vault.Vendor);
        var response = await client.PostAsJsonAsync("/api/v1/agreements", new AgreementAcceptance("NO-SUCH-TERMS", new string('0', 64)));
        var problem = await DataApiTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "SYM1405");
        Assert.Contains("not an agreement this vault proffers", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorization_details_over_8_KiB_are_refused()
    {
        var purpose = new string('p', 9 * 1024);
        var parameters = VendorFlow.AuthorizationParameters(vault.Vendor, VendorFlow.Details([Datatypes.Email], purpose: purpose), VendorFlow.NewPkce().Challenge);
        await OAuthBaselineTests.AssertOAuthErrorAsync(await vault.Factory.PushAsync(vault.Vendor, parameters), "invalid_authorization_details", "longer than 8192");
    }

    [Fact]
    public async Task A_pushed_request_over_256_KiB_is_refused_as_too_large()
    {
        var parameters = VendorFlow.AuthorizationParameters(vault.Vendor, VendorFlow.Details([Datatypes.Email]), VendorFlow.NewPkce().Challenge);
        parameters["state"] = new string('s', 300 * 1024);
        var response = await vault.Factory.PushAsync(vault.Vendor, parameters);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("SYM1004", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registration_over_256_KiB_is_refused_as_too_large()
    {
        using var client = vault.Factory.CreateOwnerClient();
        var body = JsonSerializer.Serialize(new ClientRegistrationRequest("Huge", [VendorFlow.RedirectUri], Contacts: [new string('c', 300 * 1024)], Agreements: ["SD-BASE"]));
        var response = await client.PostAsync("/connect/register", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("SYM1004", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a uri", "invalid_redirect_uri")]
    [InlineData("/relative/callback", "invalid_redirect_uri")]
    [InlineData("http://vendor.example/callback", "invalid_redirect_uri")]
    [InlineData("https://vendor.example/callback#fragment", "invalid_redirect_uri")]
    public async Task Registration_refuses_bad_redirect_uris(string redirectUri, string error)
    {
        var response = await RegisterAsync(new ClientRegistrationRequest("Bad Redirect", [redirectUri], Agreements: ["SD-BASE"]));
        await AssertRegistrationErrorAsync(response, error, "redirect URI");
    }

    [Fact]
    public async Task Registration_accepts_http_only_on_loopback()
    {
        var response = await RegisterAsync(new ClientRegistrationRequest("Local Tool", ["http://127.0.0.1:8123/callback"], Agreements: ["SD-BASE"]));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Registration_refuses_an_unknown_agreement()
    {
        var response = await RegisterAsync(new ClientRegistrationRequest("Odd Terms", [VendorFlow.RedirectUri], Agreements: ["NO-SUCH-TERMS"]));
        await AssertRegistrationErrorAsync(response, "invalid_client_metadata", "symbolon_agreements");
    }

    [Theory]
    [InlineData("{\"keys\":[]}")]
    [InlineData("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"too-short\"}]}")]
    [InlineData("\"a string\"")]
    public async Task Registration_refuses_bad_jwks(string jwks)
    {
        var response = await RegisterAsync(new ClientRegistrationRequest("Bad Keys", [VendorFlow.RedirectUri], Jwks: JsonSerializer.Deserialize<JsonElement>(jwks), Agreements: ["SD-BASE"]));
        await AssertRegistrationErrorAsync(response, "invalid_client_metadata", "jwks");
    }

    private async Task<HttpResponseMessage> RegisterAsync(ClientRegistrationRequest request)
    {
        using var client = vault.Factory.CreateOwnerClient();
        return await client.PostAsJsonAsync("/connect/register", request);
    }

    private static async Task AssertRegistrationErrorAsync(HttpResponseMessage response, string error, string mentions)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {text}");
        var body = JsonSerializer.Deserialize<JsonElement>(text);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Contains(mentions, body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }
}
