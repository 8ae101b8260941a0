using System.Security.Cryptography;
using Symbolon.Core.Vaults;

namespace Symbolon.Bench.Crypto;

/// <summary>
/// The floor for record crypto: AES-256-GCM on the same payloads with one reused <see cref="AesGcm"/>, nonces
/// computed beforehand, no associated data and preallocated output, so that only the cipher itself is measured.
/// Given each record's associated data (computed beforehand too), it measures the cipher as a Core seal calls it.
/// </summary>
internal sealed class RawAesGcm : IDisposable
{
    private readonly AesGcm _aes;
    private readonly RecordSet _records;
    private readonly byte[] _nonces;
    private readonly byte[] _ciphertexts;
    private readonly byte[] _tags;
    private readonly byte[] _plaintexts;
    private readonly byte[][]? _associatedData;

    /// <param name="key">The data key.</param>
    /// <param name="records">The records to seal and open.</param>
    /// <param name="associatedData">Associated data per record, or null for none.</param>
    public RawAesGcm(ReadOnlySpan<byte> key, RecordSet records, byte[][]? associatedData = null)
    {
        _aes = new AesGcm(key, VaultCrypto.TagSize);
        _records = records;
        _nonces = RandomNumberGenerator.GetBytes(records.Count * VaultCrypto.NonceSize);
        _ciphertexts = new byte[records.TotalPayloadBytes];
        _tags = new byte[records.Count * VaultCrypto.TagSize];
        _plaintexts = new byte[records.TotalPayloadBytes];
        _associatedData = associatedData;
    }

    public void SealRange(int start, int count)
    {
        for (var i = start; i < start + count; i++)
        {
            var offset = _records.Offsets[i];
            var length = _records.PayloadLength(i);
            _aes.Encrypt(
                _nonces.AsSpan(i * VaultCrypto.NonceSize, VaultCrypto.NonceSize),
                _records.Payloads.AsSpan(offset, length),
                _ciphertexts.AsSpan(offset, length),
                _tags.AsSpan(i * VaultCrypto.TagSize, VaultCrypto.TagSize),
                AssociatedData(i));
        }
    }

    /// <summary>Opens what <see cref="SealRange"/> sealed (it must have run over the same range).</summary>
    public void OpenRange(int start, int count)
    {
        for (var i = start; i < start + count; i++)
        {
            var offset = _records.Offsets[i];
            var length = _records.PayloadLength(i);
            _aes.Decrypt(
                _nonces.AsSpan(i * VaultCrypto.NonceSize, VaultCrypto.NonceSize),
                _ciphertexts.AsSpan(offset, length),
                _tags.AsSpan(i * VaultCrypto.TagSize, VaultCrypto.TagSize),
                _plaintexts.AsSpan(offset, length),
                AssociatedData(i));
        }
    }

    /// <summary>True when the opened plaintexts of records <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> equal their payloads.</summary>
    public bool OpenedMatchPayloads(int start, int count)
    {
        var from = _records.Offsets[start];
        var length = _records.Offsets[start + count] - from;
        return _plaintexts.AsSpan(from, length).SequenceEqual(_records.Payloads.AsSpan(from, length));
    }

    public void Dispose() => _aes.Dispose();

    private ReadOnlySpan<byte> AssociatedData(int index) => _associatedData is null ? default : _associatedData[index];
}
