using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using BootShop.Data;
using Microsoft.EntityFrameworkCore;
using Symbolon.Intents;

namespace BootShop.Shop;

/// <summary>
/// The shop at its intent exchange. On first use it registers with its own key pair and a webhook address, subscribes
/// to its categories in the areas it delivers to, and keeps the API key and webhook secret. An exchange takes one
/// registration per key pair; naming another exchange in Settings registers there. An exchange that cannot post to
/// the shop's address (a private one, say) still takes the shop without webhooks: the feeds are read all the same.
/// </summary>
public sealed class ExchangeConnection(
    IDbContextFactory<ShopDb> dbs,
    ShopSettingsStore settingsStore,
    VendorKeyStore keys,
    ExchangeHttpHandler handler,
    TimeProvider time,
    ILogger<ExchangeConnection> logger) : IDisposable
{
    private readonly SemaphoreSlim _registering = new(1, 1);

    /// <summary>The registration at the configured exchange and a client for it, registering first if needed; null when no exchange is configured.</summary>
    public async Task<(ExchangeRegistration Registration, ExchangeVendorClient Client)?> ConnectAsync(CancellationToken cancellationToken)
    {
        var settings = await settingsStore.GetAsync(cancellationToken);
        if (settings.ExchangeUrl is null)
        {
            return null;
        }

        await _registering.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            var registration = await db.Exchanges.SingleOrDefaultAsync(e => e.ExchangeUrl == settings.ExchangeUrl, cancellationToken)
                ?? await RegisterAsync(db, settings, cancellationToken);
            return (registration, Client(registration));
        }
        finally
        {
            _registering.Release();
        }
    }

    /// <summary>A client for a registration the shop holds.</summary>
    public ExchangeVendorClient Client(ExchangeRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return new ExchangeVendorClient(handler.ClientFor(registration.ExchangeUrl), registration.ApiKey, time);
    }

    public void Dispose() => _registering.Dispose();

    /// <summary>Notes the outcome of talking to the exchange, for the Settings and Intents pages.</summary>
    public async Task RecordAsync(int registrationId, string? error, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await db.Exchanges.Where(e => e.Id == registrationId).ExecuteUpdateAsync(
            s => s.SetProperty(e => e.LastError, error).SetProperty(e => e.LastPolledAt, time.GetUtcNow()),
            cancellationToken);
    }

    private async Task<ExchangeRegistration> RegisterAsync(ShopDb db, ShopSettings settings, CancellationToken cancellationToken)
    {
        var client = new ExchangeVendorClient(handler.ClientFor(settings.ExchangeUrl!), timeProvider: time);
        var discovery = await client.DiscoverAsync(cancellationToken);
        var webhookKey = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var webhookUrl = new Uri(new Uri(settings.PublicUrl), $"exchange/webhooks/{webhookKey}").AbsoluteUri;
        var publicKeys = keys.PublicKeys;
        ExchangeVendorRegistered registered;
        try
        {
            registered = await client.RegisterAsync(new ExchangeVendorRegistration(settings.Name, settings.PublicUrl, publicKeys.Sign, publicKeys.Offer, webhookUrl), cancellationToken);
        }
        catch (ExchangeProblemException e) when (e.Status == HttpStatusCode.BadRequest && (e.Errors.ContainsKey("webhook_url") || e.Errors.Count == 0))
        {
            // The exchange will not post to this address (a private one, most likely): the feeds will do. An exchange
            // that does not say which field it refused gets the same second try; if something else was wrong, that
            // try fails too and says so.
            ShopLog.WebhookRefusedByExchange(logger, settings.ExchangeUrl!);
            webhookUrl = null;
            registered = await client.RegisterAsync(new ExchangeVendorRegistration(settings.Name, settings.PublicUrl, publicKeys.Sign, publicKeys.Offer), cancellationToken);
        }

        var (_, areas) = await Catalog.ReadAsync(db, cancellationToken);
        var categories = await db.Products.Select(p => p.Category).Distinct().OrderBy(c => c).ToListAsync(cancellationToken);
        var subscriptions = categories.SelectMany(c => areas.Select(a => new ExchangeSubscription(c, a.Country, a.PostalPrefix))).ToList();
        await client.SetSubscriptionsAsync(subscriptions, cancellationToken);

        var registration = new ExchangeRegistration
        {
            ExchangeUrl = settings.ExchangeUrl!,
            ExchangeName = discovery.Name,
            VendorId = registered.VendorId,
            ApiKey = registered.ApiKey,
            WebhookSecret = registered.WebhookSecret,
            WebhookKey = webhookKey,
            WebhookUrl = webhookUrl,
            Subscriptions = string.Join(", ", subscriptions.Select(s => s.Category + " in " + s.Country + (s.PostalPrefix is null ? "" : " " + s.PostalPrefix + "…"))),
            RegisteredAt = time.GetUtcNow(),
        };
        db.Exchanges.Add(registration);
        await db.SaveChangesAsync(cancellationToken);
        ShopLog.RegisteredAtExchange(logger, registration.ExchangeUrl, registration.VendorId, webhookUrl is not null);
        return registration;
    }
}

/// <summary>One connection pool for all calls to exchanges; each client names its exchange as its base address.</summary>
public sealed class ExchangeHttpHandler : IDisposable
{
    private readonly SocketsHttpHandler _handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

    public HttpClient ClientFor(string exchangeUrl) =>
        new(_handler, disposeHandler: false) { BaseAddress = new Uri(ShopSettingsStore.WithSlash(exchangeUrl)), Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose() => _handler.Dispose();
}
