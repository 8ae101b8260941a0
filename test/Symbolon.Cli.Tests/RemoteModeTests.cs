using System.Net.Http.Json;
using Symbolon.Cli.Operations;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vault;
using Symbolon.Server.Hosting;

namespace Symbolon.Cli.Tests;

/// <summary>With a server running, the same commands go through its owner API.</summary>
public sealed class RemoteModeTests : IDisposable
{
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Commands_go_through_a_server_found_by_its_server_json()
    {
        await using var server = await RunningServer.StartAsync(_cli.DataDirectory);
        Assert.True(File.Exists(Path.Combine(_cli.DataDirectory, ServerInfoFile.FileName)));

        var status = (await _cli.RunAsync("status", "--json")).Succeeded().Json<CliStatus>();
        Assert.Equal(("remote", false), (status.Mode, status.Vault.Exists));
        Assert.Contains(ServerInfoFile.FileName, status.Storage, StringComparison.Ordinal);

        var recoveryKey = await _cli.InitAsync();
        Assert.Matches(CliHarness.RecoveryKeyPattern(), recoveryKey);
        LocalModeTests.AssertOwnerOnly(Path.Combine(_cli.DataDirectory, CliTokenFile.FileName));

        await _cli.RunOwnerFlowAsync(server.Url);
    }

    [Fact]
    public async Task Commands_go_through_the_server_named_with_the_server_option()
    {
        await using var server = await RunningServer.StartAsync(_cli.PathOf("server-data"));
        var url = server.Url.ToString();

        (await _cli.RunWithPassphraseAsync("init", "--server", url)).Succeeded();
        (await _cli.RunWithPassphraseAsync("unlock", "--server", url)).Succeeded();
        var field = (await _cli.RunWithPassphraseAsync("profile", "set", "email", "ada@example.org", "--server", url, "--json")).Succeeded().Json<ProfileField>();
        Assert.Equal("You", field.UpdatedBy.DisplayName);
        Assert.Contains("ada@example.org", (await _cli.RunAsync("profile", "show", "--server", url)).Succeeded().Stdout, StringComparison.Ordinal);
        Assert.Contains("\"format\": \"symbolon.export\"", (await _cli.RunAsync("export", "--server", url)).Succeeded().Stdout, StringComparison.Ordinal);

        // A browser signs in; the CLI lists it (it holds no sign-in of its own) and signs it out.
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = server.Url };
        browser.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
        Assert.True((await browser.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(CliHarness.Passphrase))).IsSuccessStatusCode);
        var signIn = Assert.Single((await _cli.RunAsync("session", "list", "--server", url, "--json")).Succeeded().Json<List<OwnerSignInSession>>());
        Assert.Equal(("Firefox on Linux", false), (signIn.Client, signIn.Current));
        Assert.Contains("Firefox on Linux", (await _cli.RunAsync("session", "list", "--server", url)).Succeeded().Stdout, StringComparison.Ordinal);
        Assert.Contains("Name one sign-in by its ID, or give --others.", (await _cli.RunAsync("session", "end", "--server", url)).Failed(2).Stderr, StringComparison.Ordinal);
        Assert.Equal("Signed out 1 browser.\n", (await _cli.RunAsync("session", "end", "--others", "--server", url)).Succeeded().Stdout.ReplaceLineEndings("\n"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await browser.GetAsync("/owner/api/v1/profile")).StatusCode);
        Assert.Contains("No browser is signed in with that id.", (await _cli.RunAsync("session", "end", signIn.Id.ToString(), "--server", url)).Failed(1).Stderr, StringComparison.Ordinal);

        // The idle time through the server, "never" included (a null the CLI must send, not leave out).
        Assert.Equal("The vault locks itself after 10 minutes without you.\n", (await _cli.RunAsync("autolock", "10", "--server", url)).Succeeded().Stdout.ReplaceLineEndings("\n"));
        Assert.Equal(new AutoLockSetting(null, false), (await _cli.RunAsync("autolock", "never", "--server", url, "--json")).Succeeded().Json<AutoLockSetting>());

        (await _cli.RunAsync("lock", "--server", url)).Succeeded();

        // Without its token the CLI is not told whether the vault is locked (the server tells only its owner).
        var signedOut = (await _cli.RunAsync("profile", "show", "--server", url)).Failed().Stderr;
        Assert.Contains("This CLI is not signed in to the server.", signedOut, StringComparison.Ordinal);
        Assert.Contains("`symbolon unlock` signs it in, and opens the vault if it is locked.", signedOut, StringComparison.Ordinal);
        var status = (await _cli.RunAsync("status", "--server", url)).Succeeded().Stdout;
        Assert.Contains("not shown until you sign in", status, StringComparison.Ordinal);
        Assert.DoesNotContain("argon2id", status, StringComparison.OrdinalIgnoreCase);

        // SYMBOLON_SERVER works alike; and the CLI's own data directory never got a database: all went to the server.
        _cli.Environment["SYMBOLON_SERVER"] = url;
        Assert.Equal("remote", (await _cli.RunAsync("status", "--json")).Succeeded().Json<CliStatus>().Mode);
        Assert.False(File.Exists(Path.Combine(_cli.DataDirectory, "symbolon.db")));
    }

    [Fact]
    public async Task Problems_from_the_server_are_shown_as_clean_messages()
    {
        await using var server = await RunningServer.StartAsync(_cli.DataDirectory);
        await _cli.InitAsync();

        var invalid = (await _cli.RunAsync("profile", "set", "email", "nope")).Failed(1);
        Assert.Equal(
            "Error: Some values are invalid.\nSee errors for each field and why.\n  VALUE: This is not an email address (expected something like name@example.org).\n",
            invalid.Stderr.ReplaceLineEndings("\n"));

        const string Wrong = "not the right passphrase";
        var wrong = (await _cli.RunAsync("unlock", "--passphrase-file", _cli.WriteFile("wrong.txt", Wrong))).Failed(1);
        Assert.StartsWith("Error: That passphrase does not open this vault.", wrong.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, wrong.Stderr, StringComparison.Ordinal);

        var missing = (await _cli.RunAsync("profile", "history", Guid.NewGuid().ToString())).Failed(1);
        Assert.StartsWith("Error: Not found.", missing.Stderr, StringComparison.Ordinal);

        var exists = (await _cli.RunWithPassphraseAsync("init")).Failed(1);
        Assert.Contains("A vault already exists", exists.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_that_outlives_lock_meets_the_servers_locked_vault()
    {
        await using var server = await RunningServer.StartAsync(_cli.DataDirectory);
        await _cli.InitAsync();
        var token = (await _cli.RunAsync("token", "create", "script", "--json")).Succeeded().Json<OwnerToken>().Token!;
        var cliToken = File.ReadAllText(Path.Combine(_cli.DataDirectory, "cli-token")).Trim();
        (await _cli.RunAsync("lock")).Succeeded();

        _cli.Environment["SYMBOLON_TOKEN"] = token;
        var locked = (await _cli.RunAsync("profile", "show")).Failed(1);
        Assert.Contains("Error: The vault is locked.", locked.Stderr, StringComparison.Ordinal);
        Assert.Contains("symbolon unlock", locked.Stderr, StringComparison.Ordinal);

        // The CLI's own sign-in ended with the lock: its token was revoked on the server, not just deleted here.
        _cli.Environment["SYMBOLON_TOKEN"] = cliToken;
        Assert.Contains("does not accept this CLI's access token", (await _cli.RunAsync("profile", "show")).Failed(1).Stderr, StringComparison.Ordinal);

        _cli.Environment["SYMBOLON_TOKEN"] = "sym_pat_not-a-token";
        Assert.Contains("does not accept this CLI's access token", (await _cli.RunAsync("profile", "show")).Failed(1).Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_taken_through_the_server_restores_locally_to_the_same_export()
    {
        string remoteExport;
        var backup = _cli.PathOf("vault.symbolon-backup");
        await using (var server = await RunningServer.StartAsync(_cli.DataDirectory))
        {
            await _cli.InitAsync();
            await _cli.SetFieldAsync("name", "--given", "Grace", "--family", "Hopper");
            await _cli.SetFieldAsync("email", "grace@example.org");
            remoteExport = (await _cli.RunAsync("export")).Succeeded().Stdout;
            (await _cli.RunAsync("backup", "-o", backup)).Succeeded();

            var refused = (await _cli.RunRawAsync("restore", backup, "--data-dir", _cli.PathOf("elsewhere"), "--server", server.Url.ToString(), "--passphrase-file", _cli.PassphraseFile)).Failed();
            Assert.Contains("a server is in the way", refused.Stderr, StringComparison.Ordinal);
            var alreadyServing = (await _cli.RunAsync("serve", "--urls", "http://127.0.0.1:0")).Failed();
            Assert.Contains("A server already runs", alreadyServing.Stderr, StringComparison.Ordinal);
        }

        // The server is gone (its server.json with it): the same data directory is local again.
        Assert.Equal("local", (await _cli.RunAsync("status", "--json")).Succeeded().Json<CliStatus>().Mode);
        var restored = _cli.PathOf("restored");
        (await _cli.RunRawAsync("restore", backup, "--data-dir", restored, "--passphrase-file", _cli.PassphraseFile)).Succeeded();
        var localExport = (await _cli.RunRawAsync("export", "--data-dir", restored, "--passphrase-file", _cli.PassphraseFile)).Succeeded().Stdout;
        Assert.Equal(remoteExport, localExport);
    }

    public void Dispose() => _cli.Dispose();
}

internal static class RemoteFlow
{
    /// <summary>unlock, profile set, profile show, export, lock — then the locked vault is reported as such.</summary>
    public static async Task RunOwnerFlowAsync(this CliHarness cli, Uri server)
    {
        var unlocked = (await cli.RunWithPassphraseAsync("unlock")).Succeeded();
        Assert.Contains($"on the server at {server}", unlocked.Stdout, StringComparison.Ordinal);

        await cli.SetFieldAsync("email", "ada@example.org", "--label", "work");
        await cli.SetFieldAsync("postal_address", "--street", "1 Main St", "--locality", "Springfield", "--country", "us");
        var show = (await cli.RunAsync("profile", "show")).Succeeded();
        Assert.Contains("ada@example.org", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 Main St, Springfield, US", show.Stdout, StringComparison.Ordinal);

        var export = (await cli.RunAsync("export")).Succeeded();
        Assert.Contains("\"format\": \"symbolon.export\"", export.Stdout, StringComparison.Ordinal);
        Assert.Contains("ada@example.org", export.Stdout, StringComparison.Ordinal);

        var status = (await cli.RunAsync("status", "--json")).Succeeded().Json<CliStatus>();
        Assert.Equal((true, true), (status.Vault.Exists, status.Vault.Unlocked));

        var locked = (await cli.RunAsync("lock")).Succeeded();
        Assert.Contains($"Locked the vault on the server at {server}", locked.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(cli.DataDirectory, CliTokenFile.FileName)));

        // Its token gone with the lock, the CLI is a stranger to the server, which tells strangers only that a vault exists.
        var after = (await cli.RunAsync("profile", "show")).Failed(1);
        Assert.Contains("This CLI is not signed in to the server.", after.Stderr, StringComparison.Ordinal);
        var stranger = (await cli.RunAsync("status", "--json")).Succeeded().Json<CliStatus>().Vault;
        Assert.Equal(new VaultStatus(true, false, null, null, null, null, null), stranger);
    }
}
