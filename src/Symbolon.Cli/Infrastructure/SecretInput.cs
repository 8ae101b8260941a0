using System.Text;
using Spectre.Console;

namespace Symbolon.Cli.Infrastructure;

/// <summary>Where one kind of secret may come from: an environment variable, a file option, or a prompt.</summary>
/// <param name="What">What it is, as in a sentence: "passphrase", "recovery key".</param>
/// <param name="Variable">The environment variable that may hold it.</param>
/// <param name="FileOption">The command-line option that names a file holding it.</param>
/// <param name="File">The file given with <paramref name="FileOption"/>, if any.</param>
internal sealed record SecretSource(string What, string Variable, string FileOption, string? File);

/// <summary>
/// Reads passphrases and recovery keys: from an environment variable, from the first line of a file, or from a
/// prompt that does not echo. A secret never goes into output or into an exception message.
/// </summary>
internal sealed class SecretInput(CliEnvironment env)
{
    /// <summary>True when the secret can be had without failing: it is given, or a person can type it.</summary>
    public bool IsAvailable(SecretSource source) =>
        env.Get(source.Variable) is not null || source.File is not null || env.IsInputTerminal;

    /// <summary>Reads the secret.</summary>
    /// <param name="source">Where it may come from.</param>
    /// <param name="prompt">What the prompt says, when there is one.</param>
    /// <param name="confirm">Prompt twice and compare (for a new passphrase).</param>
    /// <param name="check">Checked after the first prompt, so that a weak passphrase is refused before it is typed twice.</param>
    public string Read(SecretSource source, string prompt, bool confirm = false, Action<string>? check = null)
    {
        if (env.Get(source.Variable) is { } fromVariable)
        {
            return fromVariable;
        }

        if (source.File is { } path)
        {
            return ReadFile(source, path);
        }

        if (!env.IsInputTerminal)
        {
            throw CliException.Usage(
                $"No {source.What} was given, and there is no terminal to ask for one.",
                $"Set the environment variable {source.Variable}, pass {source.FileOption} PATH (a file whose first line is the {source.What}), or run the command in an interactive terminal.");
        }

        // Note: .NET turns terminal echo off when it first reads a key; touching the console's input first makes
        // that happen before the prompt appears, so that nothing typed ahead of the prompt is echoed.
        _ = Console.KeyAvailable;
        var console = env.ErrorConsole;
        var first = console.Prompt(new TextPrompt<string>($"{prompt}:").Secret(null));
        check?.Invoke(first);
        if (confirm)
        {
            var second = console.Prompt(new TextPrompt<string>($"{prompt} again:").Secret(null));
            if (!string.Equals(first, second, StringComparison.Ordinal))
            {
                throw new CliException($"The two {source.What}s differ.", "Nothing was changed. Run the command again.");
            }
        }

        return first;
    }

    private string ReadFile(SecretSource source, string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"The {source.What} file {path} cannot be read.", e.Message);
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
        {
            env.Error.WriteLine($"Warning: {path} can be read by other users. Make it private with: chmod 600 {path}");
        }

        // The first line is the secret; the newline an editor adds at the end is not part of it.
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        var line = end < 0 ? text : text[..end];
        line = line.TrimEnd('\r');
        if (line.Length == 0)
        {
            throw new CliException($"The {source.What} file {path} is empty.", $"Its first line must be the {source.What}.");
        }

        return line;
    }
}
