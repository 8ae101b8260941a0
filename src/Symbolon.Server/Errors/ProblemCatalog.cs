using System.Collections.ObjectModel;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;

namespace Symbolon.Server.Errors;

/// <summary>
/// The one catalogue that turns failures into RFC 9457 problem details: a stable code (see
/// <see cref="ProblemCodes"/>), an HTTP status and a sentence a person can act on. Messages never carry
/// personal values: they name fields, never echo what was typed into them.
/// </summary>
internal static partial class ProblemCatalog
{
    public const string ProblemBaseUri = "https://symbolon.dev/problems/";

    public static ProblemDetails Create(string code, int status, string title, string? detail = null, IDictionary<string, string[]>? errors = null)
    {
        var problem = errors is null ? new ProblemDetails() : new ValidationProblemDetails(errors);
        problem.Type = ProblemBaseUri + code;
        problem.Status = status;
        problem.Title = title;
        problem.Detail = detail;
        problem.Extensions["code"] = code;
        return problem;
    }

    /// <summary>
    /// The problem for an exception, or null when it is unexpected (then a generic 500 is returned). Our own failures
    /// carry their document (<see cref="SymbolonProblemException"/>); the rest are ASP.NET Core's words for a request
    /// it could not bind, put in ours.
    /// </summary>
    public static ProblemDetails? FromException(Exception exception) => exception switch
    {
        SymbolonProblemException e => FromProblem(e),
        BadHttpRequestException e => FromBadRequest(e),
        _ when StorageFull.In(exception) => Full(),
        _ => null,
    };

    /// <summary>The storage is full (<see cref="StorageFull"/>): the write was rolled back; free space and try again.</summary>
    public static ProblemDetails Full() =>
        Create(ProblemCodes.StorageFull, StatusCodes.Status507InsufficientStorage, "The disk holding the vault is full.",
            "Nothing was changed. Free some space on the disk that holds the vault's data directory (or the database server's storage), then try again.");

    private static ProblemDetails FromProblem(SymbolonProblemException e)
    {
        var problem = Create(e.Code, e.Status, e.Title, e.Detail, e.Errors?.ToDictionary(x => x.Key, x => x.Value));
        foreach (var (name, value) in e.Extensions ?? ReadOnlyDictionary<string, object?>.Empty)
        {
            problem.Extensions[name] = value;
        }

        return problem;
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException e)
    {
        if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }

        if (e.InnerException is JsonException json)
        {
            return FromJson(json);
        }

        if (e.Message.Contains("Implicit body inferred", StringComparison.Ordinal) || e.Message.Contains("body was not provided", StringComparison.Ordinal))
        {
            return Create(ProblemCodes.MissingBody, 400, "A JSON body is required.", "Send the request with Content-Type: application/json and a JSON body.");
        }

        if (e.Message.Contains("Content-Type", StringComparison.OrdinalIgnoreCase))
        {
            return Create(ProblemCodes.MalformedJson, 415, "Send JSON.", "This endpoint takes a JSON body with Content-Type: application/json.");
        }

        return Create(ProblemCodes.InvalidValue, e.StatusCode, "The request is not valid.", "A route or query value is malformed.");
    }

    public static ProblemDetails StatementTooLarge() =>
        Create(ProblemCodes.StatementTooLarge, 413, "The statement is too large.", $"A statement may be at most {RequestLimits.MaxStatementBytes / (1024 * 1024)} MiB; split it into several files.");

    public static ProblemDetails RequestReplyTooLarge() =>
        Create(ProblemCodes.AttachmentTooLarge, 413, "The reply is too large; nothing was stored.", $"A reply with its attachments is at most {RequestLimits.MaxRequestReplyBytes / (1024 * 1024)} MiB and each attachment at most 1 MiB; send larger exports in several replies.");

    public static ProblemDetails TooLarge(long max = RequestLimits.MaxJsonBodyBytes) =>
        Create(ProblemCodes.BodyTooLarge, 413, "The request body is too large.",
            max >= 1024 * 1024 ? $"This endpoint accepts at most {max / (1024 * 1024)} MiB." : $"This endpoint accepts at most {max / 1024} KiB.");

    /// <summary>
    /// System.Text.Json says what went wrong in English aimed at developers, with .NET type names; the path it
    /// reports is kept, the wording is ours.
    /// </summary>
    internal static ProblemDetails FromJson(JsonException json)
    {
        var path = ToFieldName(json.Path);
        var message = json.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            var name = QuotedName().Match(message) is { Success: true } m ? m.Groups[1].Value : path;
            var field = string.IsNullOrEmpty(path) ? name : path;
            return Create(ProblemCodes.UnknownField, 400, "The body has a field this endpoint does not know.", $"Remove '{field}'.", new Dictionary<string, string[]> { [field ?? "$"] = ["Unknown field."] });
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var names = QuotedName().Matches(message).Select(x => x.Groups[1].Value).Where(n => !n.Contains('.', StringComparison.Ordinal)).ToArray();
            return Create(ProblemCodes.InvalidValue, 400, "Some values are invalid.", "Required fields are missing.", names.ToDictionary(n => n, _ => RequiredMessage));
        }

        if (message.Contains("The JSON value could not be converted", StringComparison.Ordinal) || message.Contains("null", StringComparison.OrdinalIgnoreCase) && path is not null)
        {
            return Create(ProblemCodes.InvalidValue, 400, "Some values are invalid.", "A value has the wrong type.", new Dictionary<string, string[]> { [path ?? "$"] = ["This value has the wrong type or is missing."] });
        }

        var where = json.LineNumber is { } line ? $" (line {line + 1}, position {json.BytePositionInLine + 1})" : "";
        return Create(ProblemCodes.MalformedJson, 400, "The body is not valid JSON.", $"The JSON could not be read{where}.");
    }

    /// <summary>Turns "$.address.country" into "address.country".</summary>
    private static string? ToFieldName(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? null : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');

    public static bool IsCryptographicFailure(Exception e) => e is CryptographicException;

    private static readonly string[] RequiredMessage = ["Required."];

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex QuotedName();
}
