using Symbolon.Contracts.Problems;
using Symbolon.Server.Errors;
using Symbolon.Server.Hosting;

namespace Symbolon.Server.Vault;

/// <summary>
/// Cross-site request forgery protection for the owner API. The session cookie is SameSite=Strict, but "site" ignores
/// the port and the subdomain: a page on another port of the same host (the sample shop, a dev server) or on a sibling
/// subdomain is same-site, and its browser sends the cookie with a <c>no-cors</c> fetch or a form post. So every
/// change (POST, PUT, PATCH, DELETE) that does not carry an access token must come from the web app's own origin, as
/// the browser tells it: <c>Sec-Fetch-Site: same-origin</c> (or <c>none</c>, the person's own action), or else an
/// <c>Origin</c> header naming this server. A request with neither header is not from a browser (the CLI, a script)
/// and cannot carry the person's cookie against their will.
/// </summary>
/// <remarks>
/// Requests with <c>Authorization: Bearer</c> pass: a page on another origin cannot set that header without the server's
/// CORS consent, which the owner API never gives. The web app's own form posts (<c>/lock</c>, the consent and card
/// decisions) are outside the owner API and carry antiforgery tokens; its pages call the API only with GET.
/// </remarks>
internal static class OwnerRequestOrigin
{
    public static IApplicationBuilder UseOwnerRequestOrigin(this IApplicationBuilder app, PathString ownerApi) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments(ownerApi) && !IsSafe(context.Request.Method)
            && !HasBearerToken(context.Request) && !IsFromThisOrigin(context))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            var problem = ProblemCatalog.Create(ProblemCodes.CrossSiteRequest, StatusCodes.Status403Forbidden, "Refused: this request came from another site.",
                "Changes to the vault with the browser's session are accepted from the Symbolon web app itself only. Scripts and other programs send a personal access token (Authorization: Bearer sym_pat_…) instead.");
            await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
            return;
        }

        await next(context);
    });

    // The same test as the owner scheme's (OwnerAuthentication): a request without a bearer token is a cookie's.
    private static bool HasBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    /// <summary>The rules of Go's net/http CrossOriginProtection: Fetch metadata first, then Origin, else not a browser.</summary>
    private static bool IsFromThisOrigin(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site)
        {
            return site is "same-origin" or "none";
        }

        if (headers.Origin.ToString() is not { Length: > 0 } origin)
        {
            return true;
        }

        // The origin the browser addressed (its Host and scheme, before the public origin replaced them), or the
        // public origin itself; "null" (an opaque origin: a sandboxed frame, a data: page) is neither.
        return string.Equals(origin, PublicOriginMiddleware.ArrivedAt(context), StringComparison.OrdinalIgnoreCase)
            || string.Equals(origin, context.RequestServices.GetRequiredService<PublicOrigin>().Value.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
    }
}
