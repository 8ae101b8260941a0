using BenchmarkDotNet.Attributes;
using Symbolon.Core.Vaults;

namespace Symbolon.Bench.Crypto;

/// <summary>
/// Per-record cost of sealing and opening (BenchmarkDotNet), and of the parts a Core seal is made of, each measured
/// on its own. Each invocation handles <see cref="RecordsPerInvoke"/> records, so the reported time is per record.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RecordCryptoBenchmarks : IDisposable
{
    public const int RecordsPerInvoke = 4096;
    public const string Seal = "Seal";
    public const string Open = "Open";
    public const string Parts = "Parts of a Core seal";

    private readonly byte[] _nonce = new byte[VaultCrypto.NonceSize];
    private RecordSet _records = null!;
    private VaultKeys _keys = null!;
    private RawAesGcm _raw = null!;
    private RawAesGcm _rawWithAad = null!;
    private byte[][] _sealed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _records = RecordSet.Generate(RecordsPerInvoke, RecordCryptoScenario.Seed);
        _keys = BenchVault.CreateKeys();
        _raw = new RawAesGcm(_keys.DataKey, _records);
        _raw.SealRange(0, RecordsPerInvoke);
        var associatedData = new byte[RecordsPerInvoke][];
        _sealed = new byte[RecordsPerInvoke][];
        for (var i = 0; i < RecordsPerInvoke; i++)
        {
            associatedData[i] = VaultCrypto.RecordAad(_keys.VaultId, _records.Ids[i], _records.Types[i], _records.Versions[i]);
            _sealed[i] = _keys.SealRecord(_records.Ids[i], _records.Types[i], _records.Versions[i], _records.Payload(i));
        }

        _rawWithAad = new RawAesGcm(_keys.DataKey, _records, associatedData);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _rawWithAad.Dispose();
        _raw.Dispose();
        _keys.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = RecordsPerInvoke, Description = "raw AES-GCM")]
    [BenchmarkCategory(Seal)]
    public void SealRaw() => _raw.SealRange(0, RecordsPerInvoke);

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke, Description = "VaultKeys.SealRecord")]
    [BenchmarkCategory(Seal)]
    public long SealCore()
    {
        long sink = 0;
        for (var i = 0; i < RecordsPerInvoke; i++)
        {
            sink += _keys.SealRecord(_records.Ids[i], _records.Types[i], _records.Versions[i], _records.Payload(i))[^1];
        }

        return sink;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = RecordsPerInvoke, Description = "raw AES-GCM")]
    [BenchmarkCategory(Open)]
    public void OpenRaw() => _raw.OpenRange(0, RecordsPerInvoke);

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke, Description = "VaultKeys.OpenRecord")]
    [BenchmarkCategory(Open)]
    public long OpenCore()
    {
        long sink = 0;
        for (var i = 0; i < RecordsPerInvoke; i++)
        {
            sink += _keys.OpenRecord(_records.Ids[i], _records.Types[i], _records.Versions[i], _sealed[i])[0];
        }

        return sink;
    }

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke, Description = "VaultCrypto.RecordAad")]
    [BenchmarkCategory(Parts)]
    public long RecordAad()
    {
        long sink = 0;
        for (var i = 0; i < RecordsPerInvoke; i++)
        {
            sink += VaultCrypto.RecordAad(_keys.VaultId, _records.Ids[i], _records.Types[i], _records.Versions[i]).Length;
        }

        return sink;
    }

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke, Description = "VaultCrypto.FillNonce")]
    [BenchmarkCategory(Parts)]
    public long FillNonce()
    {
        long sink = 0;
        for (var i = 0; i < RecordsPerInvoke; i++)
        {
            VaultCrypto.FillNonce(_nonce);
            sink += _nonce[0];
        }

        return sink;
    }

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke, Description = "AES-GCM with the record's AAD")]
    [BenchmarkCategory(Parts)]
    public void EncryptWithAad() => _rawWithAad.SealRange(0, RecordsPerInvoke);
}
