using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Relationships;
using Symbolon.Core.Terms;
using Symbolon.Core.Vaults;
using Symbolon.Server.Card;
using Symbolon.Server.Vault;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Symbolon.Server.OAuth;

/// <summary>
/// The authorization and token endpoints' Symbolon side. OpenIddict has already checked the client, PKCE and
/// the pushed request when these run; here the person is asked, the grant is recorded, and tokens carry it.
/// </summary>
internal static class AuthorizationEndpoints
{
    public const string ConsentPagePath = "/consent";

    /// <summary>The expiries the consent page offers.</summary>
    public static IReadOnlyList<(string Value, string Label, TimeSpan? Lifetime)> Expiries => ConsentDecision.Expiries;

    public static IEndpointRouteBuilder MapAuthorizationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods(OAuthServer.AuthorizePath, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync)
            .WithName("Authorize").WithSummary("OAuth 2.0 authorization endpoint: shows the consent page, then records the person's decision.")
            .DisableAntiforgery().ExcludeFromDescription();
        app.MapPost(OAuthServer.TokenPath, TokenAsync)
            .WithName("Token").WithSummary("OAuth 2.0 token endpoint: exchanges codes and refresh tokens while the grant is still in force.")
            .DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> AuthorizeAsync(
        HttpContext context,
        RelationshipService relationships,
        VaultService vaults,
        IVaultSessions sessions,
        IAntiforgery antiforgery,
        IOpenIddictApplicationManager applications,
        IOpenIddictAuthorizationManager authorizations,
        TimeProvider time)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("OpenIddict did not pass an authorization request.");

        // The person decides, signed in with the browser session; a token (a script) cannot consent for them.
        var owner = await context.AuthenticateAsync(OwnerAuthentication.CookieScheme);
        var vaultId = owner.Succeeded ? OwnerAuthentication.VaultIdOf(owner.Principal!) : null;
        var session = vaultId is { } id ? sessions.Find(id) : null;
        if (vaultId is null || session is null)
        {
            var here = context.Request.PathBase + context.Request.Path + QueryForReturn(request);
            return Results.Redirect($"/unlock?returnUrl={Uri.EscapeDataString(here)}");
        }

        var consents = PendingConsents.Of(session, time);
        var relationship = await relationships.FindByClientIdAsync(request.ClientId!, context.RequestAborted);
        if (relationship is null || relationship.VaultId != vaultId || relationship.EndedAt is not null)
        {
            return Forbid(OpenIddictConstants.Errors.UnauthorizedClient, "The person ended the relationship with this client.");
        }

        var agreement = await relationships.FindAgreementAsync(relationship, context.RequestAborted);
        var vault = await vaults.GetAsync(context.RequestAborted);
        var raw = (string?)request["authorization_details"];
        IReadOnlyList<AuthorizationDetail> details;
        try
        {
            details = AuthorizationDetailsReader.Read(raw, [.. AgreementRoster.ProfferedBy(vault.ProfferedAgreements).Select(a => a.Id)], agreement?.AgreementId);
        }
        catch (InvalidAuthorizationDetailsException e)
        {
            return Forbid(PushedAuthorizationHandlers.InvalidAuthorizationDetails, e.Message);
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            var pending = consents.Add((consentId, expires) => new PendingConsent(
                consentId, vaultId.Value, relationship.Id, relationship.ClientId, request.RequestUri!, relationship.VendorName, relationship.ClientUri,
                relationship.PolicyUri, agreement!.AgreementId, raw!, details, expires));
            return Results.Redirect($"{ConsentPagePath}/{pending.Id}");
        }

        // The consent form posts back here with the pushed request's client_id and request_uri.
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest();
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var consent = consents.Find(form["consent_id"]);
        if (consent is null || consent.ClientId != relationship.ClientId)
        {
            return Forbid(OpenIddictConstants.Errors.InvalidRequest, "The consent page expired; the vendor has to ask again.");
        }

        consents.Remove(consent.Id);
        var granted = ConsentDecision.FromForm(form, details);
        if (form["decision"] != "allow" || granted.Count == 0)
        {
            return Forbid(OpenIddictConstants.Errors.AccessDenied, "The person declined to share.");
        }

        if (!ConsentDecision.TryExpiry(form["expiry"], time.GetUtcNow(), out var expiresAt))
        {
            return Results.BadRequest();
        }

        var grant = await relationships.CreateGrantAsync(session.Keys, relationship, raw!, granted, expiresAt, IssuerOf(context), context.RequestAborted);
        var identity = NewIdentity(relationship.Subject, grant.Id);
        await ConsentDecision.AuthorizeAsync(applications, authorizations, relationships, relationship, grant, identity, context.RequestAborted);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> TokenAsync(HttpContext context, RelationshipService relationships, CardRequests cardRequests, TimeProvider time)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("OpenIddict did not pass a token request.");
        if (request.GrantType == InvitationRedemption.GrantType)
        {
            return await InvitationRedemption.RedeemAsync(context, request);
        }

        if (!request.IsAuthorizationCodeGrantType() && !request.IsRefreshTokenGrantType() && !request.IsDeviceCodeGrantType())
        {
            return Forbid(OpenIddictConstants.Errors.UnsupportedGrantType, "Only authorization_code, refresh_token and the device code grant are supported.");
        }

        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var principal = result.Principal;
        var relationship = request.ClientId is null ? null : await relationships.FindByClientIdAsync(request.ClientId, context.RequestAborted);
        var grantId = await GrantIdOfAsync(request, principal, relationship, cardRequests, context.RequestAborted);
        var grant = grantId is { } id && relationship is not null
            ? await relationships.FindGrantAsync(relationship.VaultId, id, context.RequestAborted)
            : null;
        var now = time.GetUtcNow();
        if (grant is null || grant.RelationshipId != relationship!.Id || relationship.EndedAt is not null || grant.RevokedAt is not null)
        {
            return Forbid(OpenIddictConstants.Errors.InvalidGrant, "The person revoked this grant or ended the relationship.");
        }

        if (!grant.IsActive(now))
        {
            return Forbid(OpenIddictConstants.Errors.InvalidGrant, "The grant expired; ask the person again.");
        }

        var identity = NewIdentity(relationship.Subject, grant.Id);
        identity.SetAuthorizationId(principal!.GetAuthorizationId());

        // A token never outlives the grant it was issued under.
        if (grant.ExpiresAt is { } expires)
        {
            var left = expires - now;
            identity.SetAccessTokenLifetime(left < OAuthServer.AccessTokenLifetime ? left : OAuthServer.AccessTokenLifetime);
            identity.SetRefreshTokenLifetime(left < OAuthServer.RefreshTokenLifetime ? left : OAuthServer.RefreshTokenLifetime);
        }

        var parameters = new Dictionary<string, object?>
        {
            ["authorization_details"] = GrantDetails.ToJson(grant),
        };

        // At the counter the vendor may not know the person yet: the first tokens name its pairwise handle.
        if (request.IsDeviceCodeGrantType())
        {
            parameters[CardProtocol.SubjectParameter] = relationship.Subject;
        }

        var properties = new AuthenticationProperties(items: null, parameters: parameters);
        return Results.SignIn(new ClaimsPrincipal(identity), properties, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// The grant a token request is under: the claim of the code or refresh token, or for a device code (the card at
    /// the counter) the grant the person's approval attached to the card request.
    /// </summary>
    private static async Task<Guid?> GrantIdOfAsync(OpenIddictRequest request, ClaimsPrincipal? principal, RelationshipEntity? relationship, CardRequests cardRequests, CancellationToken ct)
    {
        if (principal is null || relationship is null)
        {
            return null;
        }

        if (request.IsDeviceCodeGrantType())
        {
            return principal.GetClaim(CardRequests.RequestClaim) is { } requestClaim && Guid.TryParse(requestClaim, out var requestId)
                ? await cardRequests.GrantOfAsync(relationship.VaultId, requestId, relationship.Id, ct)
                : null;
        }

        return principal.GetClaim(OAuthServer.GrantIdClaim) is { } claim && Guid.TryParse(claim, out var grantId) ? grantId : null;
    }

    internal static ClaimsIdentity NewIdentity(string subject, Guid grantId)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, subject);
        identity.SetClaim(OAuthServer.GrantIdClaim, grantId.ToString());

        // OpenIddict issues refresh tokens only to principals holding offline_access; the grant's own
        // expiry and revocation, not the scope, decide how long they work.
        identity.SetScopes(Scopes.OfflineAccess);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return identity;
    }

    /// <summary>The vault's issuer: its public origin (<see cref="Hosting.PublicOrigin"/>), never the request's Host header.</summary>
    public static string IssuerOf(HttpContext context) => context.RequestServices.GetRequiredService<Hosting.PublicOrigin>().Issuer;

    private static string QueryForReturn(OpenIddictRequest request) =>
        $"?client_id={Uri.EscapeDataString(request.ClientId ?? "")}&request_uri={Uri.EscapeDataString(request.RequestUri ?? "")}";

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
