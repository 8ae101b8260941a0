using System.Globalization;
using Symbolon.Client;
using Symbolon.Contracts.Problems;
using Symbolon.Intents;

namespace BootShop.Shop;

/// <summary>
/// Turns what an exchange, a vault or the SDK refused into one sentence for the shop's pages. The sentences say what
/// happened and what to do; they never repeat a token, an invitation code or a customer's data.
/// </summary>
public static class ShopErrors
{
    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>A datatype as the Orders page names it.</summary>
    public static string Label(string datatype) => datatype switch
    {
        Symbolon.Contracts.Vendor.Datatypes.Name => "name",
        Symbolon.Contracts.Vendor.Datatypes.PostalAddress => "postal address",
        Symbolon.Contracts.Vendor.Datatypes.Email => "email",
        Symbolon.Contracts.Vendor.Datatypes.Phone => "phone",
        _ => datatype,
    };

    /// <summary>A sentence for the page, or null when the exception is not one the shop expects (then it is a bug and propagates).</summary>
    /// <param name="exception">What was thrown.</param>
    /// <param name="party">Who the shop was talking to, for a fault in the network ("the exchange", "the customer's vault").</param>
    public static string? Describe(Exception exception, string party = "the other side") => exception switch
    {
        ExchangeProblemException { Status: System.Net.HttpStatusCode.TooManyRequests } e =>
            $"The exchange asks the shop to slow down (it limits offers and registrations); try again in {(int)(e.RetryAfter ?? TimeSpan.FromMinutes(1)).TotalSeconds} seconds.",
        ExchangeProblemException { Status: System.Net.HttpStatusCode.NotFound } =>
            "The exchange no longer has this intent (withdrawn, expired or accepted elsewhere).",
        ExchangeProblemException { Status: System.Net.HttpStatusCode.Unauthorized } =>
            "The exchange does not know the shop's API key. Ask its operator, or name another exchange in Settings.",
        ExchangeProblemException e => string.Create(CultureInfo.InvariantCulture,
            $"The exchange refused: {e.Title}{(e.Errors.Count > 0 ? " (" + string.Join(", ", e.Errors.Keys) + ")" : "")}{(e.Code.Length > 0 ? " [" + e.Code + "]" : "")}"),
        SymbolonOAuthException { Error: "temporarily_unavailable" } =>
            "The customer's vault is locked right now, so it cannot let the shop in. Try again once they have opened it.",
        SymbolonOAuthException { Error: "invalid_grant" } o when o.Description?.StartsWith("SYM2751", StringComparison.Ordinal) == true =>
            "The customer's vault no longer takes this invitation: it was used, taken back, or it expired.",
        SymbolonOAuthException { Error: "invalid_grant" } o when o.Description?.StartsWith("SYM2752", StringComparison.Ordinal) == true =>
            $"The customer's vault refused: the shop asked for more than the customer chose ({o.Description}).",
        SymbolonOAuthException { Error: "vault_address_not_allowed" } o =>
            $"The shop does not contact that vault. {o.Description}",
        SymbolonOAuthException o => $"The customer's vault refused: {o.Description ?? o.Error}.",
        SymbolonProblemException { Code: ProblemCodes.VaultLocked or ProblemCodes.PersonAway } =>
            "The customer's vault is locked right now, so it cannot let the shop in. Try again once they have opened it.",
        SymbolonProblemException p => $"The customer's vault refused: {p.Problem.Title ?? "the request failed"} ({p.Code ?? p.Status.ToString(CultureInfo.InvariantCulture)}).",
        ArgumentException a when a.ParamName is "offer" or "intent" => a.Message,
        HttpRequestException => $"{Capital(party)} cannot be reached right now.",
        TaskCanceledException => $"{Capital(party)} did not answer in time.",
        _ => null,
    };
}

/// <summary>
/// One desk at a time: an intent arriving by webhook and by the feed at the same moment, or an acceptance arriving
/// while its offer is being stored, are handled one after the other.
/// </summary>
public sealed class ShopGate : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        return new Release(_gate);
    }

    public void Dispose() => _gate.Dispose();

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
