using System.Buffers.Text;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Conversations;
using Symbolon.Contracts.Relationships;
using Symbolon.Core.Conversations;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Server.OAuth;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Conversations;

/// <summary>
/// Owner API for conversations: a relationship's thread, messages to the vendor, the person's message settings per
/// vendor, values pushed once with their consent receipts, and unread messages.
/// </summary>
internal static class ConversationEndpoints
{
    private static readonly JsonSerializerOptions Download = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static RouteGroupBuilder MapConversationEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/").WithTags("Conversations").RequireAuthorization(OwnerAuthentication.Policy);
        group.MapGet("/relationships/{id:guid}/thread", GetThread).WithName("GetThread").WithSummary("The relationship's thread, oldest first: messages, requests, receipts, loyalty, grant changes, the agreement and pushed updates.");
        group.MapPost("/relationships/{id:guid}/thread/read", MarkRead).WithName("MarkThreadRead").WithSummary("Marks the vendor's messages in the thread as read.");
        group.MapPost("/relationships/{id:guid}/messages", SendMessage).WithName("SendPersonMessage").WithSummary("Writes to the vendor; it gets a message.created webhook.");
        group.MapGet("/relationships/{id:guid}/message-settings", GetSettings).WithName("GetMessageSettings").WithSummary("Whether this vendor may message you (allowed, muted, blocked) and whether marketing is refused.");
        group.MapPut("/relationships/{id:guid}/message-settings", PutSettings).WithName("PutMessageSettings").WithSummary("Sets whether this vendor may message you and whether you refuse its marketing.");
        group.MapPost("/relationships/{id:guid}/push-updates", Push).WithName("PushUpdate").WithSummary("Pushes one profile field to the vendor once (an update.pushed webhook), with its own consent receipt; no grant is created.");
        group.MapGet("/relationships/{id:guid}/push-updates", ListPushes).WithName("ListOwnerPushedUpdates").WithSummary("The values pushed to this vendor, and whether it fetched them.");
        group.MapGet("/push-updates/{id:guid}/receipt", GetPushReceipt).WithName("DownloadPushReceipt").WithSummary("The consent receipt of a pushed value, with the vault's Ed25519 signature and public key, as a download.");
        group.MapGet("/messages/unread", Unread).WithName("GetUnreadMessages").WithSummary("Vendor messages not read yet, per relationship; muted vendors are not counted.");
        return group;
    }


    internal static async Task<Ok<IReadOnlyList<ThreadEntry>>> GetThread(Guid id, VaultSession session, ConversationThread thread, CancellationToken ct) =>
        TypedResults.Ok(await thread.GetAsync(session.Keys, id, ct));

    internal static async Task<NoContent> MarkRead(Guid id, ClaimsPrincipal user, ConversationService conversations, RelationshipService relationships, CancellationToken ct)
    {
        _ = await relationships.FindAsync(user.VaultId(), id, ct) ?? throw new RelationshipNotFoundException("relationship");
        await conversations.MarkReadAsync(user.VaultId(), id, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Created<ThreadEntry>> SendMessage(Guid id, PersonMessageInput input, VaultSession session, ConversationService conversations, CancellationToken ct)
    {
        var message = await conversations.AddPersonMessageAsync(session.Keys, id, input.Text, ct);
        var entry = new ThreadEntry(message.Id.ToString(), ThreadEntryKinds.Message, message.SentAt, ThreadParties.Person, "You", input.Text.Trim());
        return TypedResults.Created($"/owner/api/v1/relationships/{id}/thread", entry);
    }

    internal static async Task<Ok<MessageSettings>> GetSettings(Guid id, ClaimsPrincipal user, ConversationService conversations, RelationshipService relationships, CancellationToken ct)
    {
        var relationship = await relationships.FindAsync(user.VaultId(), id, ct) ?? throw new RelationshipNotFoundException("relationship");
        return TypedResults.Ok(await conversations.GetSettingsAsync(relationship, ct));
    }

    internal static async Task<Ok<MessageSettings>> PutSettings(Guid id, MessageSettings settings, ClaimsPrincipal user, ConversationService conversations, CancellationToken ct) =>
        TypedResults.Ok(await conversations.SetSettingsAsync(user.VaultId(), id, settings, ct));

    internal static async Task<Created<PushedUpdate>> Push(Guid id, PushUpdateInput input, HttpContext context, VaultSession session, ConversationService conversations, CancellationToken ct)
    {
        var update = await conversations.PushAsync(session.Keys, id, input.FieldId, AuthorizationEndpoints.IssuerOf(context), ct);
        return TypedResults.Created($"/owner/api/v1/push-updates/{update.Id}/receipt", ToContract(update));
    }

    internal static async Task<Ok<IReadOnlyList<PushedUpdate>>> ListPushes(Guid id, ClaimsPrincipal user, ConversationService conversations, RelationshipService relationships, CancellationToken ct)
    {
        _ = await relationships.FindAsync(user.VaultId(), id, ct) ?? throw new RelationshipNotFoundException("relationship");
        return TypedResults.Ok<IReadOnlyList<PushedUpdate>>([.. (await conversations.ListPushesAsync(user.VaultId(), id, ct)).Select(ToContract)]);
    }

    internal static async Task<FileContentHttpResult> GetPushReceipt(Guid id, ClaimsPrincipal user, ConversationService conversations, SymbolonDbContext db, CancellationToken ct)
    {
        var update = await conversations.FindPushAsync(user.VaultId(), id, ct);
        var publicKey = await db.Vaults.Where(v => v.Id == update.VaultId).Select(v => v.SigningPublicKey).SingleAsync(ct);
        using var receipt = JsonDocument.Parse(update.Receipt);
        var signed = new SignedConsentReceipt(
            receipt.RootElement.Clone(),
            Base64Url.EncodeToString(update.Receipt),
            Base64Url.EncodeToString(update.ReceiptSignature),
            Base64Url.EncodeToString(publicKey),
            "Ed25519");
        return TypedResults.File(JsonSerializer.SerializeToUtf8Bytes(signed, Download), "application/json", $"pushed-update-receipt-{update.Id}.json");
    }

    internal static async Task<Ok<IReadOnlyList<UnreadMessages>>> Unread(ClaimsPrincipal user, ConversationService conversations, CancellationToken ct) =>
        TypedResults.Ok(await conversations.UnreadAsync(user.VaultId(), ct));

    internal static PushedUpdate ToContract(PushedUpdateEntity u) => new(u.Id, u.RelationshipId, u.Datatype, u.PushedAt, u.FetchedAt);
}
