namespace Symbolon.Server.Components;

/// <summary>Services of the owner web app (the Blazor pages under <c>Components/</c>).</summary>
internal static class WebAppServices
{
    public static IServiceCollection AddOwnerWebApp(this IServiceCollection services)
    {
        // Scoped means one per circuit: OwnerOperations itself holds no DbContext, it opens a scope per call.
        services.AddScoped<OwnerOperations>();
        return services;
    }
}
