using System.Net;
using System.Net.Http.Json;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vault;

namespace Symbolon.Server.Tests;

public sealed class AccessTokenTests(SharedVault shared) : IClassFixture<SharedVault>, IDisposable
{
    private readonly SymbolonApplicationFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("/owner/api/v1/profile")]
    [InlineData("/owner/api/v1/profile/history")]
    [InlineData("/owner/api/v1/export")]
    [InlineData("/owner/api/v1/backup")]
    [InlineData("/owner/api/v1/tokens")]
    [InlineData("/owner/api/v1/profile/vcard")]
    public async Task Owner_endpoints_refuse_anonymous_callers_and_unknown_tokens(string path)
    {
        // An existing vault, unlocked: what is refused is the caller.
        var app = shared.App;
        await VaultApiTests.AssertProblem(await app.CreateOwnerClient().GetAsync(path), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
        await VaultApiTests.AssertProblem(await app.CreateTokenClient("sym_pat_not-a-real-token").GetAsync(path), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
    }

    [Fact]
    public async Task A_created_token_works_is_listed_without_its_secret_and_stops_working_when_revoked()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        var created = await (await owner.PostAsJsonAsync("/owner/api/v1/tokens", new CreateTokenRequest("backup script", 7))).Content.ReadFromJsonAsync<OwnerToken>(SymbolonApplicationFactory.Json);
        Assert.Equal(_app.Time.GetUtcNow().AddDays(7), created!.ExpiresAt);

        var script = _app.CreateTokenClient(created.Token!);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/owner/api/v1/profile")).StatusCode);

        var listed = await owner.GetFromJsonAsync<List<OwnerToken>>("/owner/api/v1/tokens", SymbolonApplicationFactory.Json);
        var entry = Assert.Single(listed!, t => t.Id == created.Id);
        Assert.Null(entry.Token);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/owner/api/v1/tokens/{created.Id}")).StatusCode);
        await VaultApiTests.AssertProblem(await script.GetAsync("/owner/api/v1/profile"), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.DeleteAsync($"/owner/api/v1/tokens/{created.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_token_can_revoke_itself_and_only_itself()
    {
        var (owner, created) = await _app.CreateVaultAsync();
        var other = await (await owner.PostAsJsonAsync("/owner/api/v1/tokens", new CreateTokenRequest("other script"))).Content.ReadFromJsonAsync<OwnerToken>(SymbolonApplicationFactory.Json);
        var cli = _app.CreateTokenClient(created.AccessToken.Token!);

        Assert.Equal(HttpStatusCode.NoContent, (await cli.DeleteAsync("/owner/api/v1/tokens/current")).StatusCode);
        await VaultApiTests.AssertProblem(await cli.GetAsync("/owner/api/v1/profile"), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
        Assert.Equal(HttpStatusCode.OK, (await _app.CreateTokenClient(other!.Token!).GetAsync("/owner/api/v1/profile")).StatusCode);

        // A browser session holds no token: there is nothing to revoke.
        Assert.Equal(HttpStatusCode.NotFound, (await owner.DeleteAsync("/owner/api/v1/tokens/current")).StatusCode);
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        var created = await (await owner.PostAsJsonAsync("/owner/api/v1/tokens", new CreateTokenRequest("short lived", 1))).Content.ReadFromJsonAsync<OwnerToken>(SymbolonApplicationFactory.Json);
        var script = _app.CreateTokenClient(created!.Token!);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/owner/api/v1/profile")).StatusCode);

        _app.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        await VaultApiTests.AssertProblem(await script.GetAsync("/owner/api/v1/profile"), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
    }

    [Fact]
    public async Task Token_lifetime_outside_one_to_365_days_is_refused_with_the_field_named()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        var problem = await VaultApiTests.AssertProblem(await owner.PostAsJsonAsync("/owner/api/v1/tokens", new CreateTokenRequest("forever", 10_000)), HttpStatusCode.BadRequest, ProblemCodes.InvalidValue);
        Assert.True(problem.GetProperty("errors").TryGetProperty("expiresInDays", out _));
    }

    [Fact]
    public async Task The_web_lock_form_refuses_a_post_without_an_antiforgery_token()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        var response = await owner.PostAsync("/lock", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/owner/api/v1/profile")).StatusCode);
    }
}
