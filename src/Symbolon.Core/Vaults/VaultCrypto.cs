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

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var sealedBytes = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
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
        if (sealedBytes.Length < Overhead)
        {
            throw new AuthenticationTagMismatchException("The sealed value is too short.");
        }

        var plaintextLength = sealedBytes.Length - Overhead;
        var plaintext = new byte[plaintextLength];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(
            sealedBytes[..NonceSize],
            sealedBytes.Slice(NonceSize, plaintextLength),
            sealedBytes.Slice(NonceSize + plaintextLength, TagSize),
            plaintext,
            associatedData);
        return plaintext;
    }

    /// <summary>Associated data for a record version: vault, record id, record type and version.</summary>
    public static byte[] RecordAad(Guid vaultId, Guid recordId, string type, int version) =>
        Encoding.UTF8.GetBytes($"symbolon.record.v1|{vaultId:N}|{recordId:N}|{type}|{version}");

    /// <summary>Associated data for a key stored in the vault row (wrapped data key, private keys).</summary>
    public static byte[] KeyAad(Guid vaultId, string purpose) =>
        Encoding.UTF8.GetBytes($"symbolon.vault.v1|{vaultId:N}|{purpose}");
}
