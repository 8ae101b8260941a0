using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Symbolon.Cli.Operations;

namespace Symbolon.Cli.Tests;

/// <summary>Local <c>unlock</c> starts a CLI session that later commands open with SYMBOLON_SESSION; <c>lock</c> ends it.</summary>
public sealed class SessionTests : IDisposable
{
    private readonly CliHarness _cli = new();

    private string SessionFile => Path.Combine(_cli.DataDirectory, CliSession.FileName);

    [Fact]
    public async Task Unlock_starts_a_session_that_later_commands_use_until_lock()
    {
        await _cli.InitAsync();
        var unlocked = (await _cli.RunWithPassphraseAsync("unlock")).Succeeded();
        var secret = ParseExportLine(unlocked.Stdout);
        Assert.Contains("SYMBOLON_SESSION", unlocked.Stderr, StringComparison.Ordinal);
        LocalModeTests.AssertOwnerOnly(SessionFile);

        // The file alone holds no key: only the data key sealed with the secret, which is not in it.
        var file = await File.ReadAllTextAsync(SessionFile);
        Assert.DoesNotContain(secret, file, StringComparison.Ordinal);
        Assert.Equal(["vaultId", "expiresAt", "sealedKey"], JsonNode.Parse(file)!.AsObject().Select(p => p.Key));

        // No passphrase from here on: the session opens the vault.
        _cli.Environment["SYMBOLON_SESSION"] = secret;
        await _cli.SetFieldAsyncWithoutPassphrase("email", "ada@example.org");
        Assert.Contains("ada@example.org", (await _cli.RunAsync("profile", "show")).Succeeded().Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^Unlocked:\s+yes$", (await _cli.RunAsync("status")).Succeeded().Stdout);

        var locked = (await _cli.RunAsync("lock")).Succeeded();
        Assert.Contains("Ended the CLI session.", locked.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(SessionFile));

        var after = (await _cli.RunAsync("profile", "show")).Failed();
        Assert.Contains("The CLI session cannot be used: there is no CLI session", after.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^Unlocked:\s+no$", (await _cli.RunAsync("status")).Succeeded().Stdout);
    }

    [Fact]
    public async Task A_session_expires_after_twelve_hours()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        _cli.Time = time;
        await _cli.InitAsync();
        _cli.Environment["SYMBOLON_SESSION"] = ParseExportLine((await _cli.RunWithPassphraseAsync("unlock")).Succeeded().Stdout);

        time.Advance(TimeSpan.FromHours(11.9));
        (await _cli.RunAsync("profile", "show")).Succeeded();

        time.Advance(TimeSpan.FromHours(0.2));
        var expired = (await _cli.RunAsync("profile", "show")).Failed();
        Assert.Contains("the CLI session has expired", expired.Stderr, StringComparison.Ordinal);

        // With a passphrase at hand the command goes on, and says why it did not use the session.
        var fallback = (await _cli.RunWithPassphraseAsync("profile", "show")).Succeeded();
        Assert.Contains("using the passphrase instead", fallback.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_secret_of_the_latest_unlock_opens_the_session()
    {
        await _cli.InitAsync();
        var first = ParseExportLine((await _cli.RunWithPassphraseAsync("unlock")).Succeeded().Stdout);
        var second = ParseExportLine((await _cli.RunWithPassphraseAsync("unlock")).Succeeded().Stdout);
        Assert.NotEqual(first, second);

        _cli.Environment["SYMBOLON_SESSION"] = first;
        Assert.Contains("from an earlier unlock", (await _cli.RunAsync("profile", "show")).Failed().Stderr, StringComparison.Ordinal);

        _cli.Environment["SYMBOLON_SESSION"] = "not base64url!";
        Assert.Contains("is not a session secret", (await _cli.RunAsync("profile", "show")).Failed().Stderr, StringComparison.Ordinal);

        _cli.Environment["SYMBOLON_SESSION"] = second;
        (await _cli.RunAsync("profile", "show")).Succeeded();
    }

    [Fact]
    public async Task Moving_the_expiry_in_the_session_file_breaks_the_session()
    {
        await _cli.InitAsync();
        _cli.Environment["SYMBOLON_SESSION"] = ParseExportLine((await _cli.RunWithPassphraseAsync("unlock")).Succeeded().Stdout);

        var session = JsonNode.Parse(await File.ReadAllTextAsync(SessionFile))!.AsObject();
        session["expiresAt"] = JsonValue.Create(DateTimeOffset.Parse(session["expiresAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).AddDays(30));
        await File.WriteAllTextAsync(SessionFile, session.ToJsonString());

        Assert.Contains("does not open the current CLI session", (await _cli.RunAsync("profile", "show")).Failed().Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_passphrase_starts_no_session()
    {
        await _cli.InitAsync();
        var wrong = (await _cli.RunAsync("unlock", "--passphrase-file", _cli.WriteFile("wrong.txt", "not the right passphrase"))).Failed();
        Assert.Empty(wrong.Stdout);
        Assert.False(File.Exists(SessionFile));
    }

    private static string ParseExportLine(string stdout)
    {
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("export SYMBOLON_SESSION=", line, StringComparison.Ordinal);
        var secret = line["export SYMBOLON_SESSION=".Length..];
        Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(secret).Length);
        return secret;
    }

    public void Dispose() => _cli.Dispose();
}

internal static class SessionHarnessExtensions
{
    /// <summary>Adds a field with no passphrase source at all, so that only the session can open the vault.</summary>
    public static async Task SetFieldAsyncWithoutPassphrase(this CliHarness cli, params string[] args)
    {
        var result = (await cli.RunAsync(["profile", "set", .. args, "--json"])).Succeeded();
        Assert.NotEqual(Guid.Empty, JsonSerializer.Deserialize<Contracts.Profile.ProfileField>(result.Stdout, Infrastructure.CliJson.Wire)!.Id);
    }
}
