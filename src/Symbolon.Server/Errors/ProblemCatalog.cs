using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Backup;
using Symbolon.Core.LoyaltyCards;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;
using Symbolon.Core.Wallet;

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

    /// <summary>The problem for an exception, or null when it is unexpected (then a generic 500 is returned).</summary>
    public static ProblemDetails? FromException(Exception exception) => exception switch
    {
        ValidationFailedException e => Create(ProblemCodes.InvalidValue, 400, "Some values are invalid.", "See errors for each field and why.", e.Errors.ToDictionary(x => x.Key, x => x.Value)),
        WeakPassphraseException e => Create(ProblemCodes.WeakPassphrase, 400, "That passphrase is too weak.", e.Message, new Dictionary<string, string[]> { ["passphrase"] = [e.Message] }),
        WrongPassphraseException => Create(ProblemCodes.WrongPassphrase, 401, "That passphrase does not open this vault.", "Check the passphrase and try again. After three failed attempts each try waits a little longer."),
        UnlockThrottledException e => Create(ProblemCodes.UnlockThrottled, 429, "Too many failed attempts.", e.Message),
        VaultLockedException e => Create(ProblemCodes.VaultLocked, 423, "The vault is locked.", e.Message),
        VaultNotFoundException e => Create(ProblemCodes.VaultNotFound, 404, "There is no vault yet.", e.Message),
        VaultAlreadyExistsException e => Create(ProblemCodes.VaultExists, 409, "A vault already exists.", e.Message),
        RecordNotFoundException => Create(ProblemCodes.RecordNotFound, 404, "Not found.", "Nothing with that id exists in this vault."),
        RecordVersionConflictException e => Create(ProblemCodes.VersionConflict, 409, "It changed in the meantime.", e.Message),
        RecordDeletedException => Create(ProblemCodes.RecordDeleted, 409, "It was deleted.", "It is deleted; its history stays until you purge it."),
        RelationshipNotFoundException e => Create(ProblemCodes.RelationshipNotFound, 404, "Not found.", e.Message + " See your relationships for the ids."),
        Card.CardRequestNotFoundException e => Create(ProblemCodes.CardRequestNotFound, 404, "Not found.", e.Message + " See your card's requests for the ids."),
        Card.CardRequestNotPendingException e => Create(ProblemCodes.CardRequestNotPending, 409, "That request is no longer waiting.", e.Message),
        LoyaltyCardInvalidException e => Create(ProblemCodes.LoyaltyCardInvalid, 400, "The card cannot be saved like this.", "See errors for each field and why.", e.Errors.ToDictionary(x => x.Key, x => x.Value)),
        CatimaImportException e => Create(ProblemCodes.CatimaImportInvalid, 400, "That file cannot be imported; nothing was imported.", "See errors for each line and column. Fix them, or export again from Catima, and import the whole file again.", CatimaErrors(e)),
        InvalidBackupException e => Create(ProblemCodes.InvalidBackup, 400, "That backup cannot be read.", e.Message),
        WalletProblemException e => Create(e.Code, e.Status, e.Title, e.Detail, e.Errors?.ToDictionary(x => x.Key, x => x.Value)),
        Core.Conversations.ConversationProblemException e => Create(e.Code, e.Status, e.Title, e.Detail),
        Core.Requests.RequestProblemException e => Create(e.Code, e.Status, e.Title, e.Detail, e.Errors?.ToDictionary(x => x.Key, x => x.Value)),
        Core.Statements.StatementException e => Create(ProblemCodes.InvalidStatement, 400, "The statement cannot be imported; nothing was imported.", Sentence(e.Message)),
        Core.Statements.UnknownStatementFormatException e => Create(ProblemCodes.UnknownStatementFormat, 400, "The statement's format is not recognised.", e.Message + " Supported: CSV, OFX/QFX and camt.053/camt.052."),
        Core.Statements.ImportProfileNotFoundException e => Create(ProblemCodes.ImportProfileNotFound, 404, "No such import profile.", e.Message),
        Core.Statements.SqlQueryNotReadOnlyException e => Create(ProblemCodes.QueryNotReadOnly, 400, "Only read-only queries can run.", e.Message),
        Core.Statements.SqlQueryFailedException e => Create(ProblemCodes.QueryFailed, 400, "The query could not run.", e.Message),
        Core.Statements.SqlQueryTimeoutException e => Create(ProblemCodes.QueryTimeout, 400, "The query took too long.", e.Message),
        Core.Insights.InsightProblemException e => Create(e.Code, e.Status, e.Title, e.Detail, e.Errors?.ToDictionary(x => x.Key, x => x.Value)),
        BadHttpRequestException e => FromBadRequest(e),
        _ => null,
    };

    private static Dictionary<string, string[]> CatimaErrors(CatimaImportException e) =>
        e.Problems.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Select(p => p.Reason).ToArray());

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

    private static string Sentence(string message) => char.ToUpperInvariant(message[0]) + message[1..];

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
