using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Records;

/// <summary>Who wrote a record version.</summary>
internal sealed record Actor(string Kind, string? Id)
{
    public const string OwnerKind = "owner";
    public const string VendorKind = "vendor";

    public static Actor Owner { get; } = new(OwnerKind, null);

    public static Actor Vendor(string clientId) => new(VendorKind, clientId);
}

/// <summary>The operations a version records.</summary>
internal static class RecordOperations
{
    public const string Create = "create";
    public const string Update = "update";
    public const string Delete = "delete";
}

/// <summary>A decrypted version of a record. <see cref="Json"/> is null for a deletion.</summary>
internal sealed record RecordVersion(
    Guid RecordId,
    string Type,
    int Version,
    DateTimeOffset ChangedAt,
    string Operation,
    Actor Actor,
    byte[]? Json);

/// <summary>A record's current state, decrypted.</summary>
internal sealed record CurrentRecord(Guid Id, string Type, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, Actor UpdatedBy, byte[] Json);

internal sealed class RecordNotFoundException(Guid id) : SymbolonProblemException(
    ProblemCodes.RecordNotFound, 404, "Not found.", "Nothing with that id exists in this vault.", message: "The record does not exist.")
{
    public Guid RecordId { get; } = id;
}

internal sealed class RecordVersionConflictException(int expected, int actual) : SymbolonProblemException(
    ProblemCodes.VersionConflict, 409, "It changed in the meantime.", Describe(expected, actual), message: Describe(expected, actual))
{
    public int Expected { get; } = expected;
    public int Actual { get; } = actual;

    private static string Describe(int expected, int actual) => $"The record is at version {actual}, not {expected}. Reload it and try again.";
}

internal sealed class RecordDeletedException() : SymbolonProblemException(
    ProblemCodes.RecordDeleted, 409, "It was deleted.", "It is deleted; its history stays until you purge it.", message: "The record is deleted.");

/// <summary>
/// Versioned, encrypted records. Every write appends a version sealed with the vault's data key, bound to
/// (vault, record id, type, version); nothing is overwritten, and a delete is a tombstone until purged.
/// </summary>
internal sealed class RecordStore(SymbolonDbContext db, TimeProvider time)
{
    public Task<CurrentRecord> CreateAsync(VaultKeys keys, string type, byte[] json, Actor actor, CancellationToken ct = default) =>
        CreateWithIdAsync(keys, null, type, json, actor, ct);

    /// <summary>Creates a record under an id the caller made (with <see cref="UuidV7"/>), when the content must name it.</summary>
    public async Task<CurrentRecord> CreateWithIdAsync(VaultKeys keys, Guid? givenId, string type, byte[] json, Actor actor, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var id = givenId ?? UuidV7.Create(now);
        db.Records.Add(new RecordEntity { VaultId = keys.VaultId, Id = id, Type = type, CurrentVersion = 1, CreatedAt = now, UpdatedAt = now });
        AddVersion(NewVersion(keys, id, type, 1, now, RecordOperations.Create, actor, json));
        await SaveInVaultOrderAsync(keys.VaultId, ct);
        return new CurrentRecord(id, type, 1, now, now, actor, json);
    }

    public async Task<CurrentRecord> UpdateAsync(VaultKeys keys, Guid id, byte[] json, Actor actor, int? expectedVersion = null, CancellationToken ct = default)
    {
        var record = await LoadHeadAsync(keys.VaultId, id, expectedVersion, ct);
        var now = time.GetUtcNow();
        record.CurrentVersion++;
        record.UpdatedAt = now;
        AddVersion(NewVersion(keys, id, record.Type, record.CurrentVersion, now, RecordOperations.Update, actor, json));
        await SaveVersionAsync(keys.VaultId, record.CurrentVersion, ct);
        return new CurrentRecord(id, record.Type, record.CurrentVersion, record.CreatedAt, now, actor, json);
    }

    /// <summary>Marks the record deleted. Its history stays readable until <see cref="PurgeAsync"/>.</summary>
    public async Task DeleteAsync(VaultKeys keys, Guid id, Actor actor, int? expectedVersion = null, CancellationToken ct = default)
    {
        var record = await LoadHeadAsync(keys.VaultId, id, expectedVersion, ct);
        var now = time.GetUtcNow();
        record.CurrentVersion++;
        record.UpdatedAt = now;
        record.DeletedAt = now;
        AddVersion(new RecordVersionEntity
        {
            VaultId = keys.VaultId,
            RecordId = id,
            Version = record.CurrentVersion,
            Type = record.Type,
            ChangedAt = now,
            Operation = RecordOperations.Delete,
            ActorKind = actor.Kind,
            ActorId = actor.Id,
            Sealed = null,
        });
        await SaveVersionAsync(keys.VaultId, record.CurrentVersion, ct);
    }

    /// <summary>Removes a deleted record and all its versions for good.</summary>
    public async Task PurgeAsync(Guid vaultId, Guid id, CancellationToken ct = default)
    {
        var record = await db.Records.SingleOrDefaultAsync(r => r.VaultId == vaultId && r.Id == id, ct)
            ?? throw new RecordNotFoundException(id);
        if (record.DeletedAt is null)
        {
            throw new InvalidOperationException("Only a deleted record can be purged.");
        }

        await db.RecordVersions.Where(v => v.VaultId == vaultId && v.RecordId == id).ExecuteDeleteAsync(ct);
        await db.ChangeLog.Where(c => c.VaultId == vaultId && c.RecordId == id).ExecuteDeleteAsync(ct);
        db.Records.Remove(record);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Purges every deleted record of the vault; returns how many.</summary>
    public async Task<int> PurgeDeletedAsync(Guid vaultId, CancellationToken ct = default)
    {
        var ids = await db.Records.Where(r => r.VaultId == vaultId && r.DeletedAt != null).Select(r => r.Id).ToListAsync(ct);
        foreach (var id in ids)
        {
            await PurgeAsync(vaultId, id, ct);
        }

        return ids.Count;
    }

    public async Task<CurrentRecord?> FindAsync(VaultKeys keys, Guid id, CancellationToken ct = default)
    {
        var head = await db.Records.AsNoTracking().SingleOrDefaultAsync(r => r.VaultId == keys.VaultId && r.Id == id && r.DeletedAt == null, ct);
        if (head is null)
        {
            return null;
        }

        var version = await db.RecordVersions.AsNoTracking()
            .SingleAsync(v => v.VaultId == keys.VaultId && v.RecordId == id && v.Version == head.CurrentVersion, ct);
        return ToCurrent(keys, head, version);
    }

    /// <summary>
    /// Current, non-deleted records whose type starts with <paramref name="typePrefix"/>, oldest first; with
    /// a writer, only those whose current version that actor wrote (filtered in SQL, so a
    /// vendor's own records are found without decrypting everybody else's).
    /// </summary>
    public Task<IReadOnlyList<CurrentRecord>> ListAsync(VaultKeys keys, string typePrefix, CancellationToken ct = default) =>
        ListAsync(keys, typePrefix, null, ct);

    /// <inheritdoc cref="ListAsync(VaultKeys, string, CancellationToken)"/>
    public async Task<IReadOnlyList<CurrentRecord>> ListAsync(VaultKeys keys, string typePrefix, Actor? writtenBy, CancellationToken ct = default)
    {
        var query =
            from r in db.Records.AsNoTracking()
            join v in db.RecordVersions.AsNoTracking()
                on new { r.VaultId, RecordId = r.Id, Version = r.CurrentVersion } equals new { v.VaultId, v.RecordId, v.Version }
            where r.VaultId == keys.VaultId && r.DeletedAt == null && r.Type.StartsWith(typePrefix)
            select new { Head = r, Version = v };
        if (writtenBy is not null)
        {
            query = query.Where(row => row.Version.ActorKind == writtenBy.Kind && row.Version.ActorId == writtenBy.Id);
        }

        var rows = await query.OrderBy(row => row.Head.Id).ToListAsync(ct);
        return [.. rows.Where(row => HasPrefix(row.Head, typePrefix)).Select(row => ToCurrent(keys, row.Head, row.Version))];
    }

    /// <summary>Every version of one record, oldest first, decrypted.</summary>
    public async Task<(RecordEntity Head, IReadOnlyList<RecordVersion> Versions)> HistoryAsync(VaultKeys keys, Guid id, CancellationToken ct = default)
    {
        var head = await db.Records.AsNoTracking().SingleOrDefaultAsync(r => r.VaultId == keys.VaultId && r.Id == id, ct)
            ?? throw new RecordNotFoundException(id);
        var versions = await db.RecordVersions.AsNoTracking()
            .Where(v => v.VaultId == keys.VaultId && v.RecordId == id)
            .OrderBy(v => v.Version)
            .ToListAsync(ct);
        return (head, [.. versions.Select(v => Decrypt(keys, v))]);
    }

    /// <summary>Heads of all records of a type prefix, deleted ones included (for histories).</summary>
    public async Task<IReadOnlyList<RecordEntity>> ListHeadsAsync(Guid vaultId, string typePrefix, CancellationToken ct = default)
    {
        var heads = await db.Records.AsNoTracking()
            .Where(r => r.VaultId == vaultId && r.Type.StartsWith(typePrefix))
            .OrderBy(r => r.Id)
            .ToListAsync(ct);
        return [.. heads.Where(head => HasPrefix(head, typePrefix))];
    }

    // Note: SQLite translates StartsWith to LIKE, which ignores ASCII case, while PostgreSQL compares exactly; the
    // ordinal check after the query makes both providers return the same records.
    private static bool HasPrefix(RecordEntity head, string typePrefix) => head.Type.StartsWith(typePrefix, StringComparison.Ordinal);

    internal static RecordVersion Decrypt(VaultKeys keys, RecordVersionEntity v) => new(
        v.RecordId,
        v.Type,
        v.Version,
        v.ChangedAt,
        v.Operation,
        new Actor(v.ActorKind, v.ActorId),
        v.Sealed is null ? null : keys.OpenRecord(v.RecordId, v.Type, v.Version, v.Sealed));

    private static CurrentRecord ToCurrent(VaultKeys keys, RecordEntity head, RecordVersionEntity version) => new(
        head.Id,
        head.Type,
        head.CurrentVersion,
        head.CreatedAt,
        head.UpdatedAt,
        new Actor(version.ActorKind, version.ActorId),
        keys.OpenRecord(head.Id, head.Type, version.Version, version.Sealed!));

    /// <summary>
    /// Saves a new version. Two writers that read the same head both try to insert the same version number;
    /// the primary key refuses the second, which then gets a conflict rather than an error.
    /// </summary>
    private async Task SaveVersionAsync(Guid vaultId, int version, CancellationToken ct)
    {
        try
        {
            await SaveInVaultOrderAsync(vaultId, ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            throw new RecordVersionConflictException(version - 1, version);
        }
    }

    /// <summary>
    /// Saves a write that appends change-log rows so that, within one vault, change-log sequences become visible in
    /// the order they were drawn. The change feed hands out "everything after sequence N"; on PostgreSQL identity
    /// values are drawn at insert but transactions commit in any order, so without this a reader could see 11,
    /// move its cursor past it, and never see 10 committing a moment later. The vault's write lock, taken before
    /// the insert draws its sequence, serializes the vault's writers until commit. SQLite has a single writer and
    /// needs nothing.
    /// </summary>
    private async Task SaveInVaultOrderAsync(Guid vaultId, CancellationToken ct)
    {
        var storage = db.StorageProvider;
        if (storage.HasSingleWriter)
        {
            await db.SaveChangesAsync(ct);
            return;
        }

        if (db.Database.CurrentTransaction is not null)
        {
            await storage.LockVaultForWriteAsync(db, vaultId, ct);
            await db.SaveChangesAsync(ct);
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await storage.LockVaultForWriteAsync(db, vaultId, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Inside the caller's transaction, makes this vault's writers wait for it until it commits, so that a
    /// read-check-write (a loyalty balance before a redemption) cannot interleave with another. It is the same lock
    /// <see cref="SaveInVaultOrderAsync"/> takes (re-entrant within a transaction); SQLite's transactions already
    /// hold the database's one write lock from the start.
    /// </summary>
    public async Task SerializeVaultWritesAsync(Guid vaultId, CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Serializing a vault's writes needs a transaction.");
        }

        await db.StorageProvider.LockVaultForWriteAsync(db, vaultId, ct);
    }

    private async Task<RecordEntity> LoadHeadAsync(Guid vaultId, Guid id, int? expectedVersion, CancellationToken ct)
    {
        var record = await db.Records.SingleOrDefaultAsync(r => r.VaultId == vaultId && r.Id == id, ct)
            ?? throw new RecordNotFoundException(id);
        if (record.DeletedAt is not null)
        {
            throw new RecordDeletedException();
        }

        if (expectedVersion is { } expected && expected != record.CurrentVersion)
        {
            throw new RecordVersionConflictException(expected, record.CurrentVersion);
        }

        return record;
    }

    /// <summary>Adds a version and its change-log row, so both commit (or fail) together.</summary>
    private void AddVersion(RecordVersionEntity version)
    {
        db.RecordVersions.Add(version);
        db.ChangeLog.Add(new ChangeLogEntity
        {
            VaultId = version.VaultId,
            RecordId = version.RecordId,
            RecordType = version.Type,
            Version = version.Version,
            Operation = version.Operation,
            ActorKind = version.ActorKind,
            ActorId = version.ActorId,
            ChangedAt = version.ChangedAt,
        });
    }

    private static RecordVersionEntity NewVersion(VaultKeys keys, Guid id, string type, int version, DateTimeOffset at, string operation, Actor actor, byte[] json) => new()
    {
        VaultId = keys.VaultId,
        RecordId = id,
        Version = version,
        Type = type,
        ChangedAt = at,
        Operation = operation,
        ActorKind = actor.Kind,
        ActorId = actor.Id,
        Sealed = keys.SealRecord(id, type, version, json),
    };
}
