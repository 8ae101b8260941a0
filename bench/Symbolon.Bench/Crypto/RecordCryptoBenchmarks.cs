using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Symbolon.Core.Vaults;

namespace Symbolon.Bench.Crypto;

/// <summary>
/// Per-record cost of sealing and opening (BenchmarkDotNet), and the parts a Core seal is made of, to show what
/// dominates. Each invocation handles <see cref="RecordsPerInvoke"/> records, so the reported time is per record.
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
    private ReusedAesGcmRecordCrypto _reused = null!;
    private RawAesGcm _raw = null!;
    private byte[][] _sealed = null!;
    private byte[] _key = null!;

    [GlobalSetup]
    public void Setup()
    {
        _records = RecordSet.Generate(RecordsPerInvoke, RecordCryptoScenario.Seed);
        _keys = BenchVault.CreateKeys();
        _key = _keys.DataKey.ToArray();
        _reused = new ReusedAesGcmRecordCrypto(_keys);
        _raw = new RawAesGcm(_keys.DataKey, _records);
        _raw.SealRange(0, RecordsPerInvoke);
        _sealed = new byte[RecordsPerInvoke][];
        for (var i = 0; i < RecordsPerInvoke; i++)
        {
            _sealed[i] = _keys.SealRecord(_records.Ids[i], _records.Types[i], _records.Versions[i], _records.Payload(i));
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _reused.Dispose();
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

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke, Description = "one AesGcm per thread")]
    [BenchmarkCategory(Seal)]
    public long SealReused()
    {
        long sink = 0;
        for (var i = 0; i < RecordsPerInvoke; i++)
        {
            sink += _reused.SealRecord(_records.Ids[i], _records.Types[i], _records.Versions[i], _records.Payload(i))[^1];
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

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke, Description = "one AesGcm per thread")]
    [BenchmarkCategory(Open)]
    public long OpenReused()
    {
        long sink = 0;
        for (var i = 0; i < RecordsPerInvoke; i++)
        {
            sink += _reused.OpenRecord(_records.Ids[i], _records.Types[i], _records.Versions[i], _sealed[i])[0];
        }

        return sink;
    }

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke, Description = "new AesGcm + Dispose")]
    [BenchmarkCategory(Parts)]
    public void NewAesGcm()
    {
        for (var i = 0; i < RecordsPerInvoke; i++)
        {
            using var aes = new AesGcm(_key, VaultCrypto.TagSize);
        }
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

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke, Description = "random nonce (RandomNumberGenerator.Fill)")]
    [BenchmarkCategory(Parts)]
    public void RandomNonce()
    {
        for (var i = 0; i < RecordsPerInvoke; i++)
        {
            RandomNumberGenerator.Fill(_nonce);
        }
    }
}
