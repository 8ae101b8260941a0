using System.Runtime.CompilerServices;
using System.Text.Json;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Profile;
using Symbolon.Core.Relationships;
using Symbolon.Core.Vaults;

namespace Symbolon.Server.VendorApi;

/// <summary>
/// The decrypted profile of an unlocked vault, as vendor reads see it, so that a read does not query and decrypt
/// every profile record again. Reading and decrypting the records was most of what an authorized read cost once
/// the token check was cached.
/// </summary>
/// <remarks>
/// The snapshot is state of the vault's <see cref="VaultSession"/>: locking the vault drops it with the keys, so
/// decrypted values stay in memory only while the keys do. It is used only while nothing in the vault was written
/// since it was read: <see cref="VendorCacheInvalidation"/> advances the session's generation before and after each
/// such write.
/// </remarks>
internal sealed class VendorProfileCache(IVaultSessions sessions)
{
    private sealed record Snapshot(long Generation, ProfileDocument Profile)
    {
        /// <summary>
        /// What each grant discloses of this snapshot, keyed by the grant's parsed datatypes as the token check
        /// remembered them: a changed grant is a new list (its cache entry is invalidated with the write), and a changed
        /// profile is a new snapshot, so an entry can only ever describe the data it was computed from.
        /// </summary>
        public ConditionalWeakTable<IReadOnlyList<GrantedDatatype>, DisclosedProfile> Disclosures { get; } = [];
    }

    /// <summary>The session's slot for its snapshot.</summary>
    private sealed class Slot
    {
        public Snapshot? Current;
    }

    /// <summary>A record of the vault is being (or was) written: the snapshot is stale.</summary>
    public void Invalidate(Guid vaultId)
    {
        // Note: the generation alone makes a snapshot unusable; forgetting it as well frees the decrypted values now.
        // A session locked meanwhile has dropped its slot already.
        if (sessions.Find(vaultId) is { IsUnlocked: true } session && session.HasState<Slot>())
        {
            session.AdvanceGeneration();
            try
            {
                SlotOf(session).Current = null;
            }
            catch (VaultLockedException)
            {
            }
        }
        else
        {
            sessions.Find(vaultId)?.AdvanceGeneration();
        }
    }

    /// <summary>
    /// The vault's profile; <see cref="ProfileService"/> is resolved from <paramref name="services"/> only when the
    /// records must be read, because constructing it (and its database context) was a noticeable part of a cached read.
    /// </summary>
    public static async Task<ProfileDocument> GetAsync(IServiceProvider services, VaultSession session, CancellationToken ct) =>
        (await SnapshotAsync(services, session, ct)).Profile;

    /// <summary>
    /// The response body of <c>GET /api/v1/profile</c> for this relationship and grant, with its ETag. Serializing the
    /// narrowed fields and computing their pairwise ids and the keyed ETag on every read cost about as much as the rest
    /// of a cached read; the result only changes when the profile, the grant or (for "over 18") the UTC day does.
    /// </summary>
    public static async Task<DisclosedProfile> DiscloseAsync(IServiceProvider services, RelationshipEntity relationship, IReadOnlyList<GrantedDatatype> granted, VaultSession session, DateTimeOffset now, CancellationToken ct)
    {
        var snapshot = await SnapshotAsync(services, session, ct);
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

    private static Slot SlotOf(VaultSession session) => session.State(_ => new Slot());

    private static async Task<Snapshot> SnapshotAsync(IServiceProvider services, VaultSession session, CancellationToken ct)
    {
        var slot = SlotOf(session);
        var generation = session.Generation;
        if (slot.Current is { } snapshot && snapshot.Generation == generation)
        {
            return snapshot;
        }

        var profile = await services.GetRequiredService<ProfileService>().GetAsync(session.Keys, ct);
        var stored = new Snapshot(generation, profile);

        // A write that came after the generation was read makes the snapshot unusable (the generations differ), so
        // it is kept only if none did; a lock drops the slot with the session.
        if (session.Generation == generation)
        {
            slot.Current = stored;
        }

        return stored;
    }
}

/// <summary>A profile response as one grant sees it: the body's bytes and its keyed ETag, for the UTC day it was computed on.</summary>
internal sealed record DisclosedProfile(Guid RelationshipId, DateOnly Day, byte[] Body, string ETag);
