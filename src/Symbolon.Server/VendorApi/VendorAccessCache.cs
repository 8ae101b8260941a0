using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;

namespace Symbolon.Server.VendorApi;

internal static class VendorAccessCacheSetup
{
    public static IServiceCollection AddVendorAccessCache(this IServiceCollection services)
    {
        services.AddSingleton<VendorAccessCache>();
        services.AddSingleton<VendorProfileCache>();
        services.AddSingleton<VendorCacheInvalidation>();
        services.ConfigureDbContext<SymbolonDbContext>((sp, options) => options.AddInterceptors(sp.GetRequiredService<VendorCacheInvalidation>()), ServiceLifetime.Singleton);
        return services;
    }
}

/// <summary>
/// Remembers, per access token, what the last full check of it found (the relationship and grant it is bound to,
/// and when it expires), so that a vendor's next call does not repeat OpenIddict's token lookup and validation
/// and the relationship and grant queries: together they were most of the cost of an authorized read.
/// </summary>
/// <remarks>
/// Revocation must still bite on the very next request, so the cache does not age out revocations; it is told of
/// them. <see cref="VendorCacheInvalidation"/> advances <see cref="Generation"/> before and after every write
/// that could end a token's validity (a grant or relationship changed, an OpenIddict token, authorization or
/// application changed or revoked in bulk), and an entry is only used while the generation it was filled under is
/// still current. An entry filled from data read before such a write is therefore never used after it.
/// Entries also live at most <see cref="MaxAge"/>, which bounds what another process sharing the same database
/// (not a supported deployment) could miss. The key is the SHA-256 of the token, so the token itself is not kept.
/// </remarks>
internal sealed class VendorAccessCache
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>What a full check found; used only while <paramref name="Generation"/> is current.</summary>
    public sealed record Entry(long Generation, DateTimeOffset CheckedAt, DateTimeOffset TokenExpiresAt, RelationshipEntity Relationship, GrantEntity Grant, IReadOnlyList<GrantedDatatype> Granted);

    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Forgets everything: called around every write that could revoke or change a token, grant or relationship.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    /// <summary>Runs a write that no interceptor sees (a set-based update), invalidating before and after it.</summary>
    public async ValueTask<T> InvalidateAroundAsync<T>(Func<ValueTask<T>> write)
    {
        Invalidate();
        try
        {
            return await write();
        }
        finally
        {
            Invalidate();
        }
    }

    public static string KeyOf(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public Entry? Find(string key, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.Generation != Generation || now >= entry.TokenExpiresAt || now - entry.CheckedAt >= MaxAge || now < entry.CheckedAt)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            return null;
        }

        return entry;
    }

    /// <summary>Stores what a check found, unless a write happened since <paramref name="entry"/>'s generation was read.</summary>
    public void Remember(string key, Entry entry)
    {
        if (entry.Generation != Generation)
        {
            return;
        }

        if (_entries.Count >= MaxEntries)
        {
            // Note: tokens live ten minutes and entries five seconds, so a full cache is mostly stale; starting
            // over is cheaper than tracking recency on every hit.
            _entries.Clear();
        }

        _entries[key] = entry;

        // A write may have advanced the generation between the check above and the store; the entry is then
        // never used (Find compares generations), but it should not linger either.
        if (entry.Generation != Generation)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }
    }
}
