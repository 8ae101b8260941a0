using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Symbolon.Core.Storage;

namespace Symbolon.Storage.Postgres;

/// <summary>PostgreSQL, for hosting many vaults in one database.</summary>
public static class PostgresStorage
{
    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(typeof(PostgresStorage).Assembly.GetName().Name))
            .UseStorageProvider(PostgresStorageProvider.Instance);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the context for PostgreSQL (no server is contacted).</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<SymbolonDbContext>
{
    public SymbolonDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SymbolonDbContext>();
        PostgresStorage.Configure(options, "Host=127.0.0.1;Database=symbolon_design");
        return new SymbolonDbContext(options.Options);
    }
}
