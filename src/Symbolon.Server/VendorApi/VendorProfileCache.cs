using System.Collections.Concurrent;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Profile;
using Symbolon.Core.Vaults;

namespace Symbolon.Server.VendorApi;

/// <summary>
/// The decrypted profile of each unlocked vault, as vendor reads see it, so that a read does not query and decrypt
/// every profile record again. Reading and decrypting the records was most of what an authorized read cost once
/// the token check was cached.
/// </summary>
/// <remarks>
/// A snapshot is used only while nothing in its vault was written since it was read (<see cref="VendorCacheInvalidation"/>
/// advances the vault's generation before and after each such write) and only with the very key ring instance it
/// was decrypted with. Locking the vault drops it: decrypted values stay in memory only while the keys do.
/// </remarks>
internal sealed class VendorProfileCache
{
    private readonly ConcurrentDictionary<Guid, long> _generations = new();
    private readonly ConcurrentDictionary<Guid, Snapshot> _snapshots = new();

    private sealed record Snapshot(long Generation, VaultKeys Keys, ProfileDocument Profile);

    public void Invalidate(Guid vaultId)
    {
        _generations.AddOrUpdate(vaultId, 1, (_, g) => g + 1);
        _snapshots.TryRemove(vaultId, out _);
    }

    /// <summary>Forgets the vault's decrypted profile (the vault was locked).</summary>
    public void Forget(Guid vaultId) => Invalidate(vaultId);

    /// <summary>
    /// The vault's profile; <see cref="ProfileService"/> is resolved from <paramref name="services"/> only when the
    /// records must be read, because constructing it (and its database context) was a noticeable part of a cached read.
    /// </summary>
    public async Task<ProfileDocument> GetAsync(IServiceProvider services, VaultKeys keys, CancellationToken ct)
    {
        var generation = _generations.GetValueOrDefault(keys.VaultId);
        if (_snapshots.TryGetValue(keys.VaultId, out var snapshot) && snapshot.Generation == generation && ReferenceEquals(snapshot.Keys, keys))
        {
            return snapshot.Profile;
        }

        var profile = await services.GetRequiredService<ProfileService>().GetAsync(keys, ct);
        var stored = new Snapshot(generation, keys, profile);
        _snapshots[keys.VaultId] = stored;

        // A write or a lock that came after the generation was read makes the snapshot unusable (the generations
        // differ); it is removed here as well, so that no decrypted value lingers after the vault is locked.
        if (_generations.GetValueOrDefault(keys.VaultId) != generation)
        {
            _snapshots.TryRemove(new KeyValuePair<Guid, Snapshot>(keys.VaultId, stored));
        }

        return profile;
    }
}
