using System.Security.Claims;
using System.Text.Json;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Relationships;
using Symbolon.Core.Terms;
using Symbolon.Core.Vaults;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Symbolon.Server.OAuth;

/// <summary>Checks <c>authorization_details</c> when the request is pushed, so a bad request never reaches the person.</summary>
internal static class PushedAuthorizationHandlers
{
    public const string InvalidAuthorizationDetails = "invalid_authorization_details";

    internal sealed class ValidateAuthorizationDetails(RelationshipService relationships, VaultService vaults) : IOpenIddictServerHandler<ValidatePushedAuthorizationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidatePushedAuthorizationRequestContext>()
                .UseScopedHandler<ValidateAuthorizationDetails>()
                .SetOrder(int.MaxValue - 100_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ValidatePushedAuthorizationRequestContext context)
        {
            var relationship = context.ClientId is null ? null : await relationships.FindByClientIdAsync(context.ClientId, context.CancellationToken);
            if (relationship is null || relationship.EndedAt is not null)
            {
                context.Reject(OpenIddictConstants.Errors.UnauthorizedClient, "The person ended the relationship with this client; it can no longer ask for access.");
                return;
            }

            var vault = await vaults.GetAsync(context.CancellationToken);
            var agreement = await relationships.FindAgreementAsync(relationship, context.CancellationToken);
            try
            {
                AuthorizationDetailsReader.Read(
                    (string?)context.Request["authorization_details"],
                    [.. AgreementRoster.ProfferedBy(vault.ProfferedAgreements).Select(a => a.Id)],
                    agreement?.AgreementId);
            }
            catch (InvalidAuthorizationDetailsException e)
            {
                context.Reject(InvalidAuthorizationDetails, e.Message);
            }
        }
    }
}

/// <summary>Adds Symbolon's entries to the RFC 8414 metadata.</summary>
internal static class MetadataHandlers
{
    internal sealed class AdvertiseSymbolon : IOpenIddictServerHandler<HandleConfigurationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
                .UseSingletonHandler<AdvertiseSymbolon>()
                .SetOrder(int.MaxValue - 100_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(HandleConfigurationRequestContext context)
        {
            // Note: the issuer is resolved from the request when none is configured (one vault per host).
            var issuer = (context.Issuer ?? context.BaseUri)!;
            context.Metadata["registration_endpoint"] = new Uri(issuer, OAuthServer.RegistrationPath[1..]).AbsoluteUri;
            context.Metadata["authorization_details_types_supported"] = new OpenIddictParameter([Datatypes.AuthorizationDetailsType]);
            context.Metadata["symbolon_configuration"] = new Uri(issuer, ".well-known/symbolon").AbsoluteUri;
            return default;
        }
    }
}

/// <summary>Introspection answers carry what the token's grant actually allows (RFC 9396 §9.2).</summary>
internal static class IntrospectionHandlers
{
    internal sealed class AttachGrantedDetails(RelationshipService relationships) : IOpenIddictServerHandler<HandleIntrospectionRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<HandleIntrospectionRequestContext>()
                .UseScopedHandler<AttachGrantedDetails>()
                .SetOrder(int.MaxValue - 100_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(HandleIntrospectionRequestContext context)
        {
            if (context.GenericTokenPrincipal?.GetClaim(OAuthServer.GrantIdClaim) is not { } grantClaim || !Guid.TryParse(grantClaim, out var grantId))
            {
                return;
            }

            var relationship = context.ClientId is null ? null : await relationships.FindByClientIdAsync(context.ClientId, context.CancellationToken);
            var grant = relationship is null ? null : await relationships.FindGrantAsync(relationship.VaultId, grantId, context.CancellationToken);
            if (grant is null || grant.RelationshipId != relationship!.Id)
            {
                return;
            }

            context.Claims["authorization_details"] = new OpenIddictParameter(GrantDetails.ToJson(grant));
        }
    }
}

/// <summary>
/// Only the client a token was issued to may introspect or revoke it. OpenIddict checks the caller against a token's
/// audiences and presenters only when the token names an audience, and Symbolon's access tokens name none (the vendor
/// API is this host), so without this any registered client could read or revoke another client's token. A token
/// introspected by another client is reported inactive, and revoking it is answered as for an unknown token (RFC 7662
/// §2.2, RFC 7009 §2.2): the caller learns nothing, and the token keeps working for its own client.
/// </summary>
internal static class TokenOwnerHandlers
{
    /// <summary>Whether <paramref name="clientId"/> is the party <paramref name="principal"/>'s token was issued to.</summary>
    public static bool IsPresentedBy(ClaimsPrincipal? principal, string? clientId) =>
        principal is not null && !string.IsNullOrEmpty(clientId) && principal.HasPresenter(clientId);

    internal sealed class RequireOwnerForIntrospection : IOpenIddictServerHandler<ValidateIntrospectionRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateIntrospectionRequestContext>()
                .UseSingletonHandler<RequireOwnerForIntrospection>()
                .SetOrder(OpenIddictServerHandlers.Introspection.ValidateTokenType.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateIntrospectionRequestContext context)
        {
            if (!IsPresentedBy(context.GenericTokenPrincipal, context.ClientId))
            {
                context.Reject(OpenIddictConstants.Errors.InvalidToken, "The token was not issued to this client.");
            }

            return default;
        }
    }

    internal sealed class RequireOwnerForRevocation : IOpenIddictServerHandler<ValidateRevocationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateRevocationRequestContext>()
                .UseSingletonHandler<RequireOwnerForRevocation>()
                .SetOrder(OpenIddictServerHandlers.Revocation.ValidateTokenType.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateRevocationRequestContext context)
        {
            if (!IsPresentedBy(context.GenericTokenPrincipal, context.ClientId))
            {
                context.Reject(OpenIddictConstants.Errors.InvalidToken, "The token was not issued to this client.");
            }

            return default;
        }
    }
}

/// <summary>A grant as RFC 9396 authorization details.</summary>
internal static class GrantDetails
{
    public static IReadOnlyList<AuthorizationDetail> ToDetails(GrantEntity grant)
    {
        var granted = GrantedDatatype.ParseList(grant.GrantedDetails);

        // One detail per purpose and action set, so the shape stays that of the request.
        return [.. granted
            .GroupBy(g => (g.Purpose, Actions: string.Join(',', g.Actions)))
            .Select(group => new AuthorizationDetail(
                Datatypes.AuthorizationDetailsType,
                [.. group.Select(g => g.Datatype)],
                group.First().Actions,
                group.Key.Purpose,
                grant.AgreementId,
                group.Where(g => g.Narrowing != Narrowings.Full).ToDictionary(g => g.Datatype, g => g.Narrowing),
                grant.ExpiresAt))];
    }

    public static JsonElement ToJson(GrantEntity grant) => JsonSerializer.SerializeToElement(ToDetails(grant));
}
