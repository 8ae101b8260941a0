using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Extensions;
using Symbolon.Client;

namespace CoffeeShop.Shop;

/// <summary>
/// "Connect with Symbolon" without a card: the OAuth code flow (PAR, PKCE) through the SDK. The pending request is
/// kept in memory and bound to the browser that started it by a cookie holding its <c>state</c>.
/// </summary>
public sealed class ConnectFlow(VaultDirectory vaults, CustomerSessions sessions, ShopSettingsStore settings, TimeProvider time)
{
    public const string Cookie = "coffeeshop-connect";

    private readonly ConcurrentDictionary<string, (int VaultId, SymbolonVendorClient Client, AuthorizationRequest Request)> _pending = new(StringComparer.Ordinal);

    /// <summary>Registers with the vault if needed, pushes the request, and returns where to send the browser.</summary>
    public async Task<Uri> BeginAsync(Uri vaultUrl, HttpResponse response, CancellationToken cancellationToken)
    {
        var (registration, client) = await vaults.ConnectAsync(vaultUrl, cancellationToken);
        var shop = await settings.GetAsync(cancellationToken);
        var request = await client.BeginAuthorizationAsync(new Uri(new Uri(shop.PublicUrl), "connect/callback"), CounterDesk.Request, cancellationToken);
        foreach (var expired in _pending.Where(p => p.Value.Request.ExpiresAt < time.GetUtcNow()).Select(p => p.Key).ToList())
        {
            _pending.TryRemove(expired, out _);
        }

        _pending[request.State] = (registration.Id, client, request);
        response.Cookies.Append(Cookie, request.State, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromMinutes(10) });
        return request.AuthorizationUri;
    }

    /// <summary>Completes the flow on the callback and returns the customer's id.</summary>
    /// <exception cref="SymbolonOAuthException">The customer declined, or the callback failed a check.</exception>
    public async Task<int> CompleteAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // The callback must come back to the browser that started it: its cookie names the request.
        var state = request.Cookies[Cookie];
        if (state is null || !_pending.TryRemove(state, out var pending))
        {
            throw new SymbolonOAuthException("invalid_state", "This browser did not start a connection, or it took too long; start again.");
        }

        var session = await pending.Client.CompleteAuthorizationAsync(new Uri(request.GetEncodedUrl()), pending.Request, cancellationToken);

        // The code flow's tokens do not name the customer; introspection tells the shop its pairwise identifier.
        var subject = session.Tokens.Subject ?? (await pending.Client.IntrospectAsync(session.Tokens.AccessToken, cancellationToken)).Subject
            ?? throw new SymbolonOAuthException("invalid_response", "The vault did not name the customer.");
        return await sessions.AdoptAsync(pending.VaultId, subject, session, cancellationToken);
    }
}
