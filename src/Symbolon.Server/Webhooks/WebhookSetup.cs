using Microsoft.Extensions.Options;
using Symbolon.Core.Storage;
using Symbolon.Core.Webhooks;

namespace Symbolon.Server.Webhooks;

/// <summary>The webhook outbox's services: signal, secrets, delivery and the background dispatcher.</summary>
internal static class WebhookSetup
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        // Webhooks:AllowPrivateAddresses: loopback, link-local and private destinations, for local development only.
        services.AddOptions<WebhookDestinationOptions>().Bind(configuration.GetSection("Webhooks"));
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookSignalInterceptor>();
        // Note: the same options lifetime as AddDbContext's (built once per process); the interceptor is a singleton.
        services.ConfigureDbContext<SymbolonDbContext>((sp, options) => options.AddInterceptors(sp.GetRequiredService<WebhookSignalInterceptor>()), ServiceLifetime.Singleton);
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<IWebhookSecretProtector>(sp => sp.GetRequiredService<WebhookSecrets>());

        // Note: redirects are not followed (a webhook goes to the URL the vendor registered, nowhere else), and the
        // factory's per-request log lines are dropped; the outbox logs failures itself, by message id.
        services.AddHttpClient(WebhookDelivery.HttpClientName, client => client.DefaultRequestHeaders.UserAgent.ParseAdd("Symbolon-Webhooks/1"))
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                // Every connection checks the address it connects to (WebhookDestinations), not only the name as registered.
                var allowPrivate = sp.GetRequiredService<IOptions<WebhookDestinationOptions>>().Value.AllowPrivateAddresses;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    UseProxy = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    ConnectCallback = (context, ct) => WebhookDestinations.ConnectAsync(context, allowPrivate, ct),
                };
            })
            .RemoveAllLoggers();
        services.AddScoped(sp => new WebhookDelivery(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookDelivery.HttpClientName),
            sp.GetRequiredService<IWebhookSecretProtector>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WebhookDelivery>>()));
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }
}
