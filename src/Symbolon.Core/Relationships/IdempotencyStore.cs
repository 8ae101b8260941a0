using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Relationships;

/// <summary>A response kept for an Idempotency-Key: what a retry gets back.</summary>
internal sealed record StoredResponse(int StatusCode, string? Location, byte[] Body);

/// <summary>
/// Vendor writes already done, per relationship and Idempotency-Key, for 24 hours. The response is sealed with
/// the vault's data key (it can hold the value the vendor wrote), bound to the relationship and the key so a
/// sealed response cannot be replayed under another key.
/// </summary>
internal sealed class IdempotencyStore(SymbolonDbContext db, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    public const int MaxKeyLength = 255;

    /// <summary>SHA-256 over the method, the path and the request as the endpoint read it.</summary>
    public static byte[] Hash(string method, string path, object request)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, request.GetType());
        var head = Encoding.UTF8.GetBytes(method + "\n" + path + "\n");
        return SHA256.HashData([.. head, .. body]);
    }

    /// <summary>A key is 1 to 255 visible ASCII characters, as the IETF Idempotency-Key draft suggests.</summary>
    public static bool IsWellFormed(string key) => key.Length is > 0 and <= MaxKeyLength && key.All(c => c is > ' ' and <= '~');

    /// <summary>The key's entry (tracked), or null when there is none or it is older than 24 hours.</summary>
    public async Task<IdempotencyEntity?> FindAsync(Guid vaultId, Guid relationshipId, string key, CancellationToken ct = default)
    {
        var entry = await db.IdempotencyKeys.SingleOrDefaultAsync(k => k.VaultId == vaultId && k.RelationshipId == relationshipId && k.Key == key, ct);
        return entry is null || entry.CreatedAt + Lifetime <= time.GetUtcNow() ? null : entry;
    }

    /// <summary>
    /// Claims the key for a write about to happen, in the caller's transaction, and returns null when a live entry
    /// already holds it (then replay that one). A concurrent request with the same key either sees the committed
    /// claim or fails on the primary key and tries again. An expired entry is taken over.
    /// </summary>
    public async Task<IdempotencyEntity?> ClaimAsync(Guid vaultId, Guid relationshipId, string key, byte[] requestHash, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var entry = await db.IdempotencyKeys.SingleOrDefaultAsync(k => k.VaultId == vaultId && k.RelationshipId == relationshipId && k.Key == key, ct);
        if (entry is not null && entry.CreatedAt + Lifetime > now)
        {
            return null;
        }

        if (entry is null)
        {
            entry = new IdempotencyEntity { VaultId = vaultId, RelationshipId = relationshipId, Key = key, RequestHash = requestHash };
            db.IdempotencyKeys.Add(entry);
        }

        entry.RequestHash = requestHash;
        entry.StatusCode = 0;
        entry.ResponseSealed = null;
        entry.CreatedAt = now;
        await db.SaveChangesAsync(ct);
        return entry;
    }

    /// <summary>Stores the response on the claimed entry; saved with the caller's next SaveChanges.</summary>
    public static void Complete(VaultKeys keys, IdempotencyEntity entry, StoredResponse response)
    {
        entry.StatusCode = response.StatusCode;
        entry.ResponseSealed = keys.SealRecord(entry.RelationshipId, SealType(entry.Key), 1, JsonSerializer.SerializeToUtf8Bytes(new Envelope(response.Location, response.Body)));
    }

    public static StoredResponse Open(VaultKeys keys, IdempotencyEntity entry)
    {
        var envelope = JsonSerializer.Deserialize<Envelope>(keys.OpenRecord(entry.RelationshipId, SealType(entry.Key), 1, entry.ResponseSealed!))!;
        return new StoredResponse(entry.StatusCode, envelope.Location, envelope.Body);
    }

    private static string SealType(string key) => "symbolon.idempotency.v1|" + key;

    private sealed record Envelope([property: JsonPropertyName("location")] string? Location, [property: JsonPropertyName("body")] byte[] Body);
}
