using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Requests;
using Symbolon.Server.Errors;
using Symbolon.Server.Inbox;
using Symbolon.Server.VendorApi;

namespace Symbolon.Server.Requests;

/// <summary>
/// The vendor side of requests under <c>/api/v1/requests</c>. A vendor reads and answers only the requests addressed
/// to its own relationship. Requests need no data grant: a vendor must be able to answer "delete my data" whatever it
/// may read, even after the person revoked every grant. So a call comes with a token of a grant in force, or with
/// the client's own id and secret (HTTP Basic); either way the relationship must not have ended. Every call lands in
/// the access log under the datatype <c>requests</c>, as the routes declare (<see cref="VendorGrants"/>).
/// </summary>
internal static class VendorRequestEndpoints
{
    public const string Datatype = "requests";
    private const string ReplyAction = "reply";

    public static RouteGroupBuilder MapVendorRequestEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(VendorApiEndpoints.Prefix + "/requests").DisableAntiforgery().RequireVendorTokenOrClient().EnforceVendorGrants();
        group.MapGet("/", ListAsync)
            .RequireRelationship(Datatype, DataActions.Read)
            .WithName("ListVendorRequests").WithSummary("The requests the person sent this vendor, oldest first, each with its thread.");
        group.MapGet("/{requestId}", GetAsync)
            .RequireRelationship(Datatype, DataActions.Read)
            .WithName("GetVendorRequest").WithSummary("One request addressed to this vendor, with its thread; another vendor's id is 404.");
        group.MapPost("/{requestId}/replies", ReplyAsync)
            .RequireGrant(ReplyAction, DecideReplyAsync).Idempotent()
            .QueueWhileAway(Datatype, invocation =>
            {
                RequestService.CheckVendorReply(invocation.HttpContext.Target<RequestEntity>(), invocation.Argument<RequestReplyInput>());
                return ValueTask.CompletedTask;
            })
            .WithName("ReplyToVendorRequest").WithSummary("Answers a request: a status change, text, a question back to the person and attachments (stored encrypted in the vault); idempotent with Idempotency-Key.");
        return group;
    }

    private static async Task<Ok<IReadOnlyList<VendorRequest>>> ListAsync(HttpContext context, RequestService requests, CancellationToken ct)
    {
        var caller = context.Caller();
        var views = await requests.ListForVendorAsync(caller.Keys, caller.Relationship, ct);
        return TypedResults.Ok<IReadOnlyList<VendorRequest>>([.. views.Select(RequestService.ToVendor)]);
    }

    private static async Task<Results<Ok<VendorRequest>, ProblemHttpResult>> GetAsync(string requestId, HttpContext context, RequestService requests, CancellationToken ct)
    {
        var caller = context.Caller();
        var entity = await requests.FindForVendorAsync(caller.Relationship, requestId, ct);
        if (entity is null)
        {
            return NotFound();
        }

        var view = await requests.GetAsync(caller.Keys, entity.Id, ct);
        return TypedResults.Ok(RequestService.ToVendor(view));
    }

    /// <summary>A reply needs no grant, only a request addressed to this vendor; another vendor's id is 404, logged.</summary>
    private static async ValueTask<VendorGrantDecision> DecideReplyAsync(EndpointFilterInvocationContext invocation)
    {
        var context = invocation.HttpContext;
        var caller = context.Caller();
        var requestId = context.GetRouteValue("requestId") as string ?? "";
        var entity = await context.RequestServices.GetRequiredService<RequestService>().FindForVendorAsync(caller.Relationship, requestId, context.RequestAborted);
        if (entity is null)
        {
            await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, ReplyAction, [Datatype], allowed: false, StatusCodes.Status404NotFound);
            return new VendorGrantDecision([Datatype], false, "") { Answer = NotFound() };
        }

        return new VendorGrantDecision([Datatype], true, "", entity);
    }

    private static async Task<Created<VendorRequest>> ReplyAsync(string requestId, RequestReplyInput reply, HttpContext context, RequestService requests, CancellationToken ct)
    {
        var caller = context.Caller();

        // Read again inside the transaction, so the status change applies to the row as it is now.
        var current = await requests.FindForVendorAsync(caller.Relationship, requestId, ct) ?? context.Target<RequestEntity>();
        var view = await requests.ReplyAsVendorAsync(caller.Keys, caller.Relationship, current, reply, ct);
        return TypedResults.Created($"{VendorApiEndpoints.Prefix}/requests/{requestId}", RequestService.ToVendor(view));
    }

    private static ProblemHttpResult NotFound() =>
        TypedResults.Problem(ProblemCatalog.Create(ProblemCodes.RequestNotFound, StatusCodes.Status404NotFound, "Not found.",
            "This vendor has no request with that id; list GET /api/v1/requests for the ids."));
}
