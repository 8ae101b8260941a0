using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Profile;
using Symbolon.Core.Relationships;
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

    private sealed record Snapshot(long Generation, VaultKeys Keys, ProfileDocument Profile)
    {
        /// <summary>
        /// What each grant discloses of this snapshot, keyed by the grant's parsed datatypes as the token check
        /// remembered them: a changed grant is a new list (its cache entry is invalidated with the write), and a changed
        /// profile is a new snapshot, so an entry can only ever describe the data it was computed from.
        /// </summary>
        public ConditionalWeakTable<IReadOnlyList<GrantedDatatype>, DisclosedProfile> Disclosures { get; } = [];
    }

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
    public async Task<ProfileDocument> GetAsync(IServiceProvider services, VaultKeys keys, CancellationToken ct) =>
        (await SnapshotAsync(services, keys, ct)).Profile;

    /// <summary>
    /// The response body of <c>GET /api/v1/profile</c> for this relationship and grant, with its ETag. Serializing the
    /// narrowed fields and computing their pairwise ids and the keyed ETag on every read cost about as much as the rest
    /// of a cached read; the result only changes when the profile, the grant or (for "over 18") the UTC day does.
    /// </summary>
    public async Task<DisclosedProfile> DiscloseAsync(IServiceProvider services, RelationshipEntity relationship, IReadOnlyList<GrantedDatatype> granted, VaultKeys keys, DateTimeOffset now, CancellationToken ct)
    {
        var snapshot = await SnapshotAsync(services, keys, ct);
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        if (snapshot.Disclosures.TryGetValue(granted, out var disclosed) && disclosed.Day == day && disclosed.RelationshipId == relationship.Id)
        {
            return disclosed;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(VendorDisclosure.Profile(relationship, granted, snapshot.Profile, now));
        disclosed = new DisclosedProfile(relationship.Id, day, body, PairwiseIds.ETag(relationship.PairwiseKey, body));
        snapshot.Disclosures.AddOrUpdate(granted, disclosed);
        return disclosed;
    }

    private async Task<Snapshot> SnapshotAsync(IServiceProvider services, VaultKeys keys, CancellationToken ct)
    {
        var generation = _generations.GetValueOrDefault(keys.VaultId);
        if (_snapshots.TryGetValue(keys.VaultId, out var snapshot) && snapshot.Generation == generation && ReferenceEquals(snapshot.Keys, keys))
        {
            return snapshot;
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

        return stored;
    }
}

/// <summary>A profile response as one grant sees it: the body's bytes and its keyed ETag, for the UTC day it was computed on.</summary>
internal sealed record DisclosedProfile(Guid RelationshipId, DateOnly Day, byte[] Body, string ETag);
