using System.Text.Json;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Conversations;
using Symbolon.Core.Relationships;
using Symbolon.Server.VendorApi;

namespace Symbolon.Server.Conversations;

/// <summary>
/// The vendor's side of the conversation under <c>/api/v1</c>: messages (send, and read the thread's messages
/// between it and the person) and values the person pushed to it (fetched once). Every call needs a token of a grant
/// in force in a live relationship (<see cref="VendorAccess"/>), whatever the grant's datatypes: messaging is governed
/// by the person's message settings, and a pushed value by the push itself, not by a standing grant.
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
        var data = app.MapGroup(VendorApiEndpoints.Prefix).DisableAntiforgery().RequireVendorToken();
        data.MapPost("/messages", SendAsync)
            .WithName("SendVendorMessage").WithSummary("Sends the person a message in the relationship's thread, if the person allows messages from this vendor; label marketing with marketing: true.");
        data.MapGet("/messages", ListAsync)
            .WithName("ListVendorMessages").WithSummary("The thread's messages between this vendor and the person (what it sent and the person's replies), oldest first.");
        data.MapGet("/updates", ListUpdatesAsync)
            .WithName("ListPendingVendorUpdates").WithSummary("Values the person pushed to this vendor that wait to be fetched (references and datatypes, no values).");
        data.MapGet("/updates/{updateId}", FetchUpdateAsync)
            .WithName("FetchVendorPushedUpdate").WithSummary("Fetches a value the person pushed, once; a second fetch is 410.");
        return app;
    }

    private static async Task<IResult> SendAsync(VendorMessageInput input, HttpContext context, ConversationService conversations, CancellationToken ct)
    {
        var caller = context.Caller();
        bool muted;
        try
        {
            muted = await conversations.CheckVendorMayMessageAsync(caller.Relationship, input.Marketing, ct);
        }
        catch (ConversationProblemException e)
        {
            await Log(context, SendAction, MessagesDatatype, allowed: false, e.Status);
            throw;
        }

        return await VendorWrites.RunAsync(context, SendAction, [MessagesDatatype], input, allowed: true, "", async () =>
        {
            var (message, text) = await conversations.AddVendorMessageAsync(caller.Keys, caller.Relationship, input, muted, ct);
            var shown = ConversationService.ToVendor(caller.Relationship, message, text);
            return new StoredResponse(StatusCodes.Status201Created, $"{VendorApiEndpoints.Prefix}/messages", JsonSerializer.SerializeToUtf8Bytes(shown));
        });
    }

    private static async Task<IResult> ListAsync(HttpContext context, ConversationService conversations, CancellationToken ct)
    {
        var caller = context.Caller();
        var messages = await conversations.ListForVendorAsync(caller.Keys, caller.Relationship, ct);
        await Log(context, DataActions.Read, MessagesDatatype, allowed: true, StatusCodes.Status200OK);
        return TypedResults.Ok(messages);
    }

    private static async Task<IResult> ListUpdatesAsync(HttpContext context, ConversationService conversations, CancellationToken ct)
    {
        var caller = context.Caller();
        var pending = await conversations.PendingForVendorAsync(caller.Relationship, ct);
        await Log(context, DataActions.Read, UpdatesDatatype, allowed: true, StatusCodes.Status200OK);
        return TypedResults.Ok(pending);
    }

    private static async Task<IResult> FetchUpdateAsync(string updateId, HttpContext context, ConversationService conversations, CancellationToken ct)
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
