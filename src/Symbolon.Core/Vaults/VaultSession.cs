using System.Collections.Concurrent;
using Symbolon.Core.Statements;

namespace Symbolon.Core.Vaults;

/// <summary>
/// The one runtime object of an unlocked vault: its keys, its decrypted transactions and the analytics database
/// over them, the import gate, a write generation, and whatever per-vault state a feature keeps
/// (<see cref="State{T}"/>: the vendor profile snapshot and its disclosures, pending consents …). Locking disposes
/// the session (<see cref="CloseAsync"/>), and with it everything it owns, in one place: the keys are zeroed, the
/// decrypted data dropped.
/// </summary>
/// <remarks>
/// Free of ASP.NET types and safe to use from many requests at once, so that an Orleans grain per vault can hold one
/// exactly as the in-process <see cref="VaultSessions"/> does. Handlers, pages and the CLI's local mode receive a
/// session; Core services that only seal and open take its <see cref="Keys"/>. Note: deliberately not
/// <see cref="IDisposable"/>: a request's container would dispose what it hands out, and only <see cref="IVaultSessions"/>
/// (or whoever opened a session for one command) may end it.
/// </remarks>
#pragma warning disable CA1001 // The locking token's source is cancelled on close and never disposed, so that late registrations still see it cancelled.
internal sealed class VaultSession
#pragma warning restore CA1001
{
    private readonly VaultKeys _keys;
    private readonly ConcurrentDictionary<Type, object> _state = new();
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _locking = new();
    private long _generation;
    private long _lastOwnerActivityTicks;
    private volatile bool _locked;

    public VaultSession(VaultKeys keys, DateTimeOffset unlockedAt, bool unattended = false)
    {
        _keys = keys;
        UnlockedAt = unlockedAt;
        Unattended = unattended;

        // Opened by the server with the host key, nobody was there: the owner has not been seen yet.
        _lastOwnerActivityTicks = unattended ? DateTimeOffset.UnixEpoch.UtcTicks : unlockedAt.UtcTicks;
        Transactions = new VaultTransactions(this);
        Locked = _locking.Token;
    }

    public Guid VaultId => _keys.VaultId;

    public DateTimeOffset UnlockedAt { get; }

    /// <summary>
    /// Opened by the server itself with the host key (unattended mode), not by the person: vendor calls served while
    /// no browser is signed in are counted for the person (the server's key-use tally), and its owner counts as never seen.
    /// </summary>
    public bool Unattended { get; }

    /// <summary>
    /// When the owner last did something with the vault (a page, the owner API, the CLI); vendors do not count. The
    /// vault locks itself after the person's chosen idle time from here (<see cref="AutoLock"/>).
    /// </summary>
    public DateTimeOffset LastOwnerActivity => new(Interlocked.Read(ref _lastOwnerActivityTicks), TimeSpan.Zero);

    /// <summary>Notes the owner's activity at <paramref name="now"/> (never moves it back).</summary>
    public void NoteOwnerActivity(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        for (var seen = Interlocked.Read(ref _lastOwnerActivityTicks); ticks > seen; seen = Interlocked.Read(ref _lastOwnerActivityTicks))
        {
            if (Interlocked.CompareExchange(ref _lastOwnerActivityTicks, ticks, seen) == seen)
            {
                return;
            }
        }
    }

    /// <summary>False once the vault is locked; a request still holding the session then fails as "locked".</summary>
    public bool IsUnlocked => !_locked;

    /// <summary>Cancelled when the vault locks: work tied to the session stops, and a page showing the vault can say it locked.</summary>
    public CancellationToken Locked { get; private set; }

    /// <summary>The vault's keys; <see cref="VaultLockedException"/> once the session has been locked.</summary>
    public VaultKeys Keys
    {
        get
        {
            ThrowIfLocked();
            return _keys;
        }
    }

    /// <summary>The decrypted transactions (projection), the analytics database over them and the import gate.</summary>
    public VaultTransactions Transactions { get; }

    /// <summary>
    /// Advanced before and after every write to the vault's records (see the server's cache invalidation), so that a
    /// cache entry computed at one generation is used only while nothing was written since.
    /// </summary>
    public long Generation => Interlocked.Read(ref _generation);

    public long AdvanceGeneration() => Interlocked.Increment(ref _generation);

    /// <summary>
    /// A feature's state for this vault, created on first use and disposed (if it is disposable) when the vault
    /// locks. One instance per type per session.
    /// </summary>
    public T State<T>(Func<VaultSession, T> create)
        where T : class
    {
        ThrowIfLocked();
        if (_state.TryGetValue(typeof(T), out var existing))
        {
            return (T)existing;
        }

        lock (_lock)
        {
            ThrowIfLocked();
            return (T)_state.GetOrAdd(typeof(T), _ => create(this));
        }
    }

    /// <summary>The feature state of a type if it was created (for tests and diagnostics).</summary>
    public bool HasState<T>() => _state.ContainsKey(typeof(T));

    /// <summary>How many feature states the session holds (a locked session holds none).</summary>
    public int StateCount => _state.Count;

    public void ThrowIfLocked()
    {
        if (_locked)
        {
            throw new VaultLockedException();
        }
    }

    /// <summary>Locks: drops every feature state, the transactions and the analytics database, and zeroes the keys.</summary>
    public async ValueTask CloseAsync()
    {
        List<object> states;
        lock (_lock)
        {
            if (_locked)
            {
                return;
            }

            _locked = true;
            states = [.. _state.Values];
            _state.Clear();
        }

        // Note: the token is cancelled but its source is not disposed, so that a late registration still sees it cancelled.
        await _locking.CancelAsync();
        foreach (var state in states)
        {
            switch (state)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }

        Transactions.Dispose();
        _keys.Dispose();
    }

    /// <summary>The same as <see cref="CloseAsync"/>, for a caller that cannot wait (feature states close synchronously).</summary>
    public void Close() => CloseAsync().AsTask().GetAwaiter().GetResult();
}
