using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Symbolon.Server.Tests;

/// <summary>
/// The issuer and every absolute URL the server hands out come from its public origin (the PublicOrigin setting, else
/// the address it listens on), never from the Host header a caller sends.
/// </summary>
public sealed class PublicOriginTests
{
    private static readonly string[] Documents = ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration", "/.well-known/symbolon"];

    [Fact]
    public async Task A_forged_host_header_changes_neither_the_issuer_nor_any_url_in_the_discovery_documents()
    {
        using var app = new SymbolonApplicationFactory();
        using var client = app.CreateOwnerClient();
        foreach (var document in Documents)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, document);
            request.Headers.Host = "evil.example";
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("evil.example", body, StringComparison.Ordinal);
            Assert.Equal("http://localhost/", JsonDocument.Parse(body).RootElement.GetProperty("issuer").GetString());
        }
    }

    [Fact]
    public async Task The_configured_public_origin_is_the_issuer_and_the_base_of_every_endpoint()
    {
        using var app = new SymbolonApplicationFactory();
        app.Settings["PublicOrigin"] = "https://vault.example.org";
        using var client = app.CreateOwnerClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/oauth-authorization-server");
        request.Headers.Host = "evil.example";
        var metadata = await client.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        Assert.Equal("https://vault.example.org/", metadata.GetProperty("issuer").GetString());
        Assert.Equal("https://vault.example.org/connect/register", metadata.GetProperty("registration_endpoint").GetString());
        Assert.Equal("https://vault.example.org/connect/par", metadata.GetProperty("pushed_authorization_request_endpoint").GetString());
        var forged = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("https://vault.example.org/", forged.GetProperty("issuer").GetString());

        var symbolon = await client.GetFromJsonAsync<JsonElement>("/.well-known/symbolon");
        Assert.Equal("https://vault.example.org/", symbolon.GetProperty("issuer").GetString());
        Assert.StartsWith("https://vault.example.org/", symbolon.GetProperty("api_base").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowedHosts_turns_away_a_request_for_another_host()
    {
        using var app = new SymbolonApplicationFactory();
        app.Settings["AllowedHosts"] = "vault.example.org";
        using var client = app.CreateOwnerClient();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/.well-known/oauth-authorization-server")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/oauth-authorization-server");
        request.Headers.Host = "vault.example.org";
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
    }

    [Theory]
    [InlineData("PublicOrigin", "vault.example.org", "PublicOrigin must be an http or https address")]
    [InlineData("PublicOrigin", "https://vault.example.org/vault?x=1", "PublicOrigin must be an http or https address")]
    [InlineData("urls", "http://0.0.0.0:5178", "set PublicOrigin (--public-origin)")]
    [InlineData("FORWARDEDHEADERS_ENABLED", "true", "set PublicOrigin (--public-origin)")]
    public void A_public_origin_that_cannot_be_known_stops_the_start_with_what_to_set(string key, string value, string message)
    {
        using var app = new SymbolonApplicationFactory();
        app.Settings["PublicOrigin"] = "";
        app.Settings[key] = value;
        var start = Assert.ThrowsAny<InvalidOperationException>(() => app.CreateClient());
        Assert.Contains(message, start.Message, StringComparison.Ordinal);
    }
}
