using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;

namespace Symbolon.Core.Card;

/// <summary>A pairing code just issued: the only moment its plaintext exists on the server.</summary>
/// <param name="Code">The code, 12 characters of Crockford base32.</param>
/// <param name="Display">The code grouped for reading and typing (<c>7KQ2-M9XD-4TPB</c>).</param>
/// <param name="Payload">The URI the QR code carries.</param>
/// <param name="ExpiresAt">When the code stops working.</param>
internal sealed record IssuedCardCode(string Code, string Display, string Payload, DateTimeOffset ExpiresAt);

/// <summary>Why a card code could not be redeemed. The code itself is never part of a message.</summary>
internal enum CardCodeFailure
{
    Unknown,
    Expired,
    AlreadyUsed,
}

/// <summary>A card code that cannot be redeemed, with the reason.</summary>
internal sealed class CardCodeRejectedException(CardCodeFailure failure) : Exception(Describe(failure))
{
    public CardCodeFailure Failure { get; } = failure;

    public static string Describe(CardCodeFailure failure) => failure switch
    {
        CardCodeFailure.Expired => "The card code has expired; ask the person to show their card again.",
        CardCodeFailure.AlreadyUsed => "The card code was already used; each code pairs once. Ask the person to show their card again.",
        _ => "The card code is not one this vault issued; scan or type it again.",
    };
}

/// <summary>
/// The person's card: short-lived, single-use pairing codes. A code is 60 random bits written as 12 characters of
/// Crockford base32 (no I, L, O or U, so nothing is misread), stored only as its SHA-256 and redeemed with one
/// conditional UPDATE, so two vendors racing with the same code cannot both succeed, on SQLite or PostgreSQL.
/// </summary>
internal sealed class CardCodes(SymbolonDbContext db, TimeProvider time)
{
    /// <summary>The URI scheme of the QR payload: <c>symbolon:card?v=&lt;vault address&gt;&amp;c=&lt;code&gt;</c>.</summary>
    public const string PayloadPrefix = "symbolon:card?";

    public const int CodeLength = 12;

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>Old codes are kept a day after they expire (the person can see what paired), then removed.</summary>
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    public async Task<IssuedCardCode> IssueAsync(Guid vaultId, string vaultAddress, TimeSpan lifetime, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var code = NewCode();
        db.CardCodes.Add(new CardCodeEntity
        {
            VaultId = vaultId,
            Id = UuidV7.Create(now),
            CodeHash = Hash(code),
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        });
        await db.SaveChangesAsync(ct);

        // Every view issues a code, so the table is trimmed as it grows.
        var cutoff = now - Retention;
        await db.CardCodes.Where(c => c.VaultId == vaultId && c.ExpiresAt < cutoff).ExecuteDeleteAsync(ct);
        return new IssuedCardCode(code, Display(code), Payload(vaultAddress, code), now + lifetime);
    }

    /// <summary>
    /// Marks the code used by <paramref name="clientId"/> and returns it, or throws with the reason. The update's
    /// condition (unused, unexpired) is what makes a code single-use: of two concurrent redeems exactly one row
    /// count is 1.
    /// </summary>
    public async Task<CardCodeEntity> RedeemAsync(Guid vaultId, string? presented, string clientId, CancellationToken ct = default)
    {
        var normalized = Normalize(presented);
        if (normalized is null)
        {
            throw new CardCodeRejectedException(CardCodeFailure.Unknown);
        }

        var hash = Hash(normalized);
        var now = time.GetUtcNow();
        var updated = await db.CardCodes
            .Where(c => c.VaultId == vaultId && c.CodeHash == hash && c.RedeemedAt == null && c.ExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.RedeemedAt, now).SetProperty(c => c.RedeemedBy, clientId), ct);
        var row = await db.CardCodes.AsNoTracking().SingleOrDefaultAsync(c => c.VaultId == vaultId && c.CodeHash == hash, ct);
        if (updated == 1 && row is not null)
        {
            return row;
        }

        throw new CardCodeRejectedException(row switch
        {
            null => CardCodeFailure.Unknown,
            { RedeemedAt: not null } => CardCodeFailure.AlreadyUsed,
            _ => CardCodeFailure.Expired,
        });
    }

    /// <summary>Upper case without separators, with the look-alikes Crockford allows read as digits; null when it cannot be a code.</summary>
    public static string? Normalize(string? presented)
    {
        if (presented is null || presented.Length > 64)
        {
            return null;
        }

        var builder = new StringBuilder(CodeLength);
        foreach (var c in presented)
        {
            if (c is '-' or ' ')
            {
                continue;
            }

            var upper = char.ToUpperInvariant(c) switch
            {
                'O' => '0',
                'I' or 'L' => '1',
                var other => other,
            };
            if (!Alphabet.Contains(upper, StringComparison.Ordinal))
            {
                return null;
            }

            builder.Append(upper);
        }

        return builder.Length == CodeLength ? builder.ToString() : null;
    }

    public static string Display(string code) => $"{code[..4]}-{code[4..8]}-{code[8..]}";

    public static string Payload(string vaultAddress, string code) =>
        $"{PayloadPrefix}v={Uri.EscapeDataString(vaultAddress)}&c={code}";

    private static string NewCode()
    {
        // RandomNumberGenerator.GetString draws each character uniformly (no modulo bias).
        return RandomNumberGenerator.GetString(Alphabet, CodeLength);
    }

    private static byte[] Hash(string normalized) => SHA256.HashData(Encoding.ASCII.GetBytes(normalized));
}
