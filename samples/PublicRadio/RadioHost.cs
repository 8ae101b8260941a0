using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PublicRadio.Data;
using PublicRadio.Station;
using Symbolon.Client;

namespace PublicRadio;

/// <summary>
/// Builds and runs Radio Aurora: Razor Pages for the stream, the supporters, the webhooks and the settings; the OAuth
/// callback; and the webhook receiver.
/// </summary>
public static class RadioHost
{
    /// <summary>Next to <c>symbolon serve</c> (5178), the coffee shop (5179) and the boot shop (5180).</summary>
    public const string DefaultUrl = "http://127.0.0.1:5181";

    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--symbolon"] = "PublicRadio:Symbolon",
        ["--data-dir"] = "PublicRadio:DataDirectory",
        ["--station-name"] = "PublicRadio:Name",
        ["--iban"] = "PublicRadio:Iban",
        ["--public-url"] = "PublicRadio:PublicUrl",
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

            // The pages are compiled into this assembly; naming it lets a test process host the station too.
            ApplicationName = typeof(RadioHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddCommandLine(args, SwitchMappings);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Services.Configure<StationOptions>(builder.Configuration.GetSection(StationOptions.Section));
        var dataDirectory = Path.GetFullPath(builder.Configuration[$"{StationOptions.Section}:DataDirectory"] is { Length: > 0 } configured
            ? configured
            : new StationOptions().DataDirectory, Directory.GetCurrentDirectory());
        Directory.CreateDirectory(dataDirectory);
        builder.Services.AddDbContextFactory<RadioDb>(o => o.UseSqlite($"Data Source={Path.Combine(dataDirectory, "publicradio.db")}"));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new StationPaths(dataDirectory));
        builder.Services.AddSingleton<StationKeyStore>();
        builder.Services.AddSingleton(_ => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(30) });
        builder.Services.AddSingleton<StationSettingsStore>();
        builder.Services.AddSingleton(sp => sp.Options().VaultAddresses());
        builder.Services.AddSingleton<VaultDirectory>();
        builder.Services.AddSingleton<ListenerSessions>();
        builder.Services.AddSingleton<PaymentDesk>();
        builder.Services.AddSingleton<ListeningDesk>();
        builder.Services.AddSingleton<SupporterLedger>();
        builder.Services.AddSingleton<WebhookInbox>();
        builder.Services.AddSingleton<ConnectFlow>();
        builder.Services.AddRazorPages();
        configure?.Invoke(builder);

        var app = builder.Build();
        using (var db = app.Services.GetRequiredService<IDbContextFactory<RadioDb>>().CreateDbContext())
        {
            // A sample's schema: created on first run. A station in production would use EF Core migrations.
            db.Database.EnsureCreated();
        }

        // The key pair is made (or read) at start, not on the first connection.
        _ = app.Services.GetRequiredService<StationKeyStore>();

        app.UseExceptionHandler("/Error");
        app.UseStatusCodePagesWithReExecute("/Error", "?status={0}");
        app.MapGet("/site.css", () =>
        {
            var css = typeof(RadioHost).Assembly.GetManifestResourceStream("PublicRadio.site.css")
                ?? throw new InvalidOperationException("The stylesheet is not embedded.");
            return TypedResults.Stream(css, "text/css");
        }).WithName("Stylesheet").WithSummary("The station's stylesheet.");
        app.MapPost("/webhooks/{key}", (string key, HttpRequest request, WebhookInbox inbox, CancellationToken ct) => inbox.ReceiveAsync(key, request, ct))
            .WithName("ReceiveWebhook").WithSummary("Receives a vault's Standard Webhooks delivery; 401 when the signature does not verify.")
            .DisableAntiforgery();
        app.MapGet("/connect/callback", async Task<IResult> (HttpContext context, ConnectFlow connect, CancellationToken ct) =>
        {
            try
            {
                await connect.CompleteAsync(context, ct);
                return TypedResults.Redirect("/listen");
            }
            catch (SymbolonOAuthException e)
            {
                var message = e.Error == "access_denied" ? "You declined; nothing was shared." : RadioErrors.Describe(e);
                return TypedResults.Redirect($"/listen?connectError={Uri.EscapeDataString(message ?? e.Error)}");
            }
        }).WithName("ConnectCallback").WithSummary("The OAuth callback of \"Connect with Symbolon\".");
        app.MapRazorPages();
        return app;
    }

    /// <summary>Starts the station and returns the address it listens on (with <c>--urls http://127.0.0.1:0</c>, a free port).</summary>
    public static async Task<Uri> StartStationAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The station did not report the address it listens on.");
        return new Uri(address);
    }

    /// <summary>The options as configured (for the pages).</summary>
    public static StationOptions Options(this IServiceProvider services) => services.GetRequiredService<IOptions<StationOptions>>().Value;
}
