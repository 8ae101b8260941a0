using Spectre.Console;

namespace Symbolon.Cli.Infrastructure;

/// <summary>
/// Everything one CLI invocation takes from the outside world: its output streams, its environment variables,
/// whether it talks to a terminal, and the clock. The process passes the real ones (<see cref="FromProcess"/>);
/// tests pass their own, so that nothing process-wide is changed while commands run side by side.
/// </summary>
internal sealed class CliEnvironment
{
    /// <summary>Output wider than a terminal: a table piped to a file or a test is not wrapped at 80 columns.</summary>
    private const int RedirectedWidth = 240;

    private IAnsiConsole? _out;
    private IAnsiConsole? _error;

    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Reads an environment variable; the process's own, or the dictionary a test supplies.</summary>
    public required Func<string, string?> Variables { get; init; }

    public bool IsInputTerminal { get; init; }

    public bool IsOutputTerminal { get; init; }

    public bool IsErrorTerminal { get; init; }

    /// <summary>Binary standard output (exports are written byte for byte); null means <see cref="Out"/> as UTF-8.</summary>
    public Func<Stream>? OpenStandardOutput { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Tables, panels and results (standard output).</summary>
    public IAnsiConsole OutConsole => _out ??= CreateConsole(Out, IsOutputTerminal, interactive: false);

    /// <summary>Prompts, progress, warnings and errors (standard error), so that standard output stays clean for pipes.</summary>
    public IAnsiConsole ErrorConsole => _error ??= CreateConsole(Error, IsErrorTerminal, interactive: IsInputTerminal);

    /// <summary>Both standard input and output are a terminal: a person is there to answer.</summary>
    public bool IsInteractive => IsInputTerminal && IsOutputTerminal;

    public bool Debug => Get(EnvironmentVariables.Debug) is "1" or "true";

    /// <summary>The variable's value, or null when it is unset or empty.</summary>
    public string? Get(string name) => Variables(name) is { Length: > 0 } value ? value : null;

    public Stream OpenOutputStream() => OpenStandardOutput?.Invoke() ?? new TextWriterStream(Out);

    public static CliEnvironment FromProcess() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        Variables = Environment.GetEnvironmentVariable,
        IsInputTerminal = !Console.IsInputRedirected,
        IsOutputTerminal = !Console.IsOutputRedirected,
        IsErrorTerminal = !Console.IsErrorRedirected,
        OpenStandardOutput = Console.OpenStandardOutput,
    };

    /// <summary>An environment whose output is captured and whose variables are exactly <paramref name="variables"/>.</summary>
    public static CliEnvironment Captured(TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> variables, TimeProvider? time = null) => new()
    {
        Out = stdout,
        Error = stderr,
        Variables = name => variables.TryGetValue(name, out var value) ? value : null,
        Time = time ?? TimeProvider.System,
    };

    private static IAnsiConsole CreateConsole(TextWriter writer, bool terminal, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}

/// <summary>The environment variables the CLI reads.</summary>
internal static class EnvironmentVariables
{
    public const string DataDirectory = "SYMBOLON_DATA";
    public const string Server = "SYMBOLON_SERVER";
    public const string Token = "SYMBOLON_TOKEN";
    public const string Session = "SYMBOLON_SESSION";
    public const string Passphrase = "SYMBOLON_PASSPHRASE";
    public const string NewPassphrase = "SYMBOLON_NEW_PASSPHRASE";
    public const string RecoveryKey = "SYMBOLON_RECOVERY_KEY";
    public const string Debug = "SYMBOLON_DEBUG";
    public const string StorageProvider = "Storage__Provider";
    public const string StorageConnectionString = "Storage__ConnectionString";
}

/// <summary>Exit codes: 0 success, 1 an error (the message is on standard error), 2 the command line was wrong.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Error = 1;
    public const int Usage = 2;
}
