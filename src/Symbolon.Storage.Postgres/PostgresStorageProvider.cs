using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Storage;

namespace Symbolon.Storage.Postgres;

/// <summary>PostgreSQL's answers to <see cref="IStorageProvider"/>: concurrent writers, advisory locks per vault.</summary>
internal sealed class PostgresStorageProvider : IStorageProvider
{
    public static PostgresStorageProvider Instance { get; } = new();

    private PostgresStorageProvider()
    {
    }

    public bool HasSingleWriter => false;

    public bool ComparesDateTimeOffsets => true;

    /// <summary>A transaction-scoped advisory lock on the vault, released when the transaction ends.</summary>
    public Task LockVaultForWriteAsync(DbContext db, Guid vaultId, CancellationToken ct)
    {
        var lockKey = VaultLockKey(vaultId);
        return db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({lockKey})", ct);
    }

    public string? PrepareDatabaseSql => null;

    public string RelaxedDurabilitySql => "SET synchronous_commit TO OFF;";

    // Npgsql resets session settings itself when a connection returns to its pool.
    public string? RestoreDurabilitySql => null;

    // Identity columns take explicit values without moving their sequence: the next insert would collide.
    public string? AdvanceKeySequenceSql(string table, string column) =>
        $"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), COALESCE(MAX(\"{column}\"), 0) + 1, false) FROM \"{table}\";";

    /// <summary>The advisory-lock key of a vault: the random half of its UUIDv7 (a collision only makes two vaults wait for each other).</summary>
    internal static long VaultLockKey(Guid vaultId)
    {
        Span<byte> bytes = stackalloc byte[16];
        vaultId.TryWriteBytes(bytes);
        return BitConverter.ToInt64(bytes[8..]);
    }
}
