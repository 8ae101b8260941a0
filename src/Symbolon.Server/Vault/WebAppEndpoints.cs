using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;

namespace Symbolon.Server.Vault;

/// <summary>Form posts of the web app that are not pages.</summary>
internal static class WebAppEndpoints
{
    public static IEndpointRouteBuilder MapWebAppEndpoints(this IEndpointRouteBuilder routes)
    {
        // A plain form post (with the antiforgery token the form carries) so that locking works from any page.
        routes.MapPost("/lock", Lock).WithName("LockFromWebApp").WithSummary("Locks the vault and ends the browser session.");
        return routes;
    }

    internal static async Task<IResult> Lock(ClaimsPrincipal user, OwnerSignIn signIn, HttpContext http, [FromForm] string? returnUrl)
    {
        if (OwnerAuthentication.VaultIdOf(user) is { } vaultId)
        {
            await signIn.LockAsync(http, vaultId);
        }

        return TypedResults.LocalRedirect("/unlock?locked=1");
    }
}
