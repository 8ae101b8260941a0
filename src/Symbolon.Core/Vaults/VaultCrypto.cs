using System.Security.Cryptography;
using System.Text;

namespace Symbolon.Core.Vaults;

/// <summary>
/// The vault's envelope: AES-256-GCM with a random 96-bit nonce and a 128-bit tag, laid out as
/// <c>nonce ‖ ciphertext ‖ tag</c>. Associated data binds every ciphertext to where it belongs
/// (vault, record, type, version), so a blob copied to another row fails to open.
/// </summary>
internal static class VaultCrypto
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int Overhead = NonceSize + TagSize;

    // Note: asking the system RNG for 12 bytes costs more than the AES-GCM itself, so each thread draws its
    // nonces from a pool of random bytes fetched 4 KiB at a time. A nonce's bytes are wiped from the pool as
    // they are handed out, so no two seals can get the same nonce.
    private const int RandomPoolSize = 4096;

    [ThreadStatic]
    private static byte[]? _randomPool;

    [ThreadStatic]
    private static int _randomOffset;

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        using var aes = new AesGcm(key, TagSize);
        return Seal(aes, plaintext, associatedData);
    }

    /// <summary>Seals with an AES-GCM instance that the caller keeps for its key (one per thread: it is not thread-safe).</summary>
    public static byte[] Seal(AesGcm aes, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var sealedBytes = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        FillNonce(nonce);
        aes.Encrypt(
            nonce,
            plaintext,
            sealedBytes.AsSpan(NonceSize, plaintext.Length),
            sealedBytes.AsSpan(NonceSize + plaintext.Length, TagSize),
            associatedData);
        return sealedBytes;
    }

    /// <summary>Opens a sealed blob; throws <see cref="AuthenticationTagMismatchException"/> when anything was altered.</summary>
    public static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> associatedData)
    {
        using var aes = new AesGcm(key, TagSize);
        return Open(aes, sealedBytes, associatedData);
    }

    /// <summary>Opens with an AES-GCM instance that the caller keeps for its key.</summary>
    public static byte[] Open(AesGcm aes, ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> associatedData)
    {
        if (sealedBytes.Length < Overhead)
        {
            throw new AuthenticationTagMismatchException("The sealed value is too short.");
        }

        var plaintextLength = sealedBytes.Length - Overhead;
        var plaintext = new byte[plaintextLength];
        aes.Decrypt(
            sealedBytes[..NonceSize],
            sealedBytes.Slice(NonceSize, plaintextLength),
            sealedBytes.Slice(NonceSize + plaintextLength, TagSize),
            plaintext,
            associatedData);
        return plaintext;
    }

    /// <summary>Fills a nonce with fresh random bytes from this thread's pool.</summary>
    internal static void FillNonce(Span<byte> nonce)
    {
        var pool = _randomPool ??= new byte[RandomPoolSize];
        if (_randomOffset == 0 || _randomOffset + nonce.Length > pool.Length)
        {
            RandomNumberGenerator.Fill(pool);
            _randomOffset = 0;
        }

        var slice = pool.AsSpan(_randomOffset, nonce.Length);
        slice.CopyTo(nonce);
        slice.Clear();
        _randomOffset += nonce.Length;
        if (_randomOffset + nonce.Length > pool.Length)
        {
            _randomOffset = 0;
        }
    }

    /// <summary>Associated data for a record version: vault, record id, record type and version.</summary>
    public static byte[] RecordAad(Guid vaultId, Guid recordId, string type, int version) =>
        Encoding.UTF8.GetBytes($"symbolon.record.v1|{vaultId:N}|{recordId:N}|{type}|{version}");

    /// <summary>
    /// Associated data for one chunk of imported transactions: vault, import batch, chunk number and how many
    /// transactions it holds, so a chunk cannot be moved to another batch or position, or swapped for a shorter one.
    /// </summary>
    public static byte[] TransactionChunkAad(Guid vaultId, Guid batchId, int chunk, int count) =>
        Encoding.UTF8.GetBytes($"symbolon.transactions.v1|{vaultId:N}|{batchId:N}|{chunk}|{count}");

    /// <summary>Associated data for an import batch's summary (file name, format, per-account counts).</summary>
    public static byte[] ImportSummaryAad(Guid vaultId, Guid batchId) =>
        Encoding.UTF8.GetBytes($"symbolon.import.v1|{vaultId:N}|{batchId:N}");

    /// <summary>Associated data for a key stored in the vault row (wrapped data key, private keys).</summary>
    public static byte[] KeyAad(Guid vaultId, string purpose) =>
        Encoding.UTF8.GetBytes($"symbolon.vault.v1|{vaultId:N}|{purpose}");
}
