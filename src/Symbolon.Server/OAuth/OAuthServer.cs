using Microsoft.IdentityModel.Tokens;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using OpenIddict.Validation;
using Symbolon.Core.Storage;
using Symbolon.Server.VendorApi;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Symbolon.Server.OAuth;

/// <summary>
/// The OAuth 2.0 authorization server vendors use (OpenIddict): authorization code flow with PKCE S256 and
/// pushed authorization requests only, opaque reference access tokens that live minutes, rotating refresh
/// tokens, introspection and revocation. Symbolon's additions (authorization_details, agreements, the consent
/// page) are small event handlers and the pass-through endpoints in <see cref="AuthorizationEndpoints"/>.
/// </summary>
internal static class OAuthServer
{
    public const string AuthorizePath = "/connect/authorize";
    public const string PushedAuthorizationPath = "/connect/par";
    public const string TokenPath = "/connect/token";
    public const string IntrospectionPath = "/connect/introspect";
    public const string RevocationPath = "/connect/revoke";
    public const string RegistrationPath = "/connect/register";
    public const string DeviceAuthorizationPath = "/connect/device";
    public const string VerificationPath = "/connect/verify";
    public const string MetadataPath = "/.well-known/oauth-authorization-server";

    /// <summary>The private claim carrying the grant a token was issued under.</summary>
    public const string GrantIdClaim = "symbolon_grant";

    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan RefreshTokenLifetime = TimeSpan.FromDays(30);

    public static IServiceCollection AddOAuthServer(this IServiceCollection services)
    {
        services.AddOpenIddict()
            .AddCore(core =>
            {
                // Core's AddRelationships registers OpenIddict's stores over the Symbolon database (revocation needs
                // them in every host). Set-based revocations bypass SaveChanges; these managers tell the vendor
                // access cache of them.
                core.ReplaceTokenManager<OpenIddictEntityFrameworkCoreToken, InvalidatingTokenManager>();
                core.ReplaceAuthorizationManager<OpenIddictEntityFrameworkCoreAuthorization, InvalidatingAuthorizationManager>();
            })
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris(AuthorizePath[1..])
                    .SetPushedAuthorizationEndpointUris(PushedAuthorizationPath[1..])
                    .SetTokenEndpointUris(TokenPath[1..])
                    .SetIntrospectionEndpointUris(IntrospectionPath[1..])
                    .SetRevocationEndpointUris(RevocationPath[1..])
                    .SetDeviceAuthorizationEndpointUris(DeviceAuthorizationPath[1..])
                    .SetEndUserVerificationEndpointUris(VerificationPath[1..])
                    .SetConfigurationEndpointUris(MetadataPath[1..], ".well-known/openid-configuration");

                // RFC 9700: the code flow only (no implicit, no password grant), PKCE required, every
                // authorization request pushed first (RFC 9126), so its parameters never travel through the browser.
                server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow();

                // RFC 8628 for the card at the counter: a point of sale redeems the person's card code at the device
                // endpoint and polls while the person decides in the app (Card/CardOAuthHandlers.cs).
                server.AllowDeviceAuthorizationFlow();

                // A vendor whose offer the person accepted redeems the invitation from the acceptance here, with its
                // client secret, for at most what the person chose (InvitationRedemption).
                server.AllowCustomFlow(InvitationRedemption.GrantType);
                server.RequireProofKeyForCodeExchange();
                server.RequirePushedAuthorizationRequests();

                // Opaque reference tokens: the token is a handle to a database entry, so revoking a grant stops
                // the very next request. Refresh tokens rotate (OpenIddict's default), and a reused one revokes the chain.
                server.UseReferenceAccessTokens().UseReferenceRefreshTokens();
                server.SetAccessTokenLifetime(AccessTokenLifetime)
                    .SetRefreshTokenLifetime(RefreshTokenLifetime)
                    .SetAuthorizationCodeLifetime(TimeSpan.FromMinutes(2))
                    .SetDeviceCodeLifetime(new Card.CardOptions().RequestLifetime)
                    .SetUserCodeLifetime(new Card.CardOptions().RequestLifetime);
                server.SetRefreshTokenReuseLeeway(TimeSpan.Zero);

                // Note: scopes are not how Symbolon expresses access; authorization_details is.
                server.DisableScopeValidation();

                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndUserVerificationEndpointPassthrough()
                    .DisableTransportSecurityRequirement();

                server.AddEventHandler(PushedAuthorizationHandlers.ValidateAuthorizationDetails.Descriptor);
                server.AddEventHandler(AuthorizationErrorPage.RenderInsteadOfRedirecting.Descriptor);
                server.AddEventHandler(MetadataHandlers.AdvertiseSymbolon.Descriptor);
                server.AddEventHandler(IntrospectionHandlers.AttachGrantedDetails.Descriptor);
                server.AddEventHandler(TokenOwnerHandlers.RequireOwnerForIntrospection.Descriptor);
                server.AddEventHandler(TokenOwnerHandlers.RequireOwnerForRevocation.Descriptor);
                server.AddEventHandler(Card.CardOAuthHandlers.HideCardCode.Descriptor);
                server.AddEventHandler(Card.CardOAuthHandlers.RedeemCardCode.Descriptor);
                server.AddEventHandler(Card.CardOAuthHandlers.AttachCardRequest.Descriptor);
                server.AddEventHandler(Card.CardOAuthHandlers.RecordCardRequest.Descriptor);
                server.AddEventHandler(Card.CardOAuthHandlers.PacePolling.Descriptor);
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                // RFC 6750 §2.1 only: a token in a URL ends up in logs, histories and Referer headers, and one in a form
                // body can be posted by any page; vendors send it in the Authorization header.
                validation.UseAspNetCore()
                    .DisableAccessTokenExtractionFromQueryString()
                    .DisableAccessTokenExtractionFromBodyForm();
                validation.EnableAuthorizationEntryValidation();
            });

        services.AddOAuthLogRedaction();
        services.AddSingleton(sp => OAuthKeys.LoadOrCreate(sp.GetRequiredService<StorageOptions>().ResolvedDataDirectory));
        services.AddOptions<OpenIddictServerOptions>().Configure<OAuthKeys, TimeProvider>((options, keys, time) =>
        {
            options.SigningCredentials.Add(new SigningCredentials(keys.Signing, SecurityAlgorithms.EcdsaSha256));
            options.EncryptionCredentials.Add(new EncryptingCredentials(keys.Encryption, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));

            // S256 only: "plain" PKCE protects nothing against an attacker who sees the authorization request.
            options.CodeChallengeMethods.Clear();
            options.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);
            options.TimeProvider = time;

            // Codes come back in the query (or a form post), never in a fragment.
            options.ResponseModes.Remove(ResponseModes.Fragment);
        });
        services.AddOptions<OpenIddictValidationOptions>().Configure<TimeProvider>((options, time) => options.TimeProvider = time);
        return services;
    }
}
