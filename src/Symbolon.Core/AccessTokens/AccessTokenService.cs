using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;
using Symbolon.Core.Validation;

namespace Symbolon.Core.AccessTokens;

/// <summary>An owner access token as listed to the person; <see cref="Secret"/> is set only when it is created.</summary>
internal sealed record IssuedAccessToken(Guid Id, string Name, string? Secret, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt);

/// <summary>
/// Personal access tokens for the owner API (<c>Authorization: Bearer sym_pat_…</c>). A token authenticates the
/// owner; it does not hold any key, so the vault must still be unlocked for data to be read.
/// Only the SHA-256 of a token is stored, so a copy of the database does not yield working tokens.
/// </summary>
internal sealed class AccessTokenService(SymbolonDbContext db, TimeProvider time)
{
    public const string Prefix = "sym_pat_";
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(30);
    public static readonly TimeSpan MaximumLifetime = TimeSpan.FromDays(365);

    public async Task<IssuedAccessToken> CreateAsync(Guid vaultId, string name, TimeSpan? lifetime = null, CancellationToken ct = default)
    {
        name = name?.Trim() ?? string.Empty;
        if (name.Length is 0 or > 100)
        {
            throw ValidationFailedException.For("name", "Give the token a name of 1 to 100 characters, for example \"backup script\".");
        }

        var life = lifetime ?? DefaultLifetime;
        if (life <= TimeSpan.Zero || life > MaximumLifetime)
        {
            throw ValidationFailedException.For("expiresInDays", "A token lives between 1 and 365 days.");
        }

        var now = time.GetUtcNow();
        var secret = Prefix + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var entity = new AccessTokenEntity
        {
            VaultId = vaultId,
            Id = UuidV7.Create(now),
            Name = name,
            SecretHash = Hash(secret),
            CreatedAt = now,
            ExpiresAt = now + life,
        };
        db.AccessTokens.Add(entity);
        await db.SaveChangesAsync(ct);
        return new IssuedAccessToken(entity.Id, entity.Name, secret, entity.CreatedAt, entity.ExpiresAt, null);
    }

    /// <summary>Finds the live token behind a bearer secret and records its use; null when unknown, expired or revoked.</summary>
    public async Task<(Guid VaultId, Guid TokenId)?> ValidateAsync(string secret, CancellationToken ct = default)
    {
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal) || secret.Length > 200)
        {
            return null;
        }

        var hash = Hash(secret);
        var token = await db.AccessTokens.SingleOrDefaultAsync(t => t.SecretHash == hash, ct);
        var now = time.GetUtcNow();
        if (token is null || token.RevokedAt is not null || (token.ExpiresAt is { } expires && expires <= now))
        {
            return null;
        }

        // Note: the last-used time is kept to the minute so that a busy script does not write on every call.
        if (token.LastUsedAt is null || now - token.LastUsedAt.Value > TimeSpan.FromMinutes(1))
        {
            token.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }

        return (token.VaultId, token.Id);
    }

    public async Task<IReadOnlyList<IssuedAccessToken>> ListAsync(Guid vaultId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var tokens = await db.AccessTokens.AsNoTracking()
            .Where(t => t.VaultId == vaultId && t.RevokedAt == null)
            .OrderBy(t => t.Id)
            .ToListAsync(ct);
        return [.. tokens
            .Where(t => t.ExpiresAt is null || t.ExpiresAt > now)
            .Select(t => new IssuedAccessToken(t.Id, t.Name, null, t.CreatedAt, t.ExpiresAt, t.LastUsedAt))];
    }

    public async Task<bool> RevokeAsync(Guid vaultId, Guid id, CancellationToken ct = default)
    {
        var token = await db.AccessTokens.SingleOrDefaultAsync(t => t.VaultId == vaultId && t.Id == id, ct);
        if (token is null || token.RevokedAt is not null)
        {
            return false;
        }

        token.RevokedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Revokes every live token of the vault at once (a passphrase change that asks to); returns how many.</summary>
    public async Task<int> RevokeAllAsync(Guid vaultId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var live = await db.AccessTokens.Where(t => t.VaultId == vaultId && t.RevokedAt == null).ToListAsync(ct);
        foreach (var token in live)
        {
            token.RevokedAt = now;
        }

        await db.SaveChangesAsync(ct);
        return live.Count;
    }

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

}
