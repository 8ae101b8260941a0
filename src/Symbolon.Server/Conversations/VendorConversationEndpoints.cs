using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Conversations;
using Symbolon.Server.Inbox;
using Symbolon.Server.VendorApi;

namespace Symbolon.Server.Conversations;

/// <summary>
/// The vendor's side of the conversation under <c>/api/v1</c>: messages (send, and read the thread's messages
/// between it and the person) and values the person pushed to it (fetched once). Every call needs a token of a grant
/// in force in a live relationship (<see cref="VendorAccess"/>), whatever the grant's datatypes: messaging is governed
/// by the person's message settings, and a pushed value by the push itself, not by a standing grant. The routes declare
/// how they are logged and which write is idempotent (<see cref="VendorGrants"/>).
/// </summary>
internal static class VendorConversationEndpoints
{
    /// <summary>What the access log names for messages and pushed updates (they are not grantable datatypes).</summary>
    public const string MessagesDatatype = "messages";

    public const string UpdatesDatatype = "updates";

    /// <summary>The access-log action of a vendor sending a message.</summary>
    public const string SendAction = "message";

    public static IEndpointRouteBuilder MapVendorConversationEndpoints(this IEndpointRouteBuilder app)
    {
        var data = app.MapGroup(VendorApiEndpoints.Prefix).DisableAntiforgery().RequireVendorToken().EnforceVendorGrants();
        data.MapPost("/messages", SendAsync)
            .RequireGrant(SendAction, DecideSendAsync).Idempotent()
            .QueueWhileAway(MessagesDatatype, invocation =>
            {
                ConversationService.CheckText(invocation.Argument<VendorMessageInput>().Text);
                return ValueTask.CompletedTask;
            })
            .WithName("SendVendorMessage").WithSummary("Sends the person a message in the relationship's thread, if the person allows messages from this vendor; label marketing with marketing: true.");
        data.MapGet("/messages", ListAsync)
            .RequireRelationship(MessagesDatatype, DataActions.Read)
            .WithName("ListVendorMessages").WithSummary("The thread's messages between this vendor and the person (what it sent and the person's replies), oldest first.");
        data.MapGet("/updates", ListUpdatesAsync)
            .RequireRelationship(UpdatesDatatype, DataActions.Read)
            .WithName("ListPendingVendorUpdates").WithSummary("Values the person pushed to this vendor that wait to be fetched (references and datatypes, no values).");

        // Logged by the handler: the line names the datatype of the value fetched, known only once it is.
        data.MapGet("/updates/{updateId}", FetchUpdateAsync)
            .WithName("FetchVendorPushedUpdate").WithSummary("Fetches a value the person pushed, once; a second fetch is 410.");
        return app;
    }

    /// <summary>
    /// A message needs no grant, but the person's message settings must let this vendor send it (a refusal is logged
    /// and answered with its own problem); the decision carries whether the person muted the vendor.
    /// </summary>
    private static async ValueTask<VendorGrantDecision> DecideSendAsync(EndpointFilterInvocationContext invocation)
    {
        var context = invocation.HttpContext;
        var caller = context.Caller();
        var input = invocation.Argument<VendorMessageInput>();
        try
        {
            var muted = await context.RequestServices.GetRequiredService<ConversationService>().CheckVendorMayMessageAsync(caller.Relationship, input.Marketing, context.RequestAborted);
            return new VendorGrantDecision([MessagesDatatype], true, "", muted);
        }
        catch (ConversationProblemException e)
        {
            await Log(context, SendAction, MessagesDatatype, allowed: false, e.Status);
            throw;
        }
    }

    private static async Task<Created<VendorMessage>> SendAsync(VendorMessageInput input, HttpContext context, ConversationService conversations, CancellationToken ct)
    {
        var caller = context.Caller();
        var (message, text) = await conversations.AddVendorMessageAsync(caller.Keys, caller.Relationship, input, context.Target<bool>(), ct);
        return TypedResults.Created($"{VendorApiEndpoints.Prefix}/messages", ConversationService.ToVendor(caller.Relationship, message, text));
    }

    private static async Task<Ok<IReadOnlyList<VendorMessage>>> ListAsync(HttpContext context, ConversationService conversations, CancellationToken ct)
    {
        var caller = context.Caller();
        return TypedResults.Ok(await conversations.ListForVendorAsync(caller.Keys, caller.Relationship, ct));
    }

    private static async Task<Ok<IReadOnlyList<PendingPushedUpdate>>> ListUpdatesAsync(HttpContext context, ConversationService conversations, CancellationToken ct) =>
        TypedResults.Ok(await conversations.PendingForVendorAsync(context.Caller().Relationship, ct));

    private static async Task<Ok<VendorPushedUpdate>> FetchUpdateAsync(string updateId, HttpContext context, ConversationService conversations, CancellationToken ct)
    {
        var caller = context.Caller();
        try
        {
            var (update, datatype) = await conversations.FetchPushAsync(caller.Keys, caller.Relationship, updateId, ct);
            await Log(context, DataActions.Read, datatype, allowed: true, StatusCodes.Status200OK);
            return TypedResults.Ok(update);
        }
        catch (ConversationProblemException e)
        {
            await Log(context, DataActions.Read, UpdatesDatatype, allowed: false, e.Status);
            throw;
        }
    }

    private static Task Log(HttpContext context, string action, string datatype, bool allowed, int status)
    {
        var caller = context.Caller();
        return VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, [datatype], allowed, status);
    }
}
