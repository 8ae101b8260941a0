namespace Symbolon.Cli.Infrastructure;

/// <summary>
/// A failure to show the person as it is: a title, an optional detail, the field errors, and a hint at what to do
/// next. Problem documents from the server and the Core's own exceptions both end up as one of these, so that a
/// command fails with the same words in local and in remote mode.
/// </summary>
internal sealed class CliException(
    string title,
    string? detail = null,
    IReadOnlyDictionary<string, string[]>? errors = null,
    string? code = null,
    int exitCode = ExitCodes.Error,
    string? hint = null) : Exception(title)
{
    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors ?? new Dictionary<string, string[]>();

    /// <summary>The problem code (<c>SYM1102</c> ...) when the failure has one.</summary>
    public string? Code { get; } = code;

    public int ExitCode { get; } = exitCode;

    public string? Hint { get; } = hint;

    public static CliException Usage(string title, string? detail = null) => new(title, detail, exitCode: ExitCodes.Usage);

    /// <summary>The same failure with its field names translated (for example <c>text</c> to the command's VALUE).</summary>
    public CliException WithFieldNames(Func<string, string> rename) =>
        new(Title, Detail, Errors.ToDictionary(e => rename(e.Key), e => e.Value), Code, ExitCode, Hint);

    public CliException WithHint(string? hint) => new(Title, Detail, Errors, Code, ExitCode, hint);
}
