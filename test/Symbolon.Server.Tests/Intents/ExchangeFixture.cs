using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Symbolon.Client;
using Symbolon.Contracts.Vendor;
using Symbolon.Exchange;
using Symbolon.Exchange.Storage;
using Symbolon.Intents;

namespace Symbolon.Server.Tests.Intents;

/// <summary>
/// One intent exchange per test class: the real host on a loopback port (Kestrel), over a fresh SQLite file or a fresh
/// PostgreSQL database, with its clock under the test's control and a loopback webhook receiver for its vendors.
/// </summary>
public abstract class ExchangeFixture : IAsyncLifetime
{
    public const int OffersPerMinute = 5;

    private readonly StorageKind _storage;
    private string? _directory;
    private string? _database;
    private bool _running = true;

    protected ExchangeFixture(StorageKind storage) => _storage = storage;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));

    public WebApplication App { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public StorageKind Storage => _storage;

    /// <summary>Settings on top of the fixture's (later ones win).</summary>
    protected virtual IEnumerable<string> ExtraArgs => [];

    /// <summary>The provider and connection string of the exchange's database, for a second host on it.</summary>
    public (string Provider, string ConnectionString) Database { get; private set; }

    public virtual async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        string provider, connectionString;
        if (_storage == StorageKind.Postgres)
        {
            _database = "symbolon_exchange_" + Guid.NewGuid().ToString("N")[..12];
            connectionString = TestPostgres.CreateDatabase(_database);
            provider = ExchangeStorage.Postgres;
        }
        else
        {
            _directory = Path.Combine(Path.GetTempPath(), "symbolon-tests", "exchange-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_directory);
            connectionString = "Data Source=" + Path.Combine(_directory, "exchange.db");
            provider = ExchangeStorage.Sqlite;
        }

        Database = (provider, connectionString);
        App = Build("http://127.0.0.1:0");
        Address = await App.StartAndGetAddressAsync();
        Http = new HttpClient { BaseAddress = Address };
    }

    /// <summary>Stops the exchange as a crash or an upgrade would: its port refuses connections until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (!_running)
        {
            return;
        }

        await App.StopAsync();
        await App.DisposeAsync();
        _running = false;
    }

    /// <summary>Starts the exchange again on the same port, over the same database (its rows are all still there).</summary>
    public async Task StartAsync()
    {
        if (_running)
        {
            return;
        }

        // The port was just released; binding it again may take a moment on a busy machine.
        for (var attempt = 0; ; attempt++)
        {
            App = Build(Address.AbsoluteUri.TrimEnd('/'));
            try
            {
                await App.StartAsync();
                _running = true;
                return;
            }
            catch (IOException) when (attempt < 20)
            {
                await App.DisposeAsync();
                await Task.Delay(100);
            }
        }
    }

    private WebApplication Build(string url) => BuildExchange(Database.Provider, Database.ConnectionString, Time, ExtraArgs, url);

    /// <summary>An exchange host with the fixtures' settings (then <paramref name="extraArgs"/>) on the given database and clock, not started.</summary>
    public static WebApplication BuildExchange(string provider, string connectionString, TimeProvider time, IEnumerable<string> extraArgs, string url = "http://127.0.0.1:0") => ExchangeHost.Build(
        [
            "--urls=" + url,
            "--Exchange:Name=Test exchange",
            "--Exchange:Provider=" + provider,
            "--ConnectionStrings:Exchange=" + connectionString,
            "--Exchange:OffersPerMinute=" + OffersPerMinute,
            "--Exchange:RegistrationsPerHour=100000",
            "--Exchange:SweepSeconds=1",
            "--Exchange:PollSeconds=0.1",
            "--Webhooks:AllowPrivateAddresses=true",
            "--Webhooks:FirstRetrySeconds=1",
            .. extraArgs,
        ],
        builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.RemoveAll<TimeProvider>();
            builder.Services.AddSingleton(time);
        });

    public virtual async Task DisposeAsync()
    {
        Http.Dispose();
        await StopAsync();
        await Receiver.DisposeAsync();
        if (_database is not null)
        {
            TestPostgres.DropDatabase(_database);
        }

        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }

    public ExchangeVaultClient Vault(TimeProvider? clock = null) => new(Http, clock ?? Time);

    /// <summary>
    /// Moves both clocks two seconds at a time until <paramref name="condition"/> holds (the vault's job runs on its
    /// clock). The exchange's moves first: moving the vault's fires its job at once, and a request signed at the new
    /// time must not reach an exchange whose clock is behind (it would refuse it, as a real exchange would). A timeout
    /// says what the vault logged last about intents and exchanges, and its warnings and errors.
    /// </summary>
    public async Task TickUntilAsync(SymbolonApplicationFactory factory, Func<Task<bool>> condition, string what)
    {
        try
        {
            await SymbolonApplicationFactory.WaitUntilAsync(async () =>
            {
                if (await condition())
                {
                    return true;
                }

                Time.Advance(TimeSpan.FromSeconds(2));
                factory.Time.Advance(TimeSpan.FromSeconds(2));
                await Task.Delay(20);
                return false;
            }, what);
        }
        catch (TimeoutException e)
        {
            var log = factory.Logs.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal)
                || l.Contains("ntent", StringComparison.Ordinal) || l.Contains("xchange", StringComparison.Ordinal)).TakeLast(8);
            throw new TimeoutException(e.Message + " Log: " + string.Join(" | ", log), e);
        }
    }

    /// <summary>Reads the exchange's own database, as an operator would.</summary>
    internal async Task<T> QueryAsync<T>(Func<ExchangeDbContext, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ExchangeDbContext>());
    }

    public Task<int> IntentRowsAsync(string intentId) => QueryAsync(db => db.Intents.CountAsync(i => i.Id == intentId));

    public Task<int> OfferRowsAsync(string intentId) => QueryAsync(db => db.Offers.CountAsync(o => o.IntentId == intentId));

    /// <summary>A new vendor: its own key pair, registered, subscribed to <paramref name="category"/>.</summary>
    public async Task<TestVendor> VendorAsync(string name, string category, bool webhook = false)
    {
        var keys = IntentKeys.Create();
        var client = new ExchangeVendorClient(Http, timeProvider: Time);
        var registered = await client.RegisterAsync(new ExchangeVendorRegistration(
            name, "https://" + name + ".example", keys.PublicKeys.Sign, keys.PublicKeys.Offer, webhook ? Receiver.UrlFor(name).ToString() : null));
        await client.SetSubscriptionsAsync([new ExchangeSubscription(category, "NL", "35")]);
        return new TestVendor(name, keys, client, registered);
    }

    /// <summary>A new intent with fresh keys, signed, not yet posted.</summary>
    public TestIntent NewIntent(string category, TimeSpan? lifetime = null, string postalPrefix = "351")
    {
        var keys = IntentKeys.Create();
        var now = Time.GetUtcNow();
        var document = new IntentDocument(
            1, IntentCrypto.NewId("int_"), "Winter boots", "Waterproof, size 44.", category,
            new IntentAttributes("44", 1, null, "new"), new IntentBudget(150m, "EUR"), null, new IntentPlace("NL", postalPrefix),
            now, now + (lifetime ?? TimeSpan.FromDays(7)),
            new IntentTerms(IntentAgreement.Id, IntentAgreement.TextSha256, ["SD-BASE"]), [], keys.PublicKeys);
        return new TestIntent(keys, document, IntentCrypto.Sign(document, keys.SignKey, IntentCrypto.IntentLabel));
    }

    public OfferDocument NewOffer(TestVendor vendor, IntentDocument intent, decimal price = 120m) => new(
        1, "off_" + Guid.NewGuid().ToString("N"), intent.Id, intent.Keys.Sign,
        new OfferVendor(vendor.Name, "https://" + vendor.Name + ".example", vendor.Keys.PublicKeys.Sign, vendor.Keys.PublicKeys.Offer),
        [new OfferItem("Waterproof boots, size 44", 1, price)], new OfferPrice(price, "EUR"), DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime.AddDays(3)),
        "30 days to return.", null, Time.GetUtcNow(), Time.GetUtcNow().AddDays(3), new OfferAcceptedTerms(IntentAgreement.Id, IntentAgreement.TextSha256));

    public AcceptanceDocument NewAcceptance(IntentDocument intent, OfferDocument offer) => new(
        1, intent.Id, offer.Id, "https://vault.example", "inv_" + Guid.NewGuid().ToString("N"),
        new AcceptanceGrant(["name", "postal_address"], new Dictionary<string, string>(), "Delivery of the order", "SD-BASE", null),
        Time.GetUtcNow(), Time.GetUtcNow().AddDays(2));

    /// <summary>Verifies a webhook as a vendor would, with its secret, on the exchange's clock.</summary>
    public WebhookEvent Verify(TestVendor vendor, ReceivedWebhook webhook) =>
        new WebhookVerifier(vendor.Registered.WebhookSecret!, timeProvider: Time).Verify(webhook.Body, webhook.Headers);

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Not within 20 s: " + what);
            }

            await Task.Delay(50);
        }
    }

    public async Task<HttpResponseMessage> PostAsVendorAsync(TestVendor vendor, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Address, path)) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", vendor.Registered.ApiKey);
        return await Http.SendAsync(request);
    }
}

public sealed record TestVendor(string Name, IntentKeys Keys, ExchangeVendorClient Client, ExchangeVendorRegistered Registered);

public sealed record TestIntent(IntentKeys Keys, IntentDocument Document, SignedDocument SignedIntent)
{
    public string Id => Document.Id;
}

public sealed class SqliteExchangeFixture() : ExchangeFixture(StorageKind.Sqlite);

public sealed class PostgresExchangeFixture() : ExchangeFixture(StorageKind.Postgres);

/// <summary>
/// An exchange that sweeps expired intents only once a day (and at each start), so that a test can tell the vault's
/// deletion of an expired intent from the exchange's own; stopped and started again on one port and SQLite file.
/// </summary>
public sealed class RestartableExchangeFixture() : ExchangeFixture(StorageKind.Sqlite)
{
    protected override IEnumerable<string> ExtraArgs => ["--Exchange:SweepSeconds=86400", "--Exchange:OffersPerMinute=1000"];
}

/// <summary>An exchange as an operator runs it: few registrations per address, no webhooks to private addresses.</summary>
public sealed class StrictExchangeFixture() : ExchangeFixture(StorageKind.Sqlite)
{
    public const int RegistrationsPerHour = 5;

    protected override IEnumerable<string> ExtraArgs => ["--Exchange:RegistrationsPerHour=" + RegistrationsPerHour, "--Webhooks:AllowPrivateAddresses=false"];
}
