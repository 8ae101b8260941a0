using System.Net;

namespace Symbolon.Intents;

/// <summary>
/// An intent exchange answered with a problem document (RFC 9457): <see cref="Code"/> is one of
/// <see cref="ExchangeProblemCodes"/>, <see cref="Errors"/> names the fields at fault (never their values).
/// </summary>
public sealed class ExchangeProblemException : Exception
{
    /// <summary>Creates the exception for an empty answer.</summary>
    public ExchangeProblemException()
        : this("", 0, "The exchange refused the request.", null, null, null)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public ExchangeProblemException(string message)
        : this("", 0, message, null, null, null)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public ExchangeProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "";
        Title = message;
        Errors = new Dictionary<string, string[]>();
    }

    /// <summary>Creates the exception from a problem document's members.</summary>
    /// <param name="code">The problem's <c>code</c> (empty when the answer carried none).</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail, if any.</param>
    /// <param name="errors">The fields at fault, if any.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> the exchange asked for, if any.</param>
    public ExchangeProblemException(string code, int status, string title, string? detail, IReadOnlyDictionary<string, string[]>? errors, TimeSpan? retryAfter)
        : base(detail is null ? title : title + " " + detail)
    {
        Code = code;
        Status = (HttpStatusCode)status;
        Title = title;
        Detail = detail;
        Errors = errors ?? new Dictionary<string, string[]>();
        RetryAfter = retryAfter;
    }

    /// <summary>The problem code (<see cref="ExchangeProblemCodes"/>), or empty when the answer was not a problem document.</summary>
    public string Code { get; }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The problem's title: what went wrong, in a sentence.</summary>
    public string Title { get; }

    /// <summary>The problem's detail, if any: what to do about it.</summary>
    public string? Detail { get; }

    /// <summary>The fields at fault, keyed by JSON member path; empty when the problem is not about fields.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>How long to wait before trying again, for <see cref="ExchangeProblemCodes.RateLimited"/>.</summary>
    public TimeSpan? RetryAfter { get; }
}
