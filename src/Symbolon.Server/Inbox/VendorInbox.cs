using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Inbox;
using Symbolon.Core.Problems;
using Symbolon.Core.Relationships;
using Symbolon.Core.Vaults;
using Symbolon.Server.Errors;
using Symbolon.Server.VendorApi;

namespace Symbolon.Server.Inbox;

/// <summary>
/// A vendor write that may wait in the sealed inbox while the person is away: <see cref="Kind"/> names it for the
/// person, and <see cref="Validate"/> runs the checks the route's handler makes without the vault's key (its size, its
/// schema beyond binding), so that what is queued is what a live write would have accepted as far as can be told.
/// </summary>
internal sealed record QueueWhileAwayMetadata(string Kind, Func<EndpointFilterInvocationContext, ValueTask>? Validate);

/// <summary>A request being applied from the inbox: the item and the unlocked vault it belongs to.</summary>
internal sealed record InboxReplay(InboxItemEntity Item, VaultSession Session);

/// <summary>The 423 a vendor gets for what cannot wait while the person is away.</summary>
internal sealed class PersonAwayException : SymbolonProblemException
{
    /// <summary>Seconds a vendor is asked to wait: nobody knows when the person is back, so a few minutes.</summary>
    public const int RetryAfter = 300;

    private const string Default = "The person's vault is locked: they are away and it holds no key to answer with. Writes that can wait are queued (202); try this again later.";

    public PersonAwayException(string detail = Default)
        : base(ProblemCodes.PersonAway, 423, "The person is away.", detail, detail)
    {
        RetryAfterSeconds = RetryAfter;
    }
}

/// <summary>
/// Vendor writes while the person is away: the vendor filter has checked the token and the grant as for a live write;
/// here the route's own checks run, the body is sealed to the vault's public key and stored in the inbox, and the vendor
/// gets <c>202 Accepted</c> with the item's id. An Idempotency-Key makes a retry the same item. On unlock
/// <see cref="InboxApplier"/> runs each item through the route's own code, in arrival order.
/// </summary>
internal static class VendorInbox
{
    public const string ReplayKey = "Symbolon.InboxReplay";

    /// <summary>The route's writes are queued while the person is away rather than refused (see <see cref="VendorInbox"/>).</summary>
    public static RouteHandlerBuilder QueueWhileAway(this RouteHandlerBuilder route, string kind, Func<EndpointFilterInvocationContext, ValueTask>? validate = null) =>
        route.WithMetadata(new QueueWhileAwayMetadata(kind, validate));

    /// <summary>The item being applied, when this request is one (never for a request from outside).</summary>
    public static InboxReplay? Replay(this HttpContext context) => context.Items.TryGetValue(ReplayKey, out var replay) ? replay as InboxReplay : null;

    public static async ValueTask<object?> QueueAsync(EndpointFilterInvocationContext invocation, string action, VendorGrantDecision decision, int bodyIndex)
    {
        var context = invocation.HttpContext;
        var caller = context.Caller();
        var services = context.RequestServices;
        var metadata = context.GetEndpoint()!.Metadata.GetRequiredMetadata<QueueWhileAwayMetadata>();
        var ct = context.RequestAborted;
        var datatypes = decision.Datatypes;
        var key = VendorWrites.IdempotencyKeyOf(context);
        if (key is { Valid: false })
        {
            await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, datatypes, allowed: false, StatusCodes.Status400BadRequest);
            throw VendorWrites.BadIdempotencyKey();
        }

        if (!decision.Allowed)
        {
            await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, datatypes, allowed: false, StatusCodes.Status403Forbidden);
            return VendorApiEndpoints.NotGranted(decision.NotGranted);
        }

        try
        {
            if (metadata.Validate is { } validate)
            {
                await validate(invocation);
            }
        }
        catch (Exception e) when (ProblemCatalog.FromException(e) is { } problem)
        {
            await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, datatypes, allowed: false, problem.Status ?? 400);
            throw;
        }

        // Read after the checks, which may complete it (a check-in is dated when it arrives).
        var body = bodyIndex >= 0 ? invocation.Arguments[bodyIndex] : null;
        var inbox = services.GetRequiredService<SealedInbox>();
        var gate = services.GetRequiredService<InboxGate>();
        var vaultId = caller.Relationship.VaultId;
        var hash = IdempotencyStore.Hash(context.Request.Method, context.Request.Path.Value ?? "", body ?? new object());
        for (var attempt = 0; ; attempt++)
        {
            if (key is { Value: { } k })
            {
                if (await inbox.FindByKeyAsync(vaultId, caller.Relationship.Id, k, ct) is { } queued)
                {
                    return await ReplayQueuedAsync(context, action, datatypes, queued, hash);
                }

                if (await services.GetRequiredService<IdempotencyStore>().FindAsync(vaultId, caller.Relationship.Id, k, ct) is { } done)
                {
                    // Applied live before: the vault is unlocked again (queuing only while the inbox drains), so its
                    // sealed answer can be replayed; while the person is away it cannot.
                    if (caller.LiveSession is { IsUnlocked: true })
                    {
                        return await VendorWrites.ReplayAsync(context, services.GetRequiredService<RelationshipService>(), action, datatypes, done, hash);
                    }

                    await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, datatypes, allowed: false, StatusCodes.Status423Locked);
                    throw new PersonAwayException("This write was applied before the person left; its answer can be read back with the same Idempotency-Key once they are back.");
                }
            }

            var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var request = new InboxRequest(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.RouteValues.ToDictionary(v => v.Key, v => Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                body is null ? [] : JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), json));
            var route = context.GetEndpoint()!.Metadata.GetRequiredMetadata<IEndpointNameMetadata>().EndpointName;
            gate.BeginQueue(vaultId);
            try
            {
                var publicKey = await gate.PublicKeyAsync(vaultId, services.GetRequiredService<Core.Storage.SymbolonDbContext>(), ct);
                var usage = await gate.UsageAsync(vaultId, caller.Relationship.Id, inbox, ct);
                var line = RelationshipService.NewAccessLogEntry(services.GetRequiredService<TimeProvider>(), caller.Relationship, caller.Grant, action, datatypes, allowed: true, StatusCodes.Status202Accepted);
                var item = await inbox.AddAsync(publicKey, caller.Relationship, caller.Grant?.Id, route, metadata.Kind, key?.Value, hash, request, usage, line, ct);
                gate.Added(item);
                return TypedResults.Json(new QueuedWrite(item.Id.ToString(), item.ReceivedAt), json, statusCode: StatusCodes.Status202Accepted);
            }
            catch (InboxFullException e)
            {
                await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, datatypes, allowed: false, e.Status);
                throw;
            }
            catch (DbUpdateException) when (key is not null && attempt < 3)
            {
                // The same key queued by a concurrent retry: replay it.
                services.GetRequiredService<Core.Storage.SymbolonDbContext>().ChangeTracker.Clear();
            }
            finally
            {
                gate.EndQueue(vaultId);
            }
        }
    }

    private static async Task<IResult> ReplayQueuedAsync(HttpContext context, string action, IReadOnlyList<string> datatypes, InboxItemEntity queued, byte[] hash)
    {
        var caller = context.Caller();
        if (queued.RequestHash is null || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(queued.RequestHash, hash))
        {
            await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, datatypes, allowed: false, StatusCodes.Status422UnprocessableEntity);
            return VendorWrites.KeyReused();
        }

        await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, datatypes, allowed: true, StatusCodes.Status202Accepted);
        context.Response.Headers["Idempotent-Replayed"] = "true";
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        return TypedResults.Json(new QueuedWrite(queued.Id.ToString(), queued.ReceivedAt), json, statusCode: StatusCodes.Status202Accepted);
    }
}
