using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Tests.Infrastructure;

/// <summary>A SQLite file holding a vault made by <see cref="VaultService.CreateAsync"/>, with what its creator was shown.</summary>
internal sealed record VaultTemplate(string Path, Guid VaultId, string RecoveryKey, byte[] DataKey);

/// <summary>
/// Files that SQLite stores start from, made once per test run: running the migrations (about 40 ms of CPU) and
/// creating a vault (an Argon2id derivation, about 250 ms) for each of some two hundred tests would dominate the
/// run. Tests about migrations and vault creation themselves do the real thing on a fresh store.
/// </summary>
internal static class SqliteTemplates
{
    private static readonly Lazy<Task<string>> Empty = new(CreateEmptyAsync);
    private static readonly Lazy<Task<VaultTemplate>> WithVault = new(CreateWithVaultAsync);
    private static readonly ConcurrentBag<string> Directories = [];

    static SqliteTemplates() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();

    /// <summary>An empty, migrated database in WAL mode.</summary>
    public static Task<string> EmptyAsync() => Empty.Value;

    /// <summary>A migrated database holding one vault with passphrase <see cref="TestStore.Passphrase"/>, created at <see cref="TestStore.Start"/>.</summary>
    public static Task<VaultTemplate> WithVaultAsync() => WithVault.Value;

    private static async Task<string> CreateEmptyAsync()
    {
        var store = await TestStore.MigrateNewAsync(StorageKind.Sqlite, null);
        Directories.Add(store.Directory);
        return store.CloseSqliteFile();
    }

    private static async Task<VaultTemplate> CreateWithVaultAsync()
    {
        var store = TestStore.FromSqliteFile(await EmptyAsync(), null);
        Directories.Add(store.Directory);
        var created = await store.CreateVaultAsync();
        using var keys = created.Keys;
        return new VaultTemplate(store.CloseSqliteFile(), created.VaultId, created.RecoveryKey, keys.DataKey.ToArray());
    }

    private static void DeleteAll()
    {
        SqliteConnection.ClearAllPools();
        foreach (var directory in Directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Note: a leftover temp directory must not turn a finished test run into a failure.
            }
        }
    }
}
