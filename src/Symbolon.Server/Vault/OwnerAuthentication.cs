using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Symbolon.Contracts.Problems;
using Symbolon.Core.AccessTokens;
using Symbolon.Core.Vaults;
using Symbolon.Server.Errors;

namespace Symbolon.Server.Vault;

/// <summary>
/// The owner signs in by unlocking the vault (a cookie session for the web app) or presents a personal access
/// token (<c>Authorization: Bearer sym_pat_…</c>) for scripts and the CLI. Both yield the same principal.
/// </summary>
internal static class OwnerAuthentication
{
    public const string Scheme = "Owner";
    public const string CookieScheme = "Owner.Cookie";
    public const string TokenScheme = "Owner.Token";
    public const string CookieName = "symbolon_owner";
    public const string Policy = "Owner";
    public const string VaultIdClaim = "symbolon:vault";
    public const string MethodClaim = "symbolon:auth";
    public const string TokenIdClaim = "symbolon:token";
    public const string SignInClaim = "symbolon:signin";
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);

    public static IServiceCollection AddOwnerAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Owner session or token", options =>
            {
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? TokenScheme : CookieScheme;
            })
            .AddCookie(CookieScheme, options =>
            {
                options.Cookie.Name = CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.Cookie.IsEssential = true;
                options.ExpireTimeSpan = SessionLifetime;
                options.SlidingExpiration = true;
                options.LoginPath = "/unlock";
                options.LogoutPath = "/lock";
                options.AccessDeniedPath = "/unlock";
                options.Events = new CookieAuthenticationEvents
                {
                    OnRedirectToLogin = context => IsApi(context.Request) ? WriteUnauthenticatedAsync(context.Response) : Redirect(context),
                    OnRedirectToAccessDenied = context => IsApi(context.Request) ? WriteUnauthenticatedAsync(context.Response) : Redirect(context),
                    OnValidatePrincipal = ValidateSignInAsync,
                };
            })
            .AddScheme<AuthenticationSchemeOptions, AccessTokenAuthenticationHandler>(TokenScheme, null);

        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireClaim(VaultIdClaim));
        return services;
    }

    public static ClaimsPrincipal CreatePrincipal(Guid vaultId, string method, string authenticationType, Guid? tokenId = null, Guid? signInId = null)
    {
        List<Claim> claims = [new(VaultIdClaim, vaultId.ToString()), new(MethodClaim, method), new(ClaimTypes.Name, "owner")];
        if (tokenId is { } id)
        {
            claims.Add(new Claim(TokenIdClaim, id.ToString()));
        }

        if (signInId is { } signIn)
        {
            claims.Add(new Claim(SignInClaim, signIn.ToString()));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType));
    }

    /// <summary>The id of the access token the request was made with, if it was made with one.</summary>
    public static Guid? TokenIdOf(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(TokenIdClaim), out var id) ? id : null;

    public static Guid? VaultIdOf(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(VaultIdClaim), out var id) ? id : null;

    /// <summary>The browser sign-in a cookie belongs to (see <see cref="OwnerSignIns"/>); null for a token.</summary>
    public static Guid? SignInIdOf(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(SignInClaim), out var id) ? id : null;

    /// <summary>
    /// Refuses a cookie whose browser sign-in is no longer active in its vault's session (the vault locked, even if
    /// it was unlocked again since; the passphrase changed; the person ended it): it is worth nothing, however long it
    /// would otherwise live. A sign-in in use is the owner's activity, which keeps the vault from locking itself
    /// (<see cref="AutoLock"/>). Tokens carry no sign-in and are checked by their own handler.
    /// </summary>
    private static async Task ValidateSignInAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        if (context.Principal is { } principal && SignInIdOf(principal) is { } signIn && VaultIdOf(principal) is { } vaultId
            && services.GetRequiredService<IVaultSessions>().Find(vaultId) is { } session && OwnerSignIns.IsActive(session, signIn, now))
        {
            session.NoteOwnerActivity(now);
            return;
        }

        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieScheme);
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/owner/api");

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    internal static Task WriteUnauthenticatedAsync(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status401Unauthorized;
        var problem = ProblemCatalog.Create(ProblemCodes.Unauthenticated, 401, "Sign in first.", "Unlock the vault (POST /owner/api/v1/vault/unlock) or send a personal access token as 'Authorization: Bearer sym_pat_…'.");
        return response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }
}

/// <summary>Authenticates <c>Authorization: Bearer sym_pat_…</c> against the stored token hashes.</summary>
internal sealed class AccessTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccessTokenService tokens,
    IVaultSessions sessions,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var found = await tokens.ValidateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (found is not { } token)
        {
            // Note: the reason stays vague on purpose; a caller learns nothing about which tokens exist.
            return AuthenticateResult.Fail("The access token is unknown, expired or revoked.");
        }

        // A script or the CLI at work is the owner at work: the vault does not lock itself under them.
        sessions.Find(token.VaultId)?.NoteOwnerActivity(time.GetUtcNow());
        var principal = OwnerAuthentication.CreatePrincipal(token.VaultId, "token", OwnerAuthentication.TokenScheme, token.TokenId);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, OwnerAuthentication.TokenScheme));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        OwnerAuthentication.WriteUnauthenticatedAsync(Response);
}
