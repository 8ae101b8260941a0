using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;

namespace Symbolon.Core.Statements;

/// <summary>
/// One transaction as a reader hands it on, before dedupe and categorization. A value, not an object: an import reads
/// a million of them one after the other and keeps none (see <see cref="IStatementRowSink"/>).
/// </summary>
internal readonly record struct StatementRow(
    string Account, DateOnly Date, decimal Amount, string Currency, string Description, string? Merchant, string? Reference, decimal? Balance);

/// <summary>Where a reader hands its rows, in file order; an import turns them into sealed chunks as they come.</summary>
internal interface IStatementRowSink
{
    /// <summary>Takes one row. Usually completes at once; it waits when the rows before it are still being sealed.</summary>
    ValueTask AddAsync(in StatementRow row);
}

/// <summary>One transaction as read from a statement, kept as an object: for previews and tests, never for a whole import.</summary>
internal sealed class StatementLine
{
    public required string Account { get; init; }
    public required DateOnly Date { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required string Description { get; init; }
    public string? Merchant { get; init; }

    /// <summary>A bank's own id for the transaction (OFX FITID, camt AcctSvcrRef or EndToEndId), when it gives one.</summary>
    public string? Reference { get; init; }

    public decimal? Balance { get; init; }

    /// <summary>Where the line is in the file ("line 12", "Ntry[3]/TxDtls[2]"), for errors only; never stored.</summary>
    public string? Position { get; init; }

    public string Category { get; set; } = Categories.Uncategorized;
}

/// <summary>A statement read completely: every transaction in it, in file order (small files: previews and tests).</summary>
internal sealed record ParsedStatement(string Format, IReadOnlyList<StatementLine> Lines);

/// <summary>Keeps every row as a <see cref="StatementLine"/>: how previews and tests read a small file whole.</summary>
internal sealed class StatementLineCollector : IStatementRowSink
{
    public List<StatementLine> Lines { get; } = [];

    public ValueTask AddAsync(in StatementRow row)
    {
        Lines.Add(new StatementLine
        {
            Account = row.Account,
            Date = row.Date,
            Amount = row.Amount,
            Currency = row.Currency,
            Description = row.Description,
            Merchant = row.Merchant,
            Reference = row.Reference,
            Balance = row.Balance,
        });
        return ValueTask.CompletedTask;
    }
}

/// <summary>Progress of an import: rows read so far and bytes of the file consumed.</summary>
internal readonly record struct ImportProgress(string Stage, int Rows, long BytesRead, long TotalBytes);

/// <summary>
/// A statement that cannot be imported. The message names where (a line and column, or an element path) and what
/// is wrong, never the value found there: statements are personal data and errors end up in logs and screens.
/// </summary>
internal sealed class StatementException(string position, string problem) : SymbolonProblemException(
    ProblemCodes.InvalidStatement, 400, "The statement cannot be imported; nothing was imported.",
    Sentence($"{position}: {problem}"), message: $"{position}: {problem}")
{
    public string Position { get; } = position;
    public string Problem { get; } = problem;

    /// <summary>"line 3, column amount: …" starts the document's detail, which is a sentence.</summary>
    private static string Sentence(string message) => char.ToUpperInvariant(message[0]) + message[1..];
}

/// <summary>The file's format is not one the importer reads, or the hint names no format.</summary>
internal sealed class UnknownStatementFormatException(string message) : SymbolonProblemException(
    ProblemCodes.UnknownStatementFormat, 400, "The statement's format is not recognised.",
    message + " Supported: CSV, OFX/QFX and camt.053/camt.052.", message);
