using System.Diagnostics;
using Symbolon.Bench.Reporting;
using Symbolon.Core.Vaults;

namespace Symbolon.Bench.Crypto;

/// <summary>
/// Seals and opens every record of a large set on one thread, through <see cref="VaultKeys"/> (what the record store
/// calls) and through raw AES-GCM (the baseline), and times the parts a Core seal is made of on the same records. All
/// operations take turns within each pass, so that drift on the machine touches all of them alike.
/// </summary>
internal static class RecordCryptoScenario
{
    public const int Seed = 20_260_101;

    /// <summary>The warm-up pass covers this many records (all, when there are fewer): enough for the JIT, and it checks them.</summary>
    public const int WarmUpRecords = 200_000;

    /// <summary>The operations take turns every this many records (see <see cref="Run"/>).</summary>
    public const int ChunkRecords = 50_000;

    private enum Operation
    {
        SealOurs,
        SealRaw,
        OpenOurs,
        OpenRaw,

        // The parts of a Core seal, each on its own: what RecordAad, FillNonce and AES-GCM with the record's associated
        // data cost, so that only what is left of a seal (result array, ThreadLocal lookup) is found by difference.
        PartAad,
        PartNonce,
        PartCipher,
    }

    /// <summary>What the operations seal and open with; <see cref="SealedRecords"/> is what the Core open reads.</summary>
    private sealed record Subjects(VaultKeys Keys, RawAesGcm Raw, RawAesGcm RawWithAad, byte[][] SealedRecords);

    private static bool IsPart(Operation operation) => operation is Operation.PartAad or Operation.PartNonce or Operation.PartCipher;

    // Keeps results observable so that the JIT cannot drop the work that produced them.
    private static long _sink;

    public static void Run(BenchReport report, int recordCount, int passes, TextWriter log, CancellationToken ct)
    {
        log.WriteLine($"== record crypto: {recordCount:N0} records, a warm-up pass over {Math.Min(WarmUpRecords, recordCount):N0}, then {passes} passes, one thread");
        var generation = Stopwatch.StartNew();
        var records = RecordSet.Generate(recordCount, Seed);
        log.WriteLine($"   generated {records.Count:N0} payloads ({records.TotalPayloadBytes:N0} bytes) in {generation.Elapsed.TotalSeconds:0.0} s");

        using var keys = BenchVault.CreateKeys();
        using var raw = new RawAesGcm(keys.DataKey, records);
        var associatedData = new byte[records.Count][];
        for (var i = 0; i < records.Count; i++)
        {
            associatedData[i] = VaultCrypto.RecordAad(keys.VaultId, records.Ids[i], records.Types[i], records.Versions[i]);
        }

        using var rawWithAad = new RawAesGcm(keys.DataKey, records, associatedData);
        var crypto = new Subjects(keys, raw, rawWithAad, new byte[records.Count][]);

        // What the open passes read: sealed once, outside the timing, exactly as Core seals (and by raw AES-GCM).
        for (var i = 0; i < records.Count; i++)
        {
            crypto.SealedRecords[i] = keys.SealRecord(records.Ids[i], records.Types[i], records.Versions[i], records.Payload(i));
        }

        raw.SealRange(0, records.Count);
        rawWithAad.SealRange(0, records.Count);

        var operations = Enum.GetValues<Operation>();
        var seconds = operations.ToDictionary(op => op, _ => new Samples("s"));
        var cpuSeconds = operations.ToDictionary(op => op, _ => new Samples("s"));

        // The warm-up pass also checks that every operation round-trips what it handles.
        var warmUp = Math.Min(WarmUpRecords, records.Count);
        foreach (var operation in operations)
        {
            Execute(operation, records, 0, warmUp, crypto, verify: true);
        }

        var chunks = (records.Count + ChunkRecords - 1) / ChunkRecords;
        for (var pass = 1; pass <= passes; pass++)
        {
            ct.ThrowIfCancellationRequested();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var wall = new TimeSpan[operations.Length];
            var cpu = new TimeSpan[operations.Length];

            // Each operation handles every record once per pass, one chunk at a time, and they take turns chunk by
            // chunk (starting with a different one each time), so that a burst of other work on the machine lands on
            // all of them rather than on whichever happened to be running.
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                var start = chunk * ChunkRecords;
                var count = Math.Min(ChunkRecords, records.Count - start);
                for (var turn = 0; turn < operations.Length; turn++)
                {
                    var index = (chunk + turn) % operations.Length;
                    var measurement = Measurement.Start();
                    Execute(operations[index], records, start, count, crypto, verify: false);
                    var (chunkWall, chunkCpu) = measurement.Stop();
                    wall[index] += chunkWall;
                    cpu[index] += chunkCpu;
                }
            }

            for (var index = 0; index < operations.Length; index++)
            {
                seconds[operations[index]].Add(wall[index].TotalSeconds);
                cpuSeconds[operations[index]].Add(cpu[index].TotalSeconds);
            }

            log.WriteLine($"   pass {pass}: " + string.Join(", ", operations.Select(op => $"{op} {seconds[op].Values[^1]:0.000} s")));
        }

        Report(report, records, passes, seconds, cpuSeconds);
    }

    private static void Execute(Operation operation, RecordSet records, int start, int count, Subjects crypto, bool verify)
    {
        long sink = 0;
        var end = start + count;
        var (keys, raw, rawWithAad, sealedRecords) = crypto;
        switch (operation)
        {
            case Operation.SealOurs:
                for (var i = start; i < end; i++)
                {
                    var sealedBytes = keys.SealRecord(records.Ids[i], records.Types[i], records.Versions[i], records.Payload(i));
                    sink += sealedBytes[^1];
                    if (verify)
                    {
                        Check(keys.OpenRecord(records.Ids[i], records.Types[i], records.Versions[i], sealedBytes), records, i);
                    }
                }

                break;
            case Operation.SealRaw:
                raw.SealRange(start, count);
                break;
            case Operation.OpenOurs:
                for (var i = start; i < end; i++)
                {
                    var plaintext = keys.OpenRecord(records.Ids[i], records.Types[i], records.Versions[i], sealedRecords[i]);
                    sink += plaintext[0];
                    if (verify)
                    {
                        Check(plaintext, records, i);
                    }
                }

                break;
            case Operation.OpenRaw:
                raw.OpenRange(start, count);
                if (verify && !raw.OpenedMatchPayloads(start, count))
                {
                    throw new InvalidOperationException("Raw AES-GCM did not round-trip the payloads.");
                }

                break;
            case Operation.PartAad:
                for (var i = start; i < end; i++)
                {
                    sink += VaultCrypto.RecordAad(keys.VaultId, records.Ids[i], records.Types[i], records.Versions[i]).Length;
                }

                break;
            case Operation.PartNonce:
                Span<byte> nonce = stackalloc byte[VaultCrypto.NonceSize];
                for (var i = start; i < end; i++)
                {
                    VaultCrypto.FillNonce(nonce);
                    sink += nonce[0];
                }

                break;
            case Operation.PartCipher:
                rawWithAad.SealRange(start, count);
                if (verify)
                {
                    rawWithAad.OpenRange(start, count);
                    if (!rawWithAad.OpenedMatchPayloads(start, count))
                    {
                        throw new InvalidOperationException("AES-GCM with associated data did not round-trip the payloads.");
                    }
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, null);
        }

        _sink += sink;
    }

    private static void Check(byte[] plaintext, RecordSet records, int index)
    {
        if (!plaintext.AsSpan().SequenceEqual(records.Payload(index)))
        {
            throw new InvalidOperationException($"Record {index} did not round-trip.");
        }
    }

    private static void Report(BenchReport report, RecordSet records, int passes, Dictionary<Operation, Samples> seconds, Dictionary<Operation, Samples> cpuSeconds)
    {
        var count = records.Count;
        string Time(Operation op) =>
            $"{Format.Seconds(seconds[op].Median)} ({Format.Rate(count / seconds[op].Median)} rec/s); CPU {Format.Seconds(cpuSeconds[op].Median)} ({Format.Rate(count / cpuSeconds[op].Median)} rec/s)";
        string VersusRaw(Operation op, Operation rawOp) =>
            $"**{Format.Ratio(seconds[rawOp].Median / seconds[op].Median)} raw** ({Format.Ratio(seconds[op].Median / seconds[rawOp].Median)} the time; by CPU time {Format.Ratio(cpuSeconds[rawOp].Median / cpuSeconds[op].Median)})";

        var n = Format.Count(count);
        report.AddRow(new SummaryRow($"Seal {n} records, 1 thread (VaultKeys.SealRecord)", Time(Operation.SealOurs), $"raw AES-GCM {Time(Operation.SealRaw)}", VersusRaw(Operation.SealOurs, Operation.SealRaw)));
        report.AddRow(new SummaryRow($"Open {n} records, 1 thread (VaultKeys.OpenRecord)", Time(Operation.OpenOurs), $"raw AES-GCM {Time(Operation.OpenRaw)}", VersusRaw(Operation.OpenOurs, Operation.OpenRaw)));
        var lengths = Enumerable.Range(0, count).Select(records.PayloadLength).ToArray();
        var lines = report.Section($"Record crypto: {n} records, one thread, median of {passes} passes after a warm-up pass");
        lines.Add($"- Each pass runs every operation over all {n} records; they take turns every {Format.Count(ChunkRecords)} records (rotating who goes first), and a pass's time is the sum over its chunks.");
        lines.Add($"- The warm-up pass covers the first {Format.Count(Math.Min(WarmUpRecords, count))} records with each operation and checks that the seals and opens round-trip.");
        lines.Add($"- Payloads: profile field values serialized with VaultJson (email, name, postal address, preference), seeded Random ({Seed}); " +
            $"{lengths.Min()}–{lengths.Max()} bytes, mean {lengths.Average():0.0} bytes; sealed size = payload + {VaultCrypto.Overhead} bytes.");
        lines.Add("- Raw AES-GCM: one reused AesGcm, a nonce per record computed beforehand, no associated data, output into preallocated buffers. " +
            "The part \"AES-GCM with the record's associated data\" is the same with each record's RecordAad, computed beforehand.");
        lines.Add("- VaultKeys: per record, RecordAad (string interpolation + UTF-8), the thread's AesGcm (ThreadLocal, kept while the vault is unlocked), a new result array; " +
            "a seal also takes its nonce from the thread's pool of random bytes (VaultCrypto.FillNonce, refilled 4 KiB at a time from RandomNumberGenerator).");
        lines.Add("- The bench process runs a non-concurrent workstation GC, so collection work is counted on the measuring thread.");
        lines.Add("- Wall is the Stopwatch; CPU is the process's CPU time over the same pass (Environment.CpuUsage), which waiting for a core on a busy machine does not inflate.");
        lines.Add("");
        lines.Add("| Operation | Wall (median) | Records/s | ns/record | vs raw, wall | CPU (median) | vs raw, CPU | Wall per pass (s) |");
        lines.Add("|---|---|---|---|---|---|---|---|");
        foreach (var (op, samples) in seconds)
        {
            var rawOp = op is Operation.SealOurs or Operation.SealRaw ? Operation.SealRaw : Operation.OpenRaw;
            var (versusRaw, versusRawCpu) = IsPart(op)
                ? ("—", "—")
                : (Format.Ratio(seconds[rawOp].Median / samples.Median), Format.Ratio(cpuSeconds[rawOp].Median / cpuSeconds[op].Median));
            lines.Add($"| {Describe(op)} | {Format.Seconds(samples.Median)} | {Format.Rate(count / samples.Median)} | {Format.Nanoseconds(samples.Median * 1e9 / count)} | " +
                $"{versusRaw} | {Format.Seconds(cpuSeconds[op].Median)} | {versusRawCpu} | {samples} |");
        }

        // CPU medians, the steadiest figures on a shared machine. The parts are timed directly; only the rest of a seal
        // is a difference.
        double Cpu(Operation op) => cpuSeconds[op].Median * 1e9 / count;
        var seal = Cpu(Operation.SealOurs);
        var parts = Cpu(Operation.PartCipher) + Cpu(Operation.PartAad) + Cpu(Operation.PartNonce);
        string Part(double ns) => $"{Format.Nanoseconds(ns)} = {Format.Percent(ns / seal)}";
        lines.Add("");
        lines.Add($"- What Core adds to raw AES-GCM per record, in CPU time: seal {Format.Nanoseconds(seal - Cpu(Operation.SealRaw))}, open {Format.Nanoseconds(Cpu(Operation.OpenOurs) - Cpu(Operation.OpenRaw))}.");
        lines.Add($"- Where one Core seal's {Format.Nanoseconds(seal)} of CPU goes, from the parts timed on their own: AES-GCM with the record's associated data {Part(Cpu(Operation.PartCipher))} " +
            $"(raw AES-GCM without it: {Format.Nanoseconds(Cpu(Operation.SealRaw))}); VaultCrypto.RecordAad {Part(Cpu(Operation.PartAad))}; VaultCrypto.FillNonce {Part(Cpu(Operation.PartNonce))}; " +
            $"the rest, by difference (the result array and its GC, the thread's AesGcm lookup) {Part(seal - parts)}.");
    }

    private static string Describe(Operation operation) => operation switch
    {
        Operation.SealOurs => "Seal, VaultKeys.SealRecord",
        Operation.SealRaw => "Seal, raw AES-GCM",
        Operation.OpenOurs => "Open, VaultKeys.OpenRecord",
        Operation.OpenRaw => "Open, raw AES-GCM",
        Operation.PartAad => "Part of a seal: VaultCrypto.RecordAad",
        Operation.PartNonce => "Part of a seal: VaultCrypto.FillNonce",
        Operation.PartCipher => "Part of a seal: AES-GCM with the record's associated data",
        _ => operation.ToString(),
    };
}
