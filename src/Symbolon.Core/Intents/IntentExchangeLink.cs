using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
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
/// <see cref="IIntentExchangeLink"/> over HTTP with the wire types of <c>ExchangeContracts.cs</c>: the exchange's API is
/// at <c>{exchange}/v1/</c>, every call carries <c>Authorization: Intent t=…,sig=…</c> over method, path and query, time
/// and the body's hash (<see cref="IntentCrypto.SignRequest"/>). No cookie, no vault address, no person identifier goes out.
/// </summary>
internal sealed class HttpIntentExchangeLink(HttpClient http, TimeProvider time) : IIntentExchangeLink
{
    public async Task<IntentPosted> PostIntentAsync(string exchange, IntentKeys keys, SignedDocument intent, IntentBlocklist? blocked, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new PostIntentRequest(intent, blocked), IntentCrypto.JsonOptions);
        using var response = await SendAsync(exchange, keys, HttpMethod.Post, "v1/intents", body, ct);
        return await ReadAsync<IntentPosted>(response, ct);
    }

    public async Task WithdrawAsync(string exchange, IntentKeys keys, string intentId, CancellationToken ct)
    {
        using var response = await SendAsync(exchange, keys, HttpMethod.Delete, "v1/intents/" + Uri.EscapeDataString(intentId), null, ct, notFoundIsDone: true);
    }

    public async Task<OfferPage> GetOffersAsync(string exchange, IntentKeys keys, string intentId, string? after, CancellationToken ct)
    {
        var path = "v1/intents/" + Uri.EscapeDataString(intentId) + "/offers" + (after is null ? "" : "?after=" + Uri.EscapeDataString(after));
        using var response = await SendAsync(exchange, keys, HttpMethod.Get, path, null, ct);
        return await ReadAsync<OfferPage>(response, ct);
    }

    public async Task AcceptAsync(string exchange, IntentKeys keys, string intentId, string offerId, SealedEnvelope envelope, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new AcceptOfferRequest(offerId, envelope), IntentCrypto.JsonOptions);
        using var response = await SendAsync(exchange, keys, HttpMethod.Post, "v1/intents/" + Uri.EscapeDataString(intentId) + "/acceptance", body, ct);
    }

    private async Task<HttpResponseMessage> SendAsync(string exchange, IntentKeys keys, HttpMethod method, string relative, byte[]? body, CancellationToken ct, bool notFoundIsDone = false)
    {
        var uri = new Uri(new Uri(exchange.TrimEnd('/') + "/"), relative);
        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        request.Headers.TryAddWithoutValidation("Authorization", IntentCrypto.SignRequest(keys.SignKey, method.Method, uri.PathAndQuery, body ?? [], time.GetUtcNow()));
        var response = await http.SendAsync(request, ct);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode || (notFoundIsDone && response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone))
        {
            return response;
        }

        using (response)
        {
            if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
            {
                throw new HttpRequestException($"The exchange answered {status}.", null, response.StatusCode);
            }

            throw new ExchangeRefusedException(status, await ReasonAsync(response, ct));
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
        where T : class
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        return (bytes.Length <= 4 * 1024 * 1024 ? IntentCrypto.TryParse<T>(bytes) : null)
            ?? throw new HttpRequestException("The exchange's answer is not the document expected.");
    }

    /// <summary>The exchange's problem code and title, cut short; the vault shows it as the exchange's last error.</summary>
    private static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
            var code = json.RootElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var title = json.RootElement.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var text = $"The exchange refused it ({(int)response.StatusCode}{(code is null ? "" : " " + code)}){(title is null ? "." : ": " + title)}";
            return text.Length > 300 ? text[..300] : text;
        }
        catch (JsonException)
        {
            return $"The exchange refused it ({(int)response.StatusCode}).";
        }
    }
}
