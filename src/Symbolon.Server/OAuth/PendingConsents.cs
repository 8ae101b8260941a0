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
/// Authorization requests between the authorization endpoint and the consent form, in memory for ten minutes.
/// The id is random and the page checks it belongs to the signed-in owner's vault; a restart only means the
/// vendor starts the request again.
/// </summary>
internal sealed class PendingConsents(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, PendingConsent> _pending = new(StringComparer.Ordinal);

    public PendingConsent Add(Func<string, DateTimeOffset, PendingConsent> create)
    {
        Sweep();
        var consent = create(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(18)), time.GetUtcNow() + Lifetime);
        _pending[consent.Id] = consent;
        return consent;
    }

    public PendingConsent? Find(string? id, Guid vaultId) =>
        id is not null && _pending.TryGetValue(id, out var consent) && consent.VaultId == vaultId && consent.ExpiresAt > time.GetUtcNow() ? consent : null;

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
