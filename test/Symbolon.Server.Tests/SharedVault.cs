using Symbolon.Contracts.Vault;

namespace Symbolon.Server.Tests;

/// <summary>
/// One host with one vault (SQLite), shared by the tests of a class (<c>IClassFixture&lt;SharedVault&gt;</c>) that
/// neither change what the others read nor look at anything vault-wide: the cases of a theory that each send one
/// refused request, for example. Starting a host and deriving a vault key costs a few seconds of CPU; tests that
/// count, list, lock, purge or move the clock keep a host of their own.
/// </summary>
public class SharedVault : IAsyncLifetime
{
    public SymbolonApplicationFactory App { get; } = new();

    /// <summary>The owner's session (the client that created the vault).</summary>
    public HttpClient Owner { get; private set; } = null!;

    public CreateVaultResponse Vault { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        (Owner, Vault) = await App.CreateVaultAsync();
        await SeedAsync(Owner);
    }

    /// <summary>What every test of the class starts from, added once after the vault was created.</summary>
    protected virtual Task SeedAsync(HttpClient owner) => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Owner.Dispose();
        App.Dispose();
        return Task.CompletedTask;
    }
}
