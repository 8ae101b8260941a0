using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Symbolon.Core.Storage;

namespace Symbolon.Storage.Sqlite;

/// <summary>SQLite, the embedded default: one file in the data directory, in WAL mode.</summary>
public static class SqliteStorage
{
    public static string ConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        DefaultTimeout = 30,
    }.ToString();

    public static void Configure(DbContextOptionsBuilder options, string databasePath) =>
        options.UseSqlite(ConnectionString(databasePath), sqlite => sqlite.MigrationsAssembly(typeof(SqliteStorage).Assembly.GetName().Name))
            .UseStorageProvider(SqliteStorageProvider.Instance);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the context for SQLite.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SymbolonDbContext>
{
    public SymbolonDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SymbolonDbContext>();
        SqliteStorage.Configure(options, Path.Combine(Path.GetTempPath(), "symbolon-design.db"));
        return new SymbolonDbContext(options.Options);
    }
}
