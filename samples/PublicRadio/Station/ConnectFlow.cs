using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Extensions;
using PublicRadio.Data;
using Symbolon.Client;
using Symbolon.Contracts.Vendor;

namespace PublicRadio.Station;

/// <summary>
/// "Connect with Symbolon": the OAuth code flow (PAR, PKCE) through the SDK, asking to append listening usage and the
/// station's payment instructions. The pending request is kept in memory and bound to the browser that started it by
/// a cookie holding its <c>state</c>; once connected, the listener's browser keeps a random key naming them here.
/// </summary>
public sealed class ConnectFlow(VaultDirectory vaults, ListenerSessions sessions, PaymentDesk payments, StationSettingsStore settings, TimeProvider time)
{
    public const string StateCookie = "publicradio-connect";

    public const string ListenerCookie = "publicradio-listener";

    /// <summary>What the station asks for: nothing to read, only two things to add.</summary>
    public static IReadOnlyList<AuthorizationDetail> Request { get; } =
    [
        new(Datatypes.AuthorizationDetailsType, [Datatypes.Usage], [DataActions.Append], "Tell your vault how many hours you listened, so you can support the station per hour if you like", VaultDirectory.Agreement),
        new(Datatypes.AuthorizationDetailsType, [Datatypes.PaymentInstructions], [DataActions.Append], "Give your vault the station's bank details, for you to approve, so you can support it on your own terms", VaultDirectory.Agreement),
    ];

    private readonly ConcurrentDictionary<string, (int VaultId, SymbolonVendorClient Client, AuthorizationRequest Request)> _pending = new(StringComparer.Ordinal);

    /// <summary>Registers with the vault if needed, pushes the request, and returns where to send the browser.</summary>
    public async Task<Uri> BeginAsync(Uri vaultUrl, HttpResponse response, CancellationToken cancellationToken)
    {
        var (registration, client) = await vaults.ConnectAsync(vaultUrl, cancellationToken);
        var station = await settings.GetAsync(cancellationToken);
        var request = await client.BeginAuthorizationAsync(new Uri(new Uri(station.PublicUrl), "connect/callback"), Request, cancellationToken);
        foreach (var expired in _pending.Where(p => p.Value.Request.ExpiresAt < time.GetUtcNow()).Select(p => p.Key).ToList())
        {
            _pending.TryRemove(expired, out _);
        }

        _pending[request.State] = (registration.Id, client, request);
        response.Cookies.Append(StateCookie, request.State, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromMinutes(10) });
        return request.AuthorizationUri;
    }

    /// <summary>Completes the flow on the callback, publishes the station's payment instructions when granted, and remembers the listener in this browser.</summary>
    /// <exception cref="SymbolonOAuthException">The listener declined, or the callback failed a check.</exception>
    public async Task<Listener> CompleteAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var state = context.Request.Cookies[StateCookie];
        if (state is null || !_pending.TryRemove(state, out var pending))
        {
            throw new SymbolonOAuthException("invalid_state", "This browser did not start a connection, or it took too long; start again.");
        }

        var session = await pending.Client.CompleteAuthorizationAsync(new Uri(context.Request.GetEncodedUrl()), pending.Request, cancellationToken);
        var subject = session.Tokens.Subject ?? (await pending.Client.IntrospectAsync(session.Tokens.AccessToken, cancellationToken)).Subject
            ?? throw new SymbolonOAuthException("invalid_response", "The vault did not name the listener.");
        var listener = await sessions.AdoptAsync(pending.VaultId, subject, session, cancellationToken);
        await payments.PublishAsync(listener.Id, cancellationToken);
        context.Response.Cookies.Delete(StateCookie);
        context.Response.Cookies.Append(ListenerCookie, listener.Key.ToString("N"), new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365) });
        return listener;
    }
}
