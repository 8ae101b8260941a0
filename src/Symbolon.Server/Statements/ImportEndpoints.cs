using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Statements;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;
using Symbolon.Server.Errors;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Statements;

/// <summary>
/// Owner API for statement imports, import profiles and the transactions they brought. A statement is uploaded as
/// the raw request body (any content type) or as multipart form data (a <c>file</c> part, optionally a
/// <c>mapping</c> part holding a CSV mapping as JSON); the query names the format, a profile, or a mapping.
/// </summary>
internal static class ImportEndpoints
{
    public const int MaxPageSize = 1000;

    public static RouteGroupBuilder MapImportEndpoints(this IEndpointRouteBuilder routes)
    {
        var imports = routes.MapGroup("/").WithTags("Imports").RequireAuthorization(OwnerAuthentication.Policy);
        imports.MapPost("/imports", Import).WithName("ImportStatement")
            .WithSummary("Imports a statement (CSV, OFX/QFX, camt.053/052) all-or-nothing; returns what was added and what was already there.");
        imports.MapPost("/imports/preview", Preview).WithName("PreviewCsvStatement")
            .WithSummary("The first rows of a CSV statement and the column mapping suggested for it.");
        imports.MapGet("/imports", History).WithName("ListImports").WithSummary("Every import, newest first.");
        imports.MapGet("/import-profiles", ListProfiles).WithName("ListImportProfiles").WithSummary("The saved CSV import profiles.");
        imports.MapGet("/import-profiles/{name}", GetProfile).WithName("GetImportProfile").WithSummary("One saved CSV import profile.");
        imports.MapPut("/import-profiles/{name}", PutProfile).WithName("PutImportProfile").WithSummary("Saves a CSV mapping under a name, replacing one of that name.");
        imports.MapDelete("/import-profiles/{name}", DeleteProfile).WithName("DeleteImportProfile").WithSummary("Deletes a saved CSV import profile.");
        imports.MapGet("/transactions", Transactions).WithName("ListTransactions")
            .WithSummary("Imported transactions, newest first, filtered by date range, amount range, text, category and merchant.");
        return imports;
    }

    internal static async Task<Ok<ImportSummary>> Import(HttpRequest request, string? format, string? profile, string? map, string? fileName, VaultSession session, StatementImporter importer, CancellationToken ct)
    {
        _ = session.Keys;
        await using var upload = await OpenUploadAsync(request, ct);
        var summary = await importer.ImportAsync(session, upload.Source, upload.Request(format, profile, map, fileName), null, ct);
        return TypedResults.Ok(summary);
    }

    internal static async Task<Ok<CsvPreview>> Preview(HttpRequest request, VaultSession session, CancellationToken ct)
    {
        _ = session.Keys;
        await using var upload = await OpenUploadAsync(request, ct);
        return TypedResults.Ok(upload.Preview());
    }

    internal static async Task<Ok<IReadOnlyList<ImportSummary>>> History(VaultSession session, StatementImporter importer, CancellationToken ct) =>
        TypedResults.Ok(await importer.HistoryAsync(session.Keys, ct));

    internal static async Task<Ok<IReadOnlyList<ImportProfile>>> ListProfiles(VaultSession session, StatementImporter importer, CancellationToken ct) =>
        TypedResults.Ok(await importer.ProfilesAsync(session.Keys, ct));

    internal static async Task<Ok<ImportProfile>> GetProfile(string name, VaultSession session, StatementImporter importer, CancellationToken ct) =>
        TypedResults.Ok(await importer.FindProfileAsync(session.Keys, name, ct) ?? throw new ImportProfileNotFoundException());

    internal static async Task<Ok<ImportProfile>> PutProfile(string name, CsvMapping mapping, VaultSession session, StatementImporter importer, CancellationToken ct) =>
        TypedResults.Ok(await importer.PutProfileAsync(session.Keys, new ImportProfile(name, mapping), ct));

    internal static async Task<NoContent> DeleteProfile(string name, VaultSession session, StatementImporter importer, CancellationToken ct) =>
        await importer.DeleteProfileAsync(session.Keys, name, ct) ? TypedResults.NoContent() : throw new ImportProfileNotFoundException();

    internal static async Task<Ok<TransactionPage>> Transactions(
        DateOnly? from, DateOnly? to, string? text, decimal? min, decimal? max, string? category, string? merchant, int? limit, string? cursor,
        VaultSession session, StatementImporter importer, CancellationToken ct)
    {
        var keys = session.Keys;
        if (limit is < 1 or > MaxPageSize)
        {
            throw ValidationFailedException.For("limit", $"Ask for 1 to {MaxPageSize} transactions per page.");
        }

        var projection = await importer.ProjectionAsync(session, ct);
        var filter = new TransactionFilter(from, to, Blank(text), min, max, Blank(category), Blank(merchant));
        var (rows, next) = projection.Query(filter, DecodeCursor(cursor), limit ?? 100);
        return TypedResults.Ok(new TransactionPage([.. rows.Select(ToItem)], next is { } n ? EncodeCursor(n) : null));
    }

    internal static TransactionItem ToItem(TransactionRow row) =>
        new($"{row.BatchId:N}-{row.Row.ToString(CultureInfo.InvariantCulture)}", row.Date, row.Amount, row.Currency, row.Description, row.Merchant, row.Category, row.Account, row.BatchId);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string EncodeCursor((int Day, int Position) cursor) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{cursor.Day}.{cursor.Position}")));

    private static (int, int)? DecodeCursor(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }

        try
        {
            var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor)).Split('.');
            if (parts.Length == 2
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var day)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            {
                return (day, position);
            }
        }
        catch (FormatException)
        {
        }

        throw new ValidationFailedException(new Dictionary<string, string[]> { ["cursor"] = ["The cursor is not one this API returned; start again without it."] });
    }

    /// <summary>An upload being read: the statement as a stream (its head already read) and what came with it.</summary>
    internal sealed class Upload(StatementSource source, string? formFileName, string? formFormat, string? formProfile, CsvMapping? formMapping, Stream? owned = null) : IAsyncDisposable
    {
        public StatementSource Source { get; } = source;

        /// <summary>The first rows and the mapping suggested for them, from the head alone.</summary>
        public CsvPreview Preview() => CsvStatementReader.Preview(Source.Head, isWholeFile: Source.HeadIsWholeFile);

        /// <summary>The import request from the query (which wins) and the form's parts; <c>map</c> changes the form's mapping or the suggested one.</summary>
        public ImportRequest Request(string? format, string? profile, string? map, string? fileName)
        {
            var chosen = formMapping;
            if (map is not null)
            {
                chosen = CsvMappingSyntax.Apply(chosen ?? Preview().Suggested, map);
            }

            return new ImportRequest(format ?? formFormat, chosen, profile ?? formProfile, fileName ?? formFileName);
        }

        public ValueTask DisposeAsync() => owned?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <summary>
    /// Opens the statement for reading. A raw body streams into the importer as it arrives (only its head is read
    /// here, to recognise the format and columns), so a large statement is never held in memory whole; a form's file
    /// part is read from where ASP.NET Core buffered it.
    /// </summary>
    internal static async Task<Upload> OpenUploadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions { MultipartBodyLengthLimit = RequestLimits.MaxStatementBytes }, ct);
            var file = form.Files.GetFile("file") ?? throw ValidationFailedException.For("file", "Attach the statement as the form part named file.");
            CsvMapping? mapping = null;
            if (form.TryGetValue("mapping", out var mappingJson) && !string.IsNullOrWhiteSpace(mappingJson))
            {
                try
                {
                    mapping = JsonSerializer.Deserialize<CsvMapping>(mappingJson.ToString(), JsonSerializerOptions.Web);
                }
                catch (JsonException)
                {
                    throw ValidationFailedException.For("mapping", "The mapping is not a CSV mapping in JSON.");
                }
            }

            var stream = file.OpenReadStream();
            return new Upload(await StatementSource.OpenAsync(stream, file.Length, ct), file.FileName, form["format"].FirstOrDefault(), form["profile"].FirstOrDefault(), mapping, stream);
        }

        var source = await StatementSource.OpenAsync(request.Body, request.ContentLength, ct);
        if (source.Head.Length == 0)
        {
            throw ValidationFailedException.For("file", "Send the statement as the request body.");
        }

        return new Upload(source, null, null, null, null);
    }
}

/// <summary>
/// The short mapping syntax of the CLI's <c>--map</c> and the API's <c>map</c> parameter:
/// <c>date=Buchungstag,amount=Betrag,dateFormat=dd.MM.yyyy,decimal=comma</c>. Keys not given keep the suggested value.
/// </summary>
internal static class CsvMappingSyntax
{
    public static CsvMapping Apply(CsvMapping mapping, string syntax)
    {
        foreach (var part in syntax.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw ValidationFailedException.For("map", "Write the mapping as key=value pairs separated by commas, for example date=Date,amount=Amount.");
            }

            var key = part[..eq].Trim().ToLowerInvariant();
            var value = part[(eq + 1)..].Trim();
            string? column = value.Length == 0 ? null : value;
            mapping = key switch
            {
                "date" => mapping with { Date = column },
                "amount" => mapping with { Amount = column, Debit = column is null ? mapping.Debit : null, Credit = column is null ? mapping.Credit : null },
                "debit" => mapping with { Debit = column, Amount = null },
                "credit" => mapping with { Credit = column, Amount = null },
                "description" => mapping with { Description = column },
                "merchant" => mapping with { Merchant = column },
                "currency" => mapping with { Currency = column },
                "balance" => mapping with { Balance = column },
                "reference" => mapping with { Reference = column },
                "dateformat" => mapping with { DateFormat = value },
                "decimal" => mapping with { DecimalSeparator = Symbol(value), ThousandsSeparator = Symbol(value) == "," ? "." : "," },
                "thousands" => mapping with { ThousandsSeparator = Symbol(value) },
                "delimiter" => mapping with { Delimiter = Symbol(value) },
                "encoding" => mapping with { Encoding = value },
                "header" => mapping with { HasHeader = !value.Equals("false", StringComparison.OrdinalIgnoreCase) && value != "no" },
                "defaultcurrency" => mapping with { DefaultCurrency = value },
                "account" => mapping with { Account = value },
                _ => throw ValidationFailedException.For("map", $"Unknown mapping key '{key}'. Use date, amount, debit, credit, description, merchant, currency, balance, reference, dateFormat, decimal, thousands, delimiter, encoding, header, defaultCurrency or account."),
            };
        }

        return mapping;
    }

    private static string Symbol(string word) => word.ToLowerInvariant() switch
    {
        "comma" => ",",
        "point" or "dot" or "period" => ".",
        "semicolon" => ";",
        "tab" => "\t",
        "pipe" => "|",
        "space" => " ",
        "apostrophe" => "'",
        "none" => "",
        _ => word,
    };
}
