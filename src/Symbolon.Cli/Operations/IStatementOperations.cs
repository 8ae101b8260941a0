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

/// <summary>A statement file and how to read it. The file is opened when it is sent or read, and streamed, never read whole.</summary>
internal sealed record StatementUpload(Func<Stream> Open, long Length, string FileName, string? Format, string? Profile, string? Map, string? SaveProfile)
{
    public static StatementUpload FromFile(string path, string? format, string? profile, string? map, string? saveProfile) =>
        new(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan), new FileInfo(path).Length, Path.GetFileName(path), format, profile, map, saveProfile);

    public static StatementUpload FromBytes(byte[] bytes, string fileName, string? format, string? profile, string? map, string? saveProfile) =>
        new(() => new MemoryStream(bytes, writable: false), bytes.Length, fileName, format, profile, map, saveProfile);
}

/// <summary>How far an import is: <c>upload</c> (bytes sent), <c>parse</c> (bytes read, rows so far) or <c>store</c> (rows stored).</summary>
internal readonly record struct StatementProgress(string Stage, long Done, int Rows);

/// <summary>The transaction filters of <c>symbolon transactions</c>; null means any.</summary>
internal sealed record TransactionQuery(
    DateOnly? From = null, DateOnly? To = null, string? Text = null, decimal? Min = null, decimal? Max = null, string? Category = null, string? Merchant = null);
