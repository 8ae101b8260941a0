using System.Collections.Concurrent;
using Symbolon.Core.Records;

namespace Symbolon.Core.Vaults;

/// <summary>
/// The browsers signed in to an unlocked vault: session state (<see cref="VaultSession.State{T}"/>), so every one of
/// them ends with the session. A cookie names its sign-in, and is honoured only while that sign-in is here: locking
/// (a new session after the next unlock has none of the old ones), a passphrase change or a recovery (which end the
/// others), or the person ending one in Settings all sign the browser out on its very next request, however long
/// its cookie would otherwise live.
/// </summary>
internal sealed class OwnerSignIns
{
    /// <summary>How often a sign-in's last use is noted (every request would only contend on the entry).</summary>
    public static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Guid, OwnerSignInEntry> _active = new();

    /// <summary>The sign-ins of <paramref name="session"/>, created with it on first use.</summary>
    public static OwnerSignIns Of(VaultSession session) => session.State(_ => new OwnerSignIns());

    /// <summary>Whether <paramref name="id"/> is signed in to <paramref name="session"/>; false once it locks, also while it is locking.</summary>
    public static bool IsActive(VaultSession session, Guid id, DateTimeOffset? use = null)
    {
        try
        {
            if (!session.HasState<OwnerSignIns>())
            {
                return false;
            }

            var signIns = Of(session);
            return use is { } now ? signIns.Use(id, now) : signIns.IsActive(id);
        }
        catch (VaultLockedException)
        {
            return false;
        }
    }

    /// <summary>Starts a sign-in for a browser described by <paramref name="client"/> ("Firefox on Linux").</summary>
    public OwnerSignInEntry Start(string client, DateTimeOffset now)
    {
        var entry = new OwnerSignInEntry(UuidV7.Create(now), client, now) { LastUsedAt = now };
        _active[entry.Id] = entry;
        return entry;
    }

    /// <summary>Whether <paramref name="id"/> is signed in; notes its use (at most once a <see cref="LastUseResolution"/>).</summary>
    public bool Use(Guid id, DateTimeOffset now)
    {
        if (!_active.TryGetValue(id, out var entry))
        {
            return false;
        }

        if (now - entry.LastUsedAt >= LastUseResolution)
        {
            entry.LastUsedAt = now;
        }

        return true;
    }

    public bool IsActive(Guid id) => _active.ContainsKey(id);

    /// <summary>Whether any browser is signed in.</summary>
    public bool Any => !_active.IsEmpty;

    /// <summary>Ends one sign-in; false when there is no such (it ended already, or was never this vault's).</summary>
    public bool End(Guid id) => _active.TryRemove(id, out _);

    /// <summary>Ends every sign-in but <paramref name="keep"/> (none when null); returns how many ended.</summary>
    public int EndAllExcept(Guid? keep)
    {
        var ended = 0;
        foreach (var id in _active.Keys)
        {
            if (id != keep && _active.TryRemove(id, out _))
            {
                ended++;
            }
        }

        return ended;
    }

    /// <summary>The active sign-ins, most recently used first.</summary>
    public IReadOnlyList<OwnerSignInEntry> List() =>
        [.. _active.Values.OrderByDescending(e => e.LastUsedAt).ThenByDescending(e => e.Id)];
}

/// <summary>One browser signed in: its id (in the cookie), what it is, when it signed in and was last used.</summary>
internal sealed class OwnerSignInEntry(Guid id, string client, DateTimeOffset signedInAt)
{
    public Guid Id { get; } = id;

    public string Client { get; } = client;

    public DateTimeOffset SignedInAt { get; } = signedInAt;

    public DateTimeOffset LastUsedAt
    {
        get => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _lastUsedTicks, value.UtcTicks);
    }

    private long _lastUsedTicks;
}
