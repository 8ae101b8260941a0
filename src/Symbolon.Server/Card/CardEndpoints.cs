using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Symbolon.Contracts.Card;
using Symbolon.Core.Card;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;
using Symbolon.Server.OAuth;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Card;

/// <summary>
/// The person's card: issuing pairing codes, the requests vendors made with them, and the standing rules. The owner
/// API under <c>/owner/api/v1/card</c>; the web app's PNG download and the approve/decline form post sit outside it.
/// </summary>
internal static class CardEndpoints
{
    public const string WebPath = "/wallet/card";

    public static IServiceCollection AddCard(this IServiceCollection services)
    {
        services.AddOptions<CardOptions>().BindConfiguration("Card");
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<CardOptions>>().Value);
        services.AddScoped<CardCodes>();
        services.AddScoped<CardRequests>();
        return services;
    }

    public static RouteGroupBuilder MapCardEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/card").WithTags("Card").RequireAuthorization(OwnerAuthentication.Policy);
        group.MapPost("/codes", IssueCode).WithName("IssueCardCode").WithSummary("Issues a fresh single-use pairing code for the card (its QR payload and typeable form).");
        group.MapGet("/requests", ListRequests).WithName("ListCardRequests").WithSummary("Requests vendors made with the card, pending first; ?pending=true for the pending ones only.");
        group.MapGet("/requests/{id:guid}", GetRequest).WithName("GetCardRequest").WithSummary("One card request.");
        group.MapPost("/requests/{id:guid}/approve", Approve).WithName("ApproveCardRequest").WithSummary("Approves a pending request with the same choices as the consent page: datatypes, narrowings, expiry.");
        group.MapPost("/requests/{id:guid}/decline", Decline).WithName("DeclineCardRequest").WithSummary("Declines a pending request; the vendor's next poll gets access_denied.");
        group.MapGet("/rules", GetRules).WithName("GetCardRules").WithSummary("The card's standing rules.");
        group.MapPut("/rules", PutRules).WithName("PutCardRules").WithSummary("Changes the card's standing rules.");
        return group;
    }

    public static IEndpointRouteBuilder MapCardWebEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet($"{WebPath}/card.png", DownloadPng).RequireAuthorization(OwnerAuthentication.Policy)
            .WithName("DownloadCardPng").WithSummary("The card's QR code as a PNG, with a fresh pairing code.").ExcludeFromDescription();
        routes.MapPost($"{WebPath}/requests/{{id:guid}}/decision", DecideFromForm).RequireAuthorization(OwnerAuthentication.Policy).DisableAntiforgery()
            .WithName("DecideCardRequest").WithSummary("The approve-later page's form post: approve with choices, or decline.").ExcludeFromDescription();

        // RFC 8628 requires a verification address; at the counter the person answers in the app instead of typing a user code.
        routes.MapMethods(OAuthServer.VerificationPath, [HttpMethods.Get, HttpMethods.Post], () => TypedResults.LocalRedirect(WebPath))
            .WithName("Verify").WithSummary("RFC 8628 verification address: sends the person to their card's requests.").DisableAntiforgery().ExcludeFromDescription();
        return routes;
    }

    /// <summary>The vault's address as vendors know it: the OAuth issuer.</summary>
    public static string VaultAddress(HttpContext context) => AuthorizationEndpoints.IssuerOf(context);

    internal static async Task<Ok<CardCode>> IssueCode(ClaimsPrincipal user, HttpContext http, CardCodes codes, CardOptions options, CancellationToken ct)
    {
        var address = VaultAddress(http);
        var issued = await codes.IssueAsync(user.VaultId(), address, options.CodeLifetime, ct);
        return TypedResults.Ok(new CardCode(issued.Code, issued.Display, issued.Payload, address, issued.ExpiresAt));
    }

    internal static async Task<Ok<IReadOnlyList<CardRequest>>> ListRequests(ClaimsPrincipal user, CardRequests requests, CancellationToken ct, bool? pending = null) =>
        TypedResults.Ok(await requests.ListAsync(user.VaultId(), pending == true, ct));

    internal static async Task<Ok<CardRequest>> GetRequest(Guid id, ClaimsPrincipal user, CardRequests requests, CancellationToken ct) =>
        TypedResults.Ok(await requests.GetAsync(user.VaultId(), id, ct));

    internal static async Task<Ok<CardRequest>> Approve(Guid id, CardRequestApproval approval, ClaimsPrincipal user, HttpContext http, IVaultSessions sessions, CardRequests requests, TimeProvider time, CancellationToken ct)
    {
        var keys = sessions.SessionFor(user).Keys;
        var request = await requests.GetAsync(user.VaultId(), id, ct);
        var asked = request.Details.SelectMany(d => d.Datatypes).ToHashSet(StringComparer.Ordinal);
        var errors = new Dictionary<string, string[]>();
        var unknown = approval.Datatypes?.Where(d => !asked.Contains(d)).ToList() ?? [];
        if (unknown.Count > 0)
        {
            errors["datatypes"] = [$"{unknown.Count} datatype(s) were not asked for; grant only datatypes of the request."];
        }

        var badNarrowing = approval.Narrowings?.Where(n => !asked.Contains(n.Key) || Core.Relationships.DatatypeCatalog.Find(n.Key)?.Narrowings.Contains(n.Value) != true).Select(n => n.Key).ToList() ?? [];
        if (badNarrowing.Count > 0)
        {
            errors["narrowings"] = [$"Only narrowings a requested datatype offers are allowed (see /.well-known/symbolon): {string.Join(", ", badNarrowing.Take(5))}."];
        }

        if (!ConsentDecision.TryExpiry(approval.Expiry, time.GetUtcNow(), out var expiresAt))
        {
            errors["expiry"] = ["Use 1d, 30d, 90d, 365d or none."];
        }

        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        var ticked = (approval.Datatypes ?? [.. asked]).ToHashSet(StringComparer.Ordinal);
        var granted = ConsentDecision.Decide(request.Details, ticked, d => approval.Narrowings?.GetValueOrDefault(d));
        return TypedResults.Ok(await requests.ApproveAsync(keys, id, granted, expiresAt, VaultAddress(http), ct));
    }

    internal static async Task<Ok<CardRequest>> Decline(Guid id, ClaimsPrincipal user, CardRequests requests, CancellationToken ct) =>
        TypedResults.Ok(await requests.DeclineAsync(user.VaultId(), id, ct));

    internal static async Task<Ok<CardRules>> GetRules(ClaimsPrincipal user, CardRequests requests, CancellationToken ct) =>
        TypedResults.Ok(await requests.GetRulesAsync(user.VaultId(), ct));

    internal static async Task<Ok<CardRules>> PutRules(CardRules rules, ClaimsPrincipal user, CardRequests requests, CancellationToken ct) =>
        TypedResults.Ok(await requests.SetRulesAsync(user.VaultId(), rules, ct));

    internal static async Task<FileContentHttpResult> DownloadPng(ClaimsPrincipal user, HttpContext http, CardCodes codes, CardOptions options, CancellationToken ct)
    {
        var issued = await codes.IssueAsync(user.VaultId(), VaultAddress(http), options.CodeLifetime, ct);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(CardQr.Png(issued.Payload), "image/png", "symbolon-card.png");
    }

    /// <summary>The approve-later page posts the consent page's fields (<c>field</c>, <c>narrow:…</c>, <c>expiry</c>, <c>decision</c>).</summary>
    internal static async Task<IResult> DecideFromForm(Guid id, ClaimsPrincipal user, HttpContext http, IAntiforgery antiforgery, IVaultSessions sessions, CardRequests requests, TimeProvider time, CancellationToken ct)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return TypedResults.BadRequest();
        }

        var form = await http.Request.ReadFormAsync(ct);
        string outcome;
        try
        {
            if (form["decision"] == "allow")
            {
                var keys = sessions.SessionFor(user).Keys;
                var request = await requests.GetAsync(user.VaultId(), id, ct);
                if (!ConsentDecision.TryExpiry(form["expiry"], time.GetUtcNow(), out var expiresAt))
                {
                    return TypedResults.BadRequest();
                }

                var decided = await requests.ApproveAsync(keys, id, ConsentDecision.FromForm(form, request.Details), expiresAt, VaultAddress(http), ct);
                outcome = decided.Status;
            }
            else
            {
                await requests.DeclineAsync(user.VaultId(), id, ct);
                outcome = "declined";
            }
        }
        catch (CardRequestNotPendingException)
        {
            outcome = "lapsed";
        }

        return TypedResults.LocalRedirect($"{WebPath}?decided={outcome}");
    }
}
