using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vault;

namespace Symbolon.Server.Tests;

public sealed class VaultApiTests : IDisposable
{
    // A first start: the server migrates an empty database before it answers (the other test hosts start from a
    // migrated copy).
    private readonly SymbolonApplicationFactory _app = new(migrateOnStart: true);

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Health_answers_before_any_vault_exists()
    {
        var response = await _app.CreateOwnerClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Status_shows_no_vault_then_to_its_owner_an_unlocked_vault_with_its_kdf_and_public_keys()
    {
        var client = _app.CreateOwnerClient();
        var before = await client.GetFromJsonAsync<VaultStatus>("/owner/api/v1/vault");
        Assert.False(before!.Exists);

        var (owner, created) = await _app.CreateVaultAsync();

        // A stranger learns that a vault exists, and nothing else: not whether the person is at it, not its id, its
        // KDF parameters (what an offline guess at the passphrase needs) or its keys.
        var anonymous = await client.GetFromJsonAsync<VaultStatus>("/owner/api/v1/vault");
        Assert.Equal(new VaultStatus(true, false, null, null, null, null, null), anonymous);
        var text = await client.GetStringAsync("/owner/api/v1/vault");
        Assert.DoesNotContain(created.VaultId.ToString(), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("argon2id", text, StringComparison.Ordinal);

        foreach (var signedIn in new[] { owner, _app.CreateTokenClient(created.AccessToken.Token!) })
        {
            var after = await signedIn.GetFromJsonAsync<VaultStatus>("/owner/api/v1/vault");
            AssertFull(after!, created.VaultId);
        }
    }

    private static void AssertFull(VaultStatus after, Guid vaultId)
    {
        Assert.True(after.Exists);
        Assert.True(after.Unlocked);
        Assert.Equal(vaultId, after.VaultId);
        Assert.Equal(new KdfDescription("argon2id", 65536, 3, 1), after.Kdf);
        Assert.Equal(32, Convert.FromBase64String(Pad(after.SigningPublicKey!)).Length);
        Assert.Equal(32, Convert.FromBase64String(Pad(after.AgreementPublicKey!)).Length);
    }

    [Fact]
    public async Task Create_shows_the_recovery_key_once_and_refuses_a_second_vault()
    {
        var (_, created) = await _app.CreateVaultAsync();
        Assert.Matches("^([A-Z2-7]{4}-){12}[A-Z2-7]{4}$", created.RecoveryKey);
        Assert.StartsWith("sym_pat_", created.AccessToken.Token, StringComparison.Ordinal);

        var again = await _app.CreateOwnerClient().PostAsJsonAsync("/owner/api/v1/vault", new CreateVaultRequest("another long passphrase"));
        await AssertProblem(again, HttpStatusCode.Conflict, ProblemCodes.VaultExists);

        var status = await _app.CreateOwnerClient().GetFromJsonAsync<VaultStatus>("/owner/api/v1/vault");
        Assert.DoesNotContain(created.RecoveryKey, JsonSerializer.Serialize(status), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_weak_passphrase_is_refused_with_the_field_named()
    {
        var response = await _app.CreateOwnerClient().PostAsJsonAsync("/owner/api/v1/vault", new CreateVaultRequest("short"));
        var problem = await AssertProblem(response, HttpStatusCode.BadRequest, ProblemCodes.WeakPassphrase);
        Assert.True(problem.GetProperty("errors").TryGetProperty("passphrase", out _));
    }

    [Fact]
    public async Task Wrong_passphrase_is_a_plain_401_and_repeated_failures_are_slowed_down()
    {
        await _app.CreateVaultAsync();
        var client = _app.CreateOwnerClient();
        for (var i = 0; i < 3; i++)
        {
            var wrong = await client.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest("not the passphrase " + i));
            var problem = await AssertProblem(wrong, HttpStatusCode.Unauthorized, ProblemCodes.WrongPassphrase);
            Assert.Equal("That passphrase does not open this vault.", problem.GetProperty("title").GetString());
        }

        // The fourth attempt within a second is refused before any key derivation, even with the right passphrase.
        var throttled = await client.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase));
        await AssertProblem(throttled, (HttpStatusCode)429, ProblemCodes.UnlockThrottled);
        Assert.Equal("1", throttled.Headers.RetryAfter!.ToString());

        _app.Time.Advance(TimeSpan.FromSeconds(2));
        var ok = await client.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task The_session_cookie_is_HttpOnly_SameSite_Strict_and_Secure_at_an_https_public_origin()
    {
        await _app.CreateVaultAsync();
        var plain = await _app.CreateOwnerClient().PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase));
        var cookie = plain.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("symbolon_owner=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie.Replace("samesite=strict", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);

        // Served at an https public origin (PublicOrigin), the cookie is Secure, whatever scheme reached the server.
        using var served = new SymbolonApplicationFactory(migrateOnStart: true);
        served.Settings["PublicOrigin"] = "https://vault.example.org";
        await served.CreateVaultAsync();
        foreach (var client in new[] { served.CreateOwnerClient(https: true), served.CreateOwnerClient() })
        {
            var https = await client.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase));
            var secureCookie = https.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("symbolon_owner=", StringComparison.Ordinal));
            Assert.Contains("; secure", secureCookie, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Lock_removes_the_keys_for_every_session_and_token_until_unlocked_again()
    {
        var (owner, created) = await _app.CreateVaultAsync();
        var script = _app.CreateTokenClient(created.AccessToken.Token!);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/owner/api/v1/profile")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.PostAsync("/owner/api/v1/vault/lock", null)).StatusCode);

        await AssertProblem(await script.GetAsync("/owner/api/v1/profile"), HttpStatusCode.Locked, ProblemCodes.VaultLocked);
        await AssertProblem(await owner.GetAsync("/owner/api/v1/profile"), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);

        var unlock = await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase, "my script"));
        var unlocked = await unlock.Content.ReadFromJsonAsync<UnlockResponse>(SymbolonApplicationFactory.Json);
        Assert.Equal("my script", unlocked!.AccessToken!.Name);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/owner/api/v1/profile")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/owner/api/v1/profile")).StatusCode);
    }

    [Fact]
    public async Task Recovery_key_sets_a_new_passphrase_and_the_old_one_stops_working()
    {
        var (owner, created) = await _app.CreateVaultAsync();
        await owner.PostAsync("/owner/api/v1/vault/lock", null);

        var client = _app.CreateOwnerClient();
        var recovered = await client.PostAsJsonAsync("/owner/api/v1/vault/recover", new RecoverRequest(created.RecoveryKey.ToLowerInvariant(), "a brand new passphrase"));
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/owner/api/v1/profile")).StatusCode);

        await AssertProblem(await _app.CreateOwnerClient().PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase)), HttpStatusCode.Unauthorized, ProblemCodes.WrongPassphrase);
        Assert.Equal(HttpStatusCode.OK, (await _app.CreateOwnerClient().PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest("a brand new passphrase"))).StatusCode);
    }

    [Fact]
    public async Task Passphrase_change_needs_the_current_passphrase()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        await AssertProblem(
            await owner.PostAsJsonAsync("/owner/api/v1/vault/passphrase", new ChangePassphraseRequest("wrong current passphrase", "the next passphrase")),
            HttpStatusCode.Unauthorized,
            ProblemCodes.WrongPassphrase);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.PostAsJsonAsync("/owner/api/v1/vault/passphrase", new ChangePassphraseRequest(SymbolonApplicationFactory.Passphrase, "the next passphrase"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.CreateOwnerClient().PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest("the next passphrase"))).StatusCode);
    }

    [Fact]
    public async Task Unknown_addresses_and_methods_under_the_api_are_problem_documents()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        await AssertProblem(await owner.GetAsync("/owner/api/v1/no-such-thing"), HttpStatusCode.NotFound, ProblemCodes.NoSuchEndpoint);
        await AssertProblem(await owner.PatchAsync("/owner/api/v1/profile", null), HttpStatusCode.MethodNotAllowed, ProblemCodes.MethodNotAllowed);
    }

    internal static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - (s.Length % 4)) % 4);
    }
}
