using System.Text.Json;
using System.Threading.Channels;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Statements;
using Symbolon.Core.Vaults;
using Symbolon.Server.Errors;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Statements;

/// <summary>
/// The import with progress: the same upload as <c>POST /imports</c>, answered as a stream of JSON lines while the
/// importer reads and stores the file, so a client can show a real progress bar for a long statement.
/// </summary>
internal static partial class ImportStreamEndpoints
{
    public const string ContentType = "application/x-ndjson";

    public static RouteGroupBuilder MapImportStreamEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/").WithTags("Imports").RequireAuthorization(OwnerAuthentication.Policy);
        group.MapPost("/imports/stream", ImportAsync).WithName("ImportStatementWithProgress")
            .WithSummary("Imports a statement like POST /imports, answering with JSON lines: progress while it runs, then the summary or the problem.")
            .Produces<ImportProgressLine>(StatusCodes.Status200OK, ContentType);
        return group;
    }

    internal static async Task ImportAsync(
        HttpContext http, string? format, string? profile, string? map, string? fileName,
        VaultSession session, StatementImporter importer, ILoggerFactory loggers, CancellationToken ct)
    {
        // Everything that can fail before the import starts (sign-in, a locked vault, a bad upload) is an ordinary problem response.
        _ = session.Keys;
        await using var upload = await ImportEndpoints.OpenUploadAsync(http.Request, ct);
        var request = upload.Request(format, profile, map, fileName);
        var lines = Channel.CreateBounded<ImportProgressLine>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var progress = new ChannelProgress(lines.Writer, upload.Source.TotalBytes);

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = ContentType;
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.StartAsync(ct);

        // The import reads the body as it arrives and is CPU work on the thread pool; this request's thread writes
        // the lines as they come.
        var import = Task.Run(() => importer.ImportAsync(session, upload.Source, request, progress, ct), ct);
        _ = import.ContinueWith(_ => lines.Writer.TryComplete(), TaskScheduler.Default);
        await foreach (var line in lines.Reader.ReadAllAsync(ct))
        {
            await WriteAsync(http.Response, line, ct);
        }

        ImportProgressLine last;
        try
        {
            last = new ImportProgressLine(Summary: await import);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var problem = ProblemCatalog.FromException(e);
            if (problem is null)
            {
                // As in ProblemExceptionHandler: messages can quote data, so only the type is logged.
                LogUnexpected(loggers.CreateLogger(typeof(ImportStreamEndpoints)), e.GetType().FullName ?? "?", e.StackTrace ?? "");
            }

            last = new ImportProgressLine(Problem: problem is null
                ? new ImportStreamProblem(ProblemCodes.Unexpected, "Something went wrong on our side.", "Nothing was imported.")
                : new ImportStreamProblem(problem.Extensions["code"] as string ?? ProblemCodes.Unexpected, problem.Title, problem.Detail));
        }

        await WriteAsync(http.Response, last, ct);
    }

    private static async Task WriteAsync(HttpResponse response, ImportProgressLine line, CancellationToken ct)
    {
        await JsonSerializer.SerializeAsync(response.Body, line, Json, ct);
        await response.Body.WriteAsync("\n"u8.ToArray(), ct);
        await response.Body.FlushAsync(ct);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Turns the importer's reports into lines; when the client reads slower than the importer reports, older lines give way.</summary>
    private sealed class ChannelProgress(ChannelWriter<ImportProgressLine> writer, long? totalBytes) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) =>
            writer.TryWrite(new ImportProgressLine(value.Stage, value.Rows, value.Stage == "parse" ? value.BytesRead : null, totalBytes));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected {ExceptionType} during a streamed import at {StackTrace}")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType, string stackTrace);
}
