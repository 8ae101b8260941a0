namespace Symbolon.Contracts.Problems;

/// <summary>
/// An RFC 9457 problem document as Symbolon servers write it (media type <c>application/problem+json</c>).
/// </summary>
/// <param name="Type">A URI naming the problem type; ends with the <see cref="Code"/>.</param>
/// <param name="Title">A short sentence a person can read.</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Detail">What to do about it, when there is more to say.</param>
/// <param name="Code">The stable code from <see cref="ProblemCodes"/>, for example <c>SYM1003</c>.</param>
/// <param name="Errors">For invalid input: each offending field (a JSON path such as <c>address.country</c>) and why.</param>
/// <param name="TraceId">Ties the response to the server's log.</param>
public sealed record ProblemDocument(
    string? Type = null,
    string? Title = null,
    int? Status = null,
    string? Detail = null,
    string? Code = null,
    IReadOnlyDictionary<string, string[]>? Errors = null,
    string? TraceId = null);
