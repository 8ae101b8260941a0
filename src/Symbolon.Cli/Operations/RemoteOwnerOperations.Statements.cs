using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Symbolon.Cli.Infrastructure;
using Symbolon.Contracts.Statements;

namespace Symbolon.Cli.Operations;

/// <summary>Statements through the owner API: the import streams its progress back as JSON lines.</summary>
internal sealed partial class RemoteOwnerOperations
{
    public async Task<ImportSummary> ImportStatementAsync(StatementUpload upload, IProgress<StatementProgress>? progress, CancellationToken ct)
    {
        var query = new List<string> { "fileName=" + Uri.EscapeDataString(upload.FileName) };
        if (upload.Format is not null)
        {
            query.Add("format=" + Uri.EscapeDataString(upload.Format));
        }

        if (upload.Profile is not null)
        {
            query.Add("profile=" + Uri.EscapeDataString(upload.Profile));
        }

        if (upload.Map is not null)
        {
            query.Add("map=" + Uri.EscapeDataString(upload.Map));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, Api + "imports/stream?" + string.Join('&', query))
        {
            Content = new UploadContent(upload, progress),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token ?? throw await NotSignedInAsync(ct));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw await ReadProblemAsync(response, ct);
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            if (text.Length == 0)
            {
                continue;
            }

            var line = JsonSerializer.Deserialize<ImportProgressLine>(text, CliJson.Wire)!;
            if (line.Summary is { } summary)
            {
                if (upload.SaveProfile is not null)
                {
                    // Saved once the file imported: the mapping is the one it was read with, the guess from the file's
                    // head (the server's own) changed by --map.
                    await using var file = upload.Open();
                    var suggested = LocalOwnerOperations.Suggested(await Symbolon.Core.Statements.StatementSource.OpenAsync(file, upload.Length, ct));
                    var mapping = upload.Map is null ? suggested : Symbolon.Server.Statements.CsvMappingSyntax.Apply(suggested, upload.Map);
                    await SendAsync<ImportProfile>(HttpMethod.Put, "import-profiles/" + Uri.EscapeDataString(upload.SaveProfile), mapping, authenticated: true, ct);
                }

                return summary;
            }

            if (line.Problem is { } problem)
            {
                throw new CliException(problem.Title ?? "The statement cannot be imported.", problem.Detail, code: problem.Code);
            }

            if (line.Stage is { } stage)
            {
                progress?.Report(new StatementProgress(stage, stage == "parse" ? line.BytesRead ?? 0 : line.Rows ?? 0, line.Rows ?? 0));
            }
        }

        throw new CliException("The server ended the import's answer early.", "The import may or may not have happened; see `symbolon transactions`.");
    }

    public Task<TransactionPage> ListTransactionsAsync(TransactionQuery filter, string? cursor, int limit, CancellationToken ct) =>
        SendAsync<TransactionPage>(HttpMethod.Get, "transactions?" + FilterQuery(filter, ("limit", limit.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor)), null, authenticated: true, ct);

    public Task<TransactionTotalsResponse> GetTransactionTotalsAsync(TransactionQuery filter, CancellationToken ct) =>
        SendAsync<TransactionTotalsResponse>(HttpMethod.Get, "transactions/totals?" + FilterQuery(filter), null, authenticated: true, ct);

    public Task<SqlQueryResult> RunQueryAsync(SqlQueryRequest request, CancellationToken ct) =>
        SendAsync<SqlQueryResult>(HttpMethod.Post, "query", request, authenticated: true, ct);

    private static string FilterQuery(TransactionQuery q, params (string Name, string? Value)[] more)
    {
        var parts = new List<(string, string?)>
        {
            ("from", q.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ("to", q.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ("text", q.Text),
            ("min", q.Min?.ToString(CultureInfo.InvariantCulture)),
            ("max", q.Max?.ToString(CultureInfo.InvariantCulture)),
            ("category", q.Category),
            ("merchant", q.Merchant),
        };
        parts.AddRange(more);
        return string.Join('&', parts.Where(p => p.Item2 is not null).Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2!)));
    }

    /// <summary>The statement as the request body, streamed from the file, reporting the bytes sent so the upload has its own progress bar.</summary>
    private sealed class UploadContent(StatementUpload upload, IProgress<StatementProgress>? progress) : HttpContent
    {
        private const int Chunk = 64 * 1024;

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            await SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            await using var file = upload.Open();
            var buffer = new byte[Chunk];
            long sent = 0;
            int read;
            while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                sent += read;
                progress?.Report(new StatementProgress("upload", sent, 0));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = upload.Length;
            return true;
        }
    }
}
