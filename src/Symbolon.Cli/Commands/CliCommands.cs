using System.CommandLine;
using Symbolon.Cli.Infrastructure;
using Symbolon.Cli.Operations;

namespace Symbolon.Cli.Commands;

/// <summary>The options every command takes.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> DataDirectory { get; } = new("--data-dir")
    {
        Description = $"The data directory (default: ${EnvironmentVariables.DataDirectory}, else your user data folder, e.g. ~/.local/share/symbolon).",
        HelpName = "DIR",
        Recursive = true,
    };

    public Option<string?> Storage { get; } = new("--storage")
    {
        Description = $"Sqlite (the default: symbolon.db in the data directory) or Postgres (default: ${EnvironmentVariables.StorageProvider}).",
        HelpName = "PROVIDER",
        Recursive = true,
    };

    public Option<string?> ConnectionString { get; } = new("--connection-string")
    {
        Description = $"The PostgreSQL connection string (default: ${EnvironmentVariables.StorageConnectionString}, which keeps a password out of the process list).",
        HelpName = "TEXT",
        Recursive = true,
    };

    public Option<string?> Server { get; } = new("--server")
    {
        Description = $"Talk to the Symbolon server at this address (default: ${EnvironmentVariables.Server}, else the server running for the data directory, if any).",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string?> PassphraseFile { get; } = new("--passphrase-file")
    {
        Description = $"Read the passphrase from the first line of this file (or set {EnvironmentVariables.Passphrase}; otherwise it is asked for).",
        HelpName = "PATH",
        Recursive = true,
    };
}

/// <summary>What every command slice needs: the environment, the global options, and a way to run an action safely.</summary>
internal sealed class CliCommands(CliEnvironment env, GlobalOptions globals)
{
    public CliEnvironment Env { get; } = env;

    public GlobalOptions Globals { get; } = globals;

    /// <summary>
    /// Sets the command's action: it gets a <see cref="CliContext"/> for this invocation, and any failure is written
    /// to standard error as a clean message with exit code 1 (2 for usage errors).
    /// </summary>
    public void SetAction(Command command, Func<CliContext, ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (ParseResult result, CancellationToken ct) =>
        {
            try
            {
                var storage = CliContext.ResolveStorage(Env, result.GetValue(Globals.DataDirectory), result.GetValue(Globals.Storage), result.GetValue(Globals.ConnectionString));
                await using var context = new CliContext(Env, storage, result.GetValue(Globals.Server), result.GetValue(Globals.PassphraseFile));
                return await action(context, result, ct);
            }
            catch (Exception e)
            {
                return ErrorReporter.Report(Env, e);
            }
        });

    /// <summary>Writes a line to standard output, control characters made visible (<see cref="Display.Safe"/>).</summary>
    public void Say(string line) => Env.Out.WriteLine(Display.Safe(line, keepLineBreaks: true));

    /// <summary>Writes a note to standard error, where it does not mix with output meant for pipes.</summary>
    public void Note(string line) => Env.Error.WriteLine(Display.Safe(line, keepLineBreaks: true));
}
