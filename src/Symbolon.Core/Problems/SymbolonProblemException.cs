namespace Symbolon.Core.Problems;

/// <summary>
/// A failure the caller can act on, carrying everything its RFC 9457 problem document says: the stable code from
/// <see cref="Contracts.Problems.ProblemCodes"/>, the HTTP status, a plain title and sentence, the fields at fault and
/// any further members. The host writes it as it is, so a feature adds problems without touching the host. Messages
/// never quote a value the person or a vendor sent: they name fields.
/// </summary>
/// <remarks>
/// Features either throw this directly or derive a named exception from it where code needs to catch that one case
/// (a wrong passphrase on the unlock page, a lapsed card request). Core knows nothing of ASP.NET Core: the status is
/// a number and the host does the writing.
/// </remarks>
internal class SymbolonProblemException : Exception
{
    /// <summary>A problem whose message (for logs and the CLI) is the title followed by the detail.</summary>
    public SymbolonProblemException(string code, int status, string title, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
        : this(code, status, title, detail, title + " " + detail, errors)
    {
    }

    /// <summary>For derived exceptions whose message differs from what the document says.</summary>
    protected SymbolonProblemException(string code, int status, string title, string detail, string message, IReadOnlyDictionary<string, string[]>? errors = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Status = status;
        Title = title;
        Detail = detail;
        Errors = errors;
    }

    /// <summary>The stable problem code, for example <c>SYM1102</c>; the document's <c>type</c> ends in it.</summary>
    public string Code { get; }

    /// <summary>The HTTP status the document is sent with.</summary>
    public int Status { get; }

    /// <summary>What went wrong, in a short sentence.</summary>
    public string Title { get; }

    /// <summary>What the caller can do about it.</summary>
    public string Detail { get; }

    /// <summary>The fields at fault (JSON paths, camelCase) and why: the document's <c>errors</c> member, when there are any.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; }

    /// <summary>Further members of the document, written after <c>code</c>, when there are any.</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; init; }

    /// <summary>Seconds the caller should wait before trying again; the host sends them as <c>Retry-After</c>.</summary>
    public int? RetryAfterSeconds { get; init; }
}
