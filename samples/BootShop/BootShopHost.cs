using BootShop.Data;
using BootShop.Shop;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BootShop;

/// <summary>Builds and runs the shoe shop: its pages (intents, orders, catalog, settings), the exchange's webhook receiver, and its round at the exchange.</summary>
public static class BootShopHost
{
    /// <summary>Next to <c>symbolon serve</c> (5178), the coffee shop (5179) and the exchange (5190).</summary>
    public const string DefaultUrl = "http://127.0.0.1:5180";

    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--exchange"] = "BootShop:Exchange",
        ["--data-dir"] = "BootShop:DataDirectory",
        ["--shop-name"] = "BootShop:Name",
        ["--public-url"] = "BootShop:PublicUrl",
        ["--poll-seconds"] = "BootShop:PollSeconds",
        ["--allow-local-vaults"] = "BootShop:AllowLocalVaults",
        ["--urls"] = "urls",
    };

    public static async Task RunAsync(string[] args)
    {
        await using var app = Build(args);
        await app.RunAsync();
    }

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,

            // The pages are compiled into this assembly; naming it lets a test process host the shop too.
            ApplicationName = typeof(BootShopHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddCommandLine(args, SwitchMappings);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // The shop's own SQL is not news; warnings and errors still show.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<ShopOptions>(builder.Configuration.GetSection(ShopOptions.Section));
        var dataDirectory = Path.GetFullPath(builder.Configuration[$"{ShopOptions.Section}:DataDirectory"] is { Length: > 0 } configured
            ? configured
            : new ShopOptions().DataDirectory, Directory.GetCurrentDirectory());
        // The directory holds the shop's key pair, its exchange API key and its clients' secrets: for the shop's user only.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory);
        }
        else
        {
            Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        builder.Services.AddSingleton(new ShopPaths(dataDirectory));
        builder.Services.AddDbContextFactory<ShopDb>(o => o.UseSqlite($"Data Source={Path.Combine(dataDirectory, "bootshop.db")}"));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(30) });
        builder.Services.AddSingleton<ExchangeHttpHandler>();
        builder.Services.AddSingleton<VendorKeyStore>();
        builder.Services.AddSingleton<ShopGate>();
        builder.Services.AddSingleton<ShopSettingsStore>();
        builder.Services.AddSingleton<ExchangeConnection>();
        builder.Services.AddSingleton<OfferDesk>();
        builder.Services.AddSingleton<OrderDesk>();
        builder.Services.AddSingleton<ExchangeWebhookInbox>();
        builder.Services.AddSingleton<ExchangePoller>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ExchangePoller>());
        builder.Services.AddRazorPages();
        configure?.Invoke(builder);

        var app = builder.Build();
        using (var db = app.Services.GetRequiredService<IDbContextFactory<ShopDb>>().CreateDbContext())
        {
            // A sample's schema: created on first run. A shop in production would use EF Core migrations.
            db.Database.EnsureCreated();
            Catalog.Seed(db);
        }

        // The key pair is made (or read) before the first request, so a broken key file stops the start, not an offer.
        _ = app.Services.GetRequiredService<VendorKeyStore>();

        app.UseExceptionHandler("/Error");
        app.UseStatusCodePagesWithReExecute("/Error", "?status={0}");
        app.MapGet("/site.css", () =>
        {
            var css = typeof(BootShopHost).Assembly.GetManifestResourceStream("BootShop.site.css")
                ?? throw new InvalidOperationException("The stylesheet is not embedded.");
            return TypedResults.Stream(css, "text/css");
        }).WithName("Stylesheet").WithSummary("The shop's stylesheet.");
        app.MapPost("/exchange/webhooks/{key}", (string key, HttpRequest request, ExchangeWebhookInbox inbox, CancellationToken ct) => inbox.ReceiveAsync(key, request, ct))
            .WithName("ReceiveExchangeWebhook").WithSummary("Receives the exchange's Standard Webhooks delivery; 401 when the signature does not verify.")
            .DisableAntiforgery();
        app.MapRazorPages();
        return app;
    }

    /// <summary>Starts the shop and returns the address it listens on (with <c>--urls http://127.0.0.1:0</c>, a free port).</summary>
    public static async Task<Uri> StartShopAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The shop did not report the address it listens on.");
        return new Uri(address);
    }

    /// <summary>The options as configured (for the pages).</summary>
    public static ShopOptions Options(this IServiceProvider services) => services.GetRequiredService<IOptions<ShopOptions>>().Value;
}
