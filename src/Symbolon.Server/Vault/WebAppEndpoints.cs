using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;

namespace Symbolon.Server.Vault;

/// <summary>Form posts of the web app that are not pages.</summary>
internal static class WebAppEndpoints
{
    public static IEndpointRouteBuilder MapWebAppEndpoints(this IEndpointRouteBuilder routes)
    {
        // A plain form post (with the antiforgery token the form carries) so that locking works from any page.
        // Note: the token is checked in the handler (as the card's decision form does) rather than through a form
        // parameter: the source-generated request delegate (EnableRequestDelegateGenerator) reads the form before it
        // looks at the antiforgery result, so a post without a token failed with a 500 instead of a 400.
        routes.MapPost("/lock", Lock).WithName("LockFromWebApp").WithSummary("Locks the vault and ends the browser session.").DisableAntiforgery();
        return routes;
    }

    internal static async Task<IResult> Lock(ClaimsPrincipal user, OwnerSignIn signIn, HttpContext http, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return TypedResults.BadRequest();
        }

        if (OwnerAuthentication.VaultIdOf(user) is { } vaultId)
        {
            await signIn.LockAsync(http, vaultId);
        }

        return TypedResults.LocalRedirect("/unlock?locked=1");
    }
}
