using System.Security.Claims;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Card;
using Symbolon.Core.Relationships;
using Symbolon.Core.Terms;
using Symbolon.Core.Vaults;
using Symbolon.Server.OAuth;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Symbolon.Server.Card;

/// <summary>A card code redeemed by a vendor's device authorization request, carried through OpenIddict's transaction.</summary>
internal sealed record CardRedemption(Guid RequestId, RelationshipEntity Relationship, CardCodeEntity Code, string RequestedDetails);

/// <summary>
/// The card at the counter as an RFC 8628 device authorization: the point of sale posts the scanned code with its
/// <c>authorization_details</c> to OpenIddict's device endpoint; these handlers check the request like a pushed
/// one, redeem the code, tie OpenIddict's device code to a <see cref="CardRequests"/> entry, and pace polling.
/// </summary>
internal static class CardOAuthHandlers
{
    private const string RedemptionProperty = ".symbolon_card_redemption";

    private const string CardCodeProperty = ".symbolon_card_code";

    /// <summary>
    /// Takes the card code out of the request as soon as it is read: OpenIddict logs every request it extracts and
    /// masks only the parameters it knows to be secret, and a pairing code must never reach a log.
    /// </summary>
    internal sealed class HideCardCode : IOpenIddictServerHandler<ExtractDeviceAuthorizationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractDeviceAuthorizationRequestContext>()
                .UseSingletonHandler<HideCardCode>()
                .SetOrder(int.MaxValue - 100_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ExtractDeviceAuthorizationRequestContext context)
        {
            if (context.Request is { } request)
            {
                context.Transaction.Properties[CardCodeProperty] = (string?)request[CardProtocol.CardCodeParameter];
                request.RemoveParameter(CardProtocol.CardCodeParameter);
            }

            return default;
        }
    }

    /// <summary>Checks the request as PAR does, then redeems the card code (single use).</summary>
    internal sealed class RedeemCardCode(RelationshipService relationships, VaultService vaults, CardCodes codes) : IOpenIddictServerHandler<ValidateDeviceAuthorizationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateDeviceAuthorizationRequestContext>()
                .UseScopedHandler<RedeemCardCode>()
                .SetOrder(int.MaxValue - 100_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ValidateDeviceAuthorizationRequestContext context)
        {
            var relationship = context.ClientId is null ? null : await relationships.FindByClientIdAsync(context.ClientId, context.CancellationToken);
            if (relationship is null || relationship.EndedAt is not null)
            {
                context.Reject(OpenIddictConstants.Errors.UnauthorizedClient, "The person ended the relationship with this client; it can no longer ask for access.");
                return;
            }

            var raw = (string?)context.Request["authorization_details"];
            var vault = await vaults.GetAsync(context.CancellationToken);
            var agreement = await relationships.FindAgreementAsync(relationship, context.CancellationToken);
            try
            {
                AuthorizationDetailsReader.Read(raw, [.. AgreementRoster.ProfferedBy(vault.ProfferedAgreements).Select(a => a.Id)], agreement?.AgreementId);
            }
            catch (InvalidAuthorizationDetailsException e)
            {
                context.Reject(PushedAuthorizationHandlers.InvalidAuthorizationDetails, e.Message);
                return;
            }

            // The request is checked before the code is spent, so a malformed request does not burn the person's code.
            try
            {
                var code = await codes.RedeemAsync(relationship.VaultId, context.Transaction.Properties.GetValueOrDefault(CardCodeProperty) as string, relationship.ClientId, context.CancellationToken);
                context.Transaction.Properties[RedemptionProperty] = new CardRedemption(Core.Records.UuidV7.Create(context.Options.TimeProvider!.GetUtcNow()), relationship, code, raw!);
            }
            catch (CardCodeRejectedException e)
            {
                var problem = e.Failure switch
                {
                    CardCodeFailure.Expired => ProblemCodes.CardCodeExpired,
                    CardCodeFailure.AlreadyUsed => ProblemCodes.CardCodeUsed,
                    _ => ProblemCodes.CardCodeUnknown,
                };
                context.Reject(CardProtocol.InvalidCardCodeError, $"{problem}: {e.Message}");
            }
        }
    }

    /// <summary>Names the card request on the device code's principal, so the token endpoint finds it again.</summary>
    internal sealed class AttachCardRequest : IOpenIddictServerHandler<HandleDeviceAuthorizationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<HandleDeviceAuthorizationRequestContext>()
                .UseSingletonHandler<AttachCardRequest>()
                .SetOrder(int.MaxValue - 100_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(HandleDeviceAuthorizationRequestContext context)
        {
            if (context.Transaction.Properties.TryGetValue(RedemptionProperty, out var value) && value is CardRedemption redemption)
            {
                // Note: no authentication type, as OpenIddict's own default: nobody has approved anything yet.
                var identity = new ClaimsIdentity();
                identity.SetClaim(CardRequests.RequestClaim, redemption.RequestId.ToString());
                context.Principal = new ClaimsPrincipal(identity);
            }

            return default;
        }
    }

    /// <summary>Once OpenIddict issued the device code, records the request (and answers it at once when it may).</summary>
    internal sealed class RecordCardRequest(CardRequests requests) : IOpenIddictServerHandler<ApplyDeviceAuthorizationResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyDeviceAuthorizationResponseContext>()
                .UseScopedHandler<RecordCardRequest>()
                .SetOrder(int.MinValue + 100_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ApplyDeviceAuthorizationResponseContext context)
        {
            if (context.Transaction.Properties.TryGetValue(RedemptionProperty, out var value) && value is CardRedemption redemption
                && context.Response.DeviceCode is { Length: > 0 } deviceCode && context.Response.Error is null)
            {
                var issuer = AuthorizationEndpoints.IssuerOf(context.Transaction.GetHttpRequest()!.HttpContext);
                await requests.RecordAsync(redemption.RequestId, redemption.Relationship, redemption.Code, redemption.RequestedDetails, deviceCode, issuer, context.CancellationToken);
            }
        }
    }

    /// <summary>RFC 8628 §3.5 <c>slow_down</c>, checked before OpenIddict reads the device code.</summary>
    internal sealed class PacePolling(CardRequests requests) : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseScopedHandler<PacePolling>()
                .SetOrder(int.MinValue + 10_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            if (!context.Request.IsDeviceCodeGrantType())
            {
                return;
            }

            switch (await requests.PaceAsync(context.Request.DeviceCode, context.ClientId, context.CancellationToken))
            {
                case PollPace.OtherClient:
                    context.Reject(OpenIddictConstants.Errors.InvalidGrant, "The device code was not issued to this client.");
                    break;
                case PollPace.TooFast:
                    context.Reject(OpenIddictConstants.Errors.SlowDown, "Polling faster than the interval; wait 5 seconds longer between polls from now on.");
                    break;
            }
        }
    }
}
