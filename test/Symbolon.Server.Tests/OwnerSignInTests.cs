using System.Net;
using System.Net.Http.Json;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vault;
using Symbolon.Server.Vault;
using static Symbolon.Server.Tests.VaultApiTests;

namespace Symbolon.Server.Tests;

/// <summary>
/// A browser's cookie names its sign-in in the vault's session: locking, a passphrase change, a recovery or the
/// person ending it signs the browser out for good, also after the vault is unlocked again.
/// </summary>
public sealed class OwnerSignInTests : IDisposable
{
    private readonly SymbolonApplicationFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Locking_ending_a_sign_in_changing_the_passphrase_and_recovering_sign_browsers_out_for_good()
    {
        var (a, created) = await _app.CreateVaultAsync();
        var script = _app.CreateTokenClient(created.AccessToken.Token!);
        var b = await UnlockedBrowserAsync(SymbolonApplicationFactory.Passphrase);
        await AssertInAsync(a, b, script);

        // Both browsers are listed, each marking itself; a token is none of them.
        var seenByA = await SignInsAsync(a);
        Assert.Equal(2, seenByA.Count);
        Assert.Single(seenByA, s => s.Current);
        Assert.Equal(seenByA.Select(s => s.Id).Order(), (await SignInsAsync(script)).Where(s => !s.Current).Select(s => s.Id).Order());
        var bId = Assert.Single(await SignInsAsync(b), s => s.Current).Id;
        Assert.Contains(seenByA, s => s.Id == bId && !s.Current);

        // The CLI and scripts unlock for a token and take no cookie: no sign-in is made for them.
        var cli = await _app.CreateOwnerClient().PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase, "cli") { SignIn = false });
        Assert.Equal(HttpStatusCode.OK, cli.StatusCode);
        Assert.False(cli.Headers.Contains("Set-Cookie"));
        Assert.Equal(2, (await SignInsAsync(a)).Count);

        // Locking signs every browser out; unlocking again signs in only the browser that unlocked.
        Assert.Equal(HttpStatusCode.NoContent, (await a.PostAsync("/owner/api/v1/vault/lock", null)).StatusCode);
        await AssertOutAsync(b);
        Assert.Equal(HttpStatusCode.OK, (await a.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase))).StatusCode);
        await AssertInAsync(a, script);
        await AssertOutAsync(b);
        Assert.Single(await SignInsAsync(a));

        // Ending one sign-in: that browser is out at once, the others stay; an unknown or ended id is 404.
        b = await UnlockedBrowserAsync(SymbolonApplicationFactory.Passphrase);
        bId = Assert.Single(await SignInsAsync(b), s => s.Current).Id;
        Assert.Equal(HttpStatusCode.NoContent, (await a.DeleteAsync($"/owner/api/v1/sessions/{bId}")).StatusCode);
        await AssertOutAsync(b);
        await AssertInAsync(a);
        await AssertProblem(await a.DeleteAsync($"/owner/api/v1/sessions/{bId}"), HttpStatusCode.NotFound, ProblemCodes.RecordNotFound);
        await AssertProblem(await a.DeleteAsync($"/owner/api/v1/sessions/{Guid.NewGuid()}"), HttpStatusCode.NotFound, ProblemCodes.RecordNotFound);

        // A passphrase change signs out every other browser; asked to, it revokes every token too.
        b = await UnlockedBrowserAsync(SymbolonApplicationFactory.Passphrase);
        var change = new ChangePassphraseRequest(SymbolonApplicationFactory.Passphrase, "the next long passphrase") { RevokeAccessTokens = true };
        Assert.Equal(HttpStatusCode.NoContent, (await a.PostAsJsonAsync("/owner/api/v1/vault/passphrase", change)).StatusCode);
        await AssertInAsync(a);
        await AssertOutAsync(b);
        await AssertProblem(await script.GetAsync("/owner/api/v1/profile"), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);

        // A recovery signs out everyone who was signed in before it.
        var c = _app.CreateOwnerClient();
        Assert.Equal(HttpStatusCode.OK, (await c.PostAsJsonAsync("/owner/api/v1/vault/recover", new RecoverRequest(created.RecoveryKey, "a recovered long passphrase"))).StatusCode);
        await AssertInAsync(c);
        await AssertOutAsync(a);

        // "Every other browser": the caller stays.
        var d = await UnlockedBrowserAsync("a recovered long passphrase");
        var e = await UnlockedBrowserAsync("a recovered long passphrase");
        var ended = await (await c.DeleteAsync("/owner/api/v1/sessions/others")).Content.ReadFromJsonAsync<EndedSignIns>(SymbolonApplicationFactory.Json);
        Assert.Equal(2, ended!.Ended);
        await AssertInAsync(c);
        await AssertOutAsync(d);
        await AssertOutAsync(e);
        Assert.Single(await SignInsAsync(c));
    }

    [Fact]
    public async Task Sign_ins_need_the_owner()
    {
        await _app.CreateVaultAsync();
        var stranger = _app.CreateOwnerClient();
        await AssertProblem(await stranger.GetAsync("/owner/api/v1/sessions"), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
        await AssertProblem(await stranger.DeleteAsync($"/owner/api/v1/sessions/{Guid.NewGuid()}"), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
        await AssertProblem(await stranger.DeleteAsync("/owner/api/v1/sessions/others"), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
        await AssertProblem(await _app.CreateTokenClient("sym_pat_not-a-token").GetAsync("/owner/api/v1/sessions"), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
    }

    [Theory]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iPhone")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge on Windows")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", "Chromium (headless) on Linux")]
    [InlineData("curl/7.88.1", "curl")]
    [InlineData("", "Unknown client")]
    public void A_sign_in_is_named_by_its_browser_and_platform_only(string userAgent, string expected) =>
        Assert.Equal(expected, ClientDescription.Of(userAgent));

    private async Task<HttpClient> UnlockedBrowserAsync(string passphrase)
    {
        var browser = _app.CreateOwnerClient();
        var unlocked = await browser.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(passphrase));
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
        return browser;
    }

    private static async Task<List<OwnerSignInSession>> SignInsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<List<OwnerSignInSession>>("/owner/api/v1/sessions", SymbolonApplicationFactory.Json))!;

    private static async Task AssertInAsync(params HttpClient[] clients)
    {
        foreach (var client in clients)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/owner/api/v1/profile")).StatusCode);
        }
    }

    // The cookie is refused: 401, not 423, since the sign-in itself is over, not only the vault locked.
    private static async Task AssertOutAsync(HttpClient browser) =>
        await AssertProblem(await browser.GetAsync("/owner/api/v1/profile"), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
}
