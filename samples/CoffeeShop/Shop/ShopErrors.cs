using Symbolon.Client;
using Symbolon.Contracts.Problems;

namespace CoffeeShop.Shop;

/// <summary>
/// Turns what a vault or the SDK refused into one sentence for the person at the counter. The sentences name what
/// to do next; they never repeat a code, a token or a customer's data.
/// </summary>
public static class ShopErrors
{
    public const string PermissionWithdrawn = "This customer has withdrawn permission. Ask them to scan their card again if they want their receipts and stamps here.";

    public const string CustomerAway = "The customer is away: their vault is locked, so the shop cannot read from it until they open it. "
        + "Sales still go through; their vault keeps receipts and stamps until then. Try again later.";

    public const string InboxFull = "The customer is away, and their vault takes no more from the shop until they open it: "
        + "it is holding as many receipts and stamps as it keeps meanwhile. The sale is kept here; send it again later.";

    public const string InboxBytesFull = "The customer is away, and their vault has no room left for this until they open it: "
        + "what it holds meanwhile is limited in size. The sale is kept here; send it again later.";

    /// <summary>True when the vault said the grant is no longer in force (revoked, expired, or the relationship ended).</summary>
    public static bool IsPermissionWithdrawn(Exception exception) => exception switch
    {
        SymbolonProblemException p => p.Status == 401 || p.Code is ProblemCodes.GrantNotInForce or ProblemCodes.InvalidAccessToken,
        SymbolonOAuthException o => o.Error is "invalid_grant" or "invalid_token",
        _ => false,
    };

    /// <summary>A sentence for the counter, or null when the exception is not one the shop expects (then it is a bug and propagates).</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        _ when IsPermissionWithdrawn(exception) => PermissionWithdrawn,
        FormatException f => $"That is not a Symbolon card code. {f.Message}",
        CardAuthorizationException { Failure: CardAuthorizationFailure.Declined } => "The customer declined the request in their Symbolon app.",
        CardAuthorizationException { Failure: CardAuthorizationFailure.Expired } => "The customer did not answer in time; the request expired. Scan their card again.",
        SymbolonOAuthException { Error: "invalid_card_code" } o when o.Description?.StartsWith(ProblemCodes.CardCodeExpired, StringComparison.Ordinal) == true =>
            "This card code has expired. Ask the customer to show their card again for a fresh code.",
        SymbolonOAuthException { Error: "invalid_card_code" } o when o.Description?.StartsWith(ProblemCodes.CardCodeUsed, StringComparison.Ordinal) == true =>
            "This card code was already used. Each code works once; ask the customer to show their card again.",
        SymbolonOAuthException { Error: "invalid_card_code" } => "The customer's vault does not know this card code. Check it, or ask the customer to show their card again.",
        SymbolonOAuthException { Error: "vault_address_not_allowed" } o => $"The shop does not contact that vault. {o.Description}",
        SymbolonOAuthException { Error: "access_denied" } => "The customer declined the request in their Symbolon app.",
        SymbolonOAuthException o => $"The customer's vault refused: {o.Description ?? o.Error}.",
        SymbolonProblemException { Code: ProblemCodes.NotGranted } => "The customer did not allow this: they shared less than the shop asked for.",
        SymbolonProblemException { Code: ProblemCodes.InsufficientBalance } => "The customer does not have enough stamps for that.",
        SymbolonProblemException { Code: ProblemCodes.VaultLocked } => "The customer's vault is locked right now; try again once they have unlocked it.",
        SymbolonProblemException { Code: ProblemCodes.PersonAway } => CustomerAway,
        SymbolonProblemException { Code: ProblemCodes.InboxFull } => InboxFull,
        SymbolonProblemException { Code: ProblemCodes.InboxBytesFull } => InboxBytesFull,
        SymbolonProblemException p => $"The customer's vault refused: {p.Problem.Title ?? "the request failed"} ({p.Code ?? p.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)}).",
        HttpRequestException => "The customer's vault cannot be reached right now. Check the address, or try again in a moment.",
        TaskCanceledException => "The customer's vault did not answer in time. Try again in a moment.",
        _ => null,
    };
}
