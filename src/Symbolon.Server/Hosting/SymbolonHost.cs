using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Symbolon.Core;
using Symbolon.Core.Storage;
using Symbolon.Server.Card;
using Symbolon.Server.Components;
using Symbolon.Server.Conversations;
using Symbolon.Server.Errors;
using Symbolon.Server.Export;
using Symbolon.Server.Health;
using Symbolon.Server.Inbox;
using Symbolon.Server.Insights;
using Symbolon.Server.LoyaltyCards;
using Symbolon.Server.OAuth;
using Symbolon.Server.Profile;
using Symbolon.Server.Relationships;
using Symbolon.Server.Intents;
using Symbolon.Server.Payments;
using Symbolon.Server.Requests;
using Symbolon.Server.Statements;
using Symbolon.Server.Storage;
using Symbolon.Server.Terms;
using Symbolon.Server.Vault;
using Symbolon.Server.VendorApi;
using Symbolon.Server.Wallet;
using Symbolon.Server.Webhooks;

namespace Symbolon.Server.Hosting;

/// <summary>Builds and runs the Symbolon server: owner web app, owner API and (later) the vendor protocol.</summary>
public static class SymbolonHost
{
    public const string DefaultUrl = "http://127.0.0.1:5178";
    public const string OwnerApiPrefix = "/owner/api/v1";

    /// <summary>Command-line switches the server understands besides ASP.NET Core's own.</summary>
    public static readonly IDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--data-dir"] = "Storage:DataDirectory",
        ["--storage"] = "Storage:Provider",
        ["--connection-string"] = "Storage:ConnectionString",
        ["--urls"] = "urls",
        ["--public-origin"] = PublicOrigin.SettingName,
    };

    /// <summary>Runs the server until it is stopped (Ctrl+C).</summary>
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    public static async Task RunAsync(string[] args)
    {
        await using var app = Build(args);
        await app.RunAsync();
    }

    /// <summary>
    /// Starts a built server and returns the address it listens on, which with <c>--urls http://127.0.0.1:0</c> is a
    /// free port picked by the system (the CLI's tests and the browser tests start servers this way).
    /// </summary>
    public static async Task<Uri> StartAndGetAddressAsync(this WebApplication app, CancellationToken ct = default)
    {
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server did not report the address it listens on.");
        return new Uri(address);
    }

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(SymbolonHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddCommandLine(args, SwitchMappings);

        // Note: static web assets (MudBlazor's CSS and JS, the app's own) are served from their build locations
        // outside Development too, so `symbolon serve` and `dotnet run` work without a publish step; in a
        // published app there is no manifest and the files come from wwwroot.
        builder.WebHost.UseStaticWebAssets();

        // Note: with the build's manifest, ASP.NET Core also watches for asset files changed after the build (a hot
        // reload aid) and adds a catch-all route whose constraint asks the file system whether each GET names a file:
        // a stat call on every API request, a few percent of a vendor read. Outside Development the assets are the
        // ones built; reloading them at runtime stays available with ReloadStaticAssetsAtRuntime=true.
        if (!builder.Environment.IsDevelopment() && builder.Configuration["ReloadStaticAssetsAtRuntime"] is null)
        {
            builder.Configuration["ReloadStaticAssetsAtRuntime"] = "false";
        }
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        configure?.Invoke(builder);
        builder.AddSymbolon();
        var app = builder.Build();
        app.MapSymbolon();
        return app;
    }

    public static WebApplicationBuilder AddSymbolon(this WebApplicationBuilder builder)
    {
        // Storage settings are read when the container is built (not here), so that every configuration source,
        // including a test host's overrides, has been applied. SYMBOLON_DATA names the data directory, as for the
        // CLI; --data-dir and Storage__DataDirectory win over it.
        builder.Services.AddOptions<StorageOptions>()
            .Bind(builder.Configuration.GetSection("Storage"))
            .PostConfigure(storage =>
            {
                if (string.IsNullOrWhiteSpace(storage.DataDirectory))
                {
                    storage.DataDirectory = Environment.GetEnvironmentVariable("SYMBOLON_DATA");
                }

                storage.Validate();
                StorageSetup.PrepareDataDirectory(storage.ResolvedDataDirectory);
            });
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value);
        builder.Services.AddSingleton<StorageInitializer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StorageInitializer>());
        builder.Services.AddSymbolonStorage();

        // Quieter defaults, each overridable with Logging__LogLevel__<category>: EF Core's SQL and ASP.NET Core's
        // per-request lines are for debugging. Data protection warns that its keys are stored unencrypted; they sit
        // in the data directory (mode 0700) and protect session and antiforgery cookies, never vault data.
        QuietByDefault(builder, "Microsoft.EntityFrameworkCore", LogLevel.Warning);
        QuietByDefault(builder, "Microsoft.AspNetCore", LogLevel.Warning);
        QuietByDefault(builder, "Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        // OpenIddict narrates every OAuth request and response at Information; its loggers redact credentials at
        // every level (OAuth/OAuthLogRedaction.cs), and by default only its warnings are kept.
        QuietByDefault(builder, "OpenIddict", LogLevel.Warning);
        // Core and its feature modules, then what the server adds to them: the owner's sign-in and the one binder
        // that hands a request its vault session, the vendor protocol, the web app.
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PublicOrigin>();
        builder.Services.AddSymbolonCore();
        builder.Services.AddVaultSessions();
        builder.Services.AddScoped<OwnerSignIn>();
        builder.Services.AddVendorAccessCache();
        builder.Services.AddVendorOpenApi();
        builder.Services.AddSingleton<AccessLogWriter>();
        builder.Services.AddOptions<VendorQuotaOptions>().Bind(builder.Configuration.GetSection("Quotas"));
        builder.Services.AddSingleton<VendorQuotas>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AccessLogWriter>());
        builder.Services.AddSingleton<Core.Relationships.IPendingAccessLog>(sp => sp.GetRequiredService<AccessLogWriter>());
        builder.Services.AddOptions<AccessLogOptions>().Bind(builder.Configuration.GetSection("AccessLog"));
        builder.Services.Replace(ServiceDescriptor.Singleton(AutoLockOptionsFrom(builder.Configuration)));
        builder.Services.AddHostedService<AccessLogCompactor>();
        builder.Services.AddHostedService<Vault.AutoLockJob>();
        builder.Services.Replace(ServiceDescriptor.Singleton(InboxOptionsFrom(builder.Configuration)));
        builder.Services.Replace(ServiceDescriptor.Singleton(ImportOptionsFrom(builder.Configuration)));
        builder.Services.Replace(ServiceDescriptor.Singleton(sp => new Core.Vaults.HostKeySource(sp.GetRequiredService<StorageOptions>().ResolvedDataDirectory, builder.Configuration["HostKey:File"])));
        builder.Services.AddHostedService<Vault.UnattendedStart>();
        builder.Services.AddSingleton<Inbox.KeyUseTally>();
        builder.Services.AddHostedService<Inbox.KeyUseTallyJob>();
        builder.Services.AddSingleton<Inbox.InboxGate>();
        builder.Services.AddSingleton<Inbox.InboxApplier>();
        builder.Services.AddScoped<Core.Vaults.IVaultSessionModule>(sp => sp.GetRequiredService<Inbox.InboxApplier>());
        builder.Services.AddOAuthServer();
        builder.Services.AddOnboardingRateLimits(builder.Configuration);
        builder.Services.AddOptions<OAuthPruningOptions>().Bind(builder.Configuration.GetSection("Pruning"));
        builder.Services.AddHostedService<OAuthPruneJob>();
        builder.Services.AddCard();
        builder.Services.AddWebhooks(builder.Configuration);
        builder.Services.AddRequestJobs(builder.Configuration);
        builder.Services.AddIntentJobs(builder.Configuration);

        // Cookie and antiforgery keys live with the vault, readable by its owner only, not in the user profile.
        builder.Services.AddDataProtection().SetApplicationName("Symbolon");
        builder.Services.AddOptions<KeyManagementOptions>().Configure<StorageOptions>((keys, storage) =>
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(storage.ResolvedDataDirectory, "keys")), NullLoggerFactory.Instance));
        builder.Services.AddOwnerAuthentication();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(options => ConfigureJson(options.SerializerOptions));
        builder.Services.AddHealthChecks();
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "symbolon_csrf";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddOwnerWebApp();
        builder.Services.AddHostedService<ServerInfoFile>();
        return builder;
    }

    private static void QuietByDefault(WebApplicationBuilder builder, string category, LogLevel level)
    {
        if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
        {
            builder.Logging.AddFilter(category, level);
        }
    }

    /// <summary>
    /// JSON on the wire: camelCase, enums as strings, every member written (null included, so that strict readers
    /// find what they expect), and strict reading: an unknown member or a missing required one is an error
    /// (400 naming the field), not silently ignored. Optional request members have defaults in Contracts.
    /// </summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }

    private static bool IsApi(PathString path) =>
        path.StartsWithSegments(OwnerApiPrefix) || path.StartsWithSegments(VendorApiEndpoints.Prefix);

    public static WebApplication MapSymbolon(this WebApplication app)
    {
        // The vault's own address replaces the Host header first of all (PublicOrigin); a wrong setting stops the start.
        PublicOrigin.Validate(app.Configuration);
        app.UsePublicOrigin();
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = _ => StatusCodes.Status500InternalServerError, SuppressDiagnosticsCallback = _ => true });
        app.UseOwnerRequestOrigin(OwnerApiPrefix);
        app.UseJsonBodyLimit(OwnerApiPrefix);
        app.UseJsonBodyLimit(VendorApiEndpoints.Prefix);
        app.UseJsonBodyLimit("/connect");
        app.UseRateLimiter();
        app.Use(async (context, next) =>
        {
            // Liveness answers while the schema is still being brought up; everything else waits for storage.
            if (!context.Request.Path.StartsWithSegments("/healthz"))
            {
                await context.RequestServices.GetRequiredService<StorageInitializer>().WaitUntilReadyAsync(context);
                if (context.Response.HasStarted)
                {
                    return;
                }
            }

            await next(context);
        });
        // A browser asking for a page that does not exist gets the web app's own not-found page. Everything else
        // (the API, form posts, files) keeps its bare status code, or the problem document written below.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.Use((context, next) =>
        {
            var isPage = HttpMethods.IsGet(context.Request.Method) && !IsApi(context.Request.Path)
                && context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
            if (!isPage && context.Features.Get<IStatusCodePagesFeature>() is { } notFoundPage)
            {
                notFoundPage.Enabled = false;
            }

            return next(context);
        });
        app.UseStatusCodePages(async context =>
        {
            // API routes answer with problem documents, pages with the app's own not-found page.
            if (IsApi(context.HttpContext.Request.Path) && !context.HttpContext.Response.HasStarted)
            {
                var status = context.HttpContext.Response.StatusCode;
                var problem = status switch
                {
                    StatusCodes.Status404NotFound => ProblemCatalog.Create(Contracts.Problems.ProblemCodes.NoSuchEndpoint, 404, "Not found.", "There is nothing at this address."),
                    StatusCodes.Status405MethodNotAllowed => ProblemCatalog.Create(Contracts.Problems.ProblemCodes.MethodNotAllowed, 405, "This method is not allowed here."),
                    // A body that is not JSON (text/plain, a form: what a page on another site can send without asking).
                    StatusCodes.Status415UnsupportedMediaType => ProblemCatalog.Create(Contracts.Problems.ProblemCodes.MalformedJson, 415, "Send JSON.", "This endpoint takes a JSON body with Content-Type: application/json."),
                    _ => ProblemCatalog.Create(Contracts.Problems.ProblemCodes.InvalidValue, status, "The request was refused."),
                };
                await context.HttpContext.Response.WriteAsJsonAsync(problem, (JsonSerializerOptions?)null, "application/problem+json");
            }
        });
        // The vendor API authenticates its calls itself (VendorAccess), so it skips the authentication middleware,
        // which would otherwise build OpenIddict's and the cookie's handlers for every vendor read (a fifth of a
        // cached read's cost). Note: WebApplication adds UseAuthentication at the very start of the pipeline unless
        // the app has set this flag (the key UseAuthentication itself sets); a call inside a UseWhen branch sets it
        // only on the branch, so it is set here explicitly.
        app.UseWhen(context => !context.Request.Path.StartsWithSegments(VendorApiEndpoints.Prefix), branch => branch.UseAuthentication());
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSetKey] = true;
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapHealthEndpoints();
        var owner = app.MapGroup(OwnerApiPrefix).DisableAntiforgery();
        owner.MapVaultEndpoints();
        owner.MapProfileEndpoints();
        owner.MapExportEndpoints();
        owner.MapTermsEndpoints();
        owner.MapRelationshipEndpoints();
        owner.MapCardEndpoints();
        owner.MapWalletEndpoints();
        owner.MapLoyaltyCardEndpoints();
        owner.MapImportEndpoints();
        owner.MapTransactionExportEndpoints();
        owner.MapImportStreamEndpoints();
        owner.MapQueryEndpoints();
        owner.MapConversationEndpoints();
        owner.MapInsightEndpoints();
        owner.MapRequestEndpoints();
        owner.MapInboxEndpoints();
        owner.MapIntentEndpoints();
        owner.MapPaymentEndpoints();

        app.MapAuthorizationEndpoints();
        app.MapRegistrationEndpoints();
        app.MapVendorApiEndpoints();
        app.MapVendorConversationEndpoints();
        app.MapVendorRequestEndpoints();
        app.MapVendorIntentEndpoints();
        app.MapVendorPaymentEndpoints();

        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapWebAppEndpoints();
        app.MapCardWebEndpoints();
        return app;
    }

    // Inbox:MaxItemsPerVendor, MaxBytesPerVendor, MaxItems, MaxBytes: what the sealed inbox takes while the person is away.
    private static Core.Inbox.InboxOptions InboxOptionsFrom(ConfigurationManager configuration)
    {
        var options = new Core.Inbox.InboxOptions();
        configuration.GetSection("Inbox").Bind(options);
        if (options.MaxItemsPerVendor < 0 || options.MaxBytesPerVendor < 0 || options.MaxItems < 0 || options.MaxBytes < 0)
        {
            throw new InvalidOperationException("The Inbox limits (MaxItemsPerVendor, MaxBytesPerVendor, MaxItems, MaxBytes) cannot be negative; 0 turns the inbox off.");
        }

        return options;
    }

    // Imports:MaxSeconds, the longest one statement import may take before it is stopped (nothing stored).
    private static Core.Statements.ImportOptions ImportOptionsFrom(ConfigurationManager configuration)
    {
        var options = new Core.Statements.ImportOptions();
        configuration.GetSection("Imports").Bind(options);
        if (options.MaxSeconds is < 1 or > 24 * 3600)
        {
            throw new InvalidOperationException("Imports:MaxSeconds must be from 1 to 86400 (a day).");
        }

        return options;
    }

    // AutoLock:DefaultMinutes, the idle time of a vault whose person chose none: 0 (never) to a day.
    private static Core.Vaults.AutoLockOptions AutoLockOptionsFrom(ConfigurationManager configuration)
    {
        var options = new Core.Vaults.AutoLockOptions();
        configuration.GetSection("AutoLock").Bind(options);
        if (options.DefaultMinutes is < 0 or > Core.Vaults.AutoLock.MaxMinutes)
        {
            throw new InvalidOperationException($"AutoLock:DefaultMinutes must be from 0 (never) to {Core.Vaults.AutoLock.MaxMinutes}.");
        }

        return options;
    }
}
