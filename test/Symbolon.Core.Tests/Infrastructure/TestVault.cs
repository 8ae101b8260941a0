using Symbolon.Contracts.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Tests.Infrastructure;

/// <summary>A fresh store with a vault created through <see cref="VaultService"/> and its unlocked keys.</summary>
internal sealed class TestVault : IAsyncDisposable
{
    private TestVault(TestStore store, CreatedVault created)
    {
        Store = store;
        Created = created;
    }

    public TestStore Store { get; }

    public CreatedVault Created { get; }

    public VaultKeys Keys => Created.Keys;

    public Guid Id => Created.VaultId;

    /// <summary>
    /// A new store with a vault in it. On PostgreSQL the vault is created here; a SQLite store starts as a copy of a
    /// file whose vault <see cref="VaultService"/> created once (see <see cref="SqliteTemplates"/>), opened with the
    /// data key its creator got, so no test pays for an Argon2id derivation it does not test.
    /// </summary>
    public static async Task<TestVault> CreateAsync(StorageKind kind = StorageKind.Sqlite)
    {
        if (kind == StorageKind.Sqlite)
        {
            var template = await SqliteTemplates.WithVaultAsync();
            var copy = TestStore.FromSqliteFile(template.Path, null);
            var keys = VaultService.OpenKeys(await copy.VaultRowAsync(), template.DataKey);
            return new TestVault(copy, new CreatedVault(template.VaultId, template.RecoveryKey, keys));
        }

        var store = await TestStore.CreateAsync(kind);
        try
        {
            return new TestVault(store, await store.CreateVaultAsync());
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    public async Task<ProfileField> AddAsync(ProfileFieldInput input, Actor? actor = null)
    {
        using var session = Store.Open();
        return await session.Profile.AddAsync(Keys, input, actor ?? Actor.Owner);
    }

    public Task<ProfileField> AddTextAsync(string kind, string text, string? label = null, Actor? actor = null) =>
        AddAsync(new ProfileFieldInput(kind, label, Text: text), actor);

    public async Task<ProfileField> UpdateAsync(Guid id, ProfileFieldUpdate update, Actor? actor = null)
    {
        using var session = Store.Open();
        return await session.Profile.UpdateAsync(Keys, id, update, actor ?? Actor.Owner);
    }

    public async Task DeleteAsync(Guid id, Actor? actor = null, int? expectedVersion = null)
    {
        using var session = Store.Open();
        await session.Profile.DeleteAsync(Keys, id, actor ?? Actor.Owner, expectedVersion);
    }

    public async Task<ProfileFieldHistory> HistoryAsync(Guid id)
    {
        using var session = Store.Open();
        return await session.Profile.HistoryAsync(Keys, id);
    }

    public async Task<ProfileDocument> ProfileAsync()
    {
        using var session = Store.Open();
        return await session.Profile.GetAsync(Keys);
    }

    public Task<byte[]> ExportAsync() => Store.ExportAsync(Keys);

    public Task<byte[]> BackupAsync() => Store.BackupAsync(Keys);

    public async ValueTask DisposeAsync()
    {
        Keys.Dispose();
        await Store.DisposeAsync();
    }
}
