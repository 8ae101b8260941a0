using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Conversations;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Terms;
using Symbolon.Core.Vaults;

namespace Symbolon.Server.OAuth;

/// <summary>
/// The invitation grant (<see cref="GrantType"/>): a vendor whose offer the person accepted redeems the invitation code
/// from the sealed acceptance at the token endpoint, authenticated with the client secret it got at registration, and
/// receives tokens for at most what the person chose when accepting, without a browser. The code is single-use and
/// bound to the first client that redeems it; the grant, its signed consent receipt, the redemption and the offer as
/// the conversation's first entry commit together or not at all.
/// </summary>
internal static class InvitationRedemption
{
    public const string GrantType = "urn:symbolon:params:oauth:grant-type:invitation";

    /// <summary>The token request parameter holding the code.</summary>
    public const string InvitationParameter = "invitation";

    public static async Task<IResult> RedeemAsync(HttpContext context, OpenIddictRequest request)
    {
        var services = context.RequestServices;
        var ct = context.RequestAborted;
        var relationships = services.GetRequiredService<RelationshipService>();
        var relationship = request.ClientId is null ? null : await relationships.FindByClientIdAsync(request.ClientId, ct);
        if (relationship is null || relationship.EndedAt is not null)
        {
            return Forbid(OpenIddictConstants.Errors.InvalidGrant, "The person ended the relationship with this client.");
        }

        var session = services.GetRequiredService<IVaultSessions>().Find(relationship.VaultId);
        if (session is null)
        {
            return Forbid(OpenIddictConstants.Errors.TemporarilyUnavailable, "The vault is locked; try again when its person has opened it.");
        }

        var code = (string?)request[InvitationParameter];
        if (string.IsNullOrEmpty(code) || code.Length > 200)
        {
            return Forbid(OpenIddictConstants.Errors.InvalidRequest, "The invitation parameter is missing.");
        }

        var agreement = await relationships.FindAgreementAsync(relationship, ct);
        if (agreement is null)
        {
            return Forbid(OpenIddictConstants.Errors.InvalidGrant, $"{ProblemCodes.InvitationExceeded}: accept the agreement the invitation names (POST /api/v1/agreements) before redeeming it.");
        }

        var vault = await services.GetRequiredService<VaultService>().GetAsync(ct);
        var raw = (string?)request["authorization_details"];
        IReadOnlyList<AuthorizationDetail> details;
        try
        {
            details = AuthorizationDetailsReader.Read(raw, [.. AgreementRoster.ProfferedBy(vault.ProfferedAgreements).Select(a => a.Id)], agreement.AgreementId);
        }
        catch (InvalidAuthorizationDetailsException e)
        {
            return Forbid(PushedAuthorizationHandlers.InvalidAuthorizationDetails, e.Message);
        }

        var db = services.GetRequiredService<SymbolonDbContext>();
        var invitations = services.GetRequiredService<RelationshipInvitations>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        InvitationState invitation;
        try
        {
            invitation = await invitations.RedeemAsync(session.Keys, code, relationship.ClientId, relationship.Id, ct);
        }
        catch (InvitationProblemException)
        {
            return Forbid(OpenIddictConstants.Errors.InvalidGrant, $"{ProblemCodes.InvitationNotRedeemable}: the invitation is unknown, already used, taken back, or expired.");
        }

        if (AgreementRoster.Strictness(agreement.AgreementId) < AgreementRoster.Strictness(invitation.Grant.Agreement))
        {
            return Forbid(OpenIddictConstants.Errors.InvalidGrant, $"{ProblemCodes.InvitationExceeded}: the person chose {invitation.Grant.Agreement}; accept it before redeeming.");
        }

        if (Exceeds(details, invitation.Grant) is { } why)
        {
            return Forbid(OpenIddictConstants.Errors.InvalidGrant, $"{ProblemCodes.InvitationExceeded}: {why}");
        }

        var allowed = invitation.Grant.Datatypes.ToHashSet(StringComparer.Ordinal);
        var granted = ConsentDecision.Decide(details, allowed, datatype => invitation.Grant.Narrowing.GetValueOrDefault(datatype));
        if (granted.Count == 0)
        {
            return Forbid(OpenIddictConstants.Errors.InvalidGrant, $"{ProblemCodes.InvitationExceeded}: nothing the person chose was asked for.");
        }

        var grant = await relationships.CreateGrantAsync(session.Keys, relationship, raw!, granted, invitation.Grant.ExpiresAt, AuthorizationEndpoints.IssuerOf(context), ct);
        if (invitation.Origin.RelationshipId is null)
        {
            var conversations = services.GetRequiredService<ConversationService>();
            await conversations.AddVendorMessageAsync(session.Keys, relationship, new VendorMessageInput(invitation.Origin.FirstMessage), muted: false, ct);
        }

        var identity = AuthorizationEndpoints.NewIdentity(relationship.Subject, grant.Id);
        await ConsentDecision.AuthorizeAsync(
            services.GetRequiredService<IOpenIddictApplicationManager>(),
            services.GetRequiredService<IOpenIddictAuthorizationManager>(),
            relationships,
            relationship,
            grant,
            identity,
            ct);
        await transaction.CommitAsync(ct);

        if (grant.ExpiresAt is { } expires)
        {
            var left = expires - services.GetRequiredService<TimeProvider>().GetUtcNow();
            identity.SetAccessTokenLifetime(left < OAuthServer.AccessTokenLifetime ? left : OAuthServer.AccessTokenLifetime);
            identity.SetRefreshTokenLifetime(left < OAuthServer.RefreshTokenLifetime ? left : OAuthServer.RefreshTokenLifetime);
        }

        var properties = new AuthenticationProperties(items: null, parameters: new Dictionary<string, object?>
        {
            ["authorization_details"] = GrantDetails.ToJson(grant),

            // The vendor met the person through an anonymous offer: the tokens name its pairwise handle.
            [CardProtocol.SubjectParameter] = relationship.Subject,
        });
        return Results.SignIn(new ClaimsPrincipal(identity), properties, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>Why the request asks for more than the invitation allows, or null when it does not.</summary>
    internal static string? Exceeds(IReadOnlyList<AuthorizationDetail> details, InvitationGrant invitation)
    {
        foreach (var detail in details)
        {
            foreach (var datatype in detail.Datatypes)
            {
                if (!invitation.Datatypes.Contains(datatype, StringComparer.Ordinal))
                {
                    return $"the person did not choose to share {datatype}.";
                }

                var allowedActions = invitation.ActionsFor(datatype);
                if (detail.Actions.FirstOrDefault(a => !allowedActions.Contains(a, StringComparer.Ordinal)) is { } action)
                {
                    return $"the person allowed {string.Join(", ", allowedActions)} on {datatype}, not {action}.";
                }
            }
        }

        return null;
    }

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
