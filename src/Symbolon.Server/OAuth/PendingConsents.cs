using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.OAuth;

/// <summary>An authorization request waiting for the person's decision on the consent page.</summary>
internal sealed record PendingConsent(
    string Id,
    Guid VaultId,
    Guid RelationshipId,
    string ClientId,
    string RequestUri,
    string VendorName,
    string? ClientUri,
    string? PolicyUri,
    string AgreementId,
    string RequestedDetails,
    IReadOnlyList<AuthorizationDetail> Details,
    DateTimeOffset ExpiresAt);

/// <summary>
/// One vault's authorization requests between the authorization endpoint and the consent form, in memory for ten
/// minutes. They are state of the vault's session (<see cref="Of"/>): the consent page needs the vault unlocked, and
/// locking it (or a restart) forgets them, which only means the vendor starts the request again. The id is random.
/// </summary>
internal sealed class PendingConsents(TimeProvider time)
{
    /// <summary>The pending consents of the vault of <paramref name="session"/>.</summary>
    public static PendingConsents Of(Core.Vaults.VaultSession session, TimeProvider time) => session.State(_ => new PendingConsents(time));

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, PendingConsent> _pending = new(StringComparer.Ordinal);

    public PendingConsent Add(Func<string, DateTimeOffset, PendingConsent> create)
    {
        Sweep();
        var consent = create(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(18)), time.GetUtcNow() + Lifetime);
        _pending[consent.Id] = consent;
        return consent;
    }

    public PendingConsent? Find(string? id) =>
        id is not null && _pending.TryGetValue(id, out var consent) && consent.ExpiresAt > time.GetUtcNow() ? consent : null;

    public void Remove(string id) => _pending.TryRemove(id, out _);

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (id, consent) in _pending)
        {
            if (consent.ExpiresAt <= now)
            {
                _pending.TryRemove(id, out _);
            }
        }
    }
}
