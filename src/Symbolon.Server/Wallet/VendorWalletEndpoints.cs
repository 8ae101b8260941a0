using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Wallet;
using Symbolon.Server.Inbox;
using Symbolon.Server.VendorApi;

namespace Symbolon.Server.Wallet;

/// <summary>
/// The vendor side of the wallet under <c>/api/v1</c>: receipts, the vendor's loyalty programme and check-ins.
/// Each route declares the grant it needs (<see cref="VendorGrants"/>): the vendor filter checks it, logs the access and
/// makes writes idempotent, so these handlers only do the work. Reads return only what is the vendor's own (receipts,
/// its programme) or shared with it (check-ins).
/// </summary>
internal static class VendorWalletEndpoints
{
    public static RouteGroupBuilder MapVendorWalletEndpoints(this RouteGroupBuilder data)
    {
        data.MapPost("/receipts", PushReceiptAsync)
            .RequireGrant(Datatypes.Receipts, DataActions.Append, "This grant does not allow adding receipts.").Idempotent()
            .QueueWhileAway(Datatypes.Receipts, invocation =>
            {
                CheckReceiptSize(invocation.HttpContext);
                Receipts.Validate(invocation.Argument<ReceiptInput>());
                return ValueTask.CompletedTask;
            })
            .WithName("PushVendorReceipt").WithSummary("Adds an itemized receipt to the person's purchase history (needs append on receipts); checked in full, idempotent.");
        data.MapGet("/receipts", ListReceiptsAsync)
            .RequireGrant(Datatypes.Receipts, DataActions.Read, "This grant does not allow reading receipts.")
            .WithName("ListVendorReceipts").WithSummary("The receipts this vendor pushed (needs read on receipts), oldest first.");
        data.MapPost("/loyalty/events", RecordLoyaltyEventAsync)
            .RequireGrant(Datatypes.Loyalty, DataActions.Append, "This grant does not allow recording loyalty events.").Idempotent()
            .QueueWhileAway(Datatypes.Loyalty)
            .WithName("RecordVendorLoyaltyEvent").WithSummary("Records stamps or points earned or redeemed, or a reward (needs append on loyalty); a redemption larger than the balance is refused.");
        data.MapGet("/loyalty", GetLoyaltyAsync)
            .RequireGrant(Datatypes.Loyalty, DataActions.Read, "This grant does not allow reading the loyalty programme.")
            .WithName("GetVendorLoyalty").WithSummary("This vendor's own programme: balance and history (needs read on loyalty).");
        data.MapPost("/checkins", RecordCheckInAsync)
            .RequireGrant(Datatypes.CheckIns, DataActions.Append, "This grant does not allow recording check-ins.").Idempotent()
            .QueueWhileAway(Datatypes.CheckIns, invocation =>
            {
                // Checked now, and the visit is dated now rather than when the person is back.
                var input = invocation.Argument<VendorCheckInInput>();
                var (_, at, _) = invocation.HttpContext.RequestServices.GetRequiredService<CheckIns>().CheckVendorInput(input);
                invocation.Arguments[invocation.Arguments.IndexOf(input)] = input with { At = at };
                return ValueTask.CompletedTask;
            })
            .WithName("RecordVendorCheckIn").WithSummary("Records a visit when the vendor scans the person's card (needs append on checkins); shared with this vendor only.");
        data.MapGet("/checkins", ListCheckInsAsync)
            .RequireGrant(Datatypes.CheckIns, DataActions.Read, "This grant does not allow reading check-ins.")
            .WithName("ListVendorCheckIns").WithSummary("The check-ins the person shared with this vendor (needs read on checkins), oldest first.");
        return data;
    }

    private static async Task<Created<VendorReceipt>> PushReceiptAsync(ReceiptInput receipt, HttpContext context, Receipts receipts, CancellationToken ct)
    {
        var caller = context.Caller();
        CheckReceiptSize(context);
        var record = await receipts.AddAsync(caller.Keys, caller.Relationship.ClientId, receipt, ct);
        return TypedResults.Created($"{VendorApiEndpoints.Prefix}/receipts", ToVendor(caller.Relationship, record, VaultJson.Deserialize<ReceiptInput>(record.Json)));
    }

    private static void CheckReceiptSize(HttpContext context)
    {
        if (context.Request.ContentLength > Receipts.MaxBodyBytes)
        {
            throw new WalletProblemException(ProblemCodes.ReceiptTooLarge, StatusCodes.Status413PayloadTooLarge, "The receipt is too large.",
                $"A receipt's JSON is at most {Receipts.MaxBodyBytes / 1024} KiB; split a larger sale into several receipts.",
                new Dictionary<string, string[]> { ["$"] = [$"At most {Receipts.MaxBodyBytes / 1024} KiB."] });
        }
    }

    private static async Task<Ok<IReadOnlyList<VendorReceipt>>> ListReceiptsAsync(HttpContext context, Receipts receipts, CancellationToken ct)
    {
        var caller = context.Caller();
        var own = await receipts.ListOwnAsync(caller.Keys, caller.Relationship.ClientId, ct);
        return TypedResults.Ok<IReadOnlyList<VendorReceipt>>([.. own.Select(r => ToVendor(caller.Relationship, r.Record, r.Receipt))]);
    }

    private static async Task<Created<VendorLoyaltyEvent>> RecordLoyaltyEventAsync(LoyaltyEventInput loyaltyEvent, HttpContext context, LoyaltyLedger ledger, CancellationToken ct)
    {
        var caller = context.Caller();
        var (record, value) = await ledger.RecordAsync(caller.Keys, caller.Relationship.ClientId, loyaltyEvent, ct);
        return TypedResults.Created($"{VendorApiEndpoints.Prefix}/loyalty", ToVendor(caller.Relationship, record, value));
    }

    private static async Task<Ok<VendorLoyalty>> GetLoyaltyAsync(HttpContext context, LoyaltyLedger ledger, CancellationToken ct)
    {
        var caller = context.Caller();
        var state = await ledger.GetAsync(caller.Keys, caller.Relationship.ClientId, ct);
        return TypedResults.Ok(state is null
            ? new VendorLoyalty(null, 0, false, [])
            : new VendorLoyalty(state.Value.Programme, state.Value.Balance, state.RewardDue, [.. state.Events.Select(e => ToVendor(caller.Relationship, e.Record, e.Value))]));
    }

    private static async Task<Created<VendorCheckIn>> RecordCheckInAsync(VendorCheckInInput checkIn, HttpContext context, CheckIns checkIns, CancellationToken ct)
    {
        var caller = context.Caller();
        var (record, value) = await checkIns.AddByVendorAsync(caller.Keys, caller.Relationship, checkIn, ct);
        return TypedResults.Created($"{VendorApiEndpoints.Prefix}/checkins", new VendorCheckIn(PairwiseIds.FieldId(caller.Relationship.PairwiseKey, record.Id), value.Place, value.At, value.Note));
    }

    private static async Task<Ok<IReadOnlyList<VendorCheckIn>>> ListCheckInsAsync(HttpContext context, CheckIns checkIns, CancellationToken ct)
    {
        var caller = context.Caller();
        var shared = await checkIns.ListSharedWithAsync(caller.Keys, caller.Relationship.Id, ct);
        return TypedResults.Ok<IReadOnlyList<VendorCheckIn>>([.. shared.Select(c => new VendorCheckIn(PairwiseIds.FieldId(caller.Relationship.PairwiseKey, c.Record.Id), c.Value.Place, c.Value.At, c.Value.Note))]);
    }

    private static VendorReceipt ToVendor(RelationshipEntity relationship, CurrentRecord record, ReceiptInput receipt) =>
        new(PairwiseIds.FieldId(relationship.PairwiseKey, record.Id), receipt, record.CreatedAt);

    private static VendorLoyaltyEvent ToVendor(RelationshipEntity relationship, CurrentRecord record, LoyaltyEventValue value) =>
        new(PairwiseIds.FieldId(relationship.PairwiseKey, record.Id), value.Kind, value.Amount, value.BalanceAfter, value.Reward, value.Note, record.CreatedAt);
}
