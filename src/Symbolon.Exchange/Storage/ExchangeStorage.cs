using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Symbolon.Exchange.Storage;

/// <summary>
/// Which database the exchange uses: <c>Exchange:Provider</c> (<c>sqlite</c>, the default, or <c>postgres</c>) and
/// <c>ConnectionStrings:Exchange</c> (for SQLite by default <c>Data Source=&lt;content root&gt;/exchange.db</c>).
/// </summary>
internal static class ExchangeStorage
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static IServiceCollection AddExchangeStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = (configuration["Exchange:Provider"] ?? Sqlite).Trim().ToLowerInvariant();
        var connectionString = configuration.GetConnectionString("Exchange");
        switch (provider)
        {
            case Sqlite:
                var sqlite = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(connectionString) ? $"Data Source={DefaultDatabase(configuration)}" : connectionString)
                {
                    DefaultTimeout = 30,
                };
                services.AddDbContext<ExchangeDbContext, SqliteExchangeDbContext>(options => options.UseSqlite(sqlite.ToString()).AddInterceptors(RelaxedSqliteSync.Instance));
                break;
            case Postgres:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException("Exchange:Provider is postgres but ConnectionStrings:Exchange is not set.");
                }

                services.AddDbContext<ExchangeDbContext, PostgresExchangeDbContext>(options => options.UseNpgsql(connectionString));
                break;
            default:
                throw new InvalidOperationException("Exchange:Provider must be sqlite or postgres.");
        }

        services.AddSingleton<ExchangeMigrator>();
        services.AddHostedService(sp => sp.GetRequiredService<ExchangeMigrator>());
        return services;
    }

    public static bool IsSqlite(this ExchangeDbContext db) => db is SqliteExchangeDbContext;

    /// <summary>
    /// <c>exchange.db</c> in <c>Exchange:DataDirectory</c> (<c>--Exchange:DataDirectory DIR</c>), by default the user's data
    /// folder (<c>~/.local/share/symbolon-exchange</c>): never next to the sources, whatever directory it is started from.
    /// The directory is made readable by its owner only, as the database holds the vendors' webhook secrets.
    /// </summary>
    private static string DefaultDatabase(IConfiguration configuration)
    {
        var directory = configuration["Exchange:DataDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "symbolon-exchange");
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        return Path.Combine(directory, "exchange.db");
    }
}

/// <summary>
/// Brings the schema up to date with the provider's migrations as the exchange starts. Requests wait for it
/// (<see cref="WaitAsync"/>), whichever of the server and this service the host happens to start first.
/// </summary>
internal sealed class ExchangeMigrator(IServiceScopeFactory scopes) : IHostedService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WaitAsync(CancellationToken ct) => _ready.Task.WaitAsync(ct);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDbContext>();
            await db.Database.MigrateAsync(cancellationToken);
            if (db.IsSqlite())
            {
                // WAL lets the feed be read while an offer is written.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            }

            _ready.TrySetResult();
        }
        catch (Exception e)
        {
            _ready.TrySetException(e);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Lets <c>dotnet ef migrations add --context SqliteExchangeDbContext</c> build the SQLite context.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteExchangeDbContext>
{
    public SqliteExchangeDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteExchangeDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>Lets <c>dotnet ef migrations add --context PostgresExchangeDbContext</c> build the PostgreSQL context (no server needed).</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresExchangeDbContext>
{
    public PostgresExchangeDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresExchangeDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}

/// <summary>
/// Every SQLite connection of the exchange commits without waiting for the disk flush (<c>synchronous=NORMAL</c> in WAL
/// mode): a crash of the process loses nothing committed, a power loss can lose the last moments' writes. A flush per
/// commit (a millisecond or more here) capped offers at a few hundred a second on one writer; the exchange is a relay
/// whose vaults post again until they are answered and poll again, so the trade is the one the vault makes for its
/// access-log lines (docs/intent-exchange.md, "Running an exchange").
/// </summary>
internal sealed class RelaxedSqliteSync : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public static readonly RelaxedSqliteSync Instance = new();

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL;";
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
