using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Symbolon.Core.Storage;

/// <summary>
/// Carries the <see cref="IStorageProvider"/> in the context options. Options rather than the service container,
/// because contexts are also built outside it (the CLI, tests, design-time tools) and stores are created from a
/// context alone; the options travel with the context, so the two can never disagree.
/// </summary>
internal sealed class StorageProviderExtension(IStorageProvider provider) : IDbContextOptionsExtension
{
    private ExtensionInfo? _info;

    public IStorageProvider Provider => provider;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    public void ApplyServices(IServiceCollection services)
    {
        // Nothing for EF Core's internal services: the context reads the provider from its options.
    }

    public void Validate(IDbContextOptions options)
    {
    }

    private sealed class ExtensionInfo(StorageProviderExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        private Type ProviderType => extension.Provider.GetType();

        public override bool IsDatabaseProvider => false;

        public override string LogFragment => string.Empty;

        // The model is cached per internal service provider and differs by provider (timestamps on SQLite), so two
        // storage providers never share one.
        public override int GetServiceProviderHashCode() => ProviderType.GetHashCode();

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) =>
            other is ExtensionInfo info && info.ProviderType == ProviderType;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) =>
            debugInfo["Symbolon:StorageProvider"] = ProviderType.Name;
    }
}

internal static class StorageProviderOptions
{
    /// <summary>Attaches the provider's differences to the context options (called by each provider's setup).</summary>
    public static DbContextOptionsBuilder UseStorageProvider(this DbContextOptionsBuilder options, IStorageProvider provider)
    {
        ((IDbContextOptionsBuilderInfrastructure)options).AddOrUpdateExtension(new StorageProviderExtension(provider));
        return options;
    }
}
