using CoffeeShop.Data;
using CoffeeShop.Shop;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Symbolon.Client;

namespace CoffeeShop;

/// <summary>Builds and runs the coffee shop: Razor Pages for the counter, the customers and the webhooks, and the webhook receiver.</summary>
public static class CoffeeShopHost
{
    /// <summary>Next to <c>symbolon serve</c>, which listens on 5178 by default.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5179";

    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--symbolon"] = "CoffeeShop:Symbolon",
        ["--data-dir"] = "CoffeeShop:DataDirectory",
        ["--shop-name"] = "CoffeeShop:Name",
        ["--public-url"] = "CoffeeShop:PublicUrl",
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
            ApplicationName = typeof(CoffeeShopHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddCommandLine(args, SwitchMappings);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // The shop's own SQL is not news at the counter; warnings and errors still show.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Services.Configure<ShopOptions>(builder.Configuration.GetSection(ShopOptions.Section));
        var dataDirectory = Path.GetFullPath(builder.Configuration[$"{ShopOptions.Section}:DataDirectory"] is { Length: > 0 } configured
            ? configured
            : new ShopOptions().DataDirectory, Directory.GetCurrentDirectory());
        Directory.CreateDirectory(dataDirectory);
        builder.Services.AddDbContextFactory<ShopDb>(o => o.UseSqlite($"Data Source={Path.Combine(dataDirectory, "coffeeshop.db")}"));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(30) });
        builder.Services.AddSingleton<ShopSettingsStore>();
        builder.Services.AddSingleton(sp => sp.Options().VaultAddresses());
        builder.Services.AddSingleton<VaultDirectory>();
        builder.Services.AddSingleton<CustomerSessions>();
        builder.Services.AddSingleton<CounterDesk>();
        builder.Services.AddSingleton<Till>();
        builder.Services.AddSingleton<WebhookInbox>();
        builder.Services.AddSingleton<RequestDesk>();
        builder.Services.AddSingleton<ConnectFlow>();
        builder.Services.AddRazorPages();
        configure?.Invoke(builder);

        var app = builder.Build();
        using (var db = app.Services.GetRequiredService<IDbContextFactory<ShopDb>>().CreateDbContext())
        {
            // A sample's schema: created on first run. A shop in production would use EF Core migrations.
            db.Database.EnsureCreated();
        }

        app.Lifetime.ApplicationStarted.Register(() =>
            app.Services.GetRequiredService<CounterDesk>().AbandonPendingAsync(CancellationToken.None).GetAwaiter().GetResult());

        app.UseExceptionHandler("/Error");
        app.UseStatusCodePagesWithReExecute("/Error", "?status={0}");
        app.MapGet("/site.css", () =>
        {
            var css = typeof(CoffeeShopHost).Assembly.GetManifestResourceStream("CoffeeShop.site.css")
                ?? throw new InvalidOperationException("The stylesheet is not embedded.");
            return TypedResults.Stream(css, "text/css");
        }).WithName("Stylesheet").WithSummary("The shop's stylesheet.");
        app.MapPost("/webhooks/{key}", (string key, HttpRequest request, WebhookInbox inbox, CancellationToken ct) => inbox.ReceiveAsync(key, request, ct))
            .WithName("ReceiveWebhook").WithSummary("Receives a vault's Standard Webhooks delivery; 401 when the signature does not verify.")
            .DisableAntiforgery();
        app.MapGet("/connect/callback", async Task<IResult> (HttpRequest request, ConnectFlow connect, CancellationToken ct) =>
        {
            try
            {
                var customerId = await connect.CompleteAsync(request, ct);
                return TypedResults.Redirect($"/customers/{customerId}");
            }
            catch (SymbolonOAuthException e)
            {
                var message = e.Error == "access_denied" ? "The customer declined." : ShopErrors.Describe(e);
                return TypedResults.Redirect($"/settings?connectError={Uri.EscapeDataString(message ?? e.Error)}");
            }
        }).WithName("ConnectCallback").WithSummary("The OAuth callback of \"Connect with Symbolon\".");
        app.MapRazorPages();
        return app;
    }

    /// <summary>Starts the shop and returns the address it listens on (with <c>--urls http://127.0.0.1:0</c>, a free port).</summary>
    public static async Task<Uri> StartShopAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The shop did not report the address it listens on.");
        return new Uri(address);
    }

    /// <summary>The options as configured (for the pages).</summary>
    public static ShopOptions Options(this IServiceProvider services) => services.GetRequiredService<IOptions<ShopOptions>>().Value;
}
