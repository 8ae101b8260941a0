using System.Net;
using Symbolon.Intents;

namespace Symbolon.Core.Intents;

/// <summary>
/// An exchange said no for good (a 4xx other than 408 and 429): the intent is not posted there again. The message is
/// the exchange's problem code and title (never a value of the intent).
/// </summary>
internal sealed class ExchangeRefusedException(int status, string reason) : Exception(reason)
{
    public int Status { get; } = status;
}

/// <summary>
/// What the vault does at an intent exchange (docs/intent-exchange.md), one call per method, each signed with the
/// intent's key. A network failure, a 5xx, 408 or 429 throws <see cref="HttpRequestException"/> (try again later); a
/// refusal throws <see cref="ExchangeRefusedException"/>. Behind an interface so that the protocol client of
/// <c>Symbolon.Intents</c> (<c>ExchangeVaultClient</c>) can take its place once it lands.
/// </summary>
internal interface IIntentExchangeLink
{
    Task<IntentPosted> PostIntentAsync(string exchange, IntentKeys keys, SignedDocument intent, IntentBlocklist? blocked, CancellationToken ct);

    Task WithdrawAsync(string exchange, IntentKeys keys, string intentId, CancellationToken ct);

    Task<OfferPage> GetOffersAsync(string exchange, IntentKeys keys, string intentId, string? after, CancellationToken ct);

    Task AcceptAsync(string exchange, IntentKeys keys, string intentId, string offerId, SealedEnvelope envelope, CancellationToken ct);
}

/// <summary>
/// <see cref="IIntentExchangeLink"/> with the protocol's own client (<see cref="ExchangeVaultClient"/>, docs/intent-exchange.md):
/// every call is signed with the intent's key (<c>Authorization: Intent t=…,sig=…</c>). No cookie, no vault address, no
/// person identifier goes out. An exchange's refusal (4xx other than 408 and 429) becomes
/// <see cref="ExchangeRefusedException"/>; anything else that fails is <see cref="HttpRequestException"/>, tried again later.
/// </summary>
internal sealed class HttpIntentExchangeLink(HttpMessageHandler handler, TimeProvider time) : IIntentExchangeLink
{
    public Task<IntentPosted> PostIntentAsync(string exchange, IntentKeys keys, SignedDocument intent, IntentBlocklist? blocked, CancellationToken ct) =>
        CallAsync(exchange, client => client.PostIntentAsync(keys, intent, blocked, ct));

    public Task WithdrawAsync(string exchange, IntentKeys keys, string intentId, CancellationToken ct) =>
        CallAsync(exchange, async client =>
        {
            try
            {
                await client.WithdrawAsync(keys, intentId, ct);
            }
            catch (ExchangeProblemException e) when (e.Status is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                // Already gone there (expired, or deleted by an earlier attempt whose answer was lost): done.
            }

            return Done;
        });

    public Task<OfferPage> GetOffersAsync(string exchange, IntentKeys keys, string intentId, string? after, CancellationToken ct) =>
        CallAsync(exchange, client => client.GetOffersAsync(keys, intentId, after, ct));

    public Task AcceptAsync(string exchange, IntentKeys keys, string intentId, string offerId, SealedEnvelope envelope, CancellationToken ct) =>
        CallAsync(exchange, async client =>
        {
            await client.AcceptAsync(keys, intentId, offerId, envelope, ct);
            return Done;
        });

    private static readonly object Done = new();
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private async Task<T> CallAsync<T>(string exchange, Func<ExchangeVaultClient, Task<T>> call)
    {
        // One shared connection pool (the handler is the host's, not ours to dispose); the exchange's address is given per call.
        using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = new Uri(exchange.TrimEnd('/') + "/"), Timeout = Timeout };
        var client = new ExchangeVaultClient(http, time);
        try
        {
            return await call(client);
        }
        catch (ExchangeProblemException e) when ((int)e.Status is >= 400 and < 500 and not 408 and not 429)
        {
            var text = $"The exchange refused it ({(int)e.Status}{(e.Code.Length == 0 ? "" : " " + e.Code)}): {e.Title}";
            throw new ExchangeRefusedException((int)e.Status, text.Length > 300 ? text[..300] : text);
        }
        catch (ExchangeProblemException e)
        {
            throw new HttpRequestException(e.Status == 0 ? "The exchange's answer could not be read." : $"The exchange answered {(int)e.Status}.", e, e.Status == 0 ? null : e.Status);
        }
    }
}
