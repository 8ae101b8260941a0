using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Wallet;
using Symbolon.Core.Vaults;
using Symbolon.Core.Wallet;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Wallet;

/// <summary>Owner API for the wallet: receipts (purchase history), loyalty programmes, and check-ins with their sharing.</summary>
internal static class WalletEndpoints
{
    public static RouteGroupBuilder MapWalletEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/").WithTags("Wallet").RequireAuthorization(OwnerAuthentication.Policy);
        group.MapGet("/receipts", ListReceipts).WithName("ListReceipts").WithSummary("Purchase history: every receipt vendors pushed, newest first; filter by relationshipId and a [from, to) time range.");
        group.MapGet("/receipts/{id:guid}", GetReceipt).WithName("GetReceipt").WithSummary("One receipt with its lines.");
        group.MapGet("/loyalty", ListProgrammes).WithName("ListLoyaltyProgrammes").WithSummary("Every loyalty programme with its balance and history, the most recently used first.");
        group.MapGet("/loyalty/{id:guid}", GetProgramme).WithName("GetLoyaltyProgramme").WithSummary("One loyalty programme with its balance and history.");
        group.MapGet("/check-ins", ListCheckIns).WithName("ListCheckIns").WithSummary("Every check-in, newest visit first, with who it is shared with.");
        group.MapGet("/check-ins/{id:guid}", GetCheckIn).WithName("GetCheckIn").WithSummary("One check-in.");
        group.MapPost("/check-ins", AddCheckIn).WithName("AddCheckIn").WithSummary("Records a visit, shared with nobody, one vendor or a group.");
        group.MapPut("/check-ins/{id:guid}", UpdateCheckIn).WithName("UpdateCheckIn").WithSummary("Changes a check-in (place, time, note, sharing); expectedVersion gives 409 on a lost update.");
        group.MapPut("/check-ins/{id:guid}/sharing", ShareCheckIn).WithName("ShareCheckIn").WithSummary("Sets who a check-in is shared with; an empty list shares it with nobody.");
        group.MapDelete("/check-ins/{id:guid}", DeleteCheckIn).WithName("DeleteCheckIn").WithSummary("Deletes a check-in; it stays in history until purged.");
        return group;
    }

    internal static async Task<Ok<IReadOnlyList<WalletReceipt>>> ListReceipts(VaultSession session, WalletViews views, CancellationToken ct, Guid? relationshipId = null, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        TypedResults.Ok(await views.ReceiptsAsync(session.Keys, relationshipId, from, to, ct));

    internal static async Task<Ok<WalletReceipt>> GetReceipt(Guid id, VaultSession session, WalletViews views, CancellationToken ct) =>
        TypedResults.Ok(await views.ReceiptAsync(session.Keys, id, ct));

    internal static async Task<Ok<IReadOnlyList<WalletProgramme>>> ListProgrammes(VaultSession session, WalletViews views, CancellationToken ct) =>
        TypedResults.Ok(await views.ProgrammesAsync(session.Keys, ct));

    internal static async Task<Ok<WalletProgramme>> GetProgramme(Guid id, VaultSession session, WalletViews views, CancellationToken ct) =>
        TypedResults.Ok(await views.ProgrammeAsync(session.Keys, id, ct));

    internal static async Task<Ok<IReadOnlyList<CheckIn>>> ListCheckIns(VaultSession session, WalletViews views, CancellationToken ct) =>
        TypedResults.Ok(await views.CheckInsAsync(session.Keys, ct));

    internal static async Task<Ok<CheckIn>> GetCheckIn(Guid id, VaultSession session, WalletViews views, CancellationToken ct) =>
        TypedResults.Ok(await views.CheckInAsync(session.Keys, id, ct));

    internal static async Task<Created<CheckIn>> AddCheckIn(CheckInInput input, VaultSession session, CheckIns checkIns, WalletViews views, CancellationToken ct)
    {
        var keys = session.Keys;
        var (record, value) = await checkIns.AddAsync(keys, input, ct);
        return TypedResults.Created($"/owner/api/v1/check-ins/{record.Id}", await views.ToContractAsync(keys.VaultId, record, value, ct));
    }

    internal static async Task<Ok<CheckIn>> UpdateCheckIn(Guid id, CheckInInput input, VaultSession session, CheckIns checkIns, WalletViews views, CancellationToken ct)
    {
        var keys = session.Keys;
        var (record, value) = await checkIns.UpdateAsync(keys, id, input, ct);
        return TypedResults.Ok(await views.ToContractAsync(keys.VaultId, record, value, ct));
    }

    internal static async Task<Ok<CheckIn>> ShareCheckIn(Guid id, CheckInSharing sharing, VaultSession session, CheckIns checkIns, WalletViews views, CancellationToken ct)
    {
        var keys = session.Keys;
        var (record, value) = await checkIns.ShareAsync(keys, id, sharing.SharedWith, ct);
        return TypedResults.Ok(await views.ToContractAsync(keys.VaultId, record, value, ct));
    }

    internal static async Task<NoContent> DeleteCheckIn(Guid id, int? expectedVersion, VaultSession session, CheckIns checkIns, CancellationToken ct)
    {
        await checkIns.DeleteAsync(session.Keys, id, expectedVersion, ct);
        return TypedResults.NoContent();
    }
}

