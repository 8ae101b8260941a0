using Symbolon.Client;
using Symbolon.Contracts.Problems;

namespace PublicRadio.Station;

/// <summary>
/// Turns what a vault or the SDK refused into one sentence for the station's pages. The sentences say what to do next;
/// they never repeat a token or a listener's data.
/// </summary>
public static class RadioErrors
{
    public const string PermissionWithdrawn = "This listener has withdrawn permission. Connect again to share listening time or the station's bank details.";

    public const string NotGranted = "The listener did not allow this: they shared less than the station asked for.";

    public const string Away = "The listener's vault is locked right now; the station tries again later.";

    /// <summary>True when the vault said the grant is no longer in force (revoked, expired, or the relationship ended).</summary>
    public static bool IsPermissionWithdrawn(Exception exception) => exception switch
    {
        SymbolonProblemException p => p.Status == 401 || p.Code is ProblemCodes.GrantNotInForce or ProblemCodes.InvalidAccessToken,
        SymbolonOAuthException o => o.Error is "invalid_grant" or "invalid_token",
        _ => false,
    };

    /// <summary>A sentence for the page, or null when the exception is not one the station expects (then it is a bug and propagates).</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        _ when IsPermissionWithdrawn(exception) => PermissionWithdrawn,
        SymbolonOAuthException { Error: "vault_address_not_allowed" } o => $"The station does not contact that vault. {o.Description}",
        SymbolonOAuthException { Error: "access_denied" } => "The listener declined.",
        SymbolonOAuthException o => $"The vault refused: {o.Description ?? o.Error}.",
        SymbolonProblemException { Code: ProblemCodes.NotGranted } => NotGranted,
        SymbolonProblemException { Code: ProblemCodes.VaultLocked or ProblemCodes.PersonAway } => Away,
        SymbolonProblemException { Code: ProblemCodes.InvalidValue } p => $"The vault refused the station's details: {Fields(p)}. Check them on the settings page.",
        SymbolonProblemException p => $"The vault refused: {p.Problem.Title ?? "the request failed"} ({p.Code ?? p.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)}).",
        HttpRequestException => "The vault cannot be reached right now. Check the address, or try again in a moment.",
        TaskCanceledException => "The vault did not answer in time. Try again in a moment.",
        _ => null,
    };

    private static string Fields(SymbolonProblemException problem) =>
        problem.Problem.Errors is { Count: > 0 } errors
            ? string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))
            : problem.Problem.Detail ?? "invalid";
}
