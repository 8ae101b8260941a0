using System.Buffers.Text;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Client;

/// <summary>
/// A registered vendor talking to one vault: accepting the person's terms, asking the person for data
/// (PKCE S256 and PAR, with RFC 9396 <c>authorization_details</c>), exchanging, refreshing, introspecting and revoking
/// tokens. Thread-safe; create one per vault from <see cref="SymbolonVault.CreateClient"/>.
/// </summary>
public sealed class SymbolonVendorClient : IVendorRequests
{
    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    internal SymbolonVendorClient(SymbolonVault vault, HttpClient http, VendorCredentials credentials, TimeProvider time)
    {
        Vault = vault;
        _http = http;
        Credentials = credentials;
        _time = time;
    }

    /// <summary>The vault this client talks to.</summary>
    public SymbolonVault Vault { get; }

    /// <summary>The vendor's credentials.</summary>
    public VendorCredentials Credentials { get; }

    /// <summary>
    /// Accepts one of the agreements the person proffers (IEEE 7012), which the vault requires before any grant. The
    /// SDK sends the hash of the text it read from the vault's metadata, so the vendor accepts exactly that text.
    /// </summary>
    /// <param name="agreementId">The roster id, for example <c>SD-BASE</c>.</param>
    /// <param name="sign">
    /// Optional: signs bytes with the vendor's Ed25519 private key (the key registered in <c>jwks</c>) and returns
    /// the 64-byte signature; the SDK then countersigns the record. A delegate keeps the SDK free of a crypto library.
    /// </param>
    /// <param name="expectedTextSha256">
    /// Optional: the SHA-256 (lower-case hex) of the agreement text the vendor's people reviewed; refused if the vault
    /// now proffers another text under the same id.
    /// </param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The record signed by the vault (and by the vendor, when <paramref name="sign"/> is given).</returns>
    /// <exception cref="ArgumentException">The person does not proffer the agreement.</exception>
    /// <exception cref="InvalidOperationException">The proffered text does not match its advertised or expected hash.</exception>
    /// <exception cref="SymbolonProblemException">The vault refused (for example <c>SYM1405</c>).</exception>
    public async Task<AgreementRecord> AcceptAgreementAsync(
        string agreementId,
        Func<byte[], byte[]>? sign = null,
        string? expectedTextSha256 = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(agreementId);
        var agreement = Vault.FindAgreement(agreementId)
            ?? throw new ArgumentException($"The person does not proffer the agreement {agreementId}.", nameof(agreementId));

        // The hash is computed here rather than trusted from the metadata: the vendor accepts the text it has.
        var actual = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(agreement.Text)));
        if (!string.Equals(actual, agreement.TextSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"The text of {agreementId} does not match the hash the vault advertises; not accepting it.");
        }

        if (expectedTextSha256 is not null && !string.Equals(actual, expectedTextSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"The vault proffers a different text of {agreementId} than the one expected; review it before accepting.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, SymbolonHttp.Absolute(Vault.Metadata.AgreementsEndpoint, "agreements_endpoint"))
        {
            Content = JsonContent.Create(new AgreementAcceptance(agreementId, actual), options: SymbolonHttp.Json),
        };
        request.Headers.Authorization = SymbolonHttp.Basic(Credentials);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var record = await SymbolonHttp.ReadAsync<AgreementRecord>(response, cancellationToken).ConfigureAwait(false);
        return sign is null ? record : await CountersignAsync(record, sign, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Countersigns an agreement record with the vendor's Ed25519 key, over the exact bytes the vault signed.</summary>
    /// <param name="record">The record from <see cref="AcceptAgreementAsync"/> or <see cref="GetAgreementAsync"/>.</param>
    /// <param name="sign">Signs bytes with the vendor's registered Ed25519 private key; returns the 64-byte signature.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The record with both signatures.</returns>
    /// <exception cref="SymbolonProblemException">The vault refused the signature (for example <c>SYM1405</c>: no key registered, or it does not verify).</exception>
    public async Task<AgreementRecord> CountersignAsync(AgreementRecord record, Func<byte[], byte[]> sign, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(sign);
        var signature = sign(Base64Url.DecodeFromChars(record.SignedContent));
        var endpoint = new Uri(Vault.ApiBase, $"agreements/{Uri.EscapeDataString(record.Content.RecordId)}/countersignature");
        using var request = new HttpRequestMessage(HttpMethod.Put, endpoint)
        {
            Content = JsonContent.Create(new AgreementCountersignature(Base64Url.EncodeToString(signature)), options: SymbolonHttp.Json),
        };
        request.Headers.Authorization = SymbolonHttp.Basic(Credentials);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<AgreementRecord>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// With the client's id and secret, so it works whatever the person granted or revoked, until the relationship
    /// ends (then <c>SYM2206</c>, 403).
    /// </remarks>
    public Task<IReadOnlyList<VendorRequest>> GetRequestsAsync(CancellationToken cancellationToken = default) =>
        VendorRequestCalls.ListAsync(SendAsClientAsync, cancellationToken);

    /// <inheritdoc />
    public Task<VendorRequest> GetRequestAsync(string requestId, CancellationToken cancellationToken = default) =>
        VendorRequestCalls.GetAsync(SendAsClientAsync, requestId, cancellationToken);

    /// <inheritdoc />
    public Task<VendorRequest> ReplyToRequestAsync(string requestId, RequestReplyInput reply, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        VendorRequestCalls.ReplyAsync(SendAsClientAsync, requestId, reply, idempotencyKey, cancellationToken);

    private async Task<HttpResponseMessage> SendAsClientAsync(HttpMethod method, string path, HttpContent? content, string? idempotencyKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(Vault.ApiBase, path)) { Content = content };
        request.Headers.Authorization = SymbolonHttp.Basic(Credentials);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The signed agreement record the relationship runs under, as the vault keeps it.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException">No agreement yet (<c>SYM1201</c>), or the client is not authenticated (<c>SYM1404</c>).</exception>
    public async Task<AgreementRecord> GetAgreementAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Vault.ApiBase, "agreements/current"));
        request.Headers.Authorization = SymbolonHttp.Basic(Credentials);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<AgreementRecord>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks the person for data: creates a PKCE S256 verifier and a random <c>state</c>, pushes the request with its
    /// <c>authorization_details</c> to the vault (RFC 9126), and returns the address to send the person's browser to.
    /// </summary>
    /// <param name="redirectUri">One of the vendor's registered redirect URIs (matched exactly).</param>
    /// <param name="details">What the vendor asks for, with the purpose the person will read; type <c>symbolon:data</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The pending request; keep it until the callback.</returns>
    /// <exception cref="SymbolonOAuthException">The vault refused the request (for example <c>invalid_authorization_details</c>).</exception>
    public async Task<AuthorizationRequest> BeginAuthorizationAsync(Uri redirectUri, IReadOnlyList<AuthorizationDetail> details, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(redirectUri);
        ArgumentNullException.ThrowIfNull(details);
        if (details.Count == 0)
        {
            throw new ArgumentException("Ask for at least one datatype.", nameof(details));
        }

        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var parameters = new Dictionary<string, string>
        {
            ["client_id"] = Credentials.ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = redirectUri.OriginalString,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["state"] = state,
            ["authorization_details"] = JsonSerializer.Serialize(details, SymbolonHttp.Json),
        };

        var sent = _time.GetUtcNow();
        using var response = await PostFormAsync(Vault.AuthorizationServer.PushedAuthorizationRequestEndpoint, parameters, cancellationToken).ConfigureAwait(false);
        var pushed = await SymbolonHttp.ReadAsync<JsonElement>(response, cancellationToken).ConfigureAwait(false);
        var requestUri = pushed.TryGetProperty("request_uri", out var uri) ? uri.GetString() : null;
        if (string.IsNullOrEmpty(requestUri))
        {
            throw new SymbolonOAuthException("invalid_response", "The vault's pushed authorization response has no request_uri.");
        }

        var expiresIn = pushed.TryGetProperty("expires_in", out var expires) && expires.TryGetInt32(out var seconds) ? seconds : 60;
        var authorize = new UriBuilder(SymbolonHttp.Absolute(Vault.AuthorizationServer.AuthorizationEndpoint, "authorization_endpoint"))
        {
            Query = $"client_id={Uri.EscapeDataString(Credentials.ClientId)}&request_uri={Uri.EscapeDataString(requestUri)}",
        };
        return new AuthorizationRequest(authorize.Uri, state, verifier, redirectUri, sent.AddSeconds(expiresIn));
    }

    /// <summary>
    /// Finishes the flow on the vendor's callback: checks that the callback came to the request's redirect URI,
    /// carries the request's <c>state</c> and the vault's issuer in <c>iss</c> (RFC 9207, against mix-up attacks),
    /// then exchanges the code (with the PKCE verifier) for tokens.
    /// </summary>
    /// <param name="callbackUri">The full address the person's browser arrived at, query included.</param>
    /// <param name="pending">The request <see cref="BeginAuthorizationAsync"/> returned.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A session holding the tokens and what was granted.</returns>
    /// <exception cref="SymbolonOAuthException">
    /// The person declined (<c>access_denied</c>), the callback failed a check (<c>invalid_state</c>, <c>invalid_issuer</c>,
    /// <c>invalid_callback</c>), or the vault refused the code (<c>invalid_grant</c>).
    /// </exception>
    public async Task<VendorSession> CompleteAuthorizationAsync(Uri callbackUri, AuthorizationRequest pending, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callbackUri);
        ArgumentNullException.ThrowIfNull(pending);
        if (!callbackUri.IsAbsoluteUri || !string.Equals(callbackUri.GetLeftPart(UriPartial.Path), pending.RedirectUri.GetLeftPart(UriPartial.Path), StringComparison.Ordinal))
        {
            throw new SymbolonOAuthException("invalid_callback", "The callback did not arrive at the request's redirect URI.");
        }

        var query = ParseQuery(callbackUri.Query);

        // The state is checked first: a response without the vendor's state is not an answer to its request at all.
        if (!query.TryGetValue("state", out var state) || !FixedTimeEquals(state, pending.State))
        {
            throw new SymbolonOAuthException("invalid_state", "The callback's state does not match the request's; it is not an answer to this request.");
        }

        // RFC 9207 §2.4: the issuer must be present and equal, or the response may come from another server.
        if (!query.TryGetValue("iss", out var issuer) || !string.Equals(issuer, Vault.AuthorizationServer.Issuer, StringComparison.Ordinal))
        {
            throw new SymbolonOAuthException("invalid_issuer", "The callback does not name this vault as its issuer (RFC 9207); refusing it.");
        }

        if (query.TryGetValue("error", out var error))
        {
            throw new SymbolonOAuthException(error, query.GetValueOrDefault("error_description"));
        }

        if (!query.TryGetValue("code", out var code) || code.Length == 0)
        {
            throw new SymbolonOAuthException("invalid_callback", "The callback carries neither a code nor an error.");
        }

        var tokens = await RequestTokensAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = pending.RedirectUri.OriginalString,
            ["code_verifier"] = pending.CodeVerifier,
        }, cancellationToken).ConfigureAwait(false);
        return new VendorSession(this, _http, tokens, _time);
    }

    /// <summary>
    /// After the person accepted this vendor's offer to their intent: redeems the invitation from the acceptance
    /// (<c>AcceptanceDocument.Invitation</c> in Symbolon.Intents) at the token endpoint with the invitation grant
    /// (<c>urn:symbolon:params:oauth:grant-type:invitation</c>) and this client's secret. No browser is involved: the
    /// person chose what to share when accepting, so <paramref name="details"/> may ask for those datatypes (read
    /// only, unless the acceptance allows more) and nothing else. Register at the vault and accept the agreement the
    /// acceptance names first. The code works once, for seven days.
    /// </summary>
    /// <param name="invitation">The invitation code from the acceptance.</param>
    /// <param name="details">What the vendor asks for, within the acceptance's grant, with its purpose; type <c>symbolon:data</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A session holding the tokens, what was granted and the person's pairwise <see cref="TokenSet.Subject"/>.</returns>
    /// <exception cref="SymbolonOAuthException">
    /// <c>invalid_grant</c> (the description starts with <c>SYM2751</c>: unknown, used, taken back or expired; <c>SYM2752</c>:
    /// more than the person chose, or the agreement not accepted), <c>temporarily_unavailable</c> (the vault is locked;
    /// try again later), <c>invalid_authorization_details</c>, or <c>unauthorized_client</c> (registered before invitations existed).
    /// </exception>
    public async Task<VendorSession> RedeemInvitationAsync(string invitation, IReadOnlyList<AuthorizationDetail> details, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(invitation);
        ArgumentNullException.ThrowIfNull(details);
        if (details.Count == 0)
        {
            throw new ArgumentException("Ask for at least one datatype.", nameof(details));
        }

        var tokens = await RequestTokensAsync(new Dictionary<string, string>
        {
            ["grant_type"] = InvitationGrantType,
            ["invitation"] = invitation,
            ["authorization_details"] = JsonSerializer.Serialize(details, SymbolonHttp.Json),
        }, cancellationToken).ConfigureAwait(false);
        return new VendorSession(this, _http, tokens, _time);
    }

    /// <summary>The OAuth grant type of <see cref="RedeemInvitationAsync"/>.</summary>
    public const string InvitationGrantType = "urn:symbolon:params:oauth:grant-type:invitation";

    /// <summary>
    /// At the counter: redeems the code scanned (or typed) from the person's card and asks for
    /// <paramref name="details"/> (RFC 8628 device authorization with <c>card_code</c> and <c>authorization_details</c>).
    /// If the person already granted this much to the vendor, or their standing rule allows it (adding receipts,
    /// for example), the first poll returns tokens; otherwise the request waits in the person's app. Either way,
    /// continue with <see cref="CardAuthorization.WaitForApprovalAsync"/> or <see cref="CardAuthorization.PollAsync"/>.
    /// </summary>
    /// <param name="card">The parsed card code; it must name this client's vault.</param>
    /// <param name="details">What the vendor asks for, with the purpose the person will read; type <c>symbolon:data</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The pending authorization to poll.</returns>
    /// <exception cref="ArgumentException">The card names another vault than this client's.</exception>
    /// <exception cref="SymbolonOAuthException">
    /// The vault refused: <c>invalid_card_code</c> (unknown, expired or already used; the description starts with
    /// <c>SYM1601</c>, <c>SYM1602</c> or <c>SYM1603</c>), <c>invalid_authorization_details</c>, or <c>unauthorized_client</c>.
    /// </exception>
    public async Task<CardAuthorization> RedeemCardAsync(SymbolonCardCode card, IReadOnlyList<AuthorizationDetail> details, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(details);
        if (details.Count == 0)
        {
            throw new ArgumentException("Ask for at least one datatype.", nameof(details));
        }

        // The card says which vault it belongs to; sending its code to another vault would leak it there.
        if (!string.Equals(card.VaultUrl.AbsoluteUri.TrimEnd('/'), Vault.Issuer.AbsoluteUri.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("The card belongs to another vault than this client's; discover that vault and use its client.", nameof(card));
        }

        var endpoint = Vault.AuthorizationServer.DeviceAuthorizationEndpoint
            ?? throw new SymbolonOAuthException("invalid_metadata", "The vault advertises no device_authorization_endpoint; it does not take cards.");
        var sent = _time.GetUtcNow();
        using var response = await PostFormAsync(endpoint, new Dictionary<string, string>
        {
            [CardProtocol.CardCodeParameter] = card.Code,
            ["authorization_details"] = JsonSerializer.Serialize(details, SymbolonHttp.Json),
        }, cancellationToken).ConfigureAwait(false);
        var json = await SymbolonHttp.ReadAsync<JsonElement>(response, cancellationToken).ConfigureAwait(false);
        return CardAuthorization.FromResponse(this, json, sent, _time);
    }

    internal async Task<VendorSession> ExchangeDeviceCodeAsync(string deviceCode, CancellationToken cancellationToken)
    {
        var tokens = await RequestTokensAsync(new Dictionary<string, string>
        {
            ["grant_type"] = CardProtocol.DeviceCodeGrantType,
            ["device_code"] = deviceCode,
        }, cancellationToken).ConfigureAwait(false);
        return new VendorSession(this, _http, tokens, _time);
    }

    /// <summary>Resumes a session from tokens the vendor stored earlier (for example after a restart).</summary>
    /// <param name="tokens">The stored tokens; the newest refresh token if the session refreshed since.</param>
    public VendorSession ResumeSession(TokenSet tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return new VendorSession(this, _http, tokens, _time);
    }

    /// <summary>
    /// Exchanges a refresh token for new tokens. Refresh tokens are single use: store the returned
    /// <see cref="TokenSet.RefreshToken"/> and forget the old one; presenting an old one again revokes the chain.
    /// </summary>
    /// <param name="refreshToken">The current refresh token.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonOAuthException">The grant was revoked or expired, or the token was used before (<c>invalid_grant</c>).</exception>
    public Task<TokenSet> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        return RequestTokensAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        }, cancellationToken);
    }

    /// <summary>Introspects a token (RFC 7662): whether it is active, and what its grant allows now.</summary>
    /// <param name="token">An access or refresh token of this vendor.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<TokenIntrospection> IntrospectAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var endpoint = Vault.AuthorizationServer.IntrospectionEndpoint
            ?? throw new SymbolonOAuthException("invalid_metadata", "The vault advertises no introspection endpoint.");
        using var response = await PostFormAsync(endpoint, new Dictionary<string, string> { ["token"] = token }, cancellationToken).ConfigureAwait(false);
        var json = await SymbolonHttp.ReadAsync<JsonElement>(response, cancellationToken).ConfigureAwait(false);
        var active = json.TryGetProperty("active", out var a) && a.ValueKind == JsonValueKind.True;
        return new TokenIntrospection(
            active,
            StringOf(json, "client_id"),
            StringOf(json, "sub"),
            StringOf(json, "token_type"),
            json.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null,
            DetailsOf(json),
            json.Clone());
    }

    /// <summary>
    /// Revokes a token (RFC 7009). Revoking the refresh token ends the vendor's use of the grant; the person's grant
    /// itself stays on record until the person revokes it.
    /// </summary>
    /// <param name="token">An access or refresh token of this vendor.</param>
    /// <param name="tokenTypeHint"><c>access_token</c> or <c>refresh_token</c>, if known.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task RevokeAsync(string token, string? tokenTypeHint = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var endpoint = Vault.AuthorizationServer.RevocationEndpoint
            ?? throw new SymbolonOAuthException("invalid_metadata", "The vault advertises no revocation endpoint.");
        var parameters = new Dictionary<string, string> { ["token"] = token };
        if (tokenTypeHint is not null)
        {
            parameters["token_type_hint"] = tokenTypeHint;
        }

        using var response = await PostFormAsync(endpoint, parameters, cancellationToken).ConfigureAwait(false);
        await SymbolonHttp.EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TokenSet> RequestTokensAsync(Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var sent = _time.GetUtcNow();
        using var response = await PostFormAsync(Vault.AuthorizationServer.TokenEndpoint, parameters, cancellationToken).ConfigureAwait(false);
        var json = await SymbolonHttp.ReadAsync<JsonElement>(response, cancellationToken).ConfigureAwait(false);
        var accessToken = StringOf(json, "access_token");
        if (string.IsNullOrEmpty(accessToken) || !string.Equals(StringOf(json, "token_type"), "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new SymbolonOAuthException("invalid_response", "The vault's token response has no bearer access token.");
        }

        // The expiry is counted from when the request was sent, so that a slow answer errs on the early side.
        var expiresIn = json.TryGetProperty("expires_in", out var expires) && expires.TryGetInt64(out var seconds) ? seconds : 0;
        return new TokenSet(accessToken, StringOf(json, "refresh_token"), sent.AddSeconds(expiresIn), DetailsOf(json))
        {
            Subject = StringOf(json, CardProtocol.SubjectParameter),
        };
    }

    private async Task<HttpResponseMessage> PostFormAsync(string endpoint, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, SymbolonHttp.Absolute(endpoint, "endpoint"))
        {
            Content = new FormUrlEncodedContent(parameters),
        };
        request.Headers.Authorization = SymbolonHttp.Basic(Credentials);
        return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static string? StringOf(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IReadOnlyList<AuthorizationDetail> DetailsOf(JsonElement json)
    {
        if (!json.TryGetProperty("authorization_details", out var details))
        {
            return [];
        }

        // Some servers send the JSON array as a string; both are read.
        return (details.ValueKind == JsonValueKind.String
            ? JsonSerializer.Deserialize<IReadOnlyList<AuthorizationDetail>>(details.GetString()!, SymbolonHttp.Json)
            : details.Deserialize<IReadOnlyList<AuthorizationDetail>>(SymbolonHttp.Json)) ?? [];
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Replace('+', ' '));
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));

            // A repeated parameter is ambiguous (RFC 6749 §3.1); refusing it is safer than picking one.
            if (!values.TryAdd(name, value))
            {
                throw new SymbolonOAuthException("invalid_callback", $"The callback repeats the parameter {name}.");
            }
        }

        return values;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
