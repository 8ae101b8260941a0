using Symbolon.Contracts.Statements;
using Symbolon.Core.Statements;
using Symbolon.Server.Statements;

namespace Symbolon.Cli.Operations;

/// <summary>Statements straight on the storage: the same importer and projection the server uses, in this process only.</summary>
internal sealed partial class LocalOwnerOperations
{
    public async Task<ImportSummary> ImportStatementAsync(StatementUpload upload, IProgress<StatementProgress>? progress, CancellationToken ct)
    {
        var session = await SessionAsync(ct);
        var importer = await GetAsync<StatementImporter>(ct);

        // The file streams through the importer; only its head is read ahead, for the format and the columns.
        await using var file = upload.Open();
        var source = await StatementSource.OpenAsync(file, upload.Length, ct);
        var mapping = upload.Map is null ? null : CsvMappingSyntax.Apply(Suggested(source), upload.Map);
        var reports = progress is null ? null : new Progress<ImportProgress>(p =>
            progress.Report(new StatementProgress(p.Stage, p.Stage == "parse" ? p.BytesRead : p.Rows, p.Rows)));
        var summary = await Task.Run(() => importer.ImportAsync(session, source, new ImportRequest(upload.Format, mapping, upload.Profile, upload.FileName), reports, ct), ct);
        if (upload.SaveProfile is not null)
        {
            // Saved once the file imported: the mapping is the one it was read with, from --map or guessed from the file.
            await importer.PutProfileAsync(session.Keys, new ImportProfile(upload.SaveProfile, mapping ?? Suggested(source)), ct);
        }

        return summary;
    }

    /// <summary>The mapping guessed from the file's head, as the server guesses it.</summary>
    internal static CsvMapping Suggested(StatementSource source) => CsvStatementReader.Preview(source.Head, isWholeFile: source.HeadIsWholeFile).Suggested;

    public async Task<TransactionPage> ListTransactionsAsync(TransactionQuery filter, string? cursor, int limit, CancellationToken ct)
    {
        var projection = await ProjectionAsync(ct);
        var (rows, next) = projection.Query(ToFilter(filter), cursor is null ? null : LocalCursor.Decode(cursor), limit);
        return new TransactionPage([.. rows.Select(ImportEndpoints.ToItem)], next is { } n ? LocalCursor.Encode(n) : null);
    }

    public async Task<TransactionTotalsResponse> GetTransactionTotalsAsync(TransactionQuery filter, CancellationToken ct)
    {
        var totals = (await ProjectionAsync(ct)).Totals(ToFilter(filter));
        return new TransactionTotalsResponse(totals.Count, totals.First, totals.Last, [.. totals.Currencies.Select(c => new TransactionCurrencyTotal(c.Currency, c.Count, c.In, c.Out))]);
    }

    public async Task<SqlQueryResult> RunQueryAsync(SqlQueryRequest request, CancellationToken ct) =>
        await (await GetAsync<VaultQueries>(ct)).RunAsync(await SessionAsync(ct), request.Sql, request.MaxRows ?? TransactionSql.DefaultMaxRows, ct);

    /// <summary>The vault's transactions, decrypted once per command into the command's vault session.</summary>
    private async Task<TransactionProjection> ProjectionAsync(CancellationToken ct) =>
        await (await GetAsync<StatementImporter>(ct)).ProjectionAsync(await SessionAsync(ct), ct);

    private static TransactionFilter ToFilter(TransactionQuery q) =>
        TransactionExportEndpoints.Filter(q.From, q.To, q.Text, q.Min, q.Max, q.Category, q.Merchant);

    /// <summary>Within one command the cursor never leaves the process; it is the projection's position as text.</summary>
    private static class LocalCursor
    {
        public static string Encode((int Day, int Position) cursor) => FormattableString.Invariant($"{cursor.Day}.{cursor.Position}");

        public static (int, int) Decode(string cursor)
        {
            var parts = cursor.Split('.');
            return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
