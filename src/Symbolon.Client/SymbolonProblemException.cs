using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Contracts.Problems;

namespace Symbolon.Client;

/// <summary>
/// A Symbolon server refused a request and said why in an RFC 9457 problem document. The <see cref="Code"/> is
/// stable across versions (see <see cref="ProblemCodes"/>); the texts are for people.
/// </summary>
public sealed class SymbolonProblemException : Exception
{
    /// <summary>Creates the exception for a problem document.</summary>
    /// <param name="problem">The problem the server returned.</param>
    public SymbolonProblemException(ProblemDocument problem)
        : base(Describe(problem))
    {
        Problem = problem;
    }

    /// <summary>The problem document as the server sent it.</summary>
    public ProblemDocument Problem { get; }

    /// <summary>The HTTP status code.</summary>
    public int Status => Problem.Status ?? 0;

    /// <summary>The stable problem code, for example <c>SYM1102</c> (vault locked).</summary>
    public string? Code => Problem.Code;

    /// <summary>
    /// How long the server asked the client to wait before trying again (its <c>Retry-After</c> header, given in
    /// seconds or as a date), for example with <c>SYM1108</c> (the person is away) or a rate limit; null when it did not
    /// say. A date is counted from the response's own <c>Date</c> header when it has one; a date in the past is zero.
    /// </summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>
    /// Reads a failed response as a problem. Returns null when the response succeeded; a failed response that is not
    /// a problem document yields a problem with the status and reason phrase only.
    /// </summary>
    /// <param name="response">The response to inspect.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    public static async Task<SymbolonProblemException?> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.IsSuccessStatusCode)
        {
            return null;
        }

        ProblemDocument? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                problem = await response.Content.ReadFromJsonAsync<ProblemDocument>(JsonOptions, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                // Not a problem document after all: fall back to the status line below.
            }
        }

        return new SymbolonProblemException(problem ?? new ProblemDocument(Title: response.ReasonPhrase ?? "The request failed.", Status: (int)response.StatusCode))
        {
            RetryAfter = RetryAfterOf(response),
        };
    }

    /// <summary>Throws a <see cref="SymbolonProblemException"/> when the response failed.</summary>
    /// <param name="response">The response to check.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        if (await FromResponseAsync(response, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            throw problem;
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - (response.Headers.Date ?? TimeProvider.System.GetUtcNow());
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static string Describe(ProblemDocument problem)
    {
        var text = string.IsNullOrWhiteSpace(problem.Detail) ? problem.Title ?? "The request failed." : $"{problem.Title} {problem.Detail}";
        if (problem.Errors is { Count: > 0 } errors)
        {
            text += " " + string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
        }

        return problem.Code is null ? text : $"{text} ({problem.Code})";
    }
}
