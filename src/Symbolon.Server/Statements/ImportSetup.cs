using Symbolon.Core.Statements;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Statements;

/// <summary>Registers the import slice, and builds a vault's transaction projection in the background when it unlocks.</summary>
internal static class ImportSetup
{
    public static IServiceCollection AddStatementImports(this IServiceCollection services)
    {
        services.AddSingleton<TransactionProjections>();
        services.AddScoped<StatementImporter>();
        services.AddHostedService<ProjectionWarmer>();
        return services;
    }
}

/// <summary>
/// Starts decrypting a vault's transactions as soon as it is unlocked, so the first page of transactions does not
/// wait for it, and drops the decrypted projection the moment the vault locks.
/// </summary>
internal sealed partial class ProjectionWarmer(VaultKeyRing ring, TransactionProjections projections, IServiceScopeFactory scopes, ILogger<ProjectionWarmer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ring.Unlocked += OnUnlocked;
        ring.Locked += projections.Drop;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        ring.Unlocked -= OnUnlocked;
        ring.Locked -= projections.Drop;
        return Task.CompletedTask;
    }

    private void OnUnlocked(Core.Vaults.VaultKeys keys) => _ = Task.Run(async () =>
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var importer = scope.ServiceProvider.GetRequiredService<StatementImporter>();
            var projection = await importer.ProjectionAsync(keys);
            LogReady(projection.Count, projections.For(keys.VaultId).LoadTime?.TotalMilliseconds ?? 0);
        }
        catch (Exception e) when (e is Core.Vaults.VaultLockedException or ObjectDisposedException or OperationCanceledException)
        {
            // Locked again (or shutting down) before the projection was built; the next unlock builds it.
        }
#pragma warning disable CA1031 // A background warm-up must not crash the process; a request loads the projection again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFailed(e.GetType().Name);
        }
    });

    [LoggerMessage(Level = LogLevel.Information, Message = "Transactions ready: {Count} in {Milliseconds:F0} ms.")]
    private partial void LogReady(int count, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Building the transaction projection failed ({Error}); it is built on the next request.")]
    private partial void LogFailed(string error);
}
