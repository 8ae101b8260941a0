using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Storage;
using Symbolon.Storage.Postgres;
using Symbolon.Storage.Sqlite;

namespace Symbolon.Server.Storage;

/// <summary>Chooses the storage provider from <see cref="StorageOptions"/> and brings the schema up to date.</summary>
public static class StorageSetup
{
    public static void Configure(DbContextOptionsBuilder options, StorageOptions storage)
    {
        storage.Validate();
        if (storage.IsPostgres)
        {
            PostgresStorage.Configure(options, storage.ConnectionString!);
        }
        else
        {
            PrepareDataDirectory(storage.ResolvedDataDirectory);
            PrepareDatabaseFile(storage.SqlitePath);
            SqliteStorage.Configure(options, storage.SqlitePath);
        }

        // Migrating a new database would otherwise first diff the model against the migrations' snapshot to warn of
        // changes no migration covers: about 0.4 s of CPU on every first start. The tests assert there are none
        // (StorageProviderTests), for both providers.
        options.ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning));
    }

    /// <summary>
    /// Registers the database context on the provider the registered <see cref="StorageOptions"/> name: a context per
    /// scope, its options built once per process. The server and the CLI's local mode both register storage here; the
    /// server binds the options from its configuration, the CLI from its flags and environment.
    /// </summary>
    internal static IServiceCollection AddSymbolonStorage(this IServiceCollection services) =>
        services.AddDbContext<SymbolonDbContext>((sp, options) => Configure(options, sp.GetRequiredService<StorageOptions>()), ServiceLifetime.Scoped, ServiceLifetime.Singleton);

    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Creates the data directory readable by its owner only (Unix mode 0700), and narrows one that already exists
    /// (made with <c>mkdir</c>, mode 0755) to that: it holds the database, the keys and the CLI's token.
    /// </summary>
    public static void PrepareDataDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, OwnerOnlyDirectory);
        if ((File.GetUnixFileMode(path) & GroupOrOther) != 0)
        {
            File.SetUnixFileMode(path, OwnerOnlyDirectory);
        }
    }

    /// <summary>
    /// Makes the SQLite database and its -wal and -shm files readable by their owner only (0600). SQLite creates a
    /// database with the process's umask (usually 0644) and gives the -wal and -shm files the database's own mode, so
    /// an empty database file is created with 0600 before SQLite opens it, and files left wider by an older version
    /// are narrowed.
    /// </summary>
    internal static void PrepareDatabaseFile(string databasePath)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (!File.Exists(databasePath))
        {
            try
            {
                using var created = new FileStream(databasePath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile });
            }
            catch (IOException) when (File.Exists(databasePath))
            {
                // Another process (the CLI beside the server) created it meanwhile; its mode is checked below.
            }
        }

        foreach (var file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm", databasePath + "-journal" })
        {
            if (File.Exists(file) && (File.GetUnixFileMode(file) & GroupOrOther) != 0)
            {
                File.SetUnixFileMode(file, OwnerOnlyFile);
            }
        }
    }

    /// <summary>
    /// Applies pending migrations (only then: checking is much cheaper than migrating) and prepares the database the
    /// provider's way (SQLite turns on WAL).
    /// </summary>
    internal static async Task MigrateAsync(SymbolonDbContext db, CancellationToken ct = default)
    {
        if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
        {
            await db.Database.MigrateAsync(ct);
        }

        if (db.StorageProvider.PrepareDatabaseSql is { } prepare)
        {
            await db.Database.ExecuteSqlRawAsync(prepare, ct);
        }
    }

    /// <summary>A DbContext outside dependency injection (the CLI, tests and tools).</summary>
    internal static SymbolonDbContext CreateContext(StorageOptions storage)
    {
        var options = new DbContextOptionsBuilder<SymbolonDbContext>();
        Configure(options, storage);
        return new SymbolonDbContext(options.Options);
    }

    /// <summary>Closes pooled SQLite connections so the database file can be copied, checked or removed.</summary>
    public static void ReleaseFiles() => SqliteConnection.ClearAllPools();
}
