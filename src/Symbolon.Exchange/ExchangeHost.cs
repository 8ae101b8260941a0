using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Symbolon.Exchange.Endpoints;
using Symbolon.Exchange.Storage;
using Symbolon.Exchange.Webhooks;
using Symbolon.Intents;

namespace Symbolon.Exchange;

/// <summary>
/// Builds and runs an intent exchange (docs/intent-exchange.md). Settings: <c>Exchange:Name</c>,
/// <c>Exchange:Provider</c> (<c>sqlite</c> or <c>postgres</c>), <c>ConnectionStrings:Exchange</c>,
/// <c>Exchange:OffersPerMinute</c>, <c>Exchange:RegistrationsPerHour</c>, <c>Exchange:KnownProxies</c>, <c>Webhooks:AllowPrivateAddresses</c>;
/// addresses with ASP.NET Core's <c>--urls</c>.
/// </summary>
public static class ExchangeHost
{
    public const string DefaultUrl = "http://127.0.0.1:5190";
    public const string ApiPrefix = "/v1";
    public const string DiscoveryPath = "/.well-known/symbolon-exchange";
    public const string OpenApiPath = "/v1/openapi.json";

    public static async Task RunAsync(string[] args)
    {
        await using var app = Build(args);
        await app.RunAsync();
    }

    /// <summary>Builds the exchange; <paramref name="configure"/> runs after its services are added (tests replace the clock there).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(ExchangeHost).Assembly.GetName().Name,
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        QuietByDefault(builder, "Microsoft.EntityFrameworkCore", LogLevel.Warning);
        QuietByDefault(builder, "Microsoft.AspNetCore", LogLevel.Warning);
        QuietByDefault(builder, "System.Net.Http.HttpClient", LogLevel.Warning);

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<ExchangeOptions>().Bind(builder.Configuration.GetSection("Exchange")).PostConfigure(o =>
        {
            // One value ("10.0.0.2,10.0.0.3", as an environment variable is easiest written) is a list too.
            if (builder.Configuration["Exchange:KnownProxies"] is { Length: > 0 } listed)
            {
                o.KnownProxies.AddRange(listed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }

            o.Validate();
        });
        services.AddOptions<ExchangeWebhookOptions>().Bind(builder.Configuration.GetSection("Webhooks"));
        services.AddExchangeStorage(builder.Configuration);
        services.AddSingleton<WindowLimiter>();
        services.AddSingleton<ExchangeSignal>();
        services.AddSingleton<WebhookSender>();
        services.AddHostedService<ExchangeWorker>();
        services.AddHttpClient(WebhookSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var allowPrivate = sp.GetRequiredService<IOptions<ExchangeWebhookOptions>>().Value.AllowPrivateAddresses;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    ConnectCallback = (context, ct) => WebhookDestinations.ConnectAsync(context, allowPrivate, ct),
                };
            })
            .RemoveAllLoggers();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never);
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Symbolon intent exchange";
                document.Info.Version = "1";
                document.Info.Description = "Relays signed intents to subscribed vendors and sealed offers back; see docs/intent-exchange.md.";
                return Task.CompletedTask;
            });
        });

        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapExchange();
        return app;
    }

    /// <summary>Starts a built exchange and returns the address it listens on (with <c>--urls http://127.0.0.1:0</c>, a free port).</summary>
    public static async Task<Uri> StartAndGetAddressAsync(this WebApplication app, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server did not report the address it listens on.");
        return new Uri(address.TrimEnd('/') + "/");
    }

    private static void MapExchange(this WebApplication app)
    {
        // Behind a reverse proxy the client's address comes from X-Forwarded-For, believed only from the configured
        // proxies (none by default: then the header is ignored). ASP.NET Core's default trust of loopback is dropped.
        var proxies = app.Services.GetRequiredService<IOptions<ExchangeOptions>>().Value.KnownProxies;
        if (proxies.Count > 0)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var proxy in proxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }

            app.UseForwardedHeaders(forwarded);
        }

        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            SuppressDiagnosticsCallback = _ => true,
            ExceptionHandler = context => new ExchangeProblem(ExchangeProblemCodes.ServerError, StatusCodes.Status500InternalServerError,
                "The exchange failed.", "Nothing was changed. Try again later.").WriteAsync(context),
        });
        app.Use(async (context, next) =>
        {
            // Every endpoint reads a bounded body; this bounds the ones that read none at all.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = ExchangeHttp.MaxEnvelopeRequestBytes;
            }

            try
            {
                await context.RequestServices.GetRequiredService<ExchangeMigrator>().WaitAsync(context.RequestAborted);
                await next(context);
            }
            catch (ExchangeProblem problem) when (!context.Response.HasStarted)
            {
                await problem.WriteAsync(context);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                await (e.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? ExchangeProblem.TooLarge(ExchangeHttp.MaxEnvelopeRequestBytes)
                    : ExchangeProblem.Malformed(e.InnerException is JsonException json ? ExchangeHttp.FieldOf(json.Path) : "query")).WriteAsync(context);
            }
        });
        app.UseStatusCodePages(async context =>
        {
            var status = context.HttpContext.Response.StatusCode;
            var problem = status switch
            {
                StatusCodes.Status404NotFound => new ExchangeProblem(ExchangeProblemCodes.NoSuchEndpoint, status, "There is nothing at this address."),
                StatusCodes.Status405MethodNotAllowed => new ExchangeProblem(ExchangeProblemCodes.MethodNotAllowed, status, "This method is not allowed here."),
                StatusCodes.Status415UnsupportedMediaType => new ExchangeProblem(ExchangeProblemCodes.UnsupportedMediaType, status, "Send JSON."),
                _ => new ExchangeProblem(ExchangeProblemCodes.MalformedJson, status, "The request was refused."),
            };
            await problem.WriteAsync(context.HttpContext);
        });

        app.MapGet(DiscoveryPath, Discover).WithName("Discover").WithSummary("What this exchange is and what it accepts.").WithTags("Discovery");
        app.MapGet("/healthz", () => TypedResults.Text("Healthy")).ExcludeFromDescription();
        app.MapOpenApi("/{documentName}/openapi.json");
        var v1 = app.MapGroup(ApiPrefix);
        v1.MapIntentEndpoints();
        v1.MapVendorEndpoints();
    }

    private static ExchangeDiscovery Discover(HttpRequest request, IOptions<ExchangeOptions> options)
    {
        var origin = $"{request.Scheme}://{request.Host}{request.PathBase}";
        var settings = options.Value;
        return new ExchangeDiscovery(
            settings.Name,
            origin + ApiPrefix + "/",
            origin + OpenApiPath,
            1,
            IntentRules.MaxIntentBytes,
            IntentRules.MaxOfferBytes,
            settings.OffersPerMinute,
            settings.Categories.Count > 0 ? settings.Categories : ExchangeOptions.DefaultCategories);
    }

    private static void QuietByDefault(WebApplicationBuilder builder, string category, LogLevel level)
    {
        if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
        {
            builder.Logging.AddFilter(category, level);
        }
    }
}
