using Symbolon.Core.Storage;
using Symbolon.Core.Webhooks;

namespace Symbolon.Server.Webhooks;

/// <summary>The webhook outbox's services: signal, secrets, delivery and the background dispatcher.</summary>
internal static class WebhookSetup
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookSignalInterceptor>();
        // Note: the same options lifetime as AddDbContext's (built once per process); the interceptor is a singleton.
        services.ConfigureDbContext<SymbolonDbContext>((sp, options) => options.AddInterceptors(sp.GetRequiredService<WebhookSignalInterceptor>()), ServiceLifetime.Singleton);
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<IWebhookSecretProtector>(sp => sp.GetRequiredService<WebhookSecrets>());

        // Note: redirects are not followed (a webhook goes to the URL the vendor registered, nowhere else), and the
        // factory's per-request log lines are dropped; the outbox logs failures itself, by message id.
        services.AddHttpClient(WebhookDelivery.HttpClientName, client => client.DefaultRequestHeaders.UserAgent.ParseAdd("Symbolon-Webhooks/1"))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
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
