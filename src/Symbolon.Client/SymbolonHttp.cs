using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Client;

/// <summary>The SDK's shared HTTP plumbing: JSON options, client authentication and turning refusals into exceptions.</summary>
internal static class SymbolonHttp
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>RFC 6749 §2.3.1: the id and secret are form-urlencoded before they are joined and base64-encoded.</summary>
    public static AuthenticationHeaderValue Basic(VendorCredentials credentials) => new(
        "Basic",
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(credentials.ClientId)}:{Uri.EscapeDataString(credentials.ClientSecret)}")));

    /// <summary>Reads a successful JSON body, or throws for a refusal (a problem document, or an OAuth error).</summary>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false)
            ?? throw new SymbolonProblemException(new Contracts.Problems.ProblemDocument(Title: "The vault answered with an empty body.", Status: (int)response.StatusCode));
    }

    /// <summary>
    /// Reads the answer to a write the vault may queue while the person is away: the stored value, or for
    /// <c>202 Accepted</c> the <see cref="QueuedWrite"/>, which <paramref name="queued"/> turns into the method's usual
    /// type (built from what was sent, with its <c>Queued</c> set). Throws for a refusal as <see cref="ReadAsync{T}"/> does.
    /// </summary>
    public static async Task<T> ReadWriteAsync<T>(HttpResponseMessage response, Func<QueuedWrite, T> queued, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
        }

        var write = await response.Content.ReadFromJsonAsync<QueuedWrite>(Json, cancellationToken).ConfigureAwait(false);
        if (write is null || string.IsNullOrEmpty(write.InboxId))
        {
            throw new SymbolonProblemException(new Contracts.Problems.ProblemDocument(Title: "The vault queued the write but did not say under which inbox id.", Status: (int)response.StatusCode));
        }

        return queued(write);
    }

    /// <summary>
    /// Throws for a failed response: <see cref="SymbolonOAuthException"/> when the body is an OAuth error
    /// (<c>{"error": ...}</c>), otherwise <see cref="SymbolonProblemException"/>.
    /// </summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        // Note: the body is buffered first because it is inspected twice, once for each error shape.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            try
            {
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
                {
                    var description = document.RootElement.TryGetProperty("error_description", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;
                    throw new SymbolonOAuthException(error.GetString()!, description, (int)response.StatusCode);
                }
            }
            catch (JsonException)
            {
                // Not JSON after all; the problem reader below reports the status line.
            }
        }

        await SymbolonProblemException.EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resolves an address the vault advertised; it must be absolute.</summary>
    public static Uri Absolute(string value, string name) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
            ? uri
            : throw new SymbolonOAuthException("invalid_metadata", $"The vault's metadata has no absolute {name}.");
}
