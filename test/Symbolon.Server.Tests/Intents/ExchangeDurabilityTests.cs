using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Symbolon.Exchange;
using Symbolon.Exchange.Storage;
using Symbolon.Exchange.Webhooks;
using Symbolon.Intents;

namespace Symbolon.Server.Tests.Intents;

/// <summary>
/// Two exchange processes (two real hosts) on one PostgreSQL database, as an operator runs several behind a reverse
/// proxy on loopback (<c>Exchange:KnownProxies=127.0.0.1</c>), sharing one clock.
/// </summary>
public sealed class SharedPostgresExchangeFixture() : ExchangeFixture(StorageKind.Postgres)
{
    public const int RegistrationsPerHour = 10;

    public WebApplication Second { get; private set; } = null!;

    public HttpClient SecondHttp { get; private set; } = null!;

    protected override IEnumerable<string> ExtraArgs => ["--Exchange:RegistrationsPerHour=" + RegistrationsPerHour, "--Exchange:KnownProxies=127.0.0.1"];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Second = BuildExchange(Database.Provider, Database.ConnectionString, Time, ExtraArgs);
        SecondHttp = new HttpClient { BaseAddress = await Second.StartAndGetAddressAsync() };
    }

    public override async Task DisposeAsync()
    {
        SecondHttp.Dispose();
        await Second.StopAsync();
        await Second.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// <summary>Several exchange processes on one database: shared rate limits, and each webhook sent once, in order.</summary>
public sealed class SharedDatabaseExchangeTests(SharedPostgresExchangeFixture exchange) : IClassFixture<SharedPostgresExchangeFixture>
{
    private static string Category() => "t-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Registrations_and_offers_are_limited_across_exchanges_sharing_a_database_and_a_known_proxy_names_the_client()
    {
        // Ten registrations from one client behind the proxy, alternately on each exchange: its hour's allowance.
        for (var i = 0; i < SharedPostgresExchangeFixture.RegistrationsPerHour; i++)
        {
            using var accepted = await RegisterAsync(i % 2 == 0 ? exchange.Http : exchange.SecondHttp, "198.51.100.7");
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        }

        foreach (var http in new[] { exchange.Http, exchange.SecondHttp })
        {
            using var limited = await RegisterAsync(http, "198.51.100.7");
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal(ExchangeProblemCodes.RateLimited, await CodeOfAsync(limited));
            Assert.InRange(limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        }

        // Another client behind the same proxy has an allowance of its own.
        using (var other = await RegisterAsync(exchange.SecondHttp, "198.51.100.8"))
        {
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        }

        // Offers: five a minute per vendor, whichever exchange they are made on.
        var category = Category();
        var vendor = await exchange.VendorAsync("limited", category);
        var onSecond = new ExchangeVendorClient(exchange.SecondHttp, vendor.Registered.ApiKey, exchange.Time);
        var intent = exchange.NewIntent(category);
        await exchange.Vault().PostIntentAsync(intent.Keys, intent.SignedIntent);
        for (var i = 0; i < ExchangeFixture.OffersPerMinute; i++)
        {
            await (i % 2 == 0 ? vendor.Client : onSecond).MakeOfferAsync(intent.Document, exchange.NewOffer(vendor, intent.Document), vendor.Keys, CancellationToken.None);
        }

        var refused = await Assert.ThrowsAsync<ExchangeProblemException>(() =>
            onSecond.MakeOfferAsync(intent.Document, exchange.NewOffer(vendor, intent.Document), vendor.Keys, CancellationToken.None));
        Assert.Equal((ExchangeProblemCodes.RateLimited, HttpStatusCode.TooManyRequests), (refused.Code, refused.Status));
        Assert.NotNull(refused.RetryAfter);

        // The counters name no client address and no vendor: only hashes are stored.
        var keys = await exchange.QueryAsync(db => db.RateWindows.Select(r => r.Key).ToListAsync());
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.Matches("^[0-9a-f]{64}$", k));
    }

    [Fact]
    public async Task Each_webhook_is_sent_once_and_in_order_when_two_exchanges_share_the_database()
    {
        const int Intents = 20;
        var category = Category();
        var vendor = await exchange.VendorAsync("shared", category, webhook: true);
        var vaults = new[] { exchange.Vault(), new ExchangeVaultClient(exchange.SecondHttp, exchange.Time) };
        var ids = new List<string>();
        for (var i = 0; i < Intents; i++)
        {
            var intent = exchange.NewIntent(category);
            ids.Add(intent.Id);
            await vaults[i % 2].PostIntentAsync(intent.Keys, intent.SignedIntent);
        }

        await ExchangeFixture.EventuallyAsync(() => Task.FromResult(exchange.Receiver.Requests("shared").Count >= Intents), "every intent's webhook arrives");

        // Both exchanges look for due webhooks every 0.1 s: a second sending of any of them would have come by now.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var received = exchange.Receiver.Requests("shared");
        Assert.Equal(Intents, received.Count);
        Assert.Equal(Intents, received.Select(r => r.MessageId).Distinct().Count());
        Assert.Equal(ids, received.Select(r => exchange.Verify(vendor, r).Data.GetProperty("id").GetString()));
        Assert.Equal(0, await exchange.QueryAsync(db => db.WebhookMessages.CountAsync(m => m.VendorId == vendor.Registered.VendorId)));
        await ExchangeFixture.EventuallyAsync(
            async () => await exchange.QueryAsync(db => db.Vendors.Where(v => v.Id == vendor.Registered.VendorId).Select(v => v.WebhookLeaseOwner).SingleAsync()) is null,
            "the lease on the vendor's queue is let go");
    }

    [Fact]
    public async Task A_lease_left_by_a_process_that_died_runs_out_and_then_its_webhooks_go_once()
    {
        var category = Category();
        var vendor = await exchange.VendorAsync("orphaned", category, webhook: true);

        // A process took the vendor's queue and died without letting go.
        var until = (exchange.Time.GetUtcNow() + WebhookSender.Lease).ToUnixTimeMilliseconds();
        await exchange.QueryAsync(db => db.Vendors.Where(v => v.Id == vendor.Registered.VendorId)
            .ExecuteUpdateAsync(s => s.SetProperty(v => v.WebhookLeaseUntil, until).SetProperty(v => v.WebhookLeaseOwner, "wrk_died")));
        var intent = exchange.NewIntent(category);
        await new ExchangeVaultClient(exchange.SecondHttp, exchange.Time).PostIntentAsync(intent.Keys, intent.SignedIntent);

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(exchange.Receiver.Requests("orphaned"));

        exchange.Time.Advance(WebhookSender.Lease + TimeSpan.FromSeconds(1));
        var published = exchange.Verify(vendor, await exchange.Receiver.NextAsync("orphaned"));
        Assert.Equal(intent.Id, published.Data.GetProperty("id").GetString());
        await Task.Delay(TimeSpan.FromSeconds(0.5));
        Assert.Single(exchange.Receiver.Requests("orphaned"));
    }

    /// <summary>A registration as a client behind a proxy sends it (<paramref name="forwardedFor"/>) or as a direct one (null).</summary>
    internal static async Task<HttpResponseMessage> RegisterAsync(HttpClient http, string? forwardedFor)
    {
        using var keys = IntentKeys.Create();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/vendors")
        {
            Content = JsonContent.Create(new ExchangeVendorRegistration("Shop", "https://shop.example", keys.PublicKeys.Sign, keys.PublicKeys.Offer, null)),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return await http.SendAsync(request);
    }

    internal static async Task<string?> CodeOfAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("code").GetString();
    }
}

/// <summary>One exchange on a SQLite file, stopped and started again: what it counted is still counted.</summary>
public sealed class ExchangeRestartTests
{
    [Fact]
    public async Task Without_known_proxies_X_Forwarded_For_is_ignored_and_the_limit_holds_across_a_restart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "symbolon-tests", "exchange-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var connection = "Data Source=" + Path.Combine(directory, "exchange.db");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        string[] settings = ["--Exchange:RegistrationsPerHour=2"];
        try
        {
            await using (var first = ExchangeFixture.BuildExchange(ExchangeStorage.Sqlite, connection, time, settings))
            {
                using var http = new HttpClient { BaseAddress = await first.StartAndGetAddressAsync() };
                using (var one = await SharedDatabaseExchangeTests.RegisterAsync(http, "203.0.113.1"))
                using (var two = await SharedDatabaseExchangeTests.RegisterAsync(http, "203.0.113.2"))
                {
                    Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (one.StatusCode, two.StatusCode));
                }

                // Three addresses claimed, one connection address: with no known proxy the header counts for nothing.
                using var third = await SharedDatabaseExchangeTests.RegisterAsync(http, "203.0.113.3");
                Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
                Assert.Equal(ExchangeProblemCodes.RateLimited, await SharedDatabaseExchangeTests.CodeOfAsync(third));
                await first.StopAsync();
            }

            time.Advance(TimeSpan.FromMinutes(20));
            await using var second = ExchangeFixture.BuildExchange(ExchangeStorage.Sqlite, connection, time, settings);
            using (var http = new HttpClient { BaseAddress = await second.StartAndGetAddressAsync() })
            {
                using var limited = await SharedDatabaseExchangeTests.RegisterAsync(http, null);
                Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
                Assert.Equal(ExchangeProblemCodes.RateLimited, await SharedDatabaseExchangeTests.CodeOfAsync(limited));
                Assert.Equal(TimeSpan.FromMinutes(40), limited.Headers.RetryAfter?.Delta);

                time.Advance(TimeSpan.FromMinutes(40));
                using var allowed = await SharedDatabaseExchangeTests.RegisterAsync(http, null);
                Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
            }

            // Once its window has ended, the sweep deletes the counter.
            time.Advance(TimeSpan.FromHours(1));
            await ExchangeFixture.EventuallyAsync(
                async () =>
                {
                    await using var scope = second.Services.CreateAsyncScope();
                    return !await scope.ServiceProvider.GetRequiredService<ExchangeDbContext>().RateWindows.AnyAsync();
                },
                "the sweep deletes ended rate-limit windows");
            await second.StopAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
