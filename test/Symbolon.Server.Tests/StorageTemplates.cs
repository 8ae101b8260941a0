using Npgsql;
using Symbolon.Core.Storage;
using Symbolon.Server.Storage;

namespace Symbolon.Server.Tests;

/// <summary>
/// Migrated, empty databases that test hosts start from, made once per test run: bringing the schema up with EF Core's
/// migrations costs about a second of CPU per host, which dozens of hosts would pay again and again. A host started
/// on a copy finds no pending migration and goes on as on any existing database (it still checks, and turns on WAL).
/// The templates are made by the server's own <see cref="StorageSetup.MigrateAsync"/>; hosts that test a first start
/// on an empty database ask for one (<see cref="SymbolonApplicationFactory"/>'s <c>migrateOnStart</c>).
/// </summary>
internal static class StorageTemplates
{
    private static readonly Lazy<string> Sqlite = new(() => Task.Run(CreateSqliteAsync).GetAwaiter().GetResult());
    private static readonly Lazy<string> Postgres = new(() => Task.Run(CreatePostgresAsync).GetAwaiter().GetResult());

    /// <summary>Copies the migrated SQLite file into <paramref name="dataDirectory"/> as <c>symbolon.db</c>.</summary>
    public static void CopySqliteInto(string dataDirectory)
    {
        var template = Sqlite.Value;
        foreach (var suffix in new[] { "", "-wal" })
        {
            if (File.Exists(template + suffix))
            {
                File.Copy(template + suffix, Path.Combine(dataDirectory, StorageOptions.DatabaseFileName + suffix));
            }
        }
    }

    /// <summary>The name of the migrated PostgreSQL database to create test databases from (CREATE DATABASE ... TEMPLATE).</summary>
    public static string PostgresTemplate => Postgres.Value;

    private static async Task<string> CreateSqliteAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "symbolon-tests", "template-" + Guid.NewGuid().ToString("N"));
        var storage = new StorageOptions { DataDirectory = directory };
        await using (var db = StorageSetup.CreateContext(storage))
        {
            await StorageSetup.MigrateAsync(db);
        }

        // Closing the pooled connections checkpoints the WAL into the file, so the file alone is the database.
        StorageSetup.ReleaseFiles();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Note: a leftover temp directory must not turn a finished test run into a failure.
            }
        };
        return storage.SqlitePath;
    }

    private static async Task<string> CreatePostgresAsync()
    {
        var name = "symbolon_template_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = TestPostgres.CreateDatabase(name);

        // Note: CREATE DATABASE ... TEMPLATE needs the template to have no open connection, so none is pooled.
        var storage = new StorageOptions
        {
            Provider = StorageOptions.PostgresProvider,
            ConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString,
        };
        await using (var db = StorageSetup.CreateContext(storage))
        {
            await StorageSetup.MigrateAsync(db);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                TestPostgres.DropDatabase(name);
            }
            catch (NpgsqlException)
            {
                // The throwaway server goes with its data when ./test.sh ends.
            }
        };
        return name;
    }
}
