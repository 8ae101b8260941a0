using System.Reflection;
using System.Text.Json;
using Symbolon.Core.Relationships;

namespace Symbolon.Server.VendorApi;

/// <summary>
/// What one vendor call touches and whether the caller may: the datatypes its access-log line names, whether it is
/// allowed, and the sentence a refusal says. <see cref="Target"/> is what deciding found for the handler (the field or
/// request the call is about), read back with <see cref="VendorGrants.Target{T}"/>.
/// </summary>
internal sealed record VendorGrantDecision(IReadOnlyList<string> Datatypes, bool Allowed, string NotGranted, object? Target = null)
{
    /// <summary>Set when deciding answered the call itself (the resource is not this vendor's) and logged its line.</summary>
    public IResult? Answer { get; init; }
}

/// <summary>What a vendor route needs: the access-log action of its calls and how each call is decided.</summary>
internal sealed record VendorGrantRequirement(string Action, Func<EndpointFilterInvocationContext, ValueTask<VendorGrantDecision>> DecideAsync);

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
    private const string TargetKey = "Symbolon.VendorGrantTarget";

    /// <summary>The route needs <paramref name="action"/> on <paramref name="datatype"/> in the caller's grant.</summary>
    public static RouteHandlerBuilder RequireGrant(this RouteHandlerBuilder route, string datatype, string action, string notGranted)
    {
        // Decided from the caller alone, so the two possible answers are made once.
        var allowed = new VendorGrantDecision([datatype], true, notGranted);
        var refused = allowed with { Allowed = false };
        return route.WithMetadata(new VendorGrantRequirement(action, invocation =>
            ValueTask.FromResult(invocation.HttpContext.Caller().For(datatype, action) is not null ? allowed : refused)));
    }

    /// <summary>
    /// The route's datatype, and so its grant, is known only from the call itself (the datatype a vendor appends, the
    /// field it changes): <paramref name="decide"/> finds it. It may log and throw a problem of its own first (the field
    /// does not exist for this vendor).
    /// </summary>
    public static RouteHandlerBuilder RequireGrant(this RouteHandlerBuilder route, string action, Func<EndpointFilterInvocationContext, ValueTask<VendorGrantDecision>> decide) =>
        route.WithMetadata(new VendorGrantRequirement(action, decide));

    /// <summary>
    /// The route needs no grant of its own: a relationship that has not ended suffices (the group's credential filter
    /// checks it), as for messages and the person's requests. Every call is still logged, as <paramref name="action"/>
    /// on <paramref name="datatype"/>.
    /// </summary>
    public static RouteHandlerBuilder RequireRelationship(this RouteHandlerBuilder route, string datatype, string action)
    {
        var allowed = new VendorGrantDecision([datatype], true, "");
        return route.WithMetadata(new VendorGrantRequirement(action, _ => ValueTask.FromResult(allowed)));
    }

    /// <summary>The route is a write whose Idempotency-Key makes a retry return the first answer without writing again.</summary>
    public static RouteHandlerBuilder Idempotent(this RouteHandlerBuilder route) => route.WithMetadata(IdempotentWriteMetadata.Instance);

    /// <summary>The call's argument of type <typeparamref name="T"/> (its body), for a route's decision.</summary>
    public static T Argument<T>(this EndpointFilterInvocationContext invocation) =>
        invocation.Arguments.OfType<T>().FirstOrDefault() ?? throw new InvalidOperationException($"The route takes no {typeof(T).Name}.");

    /// <summary>What the route's decision found for this call (see <see cref="VendorGrantDecision.Target"/>).</summary>
    public static T Target<T>(this HttpContext context) =>
        context.Items[TargetKey] is T target ? target : throw new InvalidOperationException($"The route's grant decision found no {typeof(T).Name}.");

    /// <summary>Adds the one filter that acts on <see cref="RequireGrant(RouteHandlerBuilder, string, string, string)"/> and <see cref="Idempotent"/> to every route of the group.</summary>
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

    private static async ValueTask<VendorGrantDecision> DecideAsync(EndpointFilterInvocationContext invocation, VendorGrantRequirement requirement)
    {
        var decision = await requirement.DecideAsync(invocation);
        if (decision.Target is { } target)
        {
            invocation.HttpContext.Items[TargetKey] = target;
        }

        return decision;
    }

    private static async ValueTask<object?> ReadAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, VendorGrantRequirement requirement)
    {
        var context = invocation.HttpContext;
        var caller = context.Caller();
        var decision = await DecideAsync(invocation, requirement);
        if (decision.Answer is { } answer)
        {
            return answer;
        }

        if (!decision.Allowed)
        {
            await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, requirement.Action, decision.Datatypes, allowed: false, StatusCodes.Status403Forbidden);
            return VendorApiEndpoints.NotGranted(decision.NotGranted);
        }

        var result = await next(invocation);
        var status = (Unwrap(result) as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
        await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, requirement.Action, decision.Datatypes, allowed: status < 400, status);
        return result;
    }

    private static async ValueTask<object?> WriteAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, VendorGrantRequirement requirement, int bodyIndex)
    {
        var context = invocation.HttpContext;
        var decision = await DecideAsync(invocation, requirement);
        if (decision.Answer is { } answer)
        {
            return answer;
        }

        var body = bodyIndex >= 0 ? invocation.Arguments[bodyIndex] : null;
        if (context.Caller().Queue)
        {
            return await Inbox.VendorInbox.QueueAsync(invocation, requirement.Action, decision, bodyIndex);
        }

        return await VendorWrites.RunAsync(
            context,
            requirement.Action,
            decision.Datatypes,
            body ?? new object(),
            decision.Allowed,
            decision.NotGranted,
            async () => Stored(await next(invocation)));
    }

    /// <summary>The result a <c>Results&lt;…&gt;</c> union holds, or the result itself.</summary>
    private static object? Unwrap(object? result) => result is INestedHttpResult nested ? nested.Result : result;

    /// <summary>The handler's typed result as the bytes stored with its Idempotency-Key and written to the vendor.</summary>
    private static StoredResponse Stored(object? result)
    {
        result = Unwrap(result);
        if (result is not (IStatusCodeHttpResult { StatusCode: { } status } and IValueHttpResult { Value: { } value }))
        {
            throw new InvalidOperationException("An idempotent vendor write returns a typed result with a status and a value (TypedResults.Created or Ok).");
        }

        // Created<T> and CreatedAtRoute<T> carry the new resource's address; there is no interface for it.
        var location = result.GetType().GetProperty("Location", BindingFlags.Public | BindingFlags.Instance)?.GetValue(result) as string;
        return new StoredResponse(status, location, JsonSerializer.SerializeToUtf8Bytes(value, value.GetType()));
    }
}
