using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Symbolon.Intents;

/// <summary>What both exchange clients share: paths relative to the exchange's address, JSON, problem documents.</summary>
internal static class ExchangeHttp
{
    public const string DiscoveryPath = ".well-known/symbolon-exchange";

    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    public static Uri Resolve(HttpClient http, string relative)
    {
        var baseAddress = http.BaseAddress ?? throw new InvalidOperationException("Set the HttpClient's BaseAddress to the exchange's address (ending in '/').");
        return new Uri(baseAddress, relative);
    }

    public static HttpRequestMessage Request(HttpMethod method, Uri uri, byte[]? body)
    {
        var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = Json;
        }

        return request;
    }

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, IntentCrypto.JsonOptions);

    public static async Task<T> SendAsync<T>(HttpClient http, HttpRequestMessage request, CancellationToken ct)
        where T : class
    {
        using var response = await SendCheckedAsync(http, request, ct).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        return IntentCrypto.TryParse<T>(bytes) ?? throw new ExchangeProblemException($"The exchange's answer is not a valid {typeof(T).Name}.");
    }

    public static async Task SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await SendCheckedAsync(http, request, ct).ConfigureAwait(false);
    }

    private static async Task<HttpResponseMessage> SendCheckedAsync(HttpClient http, HttpRequestMessage request, CancellationToken ct)
    {
        var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            var problem = bytes.Length == 0 ? null : TryProblem(bytes);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            throw problem is null
                ? new ExchangeProblemException("", (int)response.StatusCode, $"The exchange answered {(int)response.StatusCode} without a problem document.", null, null, retryAfter)
                : new ExchangeProblemException(problem.Code ?? "", (int)response.StatusCode, problem.Title ?? "The exchange refused the request.", problem.Detail, problem.Errors, retryAfter);
        }
    }

    private static Problem? TryProblem(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<Problem>(bytes, LenientJson);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Problem documents carry members this client does not know (type, status, instance, traceId): read leniently.
    private static readonly JsonSerializerOptions LenientJson = new(JsonSerializerDefaults.Web) { MaxDepth = 8 };

    private sealed record Problem(
        [property: JsonPropertyName("code")] string? Code,
        [property: JsonPropertyName("title")] string? Title,
        [property: JsonPropertyName("detail")] string? Detail,
        [property: JsonPropertyName("errors")] Dictionary<string, string[]>? Errors);
}
