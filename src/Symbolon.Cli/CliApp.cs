using System.CommandLine;
using System.CommandLine.Invocation;
using Symbolon.Cli.Commands;
using Symbolon.Cli.Infrastructure;

namespace Symbolon.Cli;

/// <summary>The <c>symbolon</c> command line: builds the commands and runs one invocation.</summary>
internal static class CliApp
{
    public const string Description =
        "Symbolon: your own vault for the data you share with the organizations you deal with. " +
        "Without a running server the commands open the vault's storage directly; while `symbolon serve` runs " +
        "(or with --server) they go through its owner API.";

    /// <summary>Runs with captured output and exactly the given environment variables (for tests and embedding).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, CancellationToken ct = default) =>
        RunAsync(args, CliEnvironment.Captured(stdout, stderr, environment), ct);

    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken ct = default)
    {
        var root = BuildRootCommand(env);
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction parseError)
        {
            // A command group given alone (`symbolon`, `symbolon profile`) shows what it holds; other mistakes show the error.
            parseError.ShowHelp = parsed.CommandResult.Command.Action is null;
            await parsed.InvokeAsync(new InvocationConfiguration { Output = env.Error, Error = env.Error }, ct);
            if (!parseError.ShowHelp)
            {
                env.Error.WriteLine($"Run '{CommandPath(parsed)} --help' for usage.");
            }

            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = env.Out,
            Error = env.Error,
            EnableDefaultExceptionHandler = false,

            // Note: Ctrl+C is left to the default (end the process) and, under `serve`, to the web host's own handling.
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parsed.InvokeAsync(configuration, ct);
        }
        catch (Exception e)
        {
            return ErrorReporter.Report(env, e);
        }
    }

    public static RootCommand BuildRootCommand(CliEnvironment env)
    {
        var globals = new GlobalOptions();
        var cli = new CliCommands(env, globals);
        var root = new RootCommand(Description);
        root.Options.Add(globals.DataDirectory);
        root.Options.Add(globals.Storage);
        root.Options.Add(globals.ConnectionString);
        root.Options.Add(globals.Server);
        root.Options.Add(globals.PassphraseFile);
        foreach (var command in VaultCommands.Create(cli))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(ProfileCommands.Create(cli));
        foreach (var command in ExportCommands.Create(cli))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(TokenCommands.Create(cli));
        root.Subcommands.Add(SessionCommands.Create(cli));
        root.Subcommands.Add(InboxCommands.Create(cli));
        foreach (var command in RelationshipCommands.Create(cli))
        {
            root.Subcommands.Add(command);
        }

        foreach (var command in StatementCommands.Create(cli))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(InsightCommands.Create(cli));
        root.Subcommands.Add(RequestCommands.Create(cli));
        root.Subcommands.Add(IntentCommands.Create(cli));
        root.Subcommands.Add(PayCommands.Create(cli));
        root.Subcommands.Add(ServeCommand.Create(cli));
        return root;
    }

    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var result = parsed.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Parent is null ? "symbolon" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
