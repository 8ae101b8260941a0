using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Symbolon.Core.Backup;
using Symbolon.Core.Export;
using Symbolon.Core.LoyaltyCards;
using Symbolon.Core.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Storage.Postgres;
using Symbolon.Storage.Sqlite;

namespace Symbolon.Core.Tests.Infrastructure;

public enum StorageKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A migrated, empty data store of its own: a SQLite file in a fresh temp directory (in WAL mode, as the server
/// runs it) or a fresh PostgreSQL database. Its services come from <see cref="CoreServices.AddSymbolonCore"/> over
/// this store and the fake clock, as the server's do; each <see cref="Open"/> is a scope with a new
/// <see cref="SymbolonDbContext"/>, the way each request gets its own context in the server.
/// </summary>
internal sealed class TestStore : IAsyncDisposable
{
    private ServiceProvider? _services;

    public const string Passphrase = "correct horse battery staple";

    /// <summary>The fake clock starts here (whole milliseconds, so both providers keep timestamps exactly).</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private TestStore(StorageKind kind, string directory, string? postgres, FakeTimeProvider time)
    {
        Kind = kind;
        Directory = directory;
        PostgresConnectionString = postgres;
        Time = time;
    }

    public StorageKind Kind { get; }

    /// <summary>A temp directory of this store: the SQLite data directory, and a place for backup files.</summary>
    public string Directory { get; }

    public string SqlitePath => Path.Combine(Directory, StorageOptions.DatabaseFileName);

    public string? PostgresConnectionString { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>Core's services over this store, built on first use.</summary>
    public IServiceProvider Services => _services ??= BuildServices();

    public static Task<TestStore> CreateSqliteAsync(FakeTimeProvider? time = null) => CreateAsync(StorageKind.Sqlite, time);

    /// <summary>
    /// An empty, migrated store. A SQLite store is a copy of one file migrated once per test run (see
    /// <see cref="SqliteTemplates"/>) unless <paramref name="runMigrations"/> asks for the migrations to run on it.
    /// </summary>
    public static async Task<TestStore> CreateAsync(StorageKind kind, FakeTimeProvider? time = null, bool runMigrations = false) =>
        kind == StorageKind.Sqlite && !runMigrations
            ? FromSqliteFile(await SqliteTemplates.EmptyAsync(), time)
            : await MigrateNewAsync(kind, time);

    internal static async Task<TestStore> MigrateNewAsync(StorageKind kind, FakeTimeProvider? time)
    {
        var postgres = kind == StorageKind.Postgres ? await TestPostgres.CreateDatabaseAsync() : null;
        var store = new TestStore(kind, NewDirectory(), postgres, time ?? new FakeTimeProvider(Start));
        try
        {
            await using var db = store.NewContext();
            await db.Database.MigrateAsync();
            if (kind == StorageKind.Sqlite)
            {
                // The server switches the file to write-ahead logging; tests look at the same files it would leave.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            }
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }

        return store;
    }

    /// <summary>A SQLite store whose database file starts as a copy of <paramref name="templatePath"/>.</summary>
    internal static TestStore FromSqliteFile(string templatePath, FakeTimeProvider? time)
    {
        var directory = NewDirectory();
        File.Copy(templatePath, Path.Combine(directory, StorageOptions.DatabaseFileName));
        return new TestStore(StorageKind.Sqlite, directory, null, time ?? new FakeTimeProvider(Start));
    }

    /// <summary>Closes every pooled connection, which checkpoints the write-ahead log into the file, and returns the file.</summary>
    internal string CloseSqliteFile()
    {
        using (var connection = new SqliteConnection(SqliteStorage.ConnectionString(SqlitePath)))
        {
            SqliteConnection.ClearPool(connection);
        }

        return File.Exists(SqlitePath + "-wal") ? throw new InvalidOperationException("The write-ahead log was not checkpointed.") : SqlitePath;
    }

    private static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "symbolon-core-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    public SymbolonDbContext NewContext()
    {
        var options = new DbContextOptionsBuilder<SymbolonDbContext>();
        Configure(options);
        return new SymbolonDbContext(options.Options);
    }

    private void Configure(DbContextOptionsBuilder options)
    {
        if (Kind == StorageKind.Sqlite)
        {
            SqliteStorage.Configure(options, SqlitePath);
            options.AddInterceptors(NoSyncInterceptor.Instance);
        }
        else
        {
            PostgresStorage.Configure(options, PostgresConnectionString!);
        }
    }

    private ServiceProvider BuildServices()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(new StorageOptions { DataDirectory = Directory });
        services.AddDbContext<SymbolonDbContext>(Configure, ServiceLifetime.Scoped, ServiceLifetime.Singleton);
        services.AddSymbolonCore();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    /// <summary>A unit of work: one scope, its context and the services over it.</summary>
    public StoreSession Open() => new(Services.CreateAsyncScope());

    public async Task<CreatedVault> CreateVaultAsync(string passphrase = Passphrase)
    {
        using var session = Open();
        return await session.Vaults.CreateAsync(passphrase);
    }

    public async Task<VaultKeys> UnlockAsync(string passphrase = Passphrase)
    {
        using var session = Open();
        return await session.Vaults.UnlockAsync(passphrase);
    }

    public async Task<byte[]> ExportAsync(VaultKeys keys)
    {
        using var session = Open();
        using var output = new MemoryStream();
        await session.Exporter.WriteAsync(keys, output);
        return output.ToArray();
    }

    public async Task<byte[]> BackupAsync(VaultKeys keys)
    {
        using var session = Open();
        using var output = new MemoryStream();
        await session.Backup.WriteAsync(keys, output);
        return output.ToArray();
    }

    public async Task<Guid> RestoreAsync(byte[] backup, string secret = Passphrase, bool isRecoveryKey = false)
    {
        using var session = Open();
        using var input = new MemoryStream(backup, writable: false);
        return await session.Backup.RestoreAsync(input, secret, isRecoveryKey);
    }

    public async Task<VaultEntity> VaultRowAsync()
    {
        await using var db = NewContext();
        return await db.Vaults.AsNoTracking().SingleAsync();
    }

    /// <summary>The sealed bytes of every stored version, keyed by (record, version).</summary>
    public async Task<Dictionary<(Guid RecordId, int Version), byte[]?>> SealedVersionsAsync()
    {
        await using var db = NewContext();
        var rows = await db.RecordVersions.AsNoTracking().ToListAsync();
        return rows.ToDictionary(v => (v.RecordId, v.Version), v => v.Sealed);
    }

    public async Task<(int Vaults, int Records, int Versions, int Tokens)> CountRowsAsync()
    {
        await using var db = NewContext();
        return (await db.Vaults.CountAsync(), await db.Records.CountAsync(), await db.RecordVersions.CountAsync(), await db.AccessTokens.CountAsync());
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        if (Kind == StorageKind.Sqlite)
        {
            using var connection = new SqliteConnection(SqliteStorage.ConnectionString(SqlitePath));
            SqliteConnection.ClearPool(connection);
        }
        else
        {
            await TestPostgres.DropDatabaseAsync(PostgresConnectionString!);
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Note: a file still held open by a failing test must not hide that test's own failure.
        }
    }
}

/// <summary>
/// Turns off SQLite's fsync on every connection, as ./test.sh runs its throwaway PostgreSQL with fsync=off: the files
/// are written exactly as before, only their durability against a power cut (pointless in a temp dir) is given up.
/// </summary>
internal sealed class NoSyncInterceptor : DbConnectionInterceptor
{
    public static NoSyncInterceptor Instance { get; } = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => SetNoSync(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        SetNoSync(connection);
        return Task.CompletedTask;
    }

    private static void SetNoSync(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=OFF;";
        command.ExecuteNonQuery();
    }
}

/// <summary>One scope of the store's services: one <see cref="SymbolonDbContext"/> and the Core services over it.</summary>
internal sealed class StoreSession(AsyncServiceScope scope) : IDisposable
{
    public SymbolonDbContext Db => Get<SymbolonDbContext>();

    public VaultService Vaults => Get<VaultService>();

    public RecordStore Records => Get<RecordStore>();

    public ProfileService Profile => Get<ProfileService>();

    public LoyaltyCardService LoyaltyCards => Get<LoyaltyCardService>();

    public VaultExporter Exporter => Get<VaultExporter>();

    public BackupService Backup => Get<BackupService>();

    public T Get<T>()
        where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    public void Dispose() => scope.Dispose();
}
