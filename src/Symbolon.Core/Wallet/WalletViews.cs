using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Wallet;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Wallet;

/// <summary>
/// The person's wallet as the owner API, the web app and the CLI show it: receipts, programmes and check-ins with
/// the vendors they came from or are shared with. Scoped to one vault by its keys.
/// </summary>
internal sealed class WalletViews(Receipts receipts, LoyaltyLedger loyalty, CheckIns checkIns, SymbolonDbContext db)
{
    /// <summary>Receipts newest first, optionally of one vendor and within [from, to) by the time of sale.</summary>
    public async Task<IReadOnlyList<WalletReceipt>> ReceiptsAsync(VaultKeys keys, Guid? relationshipId = null, DateTimeOffset? from = null, DateTimeOffset? to = null, CancellationToken ct = default)
    {
        var vendors = await VendorsAsync(keys.VaultId, ct);
        return [.. (await receipts.ListAllAsync(keys, ct))
            .Select(r => new WalletReceipt(r.Record.Id, Vendor(vendors, r.Record.UpdatedBy), r.Receipt, r.Record.CreatedAt))
            .Where(r => relationshipId is null || r.Vendor?.RelationshipId == relationshipId)
            .Where(r => (from is null || r.Receipt.IssuedAt >= from) && (to is null || r.Receipt.IssuedAt < to))
            .OrderByDescending(r => r.Receipt.IssuedAt)];
    }

    public async Task<WalletReceipt> ReceiptAsync(VaultKeys keys, Guid id, CancellationToken ct = default) =>
        (await ReceiptsAsync(keys, ct: ct)).FirstOrDefault(r => r.Id == id) ?? throw NotFound("receipt");

    /// <summary>Every programme, the most recently used first, each with its events newest first.</summary>
    public async Task<IReadOnlyList<WalletProgramme>> ProgrammesAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var vendors = await VendorsAsync(keys.VaultId, ct);
        return [.. (await loyalty.ListAllAsync(keys, ct))
            .Select(p => new WalletProgramme(
                p.State.Record.Id,
                Vendor(vendors, p.State.Record.UpdatedBy),
                p.State.Value.Programme,
                p.State.Value.Balance,
                p.State.RewardDue,
                p.State.Record.UpdatedAt,
                [.. p.State.Events.Select(e => new WalletLoyaltyEvent(e.Record.Id, e.Value.Kind, e.Value.Amount, e.Value.BalanceAfter, e.Value.Reward, e.Value.Note, e.Record.CreatedAt)).Reverse()]))
            .OrderByDescending(p => p.UpdatedAt)];
    }

    public async Task<WalletProgramme> ProgrammeAsync(VaultKeys keys, Guid id, CancellationToken ct = default) =>
        (await ProgrammesAsync(keys, ct)).FirstOrDefault(p => p.Id == id) ?? throw NotFound("loyalty programme");

    public async Task<IReadOnlyList<CheckIn>> CheckInsAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var vendors = await VendorsAsync(keys.VaultId, ct);
        return [.. (await checkIns.ListAllAsync(keys, ct)).Select(c => ToContract(vendors, c.Record, c.Value))];
    }

    public async Task<CheckIn> CheckInAsync(VaultKeys keys, Guid id, CancellationToken ct = default)
    {
        var (record, value) = await checkIns.GetAsync(keys, id, ct);
        return ToContract(await VendorsAsync(keys.VaultId, ct), record, value);
    }

    public async Task<CheckIn> ToContractAsync(Guid vaultId, CurrentRecord record, CheckInValue value, CancellationToken ct = default) =>
        ToContract(await VendorsAsync(vaultId, ct), record, value);

    /// <summary>The vault's vendors, for pickers: relationship id and name, ended ones left out.</summary>
    public async Task<IReadOnlyList<WalletVendor>> ActiveVendorsAsync(Guid vaultId, CancellationToken ct = default) =>
        [.. (await db.Relationships.AsNoTracking().Where(r => r.VaultId == vaultId && r.EndedAt == null).ToListAsync(ct))
            .OrderBy(r => r.VendorName, StringComparer.CurrentCultureIgnoreCase)
            .Select(r => new WalletVendor(r.Id, r.VendorName))];

    private static CheckIn ToContract(IReadOnlyList<(Guid Id, string ClientId, string Name)> vendors, CurrentRecord record, CheckInValue value) => new(
        record.Id,
        value.Place,
        value.At,
        value.Note,
        [.. value.SharedWith.Select(id => vendors.FirstOrDefault(v => v.Id == id)).Where(v => v.Name is not null).Select(v => new WalletVendor(v.Id, v.Name))],
        value.RecordedBy is null ? null : vendors.Where(v => v.ClientId == value.RecordedBy).Select(v => new WalletVendor(v.Id, v.Name)).FirstOrDefault(),
        record.Version);

    private async Task<IReadOnlyList<(Guid Id, string ClientId, string Name)>> VendorsAsync(Guid vaultId, CancellationToken ct) =>
        [.. (await db.Relationships.AsNoTracking().Where(r => r.VaultId == vaultId).Select(r => new { r.Id, r.ClientId, r.VendorName }).ToListAsync(ct))
            .Select(r => (r.Id, r.ClientId, r.VendorName))];

    private static WalletVendor? Vendor(IReadOnlyList<(Guid Id, string ClientId, string Name)> vendors, Actor actor) =>
        actor.Kind != Actor.VendorKind ? null : vendors.Where(v => v.ClientId == actor.Id).Select(v => new WalletVendor(v.Id, v.Name)).FirstOrDefault();

    private static WalletProblemException NotFound(string what) =>
        new(ProblemCodes.WalletItemNotFound, 404, "Not found.", $"No {what} with that id exists in this vault.");
}
