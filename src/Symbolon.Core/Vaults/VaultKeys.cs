using System.Security.Cryptography;
using NSec.Cryptography;

namespace Symbolon.Core.Vaults;

/// <summary>
/// The key material of an unlocked vault. It lives only in memory, in a pinned buffer that is zeroed on
/// dispose (locking the vault); the Ed25519 and X25519 private keys stay inside libsodium's protected memory.
/// </summary>
internal sealed class VaultKeys : IDisposable
{
    private readonly byte[] _dataKey;

    // AesGcm is not thread-safe and costly to create (key schedule, OpenSSL context), so each thread that seals or
    // opens records for this vault keeps its own for as long as the vault stays unlocked.
    private readonly ThreadLocal<AesGcm> _aes;
    private volatile bool _disposed;

    public VaultKeys(Guid vaultId, ReadOnlySpan<byte> dataKey, Key signingKey, Key agreementKey)
    {
        VaultId = vaultId;
        _dataKey = GC.AllocateArray<byte>(VaultCrypto.KeySize, pinned: true);
        dataKey.CopyTo(_dataKey);
        _aes = new ThreadLocal<AesGcm>(() => new AesGcm(_dataKey, VaultCrypto.TagSize), trackAllValues: true);
        SigningKey = signingKey;
        AgreementKey = agreementKey;
    }

    public Guid VaultId { get; }

    /// <summary>Ed25519 key that signs agreements and receipts.</summary>
    public Key SigningKey { get; }

    /// <summary>X25519 key that opens writes sealed to the vault's public key.</summary>
    public Key AgreementKey { get; }

    public ReadOnlySpan<byte> DataKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _dataKey;
        }
    }

    public byte[] SealRecord(Guid recordId, string type, int version, ReadOnlySpan<byte> plaintext) =>
        VaultCrypto.Seal(Cipher, plaintext, VaultCrypto.RecordAad(VaultId, recordId, type, version));

    public byte[] OpenRecord(Guid recordId, string type, int version, ReadOnlySpan<byte> sealedBytes) =>
        VaultCrypto.Open(Cipher, sealedBytes, VaultCrypto.RecordAad(VaultId, recordId, type, version));

    /// <summary>Seals with the data key under associated data the caller builds (see <see cref="VaultCrypto"/>'s *Aad methods).</summary>
    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData) => VaultCrypto.Seal(Cipher, plaintext, associatedData);

    public byte[] Open(ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> associatedData) => VaultCrypto.Open(Cipher, sealedBytes, associatedData);

    private AesGcm Cipher
    {
        get
        {
            // A vault locked while a request is still running makes that request fail as "locked".
            if (_disposed)
            {
                throw new VaultLockedException();
            }

            return _aes.Value!;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var aes in _aes.Values)
        {
            aes.Dispose();
        }

        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_dataKey);
        SigningKey.Dispose();
        AgreementKey.Dispose();
    }
}
