using System.Reflection;
using System.Text.Json;
using Symbolon.Core.Relationships;

namespace Symbolon.Server.VendorApi;

/// <summary>What a vendor route needs: an action on a datatype in the caller's grant, and the sentence a refusal says.</summary>
internal sealed record VendorGrantRequirement(string Datatype, string Action, string NotGranted);

/// <summary>Marks a vendor write whose <c>Idempotency-Key</c> is honoured (see <see cref="VendorWrites"/>).</summary>
internal sealed class IdempotentWriteMetadata
{
    public static readonly IdempotentWriteMetadata Instance = new();
}

/// <summary>
/// Vendor routes declare what they need, and one endpoint filter (added to the vendor group once) acts on it: it checks
/// the grant (a refusal is logged and answered 403 with the route's sentence), runs the handler, writes the
/// access-log line, and for an <see cref="Idempotent"/> write runs the handler inside <see cref="VendorWrites"/>'s
/// transaction, storing or replaying its answer. A handler then only does its work and returns a typed result.
/// </summary>
internal static class VendorGrants
{
    /// <summary>The route needs <paramref name="action"/> on <paramref name="datatype"/> in the caller's grant.</summary>
    public static RouteHandlerBuilder RequireGrant(this RouteHandlerBuilder route, string datatype, string action, string notGranted) =>
        route.WithMetadata(new VendorGrantRequirement(datatype, action, notGranted));

    /// <summary>The route is a write whose Idempotency-Key makes a retry return the first answer without writing again.</summary>
    public static RouteHandlerBuilder Idempotent(this RouteHandlerBuilder route) => route.WithMetadata(IdempotentWriteMetadata.Instance);

    /// <summary>Adds the one filter that acts on <see cref="RequireGrant"/> and <see cref="Idempotent"/> to every route of the group.</summary>
    public static RouteGroupBuilder EnforceVendorGrants(this RouteGroupBuilder group)
    {
        group.AddEndpointFilterFactory((factory, next) =>
        {
            // The request body is the one argument of a wire type (Symbolon.Contracts); its canonical JSON is part of
            // the idempotency hash, so a reused key with another body is refused.
            var bodyIndex = Array.FindIndex(factory.MethodInfo.GetParameters(), p => p.ParameterType.Namespace?.StartsWith("Symbolon.Contracts", StringComparison.Ordinal) == true);
            return invocation =>
            {
                var metadata = invocation.HttpContext.GetEndpoint()?.Metadata;
                var requirement = metadata?.GetMetadata<VendorGrantRequirement>();
                if (requirement is null)
                {
                    return next(invocation);
                }

                return metadata!.GetMetadata<IdempotentWriteMetadata>() is not null
                    ? WriteAsync(invocation, next, requirement, bodyIndex)
                    : ReadAsync(invocation, next, requirement);
            };
        });
        return group;
    }

    private static async ValueTask<object?> ReadAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, VendorGrantRequirement requirement)
    {
        var context = invocation.HttpContext;
        var caller = context.Caller();
        if (caller.For(requirement.Datatype, requirement.Action) is null)
        {
            await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, requirement.Action, [requirement.Datatype], allowed: false, StatusCodes.Status403Forbidden);
            return VendorApiEndpoints.NotGranted(requirement.NotGranted);
        }

        var result = await next(invocation);
        var status = (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
        await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, requirement.Action, [requirement.Datatype], allowed: status < 400, status);
        return result;
    }

    private static async ValueTask<object?> WriteAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, VendorGrantRequirement requirement, int bodyIndex)
    {
        var context = invocation.HttpContext;
        var caller = context.Caller();
        var body = bodyIndex >= 0 ? invocation.Arguments[bodyIndex] : null;
        return await VendorWrites.RunAsync(
            context,
            requirement.Action,
            [requirement.Datatype],
            body ?? new object(),
            caller.For(requirement.Datatype, requirement.Action) is not null,
            requirement.NotGranted,
            async () => Stored(await next(invocation)));
    }

    /// <summary>The handler's typed result as the bytes stored with its Idempotency-Key and written to the vendor.</summary>
    private static StoredResponse Stored(object? result)
    {
        if (result is not (IStatusCodeHttpResult { StatusCode: { } status } and IValueHttpResult { Value: { } value }))
        {
            throw new InvalidOperationException("An idempotent vendor write returns a typed result with a status and a value (TypedResults.Created or Ok).");
        }

        // Created<T> and CreatedAtRoute<T> carry the new resource's address; there is no interface for it.
        var location = result.GetType().GetProperty("Location", BindingFlags.Public | BindingFlags.Instance)?.GetValue(result) as string;
        return new StoredResponse(status, location, JsonSerializer.SerializeToUtf8Bytes(value, value.GetType()));
    }
}
