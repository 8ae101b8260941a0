using System.Globalization;
using System.Text.Json;
using System.Text;
using CsvHelper.Configuration;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Statements;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Statements;

/// <summary>
/// Downloads of the transactions a filter selects, as CSV or JSON: the same filters as the listing, without paging.
/// The web app links here (the session cookie signs the download in); the CLI and scripts use a token.
/// </summary>
internal static class TransactionExportEndpoints
{
    public static RouteGroupBuilder MapTransactionExportEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/").WithTags("Imports").RequireAuthorization(OwnerAuthentication.Policy);
        group.MapGet("/transactions/export", Export).WithName("ExportTransactions")
            .WithSummary("The filtered transactions as a CSV or JSON download (newest first), for spreadsheets and scripts.");
        group.MapGet("/transactions/totals", Totals).WithName("TransactionTotals")
            .WithSummary("How many transactions a filter selects, their money in and out per currency, and their first and last day.");
        return group;
    }

    internal static async Task<PushStreamHttpResult> Export(
        string? format, DateOnly? from, DateOnly? to, string? text, decimal? min, decimal? max, string? category, string? merchant,
        VaultSession session, StatementImporter importer, TimeProvider time, CancellationToken ct)
    {
        var keys = session.Keys;
        var kind = (format ?? "csv").Trim().ToLowerInvariant();
        if (kind is not ("csv" or "json"))
        {
            throw ValidationFailedException.For("format", "Choose csv or json.");
        }

        var projection = await importer.ProjectionAsync(session, ct);
        var (rows, _) = projection.Query(Filter(from, to, text, min, max, category, merchant), null, int.MaxValue);
        var items = rows.Select(ImportEndpoints.ToItem);
        var name = string.Create(CultureInfo.InvariantCulture, $"transactions-{time.GetUtcNow():yyyy-MM-dd}.{kind}");
        return kind == "json"
            ? TypedResults.Stream(stream => JsonSerializer.SerializeAsync(stream, items, ExportJson, ct), "application/json", name)
            : TypedResults.Stream(stream => WriteCsvAsync(stream, items, ct), "text/csv; charset=utf-8", name);
    }

    internal static async Task<Ok<TransactionTotalsResponse>> Totals(
        DateOnly? from, DateOnly? to, string? text, decimal? min, decimal? max, string? category, string? merchant,
        VaultSession session, StatementImporter importer, CancellationToken ct)
    {
        var projection = await importer.ProjectionAsync(session, ct);
        var totals = projection.Totals(Filter(from, to, text, min, max, category, merchant));
        return TypedResults.Ok(new TransactionTotalsResponse(
            totals.Count, totals.First, totals.Last, [.. totals.Currencies.Select(c => new TransactionCurrencyTotal(c.Currency, c.Count, c.In, c.Out))]));
    }

    internal static TransactionFilter Filter(DateOnly? from, DateOnly? to, string? text, decimal? min, decimal? max, string? category, string? merchant) =>
        new(from, to, Blank(text), min, max, Blank(category), Blank(merchant));

    /// <summary>Writes transactions as RFC 4180 CSV with a header row, amounts with a point and no thousands separator.</summary>
    internal static async Task WriteCsvAsync(Stream stream, IEnumerable<TransactionItem> items, CancellationToken ct)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
        await using var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture));
        foreach (var header in (string[])["date", "amount", "currency", "description", "merchant", "category", "account", "id"])
        {
            csv.WriteField(header);
        }

        await csv.NextRecordAsync();
        foreach (var item in items)
        {
            ct.ThrowIfCancellationRequested();
            csv.WriteField(item.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            csv.WriteField(item.Amount.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(item.Currency);
            csv.WriteField(SpreadsheetSafe(item.Description));
            csv.WriteField(SpreadsheetSafe(item.Merchant));
            csv.WriteField(SpreadsheetSafe(item.Category));
            csv.WriteField(SpreadsheetSafe(item.Account));
            csv.WriteField(item.Id);
            await csv.NextRecordAsync();
        }
    }

    /// <summary>
    /// Statement text comes from banks and merchants: a description that starts like a formula would run as one when
    /// the file is opened in a spreadsheet, so it is prefixed with an apostrophe (OWASP's advice for CSV injection).
    /// Amounts are written as numbers and need no such care.
    /// </summary>
    internal static string? SpreadsheetSafe(string? text) =>
        text is { Length: > 0 } && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;

    private static readonly JsonSerializerOptions ExportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
