using System.Diagnostics;
using Symbolon.Bench.Reporting;
using Symbolon.Core.Vaults;

namespace Symbolon.Bench.Crypto;

/// <summary>
/// Seals and opens every record of a large set on one thread, through <see cref="VaultKeys"/> (what the record store
/// calls), through the bench-only variant that reuses one AesGcm per thread, and through raw AES-GCM (the baseline).
/// The six operations take turns within each pass, so that drift on the machine touches all of them alike.
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
        SealReused,
        SealRaw,
        OpenOurs,
        OpenReused,
        OpenRaw,
    }

    // Keeps results observable so that the JIT cannot drop the work that produced them.
    private static long _sink;

    public static void Run(BenchReport report, int recordCount, int passes, TextWriter log, CancellationToken ct)
    {
        log.WriteLine($"== record crypto: {recordCount:N0} records, a warm-up pass over {Math.Min(WarmUpRecords, recordCount):N0}, then {passes} passes, one thread");
        var generation = Stopwatch.StartNew();
        var records = RecordSet.Generate(recordCount, Seed);
        log.WriteLine($"   generated {records.Count:N0} payloads ({records.TotalPayloadBytes:N0} bytes) in {generation.Elapsed.TotalSeconds:0.0} s");

        using var keys = BenchVault.CreateKeys();
        using var reused = new ReusedAesGcmRecordCrypto(keys);
        using var raw = new RawAesGcm(keys.DataKey, records);

        // What the open passes read: sealed once, outside the timing, exactly as Core seals (and by raw AES-GCM).
        var sealedRecords = new byte[records.Count][];
        for (var i = 0; i < records.Count; i++)
        {
            sealedRecords[i] = keys.SealRecord(records.Ids[i], records.Types[i], records.Versions[i], records.Payload(i));
        }

        raw.SealRange(0, records.Count);

        var operations = Enum.GetValues<Operation>();
        var seconds = operations.ToDictionary(op => op, _ => new Samples("s"));
        var cpuSeconds = operations.ToDictionary(op => op, _ => new Samples("s"));

        // The warm-up pass also checks that every variant round-trips what it handles.
        var warmUp = Math.Min(WarmUpRecords, records.Count);
        foreach (var operation in operations)
        {
            Execute(operation, records, 0, warmUp, keys, reused, raw, sealedRecords, verify: true);
        }

        var chunks = (records.Count + ChunkRecords - 1) / ChunkRecords;
        for (var pass = 1; pass <= passes; pass++)
        {
            ct.ThrowIfCancellationRequested();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var wall = new TimeSpan[operations.Length];
            var cpu = new TimeSpan[operations.Length];

            // Each operation handles every record once per pass, one chunk at a time, and the six take turns chunk by
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
                    Execute(operations[index], records, start, count, keys, reused, raw, sealedRecords, verify: false);
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

    private static void Execute(Operation operation, RecordSet records, int start, int count, VaultKeys keys, ReusedAesGcmRecordCrypto reused, RawAesGcm raw, byte[][] sealedRecords, bool verify)
    {
        long sink = 0;
        var end = start + count;
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
            case Operation.SealReused:
                for (var i = start; i < end; i++)
                {
                    var sealedBytes = reused.SealRecord(records.Ids[i], records.Types[i], records.Versions[i], records.Payload(i));
                    sink += sealedBytes[^1];
                    if (verify)
                    {
                        // Core must open what the variant seals: same key, layout and associated data.
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
            case Operation.OpenReused:
                for (var i = start; i < end; i++)
                {
                    var plaintext = reused.OpenRecord(records.Ids[i], records.Types[i], records.Versions[i], sealedRecords[i]);
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
        double Throughput(Operation op, Operation baseline) => seconds[baseline].Median / seconds[op].Median;
        string VersusRaw(Operation op, Operation rawOp) =>
            $"**{Format.Ratio(Throughput(op, rawOp))} raw** ({Format.Ratio(seconds[op].Median / seconds[rawOp].Median)} the time; by CPU time {Format.Ratio(cpuSeconds[rawOp].Median / cpuSeconds[op].Median)})";

        var n = Format.Count(count);
        report.AddRow(new SummaryRow($"Seal {n} records, 1 thread (VaultKeys.SealRecord)", Time(Operation.SealOurs), $"raw AES-GCM {Time(Operation.SealRaw)}", VersusRaw(Operation.SealOurs, Operation.SealRaw)));
        report.AddRow(new SummaryRow($"Open {n} records, 1 thread (VaultKeys.OpenRecord)", Time(Operation.OpenOurs), $"raw AES-GCM {Time(Operation.OpenRaw)}", VersusRaw(Operation.OpenOurs, Operation.OpenRaw)));
        report.AddRow(new SummaryRow(
            $"Seal {n}, bench variant: one AesGcm per thread",
            $"{Time(Operation.SealReused)}; {Format.Ratio(Throughput(Operation.SealReused, Operation.SealOurs))} Core's rate",
            $"raw AES-GCM {Time(Operation.SealRaw)}",
            VersusRaw(Operation.SealReused, Operation.SealRaw)));
        report.AddRow(new SummaryRow(
            $"Open {n}, bench variant: one AesGcm per thread",
            $"{Time(Operation.OpenReused)}; {Format.Ratio(Throughput(Operation.OpenReused, Operation.OpenOurs))} Core's rate",
            $"raw AES-GCM {Time(Operation.OpenRaw)}",
            VersusRaw(Operation.OpenReused, Operation.OpenRaw)));

        var lengths = Enumerable.Range(0, count).Select(records.PayloadLength).ToArray();
        var lines = report.Section($"Record crypto: {n} records, one thread, median of {passes} passes after a warm-up pass");
        lines.Add($"- Each pass runs every operation over all {n} records; they take turns every {Format.Count(ChunkRecords)} records (rotating who goes first), and a pass's time is the sum over its chunks.");
        lines.Add($"- The warm-up pass covers the first {Format.Count(Math.Min(WarmUpRecords, count))} records with each of the six operations and checks that they round-trip (the variant's seals are opened by Core).");
        lines.Add($"- Payloads: profile field values serialized with VaultJson (email, name, postal address, preference), seeded Random ({Seed}); " +
            $"{lengths.Min()}–{lengths.Max()} bytes, mean {lengths.Average():0.0} bytes; sealed size = payload + {VaultCrypto.Overhead} bytes.");
        lines.Add("- Raw AES-GCM: one reused AesGcm, a nonce per record computed beforehand, no associated data, output into preallocated buffers.");
        lines.Add("- VaultKeys: per record, RecordAad (string interpolation + UTF-8), a random nonce, `new AesGcm` + dispose, a new result array.");
        lines.Add("- Variant (bench only, Core unchanged): the same, but one AesGcm per thread (ThreadLocal) kept for the life of the unlocked vault.");
        lines.Add("- The bench process runs a non-concurrent workstation GC, so collection work is counted on the measuring thread.");
        lines.Add("- Wall is the Stopwatch; CPU is the process's CPU time over the same pass (Environment.CpuUsage), which waiting for a core on a busy machine does not inflate.");
        lines.Add("");
        lines.Add("| Operation | Wall (median) | Records/s | ns/record | vs raw, wall | CPU (median) | vs raw, CPU | Wall per pass (s) |");
        lines.Add("|---|---|---|---|---|---|---|---|");
        foreach (var (op, samples) in seconds)
        {
            var rawOp = op is Operation.SealOurs or Operation.SealReused or Operation.SealRaw ? Operation.SealRaw : Operation.OpenRaw;
            lines.Add($"| {Describe(op)} | {Format.Seconds(samples.Median)} | {Format.Rate(count / samples.Median)} | {Format.Nanoseconds(samples.Median * 1e9 / count)} | " +
                $"{Format.Ratio(seconds[rawOp].Median / samples.Median)} | {Format.Seconds(cpuSeconds[op].Median)} | {Format.Ratio(cpuSeconds[rawOp].Median / cpuSeconds[op].Median)} | {samples} |");
        }

        // Where a Core seal's time goes, from differences between operations that differ in one thing each. CPU
        // medians, because they are the steadiest figures on a busy machine.
        double Cpu(Operation op) => cpuSeconds[op].Median * 1e9 / count;
        var parts = new (string Name, double Nanoseconds)[]
        {
            ("`new AesGcm` + dispose per call (Core − variant)", Cpu(Operation.SealOurs) - Cpu(Operation.SealReused)),
            ("random nonce (variant seal − variant open, less raw seal − raw open)", Cpu(Operation.SealReused) - Cpu(Operation.OpenReused) - (Cpu(Operation.SealRaw) - Cpu(Operation.OpenRaw))),
            ("AES-GCM itself (raw seal)", Cpu(Operation.SealRaw)),
            ("associated data, result array and their GC (variant open − raw open)", Cpu(Operation.OpenReused) - Cpu(Operation.OpenRaw)),
        };
        var total = Cpu(Operation.SealOurs);
        lines.Add("");
        lines.Add($"- Where one Core seal's {Format.Nanoseconds(total)} of CPU goes, by difference between the interleaved operations: " +
            string.Join("; ", parts.OrderByDescending(p => p.Nanoseconds).Select(p => $"{p.Name} {Format.Nanoseconds(p.Nanoseconds)} ({Format.Percent(p.Nanoseconds / total)})")) + ".");
    }

    private static string Describe(Operation operation) => operation switch
    {
        Operation.SealOurs => "Seal, VaultKeys.SealRecord",
        Operation.SealReused => "Seal, one AesGcm per thread",
        Operation.SealRaw => "Seal, raw AES-GCM",
        Operation.OpenOurs => "Open, VaultKeys.OpenRecord",
        Operation.OpenReused => "Open, one AesGcm per thread",
        Operation.OpenRaw => "Open, raw AES-GCM",
        _ => operation.ToString(),
    };
}
