using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Terms;
using Symbolon.Core.Terms;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Terms;

/// <summary>The person's terms: which standard agreements the vault proffers to vendors.</summary>
internal static class TermsEndpoints
{
    public static RouteGroupBuilder MapTermsEndpoints(this IEndpointRouteBuilder routes)
    {
        var terms = routes.MapGroup("/terms").WithTags("Terms").RequireAuthorization(OwnerAuthentication.Policy);
        terms.MapGet("/", GetTerms).WithName("GetProfferedTerms").WithSummary("The standard agreements the vault knows and which it proffers.");
        terms.MapPut("/", SetTerms).WithName("SetProfferedTerms").WithSummary("Chooses the agreements vendors may accept from now on.");
        return terms;
    }

    internal static async Task<Ok<ProfferedTerms>> GetTerms(ClaimsPrincipal user, TermsService terms, CancellationToken ct) =>
        TypedResults.Ok(await terms.GetAsync(user.VaultId(), ct));

    internal static async Task<Ok<ProfferedTerms>> SetTerms(SetProfferedTermsRequest request, ClaimsPrincipal user, TermsService terms, CancellationToken ct) =>
        TypedResults.Ok(await terms.SetAsync(user.VaultId(), request.Proffered, ct));
}
