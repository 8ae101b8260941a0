using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Symbolon.Intents;

namespace Symbolon.Exchange.Endpoints;

/// <summary>A refusal: the problem document it answers with.</summary>
internal sealed class ExchangeProblem(string code, int status, string title, string? detail = null, IDictionary<string, string[]>? errors = null)
    : Exception(title)
{
    public const string ProblemBaseUri = "https://symbolon.dev/problems/";

    public string Code { get; } = code;

    public int Status { get; } = status;

    public string Title => Message;

    public TimeSpan? RetryAfter { get; init; }

    public ProblemDetails ToDocument()
    {
        var problem = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors);
        problem.Type = ProblemBaseUri + Code;
        problem.Status = Status;
        problem.Title = Title;
        problem.Detail = detail;
        problem.Extensions["code"] = Code;
        return problem;
    }

    public async Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = Status;
        if (RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // Written as its runtime type, so that a validation problem's errors are included.
        var document = ToDocument();
        await context.Response.WriteAsJsonAsync(document, document.GetType(), (JsonSerializerOptions?)null, "application/problem+json");
    }

    public static ExchangeProblem TooLarge(int max) =>
        new(ExchangeProblemCodes.TooLarge, StatusCodes.Status413PayloadTooLarge, "The request is too large.", $"This endpoint takes at most {max:N0} bytes.");

    public static ExchangeProblem Malformed(string field) =>
        new(ExchangeProblemCodes.MalformedJson, StatusCodes.Status400BadRequest, "The body is not valid JSON of the expected shape.",
            "Fix the member named in errors (it is missing, unknown, or of the wrong type).", new Dictionary<string, string[]> { [field] = ["Is missing, unknown or of the wrong type."] });
}

/// <summary>Reading requests the same way everywhere: bounded bodies, strict JSON, problems that name fields.</summary>
internal static class ExchangeHttp
{
    /// <summary>The largest body of any endpoint but offers and acceptances (an intent request is well under it).</summary>
    public const int MaxJsonBytes = 16 * 1024;

    /// <summary>An offer or acceptance request: the envelope and a little JSON around it.</summary>
    public const int MaxEnvelopeRequestBytes = IntentRules.MaxOfferBytes + 1024;

    /// <summary>Reads the body, at most <paramref name="max"/> bytes (else 413), as JSON (else 415).</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, int max, bool required, CancellationToken ct)
    {
        if (request.ContentLength > max)
        {
            throw ExchangeProblem.TooLarge(max);
        }

        if (request.ContentLength is null or > 0 && request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ExchangeProblem(ExchangeProblemCodes.UnsupportedMediaType, StatusCodes.Status415UnsupportedMediaType, "Send JSON.", "This endpoint takes a JSON body with Content-Type: application/json.");
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    throw ExchangeProblem.TooLarge(max);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw ExchangeProblem.TooLarge(max);
        }

        if (required && buffer.Length == 0)
        {
            throw new ExchangeProblem(ExchangeProblemCodes.MalformedJson, StatusCodes.Status400BadRequest, "A JSON body is required.", "Send the request with Content-Type: application/json and a JSON body.");
        }

        return buffer.ToArray();
    }

    /// <summary>Parses protocol JSON strictly (unknown or missing members are errors, named by path, never by value).</summary>
    public static T Parse<T>(byte[] body)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, IntentCrypto.JsonOptions) ?? throw ExchangeProblem.Malformed("body");
        }
        catch (JsonException e)
        {
            throw ExchangeProblem.Malformed(FieldOf(e.Path));
        }
    }

    /// <summary>The JSON path of a reader error as a field name: <c>$.intent.payload</c> is <c>intent.payload</c>.</summary>
    public static string FieldOf(string? path) =>
        path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>The intent holder's proof: <c>Authorization: Intent</c> over this method, path, time and body, with the intent's key.</summary>
    public static void RequireIntentSignature(HttpRequest request, string intentSignKey, byte[] body, DateTimeOffset now)
    {
        var pathAndQuery = request.GetEncodedPathAndQuery();
        if (!IntentCrypto.VerifyRequest(request.Headers.Authorization.ToString(), intentSignKey, request.Method, pathAndQuery, body, now))
        {
            throw new ExchangeProblem(ExchangeProblemCodes.BadRequestSignature, StatusCodes.Status401Unauthorized, "The request is not signed with this intent's key.",
                "Sign it as 'Authorization: Intent t=<unix seconds>,sig=<base64url>' over the method, path and query, time and body hash (docs/intent-exchange.md), with a clock within 5 minutes of the exchange's.");
        }
    }

    /// <summary>A cursor (<c>after</c>): a non-negative integer, or absent (0).</summary>
    public static long ParseCursor(string? after)
    {
        if (string.IsNullOrEmpty(after))
        {
            return 0;
        }

        if (after.Length > 19 || !long.TryParse(after, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw new ExchangeProblem(ExchangeProblemCodes.InvalidQuery, StatusCodes.Status400BadRequest, "The cursor is not valid.",
                "Pass a next_cursor value from an earlier page as 'after', or leave it out.", new Dictionary<string, string[]> { ["after"] = ["Is not a cursor this exchange gave out."] });
        }

        return value;
    }

    /// <summary>An envelope's shape: an X25519 key, a 12-byte nonce, and ciphertext with its tag; the exchange cannot check more.</summary>
    public static void CheckEnvelope(SealedEnvelope? envelope, string field)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (envelope is null)
        {
            errors[field] = ["Is required."];
        }
        else
        {
            if (IntentCrypto.Decode(envelope.EphemeralKey, 32)?.Length != 32)
            {
                errors[field + ".epk"] = ["Must be a 32-byte base64url X25519 public key."];
            }

            if (IntentCrypto.Decode(envelope.Nonce, 12)?.Length != 12)
            {
                errors[field + ".nonce"] = ["Must be 12 bytes, base64url."];
            }

            if (IntentCrypto.Decode(envelope.Ciphertext, IntentRules.MaxOfferBytes) is not { Length: >= 16 })
            {
                errors[field + ".ciphertext"] = ["Must be base64url ciphertext with its 16-byte tag."];
            }
        }

        if (errors.Count > 0)
        {
            throw new ExchangeProblem(ExchangeProblemCodes.InvalidEnvelope, StatusCodes.Status400BadRequest, "The envelope is not a well-formed sealed envelope.", null, errors);
        }
    }

    /// <summary>SHA-256 (lowercase hex) of text: API keys and envelopes are looked up by it.</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
