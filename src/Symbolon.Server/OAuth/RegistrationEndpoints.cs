using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Relationships;
using Symbolon.Core.Terms;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;
using Symbolon.Core.Webhooks;
using Symbolon.Server.Webhooks;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Symbolon.Server.OAuth;

/// <summary>RFC 7591 dynamic client registration: any vendor can register; registering grants nothing by itself.</summary>
internal static class RegistrationEndpoints
{
    public const int MaximumRedirectUris = 10;

    public static IEndpointRouteBuilder MapRegistrationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(OAuthServer.RegistrationPath, RegisterAsync)
            .WithName("RegisterClient").WithSummary("Registers a vendor as an OAuth client (RFC 7591) with the agreements it accepts and its webhook address.")
            .DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> RegisterAsync(
        ClientRegistrationRequest request,
        VaultService vaults,
        RelationshipService relationships,
        IOpenIddictApplicationManager applications,
        WebhookSecrets webhookSecrets,
        IOptions<WebhookDestinationOptions> destinations,
        TimeProvider time,
        CancellationToken ct)
    {
        var vault = await vaults.FindAsync(ct);
        if (vault is null)
        {
            return Error("temporarily_unavailable", "This Symbolon server has no vault yet; the person has to create it first.", StatusCodes.Status503ServiceUnavailable);
        }

        if (string.IsNullOrWhiteSpace(request.ClientName) || request.ClientName.Trim().Length > 200)
        {
            return Error("invalid_client_metadata", "client_name is required, at most 200 characters.");
        }

        if (VendorText.HasUnsafeCharacter(request.ClientName))
        {
            return Error("invalid_client_metadata", "client_name may hold no control characters (such as escape or bell) and no bidirectional overrides.");
        }

        if (request.RedirectUris is not { Count: > 0 and <= MaximumRedirectUris })
        {
            return Error("invalid_redirect_uri", $"redirect_uris must list 1 to {MaximumRedirectUris} addresses.");
        }

        foreach (var uri in request.RedirectUris)
        {
            if (!IsAllowedAddress(uri, out var why) || uri.Contains('#', StringComparison.Ordinal))
            {
                return Error("invalid_redirect_uri", $"The redirect URI {(uri.Length > 64 ? uri[..64] + "…" : uri)} {why ?? "has a fragment, which redirect URIs may not have"}.");
            }
        }

        foreach (var (name, value) in new[] { ("client_uri", request.ClientUri), ("logo_uri", request.LogoUri), ("policy_uri", request.PolicyUri), ("tos_uri", request.TosUri), ("symbolon_webhook_uri", request.WebhookUri) })
        {
            if (value is not null && !IsAllowedAddress(value, out var why))
            {
                return Error("invalid_client_metadata", $"{name}: {why}.");
            }
        }

        if (request.WebhookUri is not null
            && await WebhookDestinations.CheckAsync(new Uri(request.WebhookUri), destinations.Value.AllowPrivateAddresses, ct) is { } refused)
        {
            return Error("invalid_client_metadata", $"symbolon_webhook_uri {refused}.");
        }

        if (request.GrantTypes?.Any(g => g is not (GrantTypes.AuthorizationCode or GrantTypes.RefreshToken or GrantTypes.DeviceCode or InvitationRedemption.GrantType)) == true)
        {
            return Error("invalid_client_metadata", "grant_types: only authorization_code, refresh_token, the device code grant (the card at the counter) and the invitation grant (an accepted offer) are supported.");
        }

        if (request.ResponseTypes?.Any(r => r != ResponseTypes.Code) == true)
        {
            return Error("invalid_client_metadata", "response_types: only code is supported.");
        }

        var authMethod = request.TokenEndpointAuthMethod ?? ClientAuthenticationMethods.ClientSecretBasic;
        if (authMethod is not (ClientAuthenticationMethods.ClientSecretBasic or ClientAuthenticationMethods.ClientSecretPost))
        {
            return Error("invalid_client_metadata", "token_endpoint_auth_method: client_secret_basic or client_secret_post.");
        }

        var proffered = AgreementRoster.ProfferedBy(vault.ProfferedAgreements).Select(a => a.Id).ToList();
        if (request.Agreements is not { Count: > 0 } || request.Agreements.Any(a => !proffered.Contains(a)))
        {
            return Error("invalid_client_metadata", $"symbolon_agreements must name at least one agreement this vault proffers: {string.Join(", ", proffered)}.");
        }

        byte[]? vendorKey = null;
        if (request.Jwks is { } jwks && !TryReadEd25519Key(jwks, out vendorKey))
        {
            return Error("invalid_client_metadata", "jwks must hold one Ed25519 key: {\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"<base64url>\"}]}.");
        }

        var clientId = "vendor_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12));
        var clientSecret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        (string Secret, string Protected)? webhookSecret = request.WebhookUri is null ? null : webhookSecrets.Create();

        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = clientSecret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Explicit,
            DisplayName = request.ClientName.Trim(),
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.PushedAuthorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.Introspection,
                Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.GrantTypes.RefreshToken,
                Permissions.Endpoints.DeviceAuthorization,
                Permissions.GrantTypes.DeviceCode,
                Permissions.Prefixes.GrantType + InvitationRedemption.GrantType,
                Permissions.ResponseTypes.Code,
            },
            Requirements =
            {
                Requirements.Features.ProofKeyForCodeExchange,
                Requirements.Features.PushedAuthorizationRequests,
            },
        };
        foreach (var uri in request.RedirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri));
        }

        await applications.CreateAsync(descriptor, ct);
        await relationships.RegisterAsync(vault.Id, new VendorRegistration(
            clientId,
            request.ClientName.Trim(),
            request.ClientUri,
            request.LogoUri,
            request.PolicyUri,
            request.TosUri,
            request.WebhookUri,
            webhookSecret?.Protected,
            vendorKey,
            [.. request.Agreements.Distinct()]), ct);

        return TypedResults.Json(
            new ClientRegistrationResponse(
                clientId,
                clientSecret,
                time.GetUtcNow().ToUnixTimeSeconds(),
                0,
                request.ClientName.Trim(),
                request.RedirectUris,
                [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken, GrantTypes.DeviceCode, InvitationRedemption.GrantType],
                [ResponseTypes.Code],
                authMethod,
                request.WebhookUri,
                webhookSecret?.Secret,
                [.. request.Agreements.Distinct()]),
            statusCode: StatusCodes.Status201Created);
    }

    /// <summary>https anywhere; http only on loopback, for vendors developing next to a local vault.</summary>
    internal static bool IsAllowedAddress(string value, out string? why)
    {
        why = null;
        if (value.Length > 2000 || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            why = "is not an absolute URI";
            return false;
        }

        if (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        {
            return true;
        }

        why = "must be https (http is accepted only on loopback)";
        return false;
    }

    private static bool TryReadEd25519Key(JsonElement jwks, out byte[]? key)
    {
        key = null;
        if (jwks.ValueKind != JsonValueKind.Object || !jwks.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array || keys.GetArrayLength() != 1)
        {
            return false;
        }

        var jwk = keys[0];
        if (jwk.ValueKind != JsonValueKind.Object
            || !jwk.TryGetProperty("kty", out var kty) || kty.GetString() != "OKP"
            || !jwk.TryGetProperty("crv", out var crv) || crv.GetString() != "Ed25519"
            || !jwk.TryGetProperty("x", out var x) || x.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            var bytes = Base64Url.DecodeFromChars(x.GetString());
            key = bytes.Length == 32 ? bytes : null;
            return key is not null;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static JsonHttpResult<OAuthError> Error(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        TypedResults.Json(new OAuthError(error, description), statusCode: status);
}
