using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Relationships;
using Symbolon.Core.Vaults;
using Symbolon.Server.Errors;
using Symbolon.Server.Inbox;
using Symbolon.Server.OAuth;

namespace Symbolon.Server.VendorApi;

/// <summary>The vendor behind a data-API request: its relationship, the grant its token carries, and the vault's session.</summary>
/// <remarks><see cref="Grant"/> is null for a client that authenticated with its id and secret (<see cref="VendorAccess.RequireVendorTokenOrClient"/>).</remarks>
/// <remarks>
/// <see cref="LiveSession"/> is null while the person is away (the vault is locked): only a route that queues its writes
/// (<see cref="Inbox.VendorInbox"/>) runs then, with <see cref="Queue"/> set, and never touches the keys.
/// </remarks>
internal sealed record VendorCaller(RelationshipEntity Relationship, GrantEntity? Grant, IReadOnlyList<GrantedDatatype> Granted, VaultSession? LiveSession)
{
    /// <summary>The vault's session; <see cref="Inbox.PersonAwayException"/> (423) while the person is away.</summary>
    public VaultSession Session => LiveSession ?? throw new Inbox.PersonAwayException();

    /// <summary>The vault's keys; 423 once the vault locked.</summary>
    public VaultKeys Keys => Session.Keys;

    /// <summary>The write goes to the sealed inbox: the person is away, or earlier writes still wait there.</summary>
    public bool Queue { get; init; }

    public GrantedDatatype? For(string datatype, string action) =>
        Granted.FirstOrDefault(g => g.Datatype == datatype && g.Allows(action));
}

/// <summary>
/// Authenticates data-API calls: the opaque access token is checked against OpenIddict's token store (so a revoked
/// token fails at once), then its grant and relationship must still be in force. What the check found is remembered
/// per token in <see cref="VendorAccessCache"/>, which every revoking write invalidates.
/// </summary>
internal static class VendorAccess
{
    private const string CallerKey = "Symbolon.VendorCaller";

    public static VendorCaller Caller(this HttpContext context) =>
        context.Items[CallerKey] as VendorCaller ?? throw new InvalidOperationException("The vendor filter did not run.");

    /// <summary>Requires a valid vendor access token on every endpoint of the group.</summary>
    public static RouteGroupBuilder RequireVendorToken(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter((invocation, next) => AuthorizeTokenAsync(invocation, next));
        group.WithMetadata(new VendorCredentialMetadata(VendorCredential.AccessToken));
        return group;
    }

    /// <summary>
    /// Requires a vendor access token as <see cref="RequireVendorToken"/> does, or the client's own id and secret
    /// (HTTP Basic) in a relationship that has not ended. For what a vendor must be able to do whatever the person
    /// granted or revoked (answer "delete my data"); such a caller has no grant and is granted nothing.
    /// </summary>
    public static RouteGroupBuilder RequireVendorTokenOrClient(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            if (!context.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            {
                return await AuthorizeTokenAsync(invocation, next);
            }

            var services = context.RequestServices;
            var relationship = await AuthenticateClientAsync(context, services.GetRequiredService<IOpenIddictApplicationManager>(), services.GetRequiredService<RelationshipService>());
            if (relationship is null)
            {
                return ClientUnauthorized(context);
            }

            if (relationship.EndedAt is not null)
            {
                return await RelationshipEndedAsync(context, relationship);
            }

            var (session, queue) = await AwayAsync(context, relationship.VaultId);
            context.Items[CallerKey] = new VendorCaller(relationship, null, [], session) { Queue = queue };
            return await next(invocation);
        });
        group.WithMetadata(new VendorCredentialMetadata(VendorCredential.AccessToken | VendorCredential.ClientSecret));
        return group;
    }

    private static async ValueTask<object?> AuthorizeTokenAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var services = context.RequestServices;
        if (context.Replay() is { } replay)
        {
            return await AuthorizeReplayAsync(invocation, next, replay);
        }

        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var cache = services.GetRequiredService<VendorAccessCache>();
        var key = BearerToken(context) is { } token ? VendorAccessCache.KeyOf(token) : null;
        var bound = key is null ? null : cache.Find(key, now);
        if (bound is null)
        {
            // The generation is read before the checks, so a revocation committed while they run makes the
            // entry unusable rather than letting it outlive the revocation.
            var generation = cache.Generation;
            var result = await AuthenticateTokenAsync(context);
            if (result is null)
            {
                return Results.Empty;
            }

            if (!result.Succeeded || result.Principal is null)
            {
                return Unauthorized(context, ProblemCodes.InvalidAccessToken, "The access token is missing, unknown, expired or revoked.", "invalid_token");
            }

            var relationships = services.GetRequiredService<RelationshipService>();
            var clientId = result.Principal.GetClaim(OpenIddictConstants.Claims.ClientId) ?? result.Principal.GetPresenters().FirstOrDefault();
            var relationship = clientId is null ? null : await relationships.FindByClientIdAsync(clientId, context.RequestAborted);
            var grant = relationship is not null && Guid.TryParse(result.Principal.GetClaim(OAuthServer.GrantIdClaim), out var grantId)
                ? await relationships.FindGrantAsync(relationship.VaultId, grantId, context.RequestAborted)
                : null;
            if (relationship is null || grant is null || grant.RelationshipId != relationship.Id)
            {
                return Unauthorized(context, ProblemCodes.InvalidAccessToken, "The access token is not bound to a grant of this client.", "invalid_token");
            }

            bound = new VendorAccessCache.Entry(generation, now, result.Principal.GetExpirationDate() ?? now, relationship, grant, GrantedDatatype.ParseList(grant.GrantedDetails));
            if (key is not null && bound.TokenExpiresAt > now)
            {
                cache.Remember(key, bound);
            }
        }

        // Checked on every call, cached or not: a grant's own expiry needs no write to take effect.
        if (bound.Relationship.EndedAt is not null || !bound.Grant.IsActive(now))
        {
            await VendorAccessLog.AppendAsync(context, bound.Relationship, bound.Grant, Action(context), [], allowed: false, StatusCodes.Status401Unauthorized);
            var why = bound.Relationship.EndedAt is not null ? "The person ended this relationship."
                : bound.Grant.RevokedAt is not null ? "The person revoked this grant." : "This grant expired; ask the person again.";
            return Unauthorized(context, ProblemCodes.GrantNotInForce, why, "invalid_token");
        }

        var (session, queue) = await AwayAsync(context, bound.Relationship.VaultId);
        context.Items[CallerKey] = new VendorCaller(bound.Relationship, bound.Grant, bound.Granted, session) { Queue = queue };
        return await next(invocation);
    }

    /// <summary>
    /// The vault's session, and whether this call's write goes to the sealed inbox. While the person is away, a write
    /// that can wait is queued and anything else is refused (423, Retry-After); once they are back, writes keep queuing
    /// until the inbox has been applied, so that none overtakes another.
    /// </summary>
    private static async ValueTask<(VaultSession? Session, bool Queue)> AwayAsync(HttpContext context, Guid vaultId)
    {
        var services = context.RequestServices;
        var session = services.GetRequiredService<IVaultSessions>().Find(vaultId);
        var queues = context.GetEndpoint()?.Metadata.GetMetadata<QueueWhileAwayMetadata>() is not null;
        var queue = queues && (session is null || await services.GetRequiredService<InboxGate>().MustQueueAsync(vaultId, services, context.RequestAborted));
        if (session is null && !queue)
        {
            throw new PersonAwayException();
        }

        return (session, queue);
    }

    /// <summary>
    /// An item of the sealed inbox being applied: the vendor's relationship and the grant its token carried are read
    /// again, and must still be in force, as they must for a live write; its token itself is not kept.
    /// </summary>
    private static async ValueTask<object?> AuthorizeReplayAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, InboxReplay replay)
    {
        var context = invocation.HttpContext;
        var relationships = context.RequestServices.GetRequiredService<RelationshipService>();
        var item = replay.Item;
        var relationship = await relationships.FindAsync(item.VaultId, item.RelationshipId, context.RequestAborted);
        if (relationship is null)
        {
            return Unauthorized(context, ProblemCodes.GrantNotInForce, "The relationship is gone.", "invalid_token");
        }

        // Sent with the client's id and secret (a request reply): it needs only a relationship that has not ended.
        var credentials = context.GetEndpoint()?.Metadata.GetMetadata<VendorCredentialMetadata>()?.Accepted ?? VendorCredential.AccessToken;
        if (item.GrantId is null && credentials.HasFlag(VendorCredential.ClientSecret))
        {
            if (relationship.EndedAt is not null)
            {
                return await RelationshipEndedAsync(context, relationship);
            }

            context.Items[CallerKey] = new VendorCaller(relationship, null, [], replay.Session);
            return await next(invocation);
        }

        var grant = item.GrantId is not { } grantId ? null : await relationships.FindGrantAsync(item.VaultId, grantId, context.RequestAborted);

        // A grant that expired while the write waited still held when the vendor wrote; a revocation is the person's word.
        if (grant is null || relationship.EndedAt is not null || grant.RevokedAt is not null)
        {
            await VendorAccessLog.AppendAsync(context, relationship, grant, Action(context), [], allowed: false, StatusCodes.Status401Unauthorized);
            var why = relationship.EndedAt is not null ? "The person ended this relationship." : "The person revoked this grant.";
            return Unauthorized(context, ProblemCodes.GrantNotInForce, why, "invalid_token");
        }

        context.Items[CallerKey] = new VendorCaller(relationship, grant, GrantedDatatype.ParseList(grant.GrantedDetails), replay.Session);
        return await next(invocation);
    }

    private static async Task<ProblemHttpResult> RelationshipEndedAsync(HttpContext context, RelationshipEntity relationship)
    {
        await VendorAccessLog.AppendAsync(context, relationship, null, Action(context), [], allowed: false, StatusCodes.Status403Forbidden);
        return TypedResults.Problem(ProblemCatalog.Create(ProblemCodes.RelationshipEndedForRequests, StatusCodes.Status403Forbidden, "The relationship has ended.",
            "The person ended this relationship; the vendor can no longer reach anything in the vault."));
    }

    /// <summary>Authenticates the client itself (HTTP Basic with its id and secret), for calls made before any grant.</summary>
    public static async Task<RelationshipEntity?> AuthenticateClientAsync(HttpContext context, IOpenIddictApplicationManager applications, RelationshipService relationships)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }

        // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
        var clientId = Uri.UnescapeDataString(decoded[..colon].Replace('+', ' '));
        var secret = Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' '));
        var application = await applications.FindByClientIdAsync(clientId, context.RequestAborted);
        if (application is null || !await applications.ValidateClientSecretAsync(application, secret, context.RequestAborted))
        {
            return null;
        }

        return await relationships.FindByClientIdAsync(clientId, context.RequestAborted);
    }

    public static ProblemHttpResult ClientUnauthorized(HttpContext context) =>
        Unauthorized(context, ProblemCodes.InvalidClient, "The client could not be authenticated; send its id and secret with HTTP Basic.", "invalid_client", "Basic");

    /// <summary>
    /// Runs OpenIddict's token validation for this request. The vendor API skips the authentication middleware (see
    /// <c>SymbolonHost</c>), so the validation handler's request step, which that middleware would have run and which
    /// authentication depends on, runs here first. Null when the handler answered the request itself.
    /// </summary>
    private static async Task<AuthenticateResult?> AuthenticateTokenAsync(HttpContext context)
    {
        const string scheme = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;
        var handler = await context.RequestServices.GetRequiredService<IAuthenticationHandlerProvider>().GetHandlerAsync(context, scheme);
        if (handler is IAuthenticationRequestHandler requestHandler && await requestHandler.HandleRequestAsync())
        {
            return null;
        }

        return await context.AuthenticateAsync(scheme);
    }

    /// <summary>The bearer token of the Authorization header (RFC 6750 §2.1), the only place vendors send it.</summary>
    private static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > "Bearer ".Length
            ? header["Bearer ".Length..].Trim()
            : null;
    }

    private static string Action(HttpContext context) => HttpMethods.IsGet(context.Request.Method) ? "read" : "write";

    private static ProblemHttpResult Unauthorized(HttpContext context, string code, string detail, string error, string scheme = "Bearer")
    {
        context.Response.Headers.WWWAuthenticate = scheme == "Basic" ? "Basic realm=\"Symbolon\"" : $"Bearer error=\"{error}\", error_description=\"{detail}\"";
        return TypedResults.Problem(ProblemCatalog.Create(code, StatusCodes.Status401Unauthorized, "Not authorized.", detail));
    }
}
