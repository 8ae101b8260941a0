namespace Symbolon.Server.Components;

/// <summary>Services of the owner web app (the shell under <c>Components/</c>, pages in each feature's <c>Pages/</c> folder).</summary>
internal static class WebAppServices
{
    public static IServiceCollection AddOwnerWebApp(this IServiceCollection services)
    {
        // Scoped means one per circuit: OwnerOperations itself holds no DbContext, it opens a scope per call.
        services.AddScoped<OwnerOperations>();
        return services;
    }
}
