using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Intents;
using Symbolon.Core.Relationships;
using Symbolon.Server.Errors;
using Symbolon.Server.Inbox;
using Symbolon.Server.VendorApi;

namespace Symbolon.Server.Intents;

/// <summary>
/// The vendor side of intents under <c>/api/v1/intents</c>, for vendors the person relates to and picked for an
/// intent (they heard of it by the <c>intent.created</c> webhook). A token of any grant in force suffices (the vendor
/// already knows the person); an intent not addressed to the caller's relationship is 404, logged. Every call lands
/// in the access log under the datatype <c>intents</c>.
/// </summary>
internal static class VendorIntentEndpoints
{
    private const string OfferAction = "offer";

    public static RouteGroupBuilder MapVendorIntentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(VendorApiEndpoints.Prefix + "/intents").DisableAntiforgery().RequireVendorToken().EnforceVendorGrants();
        group.MapGet("/{intentId}", GetAsync)
            .RequireGrant(DataActions.Read, DecideAsync)
            .WithName("GetVendorIntent").WithSummary("An intent the person addressed to this vendor, as signed; another intent's id is 404.");
        group.MapPost("/{intentId}/offers", OfferAsync)
            .RequireGrant(OfferAction, DecideAsync).Idempotent()
            .QueueWhileAway(IntentService.VendorDatatype, invocation =>
            {
                IntentService.CheckQueuedOffer(invocation.HttpContext.Caller().Relationship, invocation.Argument<IntentOfferInput>(), invocation.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
                return ValueTask.CompletedTask;
            })
            .WithName("MakeIntentOffer").WithSummary("Makes an offer on an intent addressed to this vendor, checked with the same rules as exchange offers; by offering, the vendor accepts PDC-INTENT. Idempotent with Idempotency-Key.");
        return group;
    }

    private static async Task<Ok<RelationshipIntent>> GetAsync(string intentId, HttpContext context, IntentService intents, RelationshipInvitations invitations, CancellationToken ct)
    {
        var caller = context.Caller();
        var intent = context.Target<IntentView>();
        var answer = IntentService.ToVendor(intent);
        if (intent.Value.Acceptance is { Exchange: null } accepted)
        {
            // Only the vendor whose offer was accepted sees the acceptance, and the code only while it can be redeemed.
            var offer = (await intents.ListOffersAsync(caller.Keys, intentId, ct)).FirstOrDefault(o => o.Value.OfferId == accepted.OfferId);
            if (offer?.Value.RelationshipId == caller.Relationship.Id)
            {
                var waiting = accepted.InvitationCode is not null
                    && (await invitations.FindByIntentAsync(caller.Keys, intentId, ct))?.StatusAt(context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()) == InvitationStatuses.Waiting;
                answer = answer with
                {
                    Acceptance = new RelationshipIntentAcceptance(offer.Value.Offer.Id, accepted.Datatypes, waiting ? accepted.InvitationCode : null, accepted.InvitationExpiresAt),
                };
            }
        }

        return TypedResults.Ok(answer);
    }

    private static async Task<Created<IntentOfferReceived>> OfferAsync(string intentId, IntentOfferInput offer, HttpContext context, IntentService intents, CancellationToken ct)
    {
        var caller = context.Caller();

        // Read again inside the write's transaction, so that a withdrawal in between is seen.
        var intent = await intents.FindForVendorAsync(caller.Keys, caller.Relationship, intentId, ct) ?? context.Target<IntentView>();
        var stored = await intents.AddRelationshipOfferAsync(caller.Keys, caller.Relationship, intent, offer, ct);
        return TypedResults.Created($"{VendorApiEndpoints.Prefix}/intents/{intentId}", new IntentOfferReceived(stored.Offer.Id, intentId, stored.ReceivedAt));
    }

    /// <summary>
    /// No data grant is needed, only an intent addressed to this relationship; another one is 404, logged. While the
    /// person is away an offer is queued unseen (its intent is sealed with the vault's key): this check runs when the
    /// inbox is applied, and an offer on an intent not addressed to the vendor, or closed by then, is refused and the
    /// vendor told (<c>inbox.refused</c>). Every id gets the same 202 meanwhile, so the queue tells nothing.
    /// </summary>
    private static async ValueTask<VendorGrantDecision> DecideAsync(EndpointFilterInvocationContext invocation)
    {
        var context = invocation.HttpContext;
        var caller = context.Caller();
        if (caller.Queue)
        {
            return new VendorGrantDecision([IntentService.VendorDatatype], true, "");
        }

        var intentId = context.GetRouteValue("intentId") as string ?? "";
        var action = HttpMethods.IsGet(context.Request.Method) ? DataActions.Read : OfferAction;
        var intent = await context.RequestServices.GetRequiredService<IntentService>().FindForVendorAsync(caller.Keys, caller.Relationship, intentId, context.RequestAborted);
        if (intent is null)
        {
            await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, [IntentService.VendorDatatype], allowed: false, StatusCodes.Status404NotFound);
            return new VendorGrantDecision([IntentService.VendorDatatype], false, "") { Answer = NotFound() };
        }

        return new VendorGrantDecision([IntentService.VendorDatatype], true, "", intent);
    }

    private static ProblemHttpResult NotFound() =>
        TypedResults.Problem(ProblemCatalog.Create(ProblemCodes.IntentNotFound, StatusCodes.Status404NotFound, "Not found.",
            "The person addressed no intent with that id to this vendor."));
}
