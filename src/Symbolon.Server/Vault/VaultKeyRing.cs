using System.Collections.Concurrent;
using Symbolon.Core.Vaults;

namespace Symbolon.Server.Vault;

/// <summary>
/// The keys of unlocked vaults, in this process's memory only. Locking removes and zeroes them, so every
/// session and token of that vault loses access to its data at once.
/// </summary>
internal sealed class VaultKeyRing : IDisposable
{
    private readonly ConcurrentDictionary<Guid, VaultKeys> _keys = new();

    public event Action<Guid>? Locked;

    /// <summary>Raised after a vault's keys are put in the ring (work that should start on unlock, such as building projections).</summary>
    public event Action<VaultKeys>? Unlocked;

    public bool IsUnlocked(Guid vaultId) => _keys.ContainsKey(vaultId);

    public VaultKeys? Find(Guid vaultId) => _keys.TryGetValue(vaultId, out var keys) ? keys : null;

    public VaultKeys Get(Guid vaultId) => Find(vaultId) ?? throw new VaultLockedException();

    /// <summary>Keeps the keys of a freshly unlocked vault; keys already held for it are disposed.</summary>
    public void Put(VaultKeys keys)
    {
        VaultKeys? previous = null;
        _keys.AddOrUpdate(keys.VaultId, keys, (_, old) =>
        {
            previous = old;
            return keys;
        });

        // Note: readers may still hold the previous instance for a moment; both hold the same data key,
        // but only one can stay alive, so the old one is zeroed after the swap.
        if (previous is not null && !ReferenceEquals(previous, keys))
        {
            previous.Dispose();
        }

        Unlocked?.Invoke(keys);
    }

    public bool Lock(Guid vaultId)
    {
        if (!_keys.TryRemove(vaultId, out var keys))
        {
            return false;
        }

        keys.Dispose();
        Locked?.Invoke(vaultId);
        return true;
    }

    public void Dispose()
    {
        foreach (var id in _keys.Keys)
        {
            Lock(id);
        }
    }
}
