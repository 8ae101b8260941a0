using Microsoft.EntityFrameworkCore;

namespace Symbolon.Core.Storage;

/// <summary>
/// What differs between SQLite and PostgreSQL, in one place. Each provider project implements it once and attaches
/// it to the context options it configures (<c>SqliteStorage.Configure</c>, <c>PostgresStorage.Configure</c>), so
/// every <see cref="SymbolonDbContext"/> carries the provider it was built for, however it was built (the server's
/// container, the CLI, tests, design-time tools): code asks <see cref="SymbolonDbContext.StorageProvider"/> instead
/// of comparing provider names.
/// </summary>
internal interface IStorageProvider
{
    /// <summary>
    /// Whether the database admits one writer at a time (SQLite): a vault's writes are then serialized, and its
    /// change-log sequences become visible in the order they were drawn, without a lock of our own.
    /// </summary>
    bool HasSingleWriter { get; }

    /// <summary>
    /// Whether the database can order and compare <see cref="DateTimeOffset"/> columns. Where it cannot, the model
    /// stores every timestamp as a sortable number instead.
    /// </summary>
    bool ComparesDateTimeOffsets { get; }

    /// <summary>
    /// Inside the caller's transaction, makes this vault's other writers wait until that transaction ends. Needs a
    /// transaction; costs nothing where the transaction already holds the database's one write lock.
    /// </summary>
    Task LockVaultForWriteAsync(DbContext db, Guid vaultId, CancellationToken ct);

    /// <summary>SQL run once the schema is up to date, before the database is used; null when there is none.</summary>
    string? PrepareDatabaseSql { get; }

    /// <summary>
    /// SQL that lets this connection's commits return before the disk has flushed them (only for lines that change
    /// nothing, such as the access log of reads).
    /// </summary>
    string RelaxedDurabilitySql { get; }

    /// <summary>
    /// SQL that restores full durability before a relaxed connection goes back to the pool; null when the pool resets
    /// session settings itself.
    /// </summary>
    string? RestoreDurabilitySql { get; }

    /// <summary>
    /// SQL that moves the sequence behind a generated key column past the highest value in its table, after a restore
    /// inserted rows with their own keys; null where the database does that by itself (SQLite's AUTOINCREMENT).
    /// </summary>
    string? AdvanceKeySequenceSql(string table, string column);
}
