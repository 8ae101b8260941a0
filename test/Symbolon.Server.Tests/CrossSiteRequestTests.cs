using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vault;

namespace Symbolon.Server.Tests;

/// <summary>
/// The owner API refuses a change made with the browser's session cookie unless the browser says it comes from the
/// web app's own origin (Sec-Fetch-Site, else Origin); a personal access token and a client that is not a browser
/// (no such headers) are not affected. The refused cases change nothing, so they share one vault.
/// </summary>
public sealed class CrossSiteRequestTests(SharedVault shared) : IClassFixture<SharedVault>
{
    private const string Api = "/owner/api/v1";

    public static TheoryData<string, string, string, string?> ForgedChanges => new()
    {
        // Method, path, the header the browser sends, its value (a page on another port of the same host is same-site).
        { "POST", "vault/lock", "Sec-Fetch-Site", "same-site" },
        { "POST", "purge", "Sec-Fetch-Site", "cross-site" },
        { "POST", "imports?format=csv", "Origin", "http://localhost:5179" },
        { "POST", "imports?format=csv", "Origin", "http://shop.localhost" },
        { "DELETE", $"tokens/{Guid.Empty}", "Origin", "null" },
        { "PUT", "vault/auto-lock", "Sec-Fetch-Site", "same-site" },
    };

    [Theory]
    [MemberData(nameof(ForgedChanges))]
    public async Task A_change_with_the_cookie_from_another_origin_is_refused_and_nothing_happens(string method, string path, string header, string? value)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), $"{Api}/{path}")
        {
            Content = new StringContent("Date,Description,Amount\n2026-11-01,Forged,-999.00\n", Encoding.UTF8, "text/plain"),
        };
        request.Headers.TryAddWithoutValidation(header, value);
        var response = await shared.Owner.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemBody>();
        Assert.Equal(ProblemCodes.CrossSiteRequest, problem!.Code);
        Assert.Contains("access token", problem.Detail, StringComparison.Ordinal);

        // The vault is still unlocked and nothing was imported.
        var status = await shared.Owner.GetFromJsonAsync<VaultStatus>($"{Api}/vault", SymbolonApplicationFactory.Json);
        Assert.True(status!.Unlocked);
        var imports = await shared.Owner.GetFromJsonAsync<List<object>>($"{Api}/imports", SymbolonApplicationFactory.Json);
        Assert.Empty(imports!);
    }

    [Fact]
    public async Task An_unlock_from_another_origin_is_refused_too()
    {
        // A page on another port cannot sign the browser in with a passphrase it guesses or knows (login CSRF).
        using var anonymous = shared.App.CreateOwnerClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Api}/vault/unlock") { Content = JsonContent.Create(new UnlockRequest(SymbolonApplicationFactory.Passphrase)) };
        request.Headers.Add("Sec-Fetch-Site", "same-site");
        var response = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "same-origin")]
    [InlineData("Origin", "http://localhost")]
    [InlineData(null, null)]
    public async Task A_change_from_the_web_apps_own_origin_or_from_a_non_browser_client_goes_through(string? header, string? value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Api}/tokens") { Content = JsonContent.Create(new CreateTokenRequest("same origin " + header)) };
        if (header is not null)
        {
            request.Headers.Add(header, value);
        }

        var response = await shared.Owner.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task A_personal_access_token_is_not_a_cookie_and_keeps_working_whatever_the_fetch_headers_say()
    {
        using var cli = shared.App.CreateTokenClient(shared.Vault.AccessToken.Token!);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Api}/tokens") { Content = JsonContent.Create(new CreateTokenRequest("script")) };
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        request.Headers.Add("Origin", "http://localhost:5179");
        Assert.Equal(HttpStatusCode.Created, (await cli.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task A_json_endpoint_refuses_a_text_plain_body_with_415()
    {
        // What a no-cors fetch can send: text/plain. The JSON endpoints do not read it, whatever the origin.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Api}/tokens") { Content = new StringContent("""{"name":"forged"}""", Encoding.UTF8, "text/plain") };
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        var response = await shared.Owner.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemBody>())!;
        Assert.Equal((ProblemCodes.MalformedJson, "Send JSON."), (problem.Code, problem.Title));
        Assert.Contains("Content-Type: application/json", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(MediaTypeHeaderValue.Parse("application/problem+json").MediaType, response.Content.Headers.ContentType?.MediaType);
    }

    private sealed record ProblemBody(string? Code, string? Title, string? Detail);
}
