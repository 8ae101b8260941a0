using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vault;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Server.Hosting;
using Symbolon.Server.Storage;
using Symbolon.Server.VendorApi;

namespace Symbolon.Server.Tests;

public enum StorageKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The real Symbolon host over a real database: a SQLite file in a fresh data directory, or a fresh database on
/// the PostgreSQL server that ./test.sh starts (SYMBOLON_TEST_POSTGRES). Tests talk to it through intent methods.
/// </summary>
public sealed partial class SymbolonApplicationFactory : WebApplicationFactory<Program>
{
    public const string Passphrase = "correct horse battery staple";

    private readonly StorageKind _storage;
    private readonly string? _postgresDatabase;

    /// <param name="storage">The storage provider.</param>
    /// <param name="migrateOnStart">
    /// True for an empty database that the server migrates as it starts (a first start); by default the database is
    /// a copy of one migrated once per test run (see <see cref="StorageTemplates"/>), which the server finds up to date.
    /// </param>
    public SymbolonApplicationFactory(StorageKind storage = StorageKind.Sqlite, bool migrateOnStart = false)
        : this(storage, migrateOnStart, null)
    {
    }

    /// <summary>A host on the SQLite data directory another host left behind (<see cref="KeepDataDirectory"/>): a restart.</summary>
    public SymbolonApplicationFactory(string existingDataDirectory)
        : this(StorageKind.Sqlite, migrateOnStart: false, existingDataDirectory)
    {
    }

    /// <summary>
    /// A host on what <paramref name="previous"/> left behind (<see cref="KeepDataDirectory"/>): its data directory and,
    /// on PostgreSQL, its database: a restart on either provider. Whichever host does not keep them removes them.
    /// </summary>
    public SymbolonApplicationFactory(SymbolonApplicationFactory previous)
        : this(previous._storage, migrateOnStart: false, previous.DataDirectory)
    {
        _postgresDatabase = previous._postgresDatabase;
        PostgresConnectionString = previous.PostgresConnectionString;
    }

    private SymbolonApplicationFactory(StorageKind storage, bool migrateOnStart, string? existingDataDirectory)
    {
        _storage = storage;
        DataDirectory = existingDataDirectory ?? Path.Combine(Path.GetTempPath(), "symbolon-tests", Guid.NewGuid().ToString("N"));
        if (existingDataDirectory is not null)
        {
            return;
        }

        Directory.CreateDirectory(DataDirectory);
        if (storage == StorageKind.Postgres)
        {
            _postgresDatabase = "symbolon_test_" + Guid.NewGuid().ToString("N")[..12];
            PostgresConnectionString = TestPostgres.CreateDatabase(_postgresDatabase, migrateOnStart ? null : StorageTemplates.PostgresTemplate);
        }
        else if (!migrateOnStart)
        {
            StorageTemplates.CopySqliteInto(DataDirectory);
        }
    }

    public string DataDirectory { get; }

    public string? PostgresConnectionString { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));

    /// <summary>Every log line the server wrote, formatted, with its structured values.</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    public string DatabasePath => Path.Combine(DataDirectory, "symbolon.db");

    /// <summary>
    /// Runs inside a device code poll after its pace was checked and before OpenIddict reads the device code, so a
    /// test can put something (the person approving) exactly into that window.
    /// </summary>
    public Func<Task>? InsideDeviceCodePoll { get; set; }

    /// <summary>
    /// Leaves the data directory (and a PostgreSQL database) in place on dispose, for a test that opens it again: a
    /// server process of its own, or a restarted host (<see cref="SymbolonApplicationFactory(SymbolonApplicationFactory)"/>).
    /// </summary>
    public bool KeepDataDirectory { get; init; }

    /// <summary>Configuration the host starts with, on top of the test defaults (set before the first request).</summary>
    public Dictionary<string, string> Settings { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:DataDirectory", DataDirectory);

        // The in-process test server listens nowhere; its clients address it as http://localhost.
        builder.UseSetting("PublicOrigin", "http://localhost");

        // The tests' webhook receivers listen on loopback; tests of the refusal set this to false in Settings.
        builder.UseSetting("Webhooks:AllowPrivateAddresses", "true");

        // Tests register, push and accept far more often than any one vendor should; the limits' tests set them low.
        builder.UseSetting("RateLimits:RegistrationsPerHour", "100000");
        builder.UseSetting("RateLimits:PushedAuthorizationsPerMinute", "100000");
        builder.UseSetting("RateLimits:AgreementAcceptancesPerMinute", "100000");
        builder.UseSetting("Quotas:NotesPerDay", "100000");
        builder.UseSetting("Quotas:MessagesPerDay", "100000");
        builder.UseSetting("Quotas:RequestReplyBytesPerDay", "100000000000");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        // Tests move the clock by days; a vault locks itself only where a test sets its idle time.
        builder.UseSetting("AutoLock:DefaultMinutes", "0");
        if (_storage == StorageKind.Postgres)
        {
            builder.UseSetting("Storage:Provider", "Postgres");
            builder.UseSetting("Storage:ConnectionString", PostgresConnectionString);
        }

        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(new CollectingLoggerProvider(Logs)).SetMinimumLevel(LogLevel.Trace));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
            services.AddOpenIddict().AddServer(options => options.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler
                .UseInlineHandler(async context =>
                {
                    if (context.Request.IsDeviceCodeGrantType() && InsideDeviceCodePoll is { } inside)
                    {
                        await inside();
                    }
                })
                .SetOrder(global::Symbolon.Server.Card.CardOAuthHandlers.PacePolling.Descriptor.Order + 1)
                .SetType(OpenIddictServerHandlerType.Custom)));

            // Every category at every level, EF Core's SQL and ASP.NET Core's request lines included, so the
            // confidentiality tests search everything the server could ever log.
            services.Configure<LoggerFilterOptions>(options =>
            {
                options.Rules.Clear();
                options.MinLevel = LogLevel.Trace;
            });
        });
    }

    /// <summary>A client with its own cookie jar, like a separate browser.</summary>
    public HttpClient CreateOwnerClient(bool https = false) => CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
        BaseAddress = new Uri(https ? "https://localhost" : "http://localhost"),
    });

    public async Task<(HttpClient Client, CreateVaultResponse Vault)> CreateVaultAsync(string passphrase = Passphrase)
    {
        var client = CreateOwnerClient();
        var response = await client.PostAsJsonAsync("/owner/api/v1/vault", new CreateVaultRequest(passphrase));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<CreateVaultResponse>(Json);
        return (client, created!);
    }

    public HttpClient CreateTokenClient(string token)
    {
        var client = CreateOwnerClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// Whether the vault's keys are in the server's memory, seen from inside: the owner API tells only a signed-in
    /// owner, and a call with their cookie or token would count as the owner being there (it keeps the vault from
    /// locking itself).
    /// </summary>
    public async Task<bool> VaultUnlockedAsync()
    {
        using var scope = Services.CreateScope();
        var vault = await scope.ServiceProvider.GetRequiredService<Core.Vaults.VaultService>().FindAsync(CancellationToken.None);
        return vault is not null && Services.GetRequiredService<Core.Vaults.IVaultSessions>().Find(vault.Id) is not null;
    }

    /// <summary>The access log as stored, once the vendor reads the server folds in memory are committed.</summary>
    internal async Task<List<AccessLogEntity>> AccessLogAsync()
    {
        await Services.GetRequiredService<AccessLogWriter>().FlushAsync();
        using var scope = Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<SymbolonDbContext>().AccessLog.AsNoTracking().ToListAsync();
    }

    public static async Task<ProfileField> AddFieldAsync(HttpClient client, ProfileFieldInput input)
    {
        var response = await client.PostAsJsonAsync("/owner/api/v1/profile/fields", input, Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ProfileField>(Json))!;
    }

    public static JsonSerializerOptions Json { get; } = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        SymbolonHost.ConfigureJson(options);
        return options;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            StorageSetup.ReleaseFiles();
            if (_postgresDatabase is not null && !KeepDataDirectory)
            {
                TestPostgres.DropDatabase(_postgresDatabase);
            }

            try
            {
                if (!KeepDataDirectory)
                {
                    Directory.Delete(DataDirectory, recursive: true);
                }
            }
            catch (IOException)
            {
                // A file still held open by a finalizing connection is left for the OS temp cleaner.
            }
        }
    }
}

/// <summary>The PostgreSQL server started by ./test.sh; tests fail (never skip) when it is missing.</summary>
internal static class TestPostgres
{
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("SYMBOLON_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("SYMBOLON_TEST_POSTGRES is not set: run the tests with ./test.sh, which starts PostgreSQL on loopback.");

    /// <summary>Creates an empty database, or a copy of <paramref name="template"/>, and returns the connection string to it.</summary>
    public static string CreateDatabase(string name, string? template = null)
    {
        using var connection = new NpgsqlConnection(AdminConnectionString);
        connection.Open();
        var from = template is null ? "" : $" TEMPLATE \"{template}\"";
        using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"{from}", connection);
        command.ExecuteNonQuery();

        // Pooled, as the server's connections are in production: an unpooled connection per query made the PostgreSQL
        // tests several times slower than the SQLite ones. Disposing the factory clears the pools and drops the database.
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    public static void DropDatabase(string name)
    {
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(AdminConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        command.ExecuteNonQuery();
    }
}

/// <summary>Keeps every log entry: the formatted message plus each structured value, to search for leaks.</summary>
internal sealed class CollectingLoggerProvider(ConcurrentQueue<string> sink) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Collector(categoryName, sink);

    public void Dispose()
    {
    }

    private sealed class Collector(string category, ConcurrentQueue<string> sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            sink.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {values} | {exception}");
        }
    }
}
