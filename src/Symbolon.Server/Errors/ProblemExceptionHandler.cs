using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;

namespace Symbolon.Server.Errors;

/// <summary>Writes every failure of an API request as a problem document; unexpected ones are logged by type only.</summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = ProblemCatalog.FromException(exception);
        if (problem is null)
        {
            // Note: exception messages can quote data (a value that failed to parse, a SQL parameter), so only
            // the type goes to the log; the trace id ties the response to it.
            LogUnexpected(logger, exception.GetType().FullName ?? "?", Activity.Current?.Id ?? httpContext.TraceIdentifier, exception.StackTrace ?? "");
            problem = ProblemCatalog.Create(ProblemCodes.Unexpected, 500, "Something went wrong on our side.", "Nothing was changed. If it happens again, the server log has details under the trace id.");
        }
        else if (problem.Extensions.TryGetValue("code", out var code) && code as string == ProblemCodes.StorageFull)
        {
            LogStorageFull(logger, exception.GetType().FullName ?? "?");
        }

        problem.Extensions["traceId"] = Activity.Current?.Id ?? httpContext.TraceIdentifier;
        httpContext.Response.StatusCode = problem.Status ?? 500;
        if (exception is SymbolonProblemException { RetryAfterSeconds: { } seconds })
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected {ExceptionType} while handling a request (trace {TraceId}) at {StackTrace}")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType, string traceId, string stackTrace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The vault's storage is full ({ExceptionType}): a write was refused and rolled back; free space on the data directory's disk or the database server")]
    private static partial void LogStorageFull(ILogger logger, string exceptionType);
}
