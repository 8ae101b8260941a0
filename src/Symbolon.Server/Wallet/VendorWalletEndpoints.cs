using System.Text.Json;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Wallet;
using Symbolon.Server.Errors;
using Symbolon.Server.VendorApi;

namespace Symbolon.Server.Wallet;

/// <summary>
/// The vendor side of the wallet under <c>/api/v1</c>: receipts, the vendor's loyalty programme and check-ins.
/// Writes go through <see cref="VendorWrites"/> (one transaction with the access-log line and the Idempotency-Key);
/// reads return only what is the vendor's own (receipts, its programme) or shared with it (check-ins).
/// </summary>
internal static class VendorWalletEndpoints
{
    public static RouteGroupBuilder MapVendorWalletEndpoints(this RouteGroupBuilder data)
    {
        data.MapPost("/receipts", PushReceiptAsync)
            .WithName("PushVendorReceipt").WithSummary("Adds an itemized receipt to the person's purchase history (needs append on receipts); checked in full, idempotent.");
        data.MapGet("/receipts", ListReceiptsAsync)
            .WithName("ListVendorReceipts").WithSummary("The receipts this vendor pushed (needs read on receipts), oldest first.");
        data.MapPost("/loyalty/events", RecordLoyaltyEventAsync)
            .WithName("RecordVendorLoyaltyEvent").WithSummary("Records stamps or points earned or redeemed, or a reward (needs append on loyalty); a redemption larger than the balance is refused.");
        data.MapGet("/loyalty", GetLoyaltyAsync)
            .WithName("GetVendorLoyalty").WithSummary("This vendor's own programme: balance and history (needs read on loyalty).");
        data.MapPost("/checkins", RecordCheckInAsync)
            .WithName("RecordVendorCheckIn").WithSummary("Records a visit when the vendor scans the person's card (needs append on checkins); shared with this vendor only.");
        data.MapGet("/checkins", ListCheckInsAsync)
            .WithName("ListVendorCheckIns").WithSummary("The check-ins the person shared with this vendor (needs read on checkins), oldest first.");
        return data;
    }

    private static async Task<IResult> PushReceiptAsync(ReceiptInput receipt, HttpContext context, Receipts receipts, CancellationToken ct)
    {
        var caller = context.Caller();
        if (context.Request.ContentLength > Receipts.MaxBodyBytes)
        {
            await Log(context, DataActions.Append, Datatypes.Receipts, allowed: false, StatusCodes.Status413PayloadTooLarge);
            return TypedResults.Problem(ProblemCatalog.Create(ProblemCodes.ReceiptTooLarge, StatusCodes.Status413PayloadTooLarge, "The receipt is too large.",
                $"A receipt's JSON is at most {Receipts.MaxBodyBytes / 1024} KiB; split a larger sale into several receipts.",
                new Dictionary<string, string[]> { ["$"] = [$"At most {Receipts.MaxBodyBytes / 1024} KiB."] }));
        }

        return await VendorWrites.RunAsync(context, DataActions.Append, [Datatypes.Receipts], receipt, caller.For(Datatypes.Receipts, DataActions.Append) is not null, "This grant does not allow adding receipts.", async () =>
        {
            var record = await receipts.AddAsync(caller.Keys, caller.Relationship.ClientId, receipt, ct);
            var shown = ToVendor(caller.Relationship, record, VaultJson.Deserialize<ReceiptInput>(record.Json));
            return new StoredResponse(StatusCodes.Status201Created, $"{VendorApiEndpoints.Prefix}/receipts", JsonSerializer.SerializeToUtf8Bytes(shown));
        });
    }

    private static Task<IResult> ListReceiptsAsync(HttpContext context, Receipts receipts, CancellationToken ct) =>
        VendorReads.RunAsync(context, Datatypes.Receipts, "This grant does not allow reading receipts.", async caller =>
        {
            var own = await receipts.ListOwnAsync(caller.Keys, caller.Relationship.ClientId, ct);
            return (IReadOnlyList<VendorReceipt>)[.. own.Select(r => ToVendor(caller.Relationship, r.Record, r.Receipt))];
        });

    private static async Task<IResult> RecordLoyaltyEventAsync(LoyaltyEventInput loyaltyEvent, HttpContext context, LoyaltyLedger ledger, CancellationToken ct)
    {
        var caller = context.Caller();
        return await VendorWrites.RunAsync(context, DataActions.Append, [Datatypes.Loyalty], loyaltyEvent, caller.For(Datatypes.Loyalty, DataActions.Append) is not null, "This grant does not allow recording loyalty events.", async () =>
        {
            var (record, value) = await ledger.RecordAsync(caller.Keys, caller.Relationship.ClientId, loyaltyEvent, ct);
            var shown = ToVendor(caller.Relationship, record, value);
            return new StoredResponse(StatusCodes.Status201Created, $"{VendorApiEndpoints.Prefix}/loyalty", JsonSerializer.SerializeToUtf8Bytes(shown));
        });
    }

    private static Task<IResult> GetLoyaltyAsync(HttpContext context, LoyaltyLedger ledger, CancellationToken ct) =>
        VendorReads.RunAsync(context, Datatypes.Loyalty, "This grant does not allow reading the loyalty programme.", async caller =>
        {
            var state = await ledger.GetAsync(caller.Keys, caller.Relationship.ClientId, ct);
            return state is null
                ? new VendorLoyalty(null, 0, false, [])
                : new VendorLoyalty(state.Value.Programme, state.Value.Balance, state.RewardDue, [.. state.Events.Select(e => ToVendor(caller.Relationship, e.Record, e.Value))]);
        });

    private static async Task<IResult> RecordCheckInAsync(VendorCheckInInput checkIn, HttpContext context, CheckIns checkIns, CancellationToken ct)
    {
        var caller = context.Caller();
        return await VendorWrites.RunAsync(context, DataActions.Append, [Datatypes.CheckIns], checkIn, caller.For(Datatypes.CheckIns, DataActions.Append) is not null, "This grant does not allow recording check-ins.", async () =>
        {
            var (record, value) = await checkIns.AddByVendorAsync(caller.Keys, caller.Relationship, checkIn, ct);
            var shown = new VendorCheckIn(PairwiseIds.FieldId(caller.Relationship.PairwiseKey, record.Id), value.Place, value.At, value.Note);
            return new StoredResponse(StatusCodes.Status201Created, $"{VendorApiEndpoints.Prefix}/checkins", JsonSerializer.SerializeToUtf8Bytes(shown));
        });
    }

    private static Task<IResult> ListCheckInsAsync(HttpContext context, CheckIns checkIns, CancellationToken ct) =>
        VendorReads.RunAsync(context, Datatypes.CheckIns, "This grant does not allow reading check-ins.", async caller =>
        {
            var shared = await checkIns.ListSharedWithAsync(caller.Keys, caller.Relationship.Id, ct);
            return (IReadOnlyList<VendorCheckIn>)[.. shared.Select(c => new VendorCheckIn(PairwiseIds.FieldId(caller.Relationship.PairwiseKey, c.Record.Id), c.Value.Place, c.Value.At, c.Value.Note))];
        });

    private static VendorReceipt ToVendor(RelationshipEntity relationship, CurrentRecord record, ReceiptInput receipt) =>
        new(PairwiseIds.FieldId(relationship.PairwiseKey, record.Id), receipt, record.CreatedAt);

    private static VendorLoyaltyEvent ToVendor(RelationshipEntity relationship, CurrentRecord record, LoyaltyEventValue value) =>
        new(PairwiseIds.FieldId(relationship.PairwiseKey, record.Id), value.Kind, value.Amount, value.BalanceAfter, value.Reward, value.Note, record.CreatedAt);

    private static Task Log(HttpContext context, string action, string datatype, bool allowed, int status)
    {
        var caller = context.Caller();
        return VendorAccessLog.AppendAsync(context, caller.Relationship, caller.Grant, action, [datatype], allowed, status);
    }
}
