using System.Security.Cryptography;
using Symbolon.Core.Vaults;

namespace Symbolon.Bench.Crypto;

/// <summary>
/// What <see cref="VaultKeys.SealRecord"/> and <see cref="VaultKeys.OpenRecord"/> would cost if the unlocked vault kept
/// one <see cref="AesGcm"/> per thread instead of creating one per call. Everything else is as in Core: the same
/// layout, a random nonce per seal, the same associated data and a new array per result. Bench only; Core is unchanged.
/// </summary>
internal sealed class ReusedAesGcmRecordCrypto : IDisposable
{
    private readonly VaultKeys _keys;
    private readonly ThreadLocal<AesGcm> _aes;

    public ReusedAesGcmRecordCrypto(VaultKeys keys)
    {
        _keys = keys;
        // AesGcm is not thread-safe, hence one per thread; each holds its own copy of the expanded key.
        _aes = new ThreadLocal<AesGcm>(() => new AesGcm(_keys.DataKey, VaultCrypto.TagSize), trackAllValues: true);
    }

    public byte[] SealRecord(Guid recordId, string type, int version, ReadOnlySpan<byte> plaintext)
    {
        var associatedData = VaultCrypto.RecordAad(_keys.VaultId, recordId, type, version);
        var sealedBytes = new byte[VaultCrypto.NonceSize + plaintext.Length + VaultCrypto.TagSize];
        var nonce = sealedBytes.AsSpan(0, VaultCrypto.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        _aes.Value!.Encrypt(
            nonce,
            plaintext,
            sealedBytes.AsSpan(VaultCrypto.NonceSize, plaintext.Length),
            sealedBytes.AsSpan(VaultCrypto.NonceSize + plaintext.Length, VaultCrypto.TagSize),
            associatedData);
        return sealedBytes;
    }

    public byte[] OpenRecord(Guid recordId, string type, int version, ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < VaultCrypto.Overhead)
        {
            throw new AuthenticationTagMismatchException("The sealed value is too short.");
        }

        var associatedData = VaultCrypto.RecordAad(_keys.VaultId, recordId, type, version);
        var plaintextLength = sealedBytes.Length - VaultCrypto.Overhead;
        var plaintext = new byte[plaintextLength];
        _aes.Value!.Decrypt(
            sealedBytes[..VaultCrypto.NonceSize],
            sealedBytes.Slice(VaultCrypto.NonceSize, plaintextLength),
            sealedBytes.Slice(VaultCrypto.NonceSize + plaintextLength, VaultCrypto.TagSize),
            plaintext,
            associatedData);
        return plaintext;
    }

    public void Dispose()
    {
        foreach (var aes in _aes.Values)
        {
            aes.Dispose();
        }

        _aes.Dispose();
    }
}
