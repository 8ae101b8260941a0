using System.Text.Json;
using System.Text.RegularExpressions;
using Symbolon.Cli.Infrastructure;

namespace Symbolon.Cli.Tests;

/// <summary>What one CLI invocation printed and returned.</summary>
internal sealed record CliResult(string[] Args, int ExitCode, string Stdout, string Stderr)
{
    public CliResult Succeeded()
    {
        Assert.True(ExitCode == ExitCodes.Success, Describe($"expected exit code 0, got {ExitCode}"));
        return this;
    }

    public CliResult Failed(int exitCode = ExitCodes.Error)
    {
        Assert.True(ExitCode == exitCode, Describe($"expected exit code {exitCode}, got {ExitCode}"));
        return this;
    }

    public T Json<T>() => JsonSerializer.Deserialize<T>(Stdout, CliJson.Wire) ?? throw new InvalidOperationException("The output is JSON null.");

    public string Describe(string message) => $"{message}\n$ symbolon {string.Join(' ', Args)}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the <c>symbolon</c> command line in this process against its own temporary data directory, with captured
/// output and an environment of its own (nothing process-wide is touched, so harnesses can run side by side).
/// Intent methods cover the steps most tests share.
/// </summary>
internal sealed partial class CliHarness : IDisposable
{
    public const string Passphrase = "correct horse battery staple";

    public CliHarness()
    {
        Root = Directory.CreateTempSubdirectory("symbolon-cli-test-").FullName;
        DataDirectory = Path.Combine(Root, "data");
        PassphraseFile = WriteFile("passphrase.txt", Passphrase + "\n");
    }

    public string Root { get; }

    public string DataDirectory { get; }

    public string PassphraseFile { get; }

    /// <summary>The environment variables the CLI sees: exactly these.</summary>
    public Dictionary<string, string?> Environment { get; } = [];

    public TimeProvider Time { get; set; } = TimeProvider.System;

    public string PathOf(string name) => Path.Combine(Root, name);

    public string WriteFile(string name, string contents)
    {
        var path = PathOf(name);
        File.WriteAllText(path, contents);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    /// <summary>How long one invocation may take before it is cancelled (so that a hang fails the test instead).</summary>
    public static readonly TimeSpan InvocationTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs exactly these arguments.</summary>
    public Task<CliResult> RunRawAsync(params string[] args) => RunRawAsync(CancellationToken.None, args);

    public async Task<CliResult> RunRawAsync(CancellationToken ct, params string[] args)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(InvocationTimeout);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var env = CliEnvironment.Captured(stdout, stderr, Environment, Time);
        var exitCode = await CliApp.RunAsync(args, env, timeout.Token);
        var result = new CliResult(args, exitCode, stdout.ToString(), stderr.ToString());
        Assert.DoesNotContain(Passphrase, result.Stdout + result.Stderr, StringComparison.Ordinal);
        return result;
    }

    /// <summary>Runs with <c>--data-dir</c> of this harness.</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunRawAsync([.. args, "--data-dir", DataDirectory]);

    /// <summary>Runs with <c>--data-dir</c> and the passphrase from <c>--passphrase-file</c>.</summary>
    public Task<CliResult> RunWithPassphraseAsync(params string[] args) => RunAsync([.. args, "--passphrase-file", PassphraseFile]);

    /// <summary>Creates the vault and returns its recovery key.</summary>
    public async Task<string> InitAsync(params string[] extra)
    {
        var init = (await RunWithPassphraseAsync(["init", .. extra])).Succeeded();
        var match = RecoveryKeyPattern().Match(init.Stdout);
        Assert.True(match.Success, init.Describe("no recovery key of 13 groups of 4 in the output"));
        return match.Value;
    }

    /// <summary>Adds (or with --id changes) a field and returns its id.</summary>
    public async Task<Guid> SetFieldAsync(params string[] args)
    {
        var set = (await RunWithPassphraseAsync(["profile", "set", .. args, "--json"])).Succeeded();
        return set.Json<Contracts.Profile.ProfileField>().Id;
    }

    [GeneratedRegex("(?<![A-Z2-7])[A-Z2-7]{4}(-[A-Z2-7]{4}){12}(?![A-Z2-7-])")]
    public static partial Regex RecoveryKeyPattern();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open (a pooled SQLite connection) is left for the system's temp cleaning.
        }
    }
}
