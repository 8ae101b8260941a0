using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Symbolon.Core.Problems;
using Symbolon.Core.Vaults;
using Symbolon.Server.Errors;

namespace Symbolon.Server.Tests.Errors;

/// <summary>Any <see cref="SymbolonProblemException"/> is written as its document, with no per-feature mapping.</summary>
public sealed class ProblemExceptionHandlerTests
{
    [Fact]
    public async Task A_problem_exception_is_written_as_it_says_with_its_extensions_and_retry_after()
    {
        var exception = new SymbolonProblemException("SYM9001", 503, "Not now.", "Try again in a minute.", new Dictionary<string, string[]> { ["when"] = ["Later."] })
        {
            Extensions = new Dictionary<string, object?> { ["field"] = "when" },
            RetryAfterSeconds = 60,
        };

        var (context, body) = await HandleAsync(exception);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("60", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal(["type", "title", "status", "detail", "errors", "code", "field", "traceId"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("https://symbolon.dev/problems/SYM9001", body.GetProperty("type").GetString());
        Assert.Equal("Not now.", body.GetProperty("title").GetString());
        Assert.Equal("Try again in a minute.", body.GetProperty("detail").GetString());
        Assert.Equal("Later.", body.GetProperty("errors").GetProperty("when")[0].GetString());
        Assert.Equal("when", body.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_feature_exception_keeps_its_document_and_its_retry_after_rounds_up()
    {
        var (context, body) = await HandleAsync(new UnlockThrottledException(TimeSpan.FromMilliseconds(1200)));

        Assert.Equal(429, context.Response.StatusCode);
        Assert.Equal("2", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal(["type", "title", "status", "detail", "code", "traceId"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("SYM1104", body.GetProperty("code").GetString());
        Assert.Equal("Too many failed attempts. Try again in 2 seconds.", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_exception_that_is_not_ours_is_a_500_without_retry_after()
    {
        var (context, body) = await HandleAsync(new InvalidOperationException("a value from the request"));

        Assert.Equal(500, context.Response.StatusCode);
        Assert.False(context.Response.Headers.ContainsKey("Retry-After"));
        Assert.Equal("SYM1999", body.GetProperty("code").GetString());
        Assert.DoesNotContain("a value from the request", body.GetRawText(), StringComparison.Ordinal);
    }

    private static async Task<(HttpContext Context, JsonElement Body)> HandleAsync(Exception exception)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        await using var _ = services;
        var handler = new ProblemExceptionHandler(services.GetRequiredService<IProblemDetailsService>(), NullLogger<ProblemExceptionHandler>.Instance);
        var context = new DefaultHttpContext { RequestServices = services };
        var stream = new MemoryStream();
        context.Response.Body = stream;

        Assert.True(await handler.TryHandleAsync(context, exception, CancellationToken.None));
        return (context, JsonDocument.Parse(stream.ToArray()).RootElement.Clone());
    }
}
