using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Inbox;
using Symbolon.Core.Inbox;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Inbox;

/// <summary>Owner API for what vendors sent while the person was away: the report, and marking it seen.</summary>
internal static class InboxEndpoints
{
    public static RouteGroupBuilder MapInboxEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/inbox").WithTags("Inbox").RequireAuthorization(OwnerAuthentication.Policy);
        group.MapGet("/", GetAsync).WithName("GetAwayReport").WithSummary("What vendors sent while you were away and what became of it (pending, applied, refused, unopenable), and vendors a full inbox turned away; until marked seen.");
        group.MapPost("/seen", MarkSeenAsync).WithName("MarkAwayReportSeen").WithSummary("Marks the settled items and the refusal counts seen; pending items stay until applied.");
        return group;
    }

    private static async Task<Ok<AwayReport>> GetAsync(ClaimsPrincipal user, SealedInbox inbox, KeyUseTally tally, IServiceProvider services, CancellationToken ct)
    {
        await tally.FlushAsync(services, ct);
        return TypedResults.Ok(await inbox.ReportAsync(user.VaultId(), ct));
    }

    private static async Task<NoContent> MarkSeenAsync(ClaimsPrincipal user, SealedInbox inbox, KeyUseTally tally, IServiceProvider services, CancellationToken ct)
    {
        await tally.FlushAsync(services, ct);
        await inbox.MarkSeenAsync(user.VaultId(), ct);
        return TypedResults.NoContent();
    }
}
