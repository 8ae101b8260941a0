namespace Symbolon.Contracts.Statements;

/// <summary>
/// One line of an import's progress stream (<c>POST /imports/stream</c>, <c>application/x-ndjson</c>): progress
/// lines while the import runs, then exactly one line with either <see cref="Summary"/> or <see cref="Problem"/>.
/// </summary>
/// <param name="Stage"><c>parse</c> (reading and checking rows) or <c>store</c> (encrypting and storing them); null on the last line.</param>
/// <param name="Rows">Rows read (parse) or stored (store) so far.</param>
/// <param name="BytesRead">Bytes of the file read so far (parse).</param>
/// <param name="TotalBytes">The file's size.</param>
/// <param name="Summary">On the last line of a successful import: what it added.</param>
/// <param name="Problem">On the last line of a failed import: why nothing was imported.</param>
public sealed record ImportProgressLine(
    string? Stage = null,
    int? Rows = null,
    long? BytesRead = null,
    long? TotalBytes = null,
    ImportSummary? Summary = null,
    ImportStreamProblem? Problem = null);

/// <summary>A failed import in a progress stream, with the same code, title and detail as the problem document would have.</summary>
/// <param name="Code">The stable problem code, for example <c>SYM2001</c>.</param>
/// <param name="Title">What went wrong, in one sentence.</param>
/// <param name="Detail">Where (a line or element) and what to do.</param>
public sealed record ImportStreamProblem(string Code, string? Title, string? Detail);
