using Symbolon.Contracts.Statements;

namespace Symbolon.Cli.Operations;

/// <summary>Statement imports, transactions and queries, locally or through the server (part of <see cref="IOwnerOperations"/>).</summary>
internal interface IStatementOperations
{
    /// <summary>Imports a statement all-or-nothing, reporting upload (remote), parse and store progress when <paramref name="progress"/> is given.</summary>
    Task<ImportSummary> ImportStatementAsync(StatementUpload upload, IProgress<StatementProgress>? progress, CancellationToken ct);

    Task<TransactionPage> ListTransactionsAsync(TransactionQuery filter, string? cursor, int limit, CancellationToken ct);

    Task<TransactionTotalsResponse> GetTransactionTotalsAsync(TransactionQuery filter, CancellationToken ct);

    Task<SqlQueryResult> RunQueryAsync(SqlQueryRequest request, CancellationToken ct);
}

/// <summary>A statement file and how to read it.</summary>
internal sealed record StatementUpload(byte[] Bytes, string FileName, string? Format, string? Profile, string? Map, string? SaveProfile);

/// <summary>How far an import is: <c>upload</c> (bytes sent), <c>parse</c> (bytes read, rows so far) or <c>store</c> (rows stored).</summary>
internal readonly record struct StatementProgress(string Stage, long Done, int Rows);

/// <summary>The transaction filters of <c>symbolon transactions</c>; null means any.</summary>
internal sealed record TransactionQuery(
    DateOnly? From = null, DateOnly? To = null, string? Text = null, decimal? Min = null, decimal? Max = null, string? Category = null, string? Merchant = null);
