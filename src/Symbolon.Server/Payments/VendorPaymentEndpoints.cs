using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Payments;
using Symbolon.Core.Problems;
using Symbolon.Server.Inbox;
using Symbolon.Server.VendorApi;

namespace Symbolon.Server.Payments;

/// <summary>
/// The payee's side of EmanciPay under <c>/api/v1</c>: publish payment instructions (append on
/// <c>payments.instructions</c>; the person approves them), report usage (append on <c>usage</c>; both writes wait in the sealed inbox while the person is away) and read it back
/// (read on <c>usage</c>), and read and countersign the payment records made for this relationship (a relationship
/// suffices: a record is the vendor's own). Every route declares its grant, so the vendor filter checks it, logs the
/// access and makes writes idempotent.
/// </summary>
internal static class VendorPaymentEndpoints
{
    /// <summary>What the access log names for payment records (not a grantable datatype).</summary>
    public const string RecordsDatatype = "payments.records";

    public const string CountersignAction = "countersign";

    public static RouteGroupBuilder MapVendorPaymentEndpoints(this IEndpointRouteBuilder app)
    {
        var data = app.MapGroup(VendorApiEndpoints.Prefix).DisableAntiforgery().RequireVendorToken().EnforceVendorGrants();
        data.MapPost("/payments/instructions", PublishAsync)
            .RequireGrant(Datatypes.PaymentInstructions, DataActions.Append, "This grant does not allow publishing payment instructions.").Idempotent()
            .QueueWhileAway(Datatypes.PaymentInstructions, invocation =>
            {
                PaymentService.ValidateInstructions(invocation.Argument<PaymentInstructionsInput>());
                return ValueTask.CompletedTask;
            })
            .WithName("PublishPaymentInstructions").WithSummary("Publishes how this vendor can be paid: legal name, IBAN (mod-97 checked), optional BIC, Open Payments wallet address, what it offers, suggested amounts. The person approves them; a changed IBAN is asked again.");
        data.MapPost("/usage", ReportUsageAsync)
            .RequireGrant(Datatypes.Usage, DataActions.Append, "This grant does not allow reporting usage.").Idempotent()
            .QueueWhileAway(Datatypes.Usage, invocation =>
            {
                invocation.HttpContext.RequestServices.GetRequiredService<PaymentUsage>().Validate(invocation.Argument<UsageInput>());
                return ValueTask.CompletedTask;
            })
            .WithName("ReportUsage").WithSummary("Reports usage (\"14 hours listened this week\") for per-use pledges; the person's vault keeps it, nobody else sees it.");
        data.MapGet("/usage", ListUsageAsync)
            .RequireGrant(Datatypes.Usage, DataActions.Read, "This grant does not allow reading usage.")
            .WithName("ListUsage").WithSummary("The usage this vendor reported, oldest first.");
        data.MapGet("/payments/records", ListRecordsAsync)
            .RequireRelationship(RecordsDatatype, DataActions.Read)
            .WithName("ListVendorPaymentRecords").WithSummary("The signed records of the payments the person made to this vendor, newest first.");
        data.MapGet("/payments/records/{recordId:guid}", GetRecordAsync)
            .RequireRelationship(RecordsDatatype, DataActions.Read)
            .WithName("GetVendorPaymentRecord").WithSummary("One signed payment record made for this vendor; another's id is 404.");
        data.MapPut("/payments/records/{recordId:guid}/countersignature", CountersignAsync)
            .RequireRelationship(RecordsDatatype, CountersignAction)
            .WithName("CountersignPaymentRecord").WithSummary("Stores this vendor's Ed25519 countersignature over the record's signed content, checked against its registered key.");
        return data;
    }

    // 200, not 202: a vendor write answered 202 is one queued in the sealed inbox (see VendorInbox).
    private static async Task<Ok<PaymentInstructionsResult>> PublishAsync(PaymentInstructionsInput input, HttpContext context, PaymentService payments, CancellationToken ct)
    {
        var caller = context.Caller();
        return TypedResults.Ok(await payments.PublishInstructionsAsync(caller.Session, caller.Relationship, input, ct));
    }

    private static async Task<Created<UsageReport>> ReportUsageAsync(UsageInput input, HttpContext context, PaymentUsage usage, CancellationToken ct)
    {
        var caller = context.Caller();
        var (record, value) = await usage.AddAsync(caller.Keys, caller.Relationship.ClientId, input, ct);
        return TypedResults.Created($"{VendorApiEndpoints.Prefix}/usage", PaymentUsage.ToReport(record, value));
    }

    private static async Task<Ok<IReadOnlyList<UsageReport>>> ListUsageAsync(HttpContext context, PaymentUsage usage, CancellationToken ct)
    {
        var caller = context.Caller();
        return TypedResults.Ok<IReadOnlyList<UsageReport>>([.. (await usage.ListOwnAsync(caller.Keys, caller.Relationship.ClientId, ct)).Select(u => PaymentUsage.ToReport(u.Record, u.Value))]);
    }

    private static async Task<Ok<IReadOnlyList<PaymentRecord>>> ListRecordsAsync(HttpContext context, PaymentService payments, CancellationToken ct)
    {
        var caller = context.Caller();
        return TypedResults.Ok<IReadOnlyList<PaymentRecord>>([.. (await payments.ListSignedAsync(caller.Keys, ct))
            .Where(r => r.Value.RelationshipId == caller.Relationship.Id)
            .OrderByDescending(r => r.Record.Id)
            .Select(r => PaymentService.ToContract(r.Value))]);
    }

    private static async Task<Ok<PaymentRecord>> GetRecordAsync(Guid recordId, HttpContext context, PaymentService payments, CancellationToken ct)
    {
        var caller = context.Caller();
        var (_, value) = await RefusalLoggedAsync(context, DataActions.Read, () => payments.GetSignedAsync(caller.Keys, recordId, caller.Relationship.Id, ct));
        return TypedResults.Ok(PaymentService.ToContract(value));
    }

    private static async Task<Ok<PaymentRecord>> CountersignAsync(Guid recordId, PaymentCountersignature countersignature, HttpContext context, PaymentService payments, CancellationToken ct)
    {
        var caller = context.Caller();
        return TypedResults.Ok(await RefusalLoggedAsync(context, CountersignAction, () => payments.CountersignAsync(caller.Keys, caller.Relationship, recordId, countersignature.Signature, ct)));
    }

    /// <summary>
    /// Runs a record call; a refusal it throws (another vendor's record id, a countersignature that does not verify) is
    /// put in the access log before the problem is answered: the grant filter logs only the answers a handler returns.
    /// </summary>
    private static async Task<T> RefusalLoggedAsync<T>(HttpContext context, string action, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (SymbolonProblemException e) when (e.Status >= StatusCodes.Status400BadRequest)
        {
            var caller = context.Caller();
            await VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, [RecordsDatatype], allowed: false, e.Status);
            throw;
        }
    }
}
