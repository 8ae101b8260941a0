using System.Security.Cryptography;
using NSec.Cryptography;

namespace Symbolon.Core.Inbox;

/// <summary>
/// Seals a vendor write to the vault's X25519 public key so that the server, which holds no private key while the vault
/// is locked, cannot open it again: an ephemeral X25519 key agrees a secret with the vault's key, HKDF-SHA-256 derives a
/// one-time ChaCha20-Poly1305 key from it (salted with both public keys), and the item's envelope is the associated data,
/// so bytes moved to another item or vendor do not open. The layout is the ephemeral public key (32 bytes), then the
/// ciphertext and its tag. Every primitive is libsodium's, through NSec.
/// </summary>
internal static class InboxSeal
{
    private const int PublicKeySize = 32;
    private static readonly KeyAgreementAlgorithm Agreement = KeyAgreementAlgorithm.X25519;
    private static readonly KeyDerivationAlgorithm Derivation = KeyDerivationAlgorithm.HkdfSha256;
    private static readonly AeadAlgorithm Cipher = AeadAlgorithm.ChaCha20Poly1305;
    private static readonly byte[] Info = "symbolon/inbox/v1"u8.ToArray();

    public static int Overhead => PublicKeySize + Cipher.TagSize;

    public static byte[] Seal(ReadOnlySpan<byte> vaultPublicKey, ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> plaintext)
    {
        var recipient = PublicKey.Import(Agreement, vaultPublicKey, KeyBlobFormat.RawPublicKey);
        using var ephemeral = Key.Create(Agreement);
        var output = new byte[PublicKeySize + plaintext.Length + Cipher.TagSize];
        ephemeral.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, output.AsSpan(0, PublicKeySize), out _);
        using var key = DeriveKey(ephemeral, recipient, output.AsSpan(0, PublicKeySize), vaultPublicKey)
            ?? throw new CryptographicException("The vault's public key is not a usable X25519 key.");
        Cipher.Encrypt(key, stackalloc byte[Cipher.NonceSize], envelope, plaintext, output.AsSpan(PublicKeySize));
        return output;
    }

    /// <summary>The plaintext, or null when the bytes do not open with this key and envelope (tampered with, or not sealed to it).</summary>
    public static byte[]? Open(Key vaultPrivateKey, ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < Overhead)
        {
            return null;
        }

        PublicKey sender;
        try
        {
            sender = PublicKey.Import(Agreement, sealedBytes[..PublicKeySize], KeyBlobFormat.RawPublicKey);
        }
        catch (FormatException)
        {
            return null;
        }

        var own = vaultPrivateKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        using var key = DeriveKey(vaultPrivateKey, sender, sealedBytes[..PublicKeySize], own);
        if (key is null)
        {
            return null;
        }

        var plaintext = new byte[sealedBytes.Length - Overhead];
        if (!Cipher.Decrypt(key, stackalloc byte[Cipher.NonceSize], envelope, sealedBytes[PublicKeySize..], plaintext))
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return null;
        }

        return plaintext;
    }

    // Null when the agreement fails (a low-order public key): such bytes never open.
    private static Key? DeriveKey(Key own, PublicKey other, ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> recipientPublic)
    {
        using var shared = Agreement.Agree(own, other);
        if (shared is null)
        {
            return null;
        }

        Span<byte> salt = stackalloc byte[PublicKeySize * 2];
        ephemeralPublic.CopyTo(salt);
        recipientPublic.CopyTo(salt[PublicKeySize..]);
        return Derivation.DeriveKey(shared, salt, Info, Cipher);
    }
}
