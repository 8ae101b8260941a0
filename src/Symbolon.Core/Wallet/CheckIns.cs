using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Contracts.Wallet;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Wallet;

/// <summary>
/// What a check-in record holds. Who it is shared with sits inside the envelope with the visit itself: which
/// vendors know about which visit is as personal as the visit.
/// </summary>
internal sealed record CheckInValue(string Place, DateTimeOffset At, string? Note, IReadOnlyList<Guid> SharedWith, string? RecordedBy);

/// <summary>
/// Visits the person records (or a vendor records when it scans the card; record type <c>checkin</c>), each shared
/// with nobody, one vendor or a chosen group. A vendor reads only the check-ins shared with its relationship.
/// </summary>
internal sealed class CheckIns(RecordStore records, SymbolonDbContext db, TimeProvider time)
{
    public const string RecordType = DatatypeCatalog.CheckInRecordType;

    public async Task<(CurrentRecord Record, CheckInValue Value)> AddAsync(VaultKeys keys, CheckInInput input, CancellationToken ct = default)
    {
        var value = await ValidateAsync(keys.VaultId, input, null, ct);
        var record = await records.CreateAsync(keys, RecordType, VaultJson.Serialize(value), Actor.Owner, ct);
        return (record, value);
    }

    /// <summary>A vendor records a visit on scan; it is shared with that vendor only until the person changes it.</summary>
    public async Task<(CurrentRecord Record, CheckInValue Value)> AddByVendorAsync(VaultKeys keys, RelationshipEntity vendor, VendorCheckInInput input, CancellationToken ct = default)
    {
        var (place, at, note) = CheckVendorInput(input);
        var value = new CheckInValue(place, at, note, [vendor.Id], vendor.ClientId);
        var record = await records.CreateAsync(keys, RecordType, VaultJson.Serialize(value), Actor.Vendor(vendor.ClientId), ct);
        return (record, value);
    }

    /// <summary>A vendor's check-in as it will be stored (no time is now), or the validation problem naming each field.</summary>
    public (string Place, DateTimeOffset At, string? Note) CheckVendorInput(VendorCheckInInput input)
    {
        var errors = new ValidationErrors();
        var place = Receipts.Text(errors, "place", input.Place, 200, required: true);
        var note = Receipts.Text(errors, "note", input.Note, 500, required: false);
        var at = input.At ?? time.GetUtcNow();
        CheckTime(errors, "at", at);
        Throw(errors);
        return (place!, at, note);
    }

    public async Task<(CurrentRecord Record, CheckInValue Value)> UpdateAsync(VaultKeys keys, Guid id, CheckInInput input, CancellationToken ct = default)
    {
        var (_, current) = await GetAsync(keys, id, ct);
        var value = await ValidateAsync(keys.VaultId, input, current.RecordedBy, ct);
        var record = await records.UpdateAsync(keys, id, VaultJson.Serialize(value), Actor.Owner, input.ExpectedVersion, ct);
        return (record, value);
    }

    public async Task<(CurrentRecord Record, CheckInValue Value)> ShareAsync(VaultKeys keys, Guid id, IReadOnlyList<Guid> sharedWith, CancellationToken ct = default)
    {
        var (record, current) = await GetAsync(keys, id, ct);
        return await UpdateAsync(keys, id, new CheckInInput(current.Place, current.At, current.Note, sharedWith, record.Version), ct);
    }

    public async Task DeleteAsync(VaultKeys keys, Guid id, int? expectedVersion, CancellationToken ct = default)
    {
        await GetAsync(keys, id, ct);
        await records.DeleteAsync(keys, id, Actor.Owner, expectedVersion, ct);
    }

    public async Task<(CurrentRecord Record, CheckInValue Value)> GetAsync(VaultKeys keys, Guid id, CancellationToken ct = default)
    {
        var record = await records.FindAsync(keys, id, ct);
        if (record is null || record.Type != RecordType)
        {
            throw new WalletProblemException(ProblemCodes.WalletItemNotFound, 404, "Not found.", "No check-in with that id exists in this vault.");
        }

        return (record, VaultJson.Deserialize<CheckInValue>(record.Json));
    }

    /// <summary>Every check-in, newest visit first.</summary>
    public async Task<IReadOnlyList<(CurrentRecord Record, CheckInValue Value)>> ListAllAsync(VaultKeys keys, CancellationToken ct = default) =>
        [.. (await records.ListAsync(keys, RecordType, ct)).Where(r => r.Type == RecordType)
            .Select(r => (r, VaultJson.Deserialize<CheckInValue>(r.Json)))
            .OrderByDescending(c => c.Item2.At)];

    /// <summary>The check-ins shared with one relationship, oldest visit first. Nothing else is returned, or decrypted for longer than the filter takes.</summary>
    public async Task<IReadOnlyList<(CurrentRecord Record, CheckInValue Value)>> ListSharedWithAsync(VaultKeys keys, Guid relationshipId, CancellationToken ct = default) =>
        [.. (await ListAllAsync(keys, ct)).Where(c => c.Value.SharedWith.Contains(relationshipId)).OrderBy(c => c.Value.At)];

    private async Task<CheckInValue> ValidateAsync(Guid vaultId, CheckInInput input, string? recordedBy, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var place = Receipts.Text(errors, "place", input.Place, 200, required: true);
        var note = Receipts.Text(errors, "note", input.Note, 500, required: false);
        CheckTime(errors, "at", input.At);
        var shared = input.SharedWith ?? [];
        if (shared.Count > 100)
        {
            errors.Add("sharedWith", "At most 100 vendors.");
        }
        else if (shared.Count > 0)
        {
            var ids = shared.Distinct().ToList();
            var known = await db.Relationships.AsNoTracking().Where(r => r.VaultId == vaultId && ids.Contains(r.Id)).Select(r => r.Id).ToListAsync(ct);
            for (var i = 0; i < shared.Count; i++)
            {
                if (!known.Contains(shared[i]))
                {
                    errors.Add($"sharedWith[{i}]", "Not one of your relationships.");
                }
            }
        }

        Throw(errors);
        return new CheckInValue(place!, input.At, note, [.. shared.Distinct()], recordedBy);
    }

    private void CheckTime(ValidationErrors errors, string field, DateTimeOffset at)
    {
        if (at.Year < 2000 || at > time.GetUtcNow().AddDays(1))
        {
            errors.Add(field, "A time after the year 2000 and not in the future.");
        }
    }

    private static void Throw(ValidationErrors errors)
    {
        if (errors.Any)
        {
            throw new WalletProblemException(ProblemCodes.InvalidCheckIn, 400, "The check-in is not valid.", "See errors for each field and why; nothing was saved.", errors.ToDictionary());
        }
    }
}
