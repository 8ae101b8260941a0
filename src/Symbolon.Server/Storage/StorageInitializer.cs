using Symbolon.Core.Storage;

namespace Symbolon.Server.Storage;

/// <summary>
/// Brings the database schema up to date before the server takes requests. A hosted service (rather than code
/// after Build) so that the real host started by tests through WebApplicationFactory migrates the same way.
/// </summary>
internal sealed class StorageInitializer(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await StorageSetup.MigrateAsync(scope.ServiceProvider.GetRequiredService<SymbolonDbContext>(), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
