using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Storage;

namespace Symbolon.Storage.Sqlite;

/// <summary>SQLite's answers to <see cref="IStorageProvider"/>: one file, one writer at a time, WAL mode.</summary>
internal sealed class SqliteStorageProvider : IStorageProvider
{
    public static SqliteStorageProvider Instance { get; } = new();

    private SqliteStorageProvider()
    {
    }

    // EF Core begins SQLite transactions with BEGIN IMMEDIATE, which takes the database's one write lock at once.
    public bool HasSingleWriter => true;

    // SQLite stores DateTimeOffset as text it cannot order or compare.
    public bool ComparesDateTimeOffsets => false;

    public Task LockVaultForWriteAsync(DbContext db, Guid vaultId, CancellationToken ct) => Task.CompletedTask;

    // The journal mode is a property of the database file: set once, it stays.
    public string? PrepareDatabaseSql => "PRAGMA journal_mode=WAL;";

    // Safe from corruption in WAL mode; a power loss may lose the last commits, a process crash does not.
    public string RelaxedDurabilitySql => "PRAGMA synchronous=NORMAL;";

    // Pooled connections keep their settings, and other work expects full synchronous mode.
    public string? RestoreDurabilitySql => "PRAGMA synchronous=FULL;";

    // An explicit rowid larger than the table's sqlite_sequence entry moves that entry itself.
    public string? AdvanceKeySequenceSql(string table, string column) => null;
}
