using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Relationships;
using Symbolon.Core.Vaults;
using Symbolon.Server.Errors;
using Symbolon.Server.OAuth;
using Symbolon.Server.Vault;

namespace Symbolon.Server.VendorApi;

/// <summary>The vendor behind a data-API request: its relationship, the grant its token carries, and the vault's keys.</summary>
internal sealed record VendorCaller(RelationshipEntity Relationship, GrantEntity Grant, IReadOnlyList<GrantedDatatype> Granted, VaultKeys Keys)
{
    public GrantedDatatype? For(string datatype, string action) =>
        Granted.FirstOrDefault(g => g.Datatype == datatype && g.Allows(action));
}

/// <summary>
/// Authenticates data-API calls: the opaque access token is checked against OpenIddict's token store on every
/// request (so a revoked token fails at once), then its grant and relationship must still be in force.
/// </summary>
internal static class VendorAccess
{
    private const string CallerKey = "Symbolon.VendorCaller";

    public static VendorCaller Caller(this HttpContext context) =>
        context.Items[CallerKey] as VendorCaller ?? throw new InvalidOperationException("The vendor filter did not run.");

    /// <summary>Requires a valid vendor access token on every endpoint of the group.</summary>
    public static RouteGroupBuilder RequireVendorToken(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            var result = await context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
            if (!result.Succeeded || result.Principal is null)
            {
                return Unauthorized(context, ProblemCodes.InvalidAccessToken, "The access token is missing, unknown, expired or revoked.", "invalid_token");
            }

            var relationships = context.RequestServices.GetRequiredService<RelationshipService>();
            var clientId = result.Principal.GetClaim(OpenIddictConstants.Claims.ClientId) ?? result.Principal.GetPresenters().FirstOrDefault();
            var relationship = clientId is null ? null : await relationships.FindByClientIdAsync(clientId, context.RequestAborted);
            var grant = relationship is not null && Guid.TryParse(result.Principal.GetClaim(OAuthServer.GrantIdClaim), out var grantId)
                ? await relationships.FindGrantAsync(relationship.VaultId, grantId, context.RequestAborted)
                : null;
            if (relationship is null || grant is null || grant.RelationshipId != relationship.Id)
            {
                return Unauthorized(context, ProblemCodes.InvalidAccessToken, "The access token is not bound to a grant of this client.", "invalid_token");
            }

            var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            if (relationship.EndedAt is not null || !grant.IsActive(now))
            {
                await VendorAccessLog.AppendAsync(context, relationship, grant, Action(context), [], allowed: false, StatusCodes.Status401Unauthorized);
                var why = relationship.EndedAt is not null ? "The person ended this relationship."
                    : grant.RevokedAt is not null ? "The person revoked this grant." : "This grant expired; ask the person again.";
                return Unauthorized(context, ProblemCodes.GrantNotInForce, why, "invalid_token");
            }

            var keys = context.RequestServices.GetRequiredService<VaultKeyRing>().Find(relationship.VaultId);
            if (keys is null)
            {
                throw new VaultLockedException();
            }

            context.Items[CallerKey] = new VendorCaller(relationship, grant, GrantedDatatype.ParseList(grant.GrantedDetails), keys);
            return await next(invocation);
        });
        return group;
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

    private static string Action(HttpContext context) => HttpMethods.IsGet(context.Request.Method) ? "read" : "write";

    private static ProblemHttpResult Unauthorized(HttpContext context, string code, string detail, string error, string scheme = "Bearer")
    {
        context.Response.Headers.WWWAuthenticate = scheme == "Basic" ? "Basic realm=\"Symbolon\"" : $"Bearer error=\"{error}\", error_description=\"{detail}\"";
        return TypedResults.Problem(ProblemCatalog.Create(code, StatusCodes.Status401Unauthorized, "Not authorized.", detail));
    }
}
