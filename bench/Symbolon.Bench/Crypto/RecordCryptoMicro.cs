using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using Symbolon.Bench.Reporting;

namespace Symbolon.Bench.Crypto;

/// <summary>Runs <see cref="RecordCryptoBenchmarks"/> with BenchmarkDotNet and adds its per-record figures to the report.</summary>
internal static class RecordCryptoMicro
{
    public static void Run(BenchReport report, string artifactsPath, TextWriter log)
    {
        log.WriteLine("== record crypto per record (BenchmarkDotNet, in process, 2 warm-up + 9 measured iterations)");

        // Note: in process, because BenchmarkDotNet's generated project would otherwise be built under this repository
        // and inherit its strict build (warnings as errors, analyzers); the short job keeps the bench within minutes.
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(9)
            .WithIterationTime(TimeInterval.FromMilliseconds(150))
            .WithId("ShortInProcess");
        var config = DefaultConfig.Instance
            .AddJob(job)
            .WithArtifactsPath(artifactsPath)
            .WithOptions(ConfigOptions.DisableLogFile);
        var summary = BenchmarkRunner.Run<RecordCryptoBenchmarks>(config);
        if (summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success))
        {
            throw new InvalidOperationException("BenchmarkDotNet did not complete every record crypto benchmark; see its output above.");
        }

        var results = summary.Reports.ToDictionary(
            r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name,
            r => (Nanoseconds: r.ResultStatistics!.Median, Allocated: r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase)));

        var lines = report.Section("Record crypto per record (BenchmarkDotNet)");
        lines.Add($"- In-process job: 2 warm-up + 9 measured iterations of 150 ms (many short ones, so that a burst of other work moves the median less), {RecordCryptoBenchmarks.RecordsPerInvoke:N0} records per invocation (cache-resident, unlike the large set); medians.");
        lines.Add("");
        lines.Add("| Operation | Time/record | Allocated/record | vs raw AES-GCM |");
        lines.Add("|---|---|---|---|");
        void Row(string label, string method, string? baseline)
        {
            var (ns, allocated) = results[method];
            var ratio = baseline is null ? "" : Format.Ratio(ns / results[baseline].Nanoseconds) + " the time";
            lines.Add($"| {label} | {Format.Nanoseconds(ns)} | {(allocated is { } bytes ? Format.Bytes(bytes) : "?")} | {ratio} |");
        }

        Row("Seal: raw AES-GCM", nameof(RecordCryptoBenchmarks.SealRaw), null);
        Row("Seal: VaultKeys.SealRecord", nameof(RecordCryptoBenchmarks.SealCore), nameof(RecordCryptoBenchmarks.SealRaw));
        Row("Open: raw AES-GCM", nameof(RecordCryptoBenchmarks.OpenRaw), null);
        Row("Open: VaultKeys.OpenRecord", nameof(RecordCryptoBenchmarks.OpenCore), nameof(RecordCryptoBenchmarks.OpenRaw));
        Row("Part: VaultCrypto.RecordAad", nameof(RecordCryptoBenchmarks.RecordAad), nameof(RecordCryptoBenchmarks.SealRaw));
        Row("Part: VaultCrypto.FillNonce", nameof(RecordCryptoBenchmarks.FillNonce), nameof(RecordCryptoBenchmarks.SealRaw));
        Row("Part: AES-GCM with the record's AAD", nameof(RecordCryptoBenchmarks.EncryptWithAad), nameof(RecordCryptoBenchmarks.SealRaw));

        lines.Add("");
        lines.Add("- \"AES-GCM with the record's AAD\" is raw AES-GCM given each record's associated data (computed beforehand). The split of one Core seal into these parts is in the `crypto` scenario's section, where they take turns with the seal.");
        lines.Add("- BenchmarkDotNet runs one benchmark after the other, so load from other work on the machine can land on one and not on its baseline; " +
            "the large-set figures above, whose operations take turns, are the ones to compare. These give the allocations and a second look at the per-call costs.");
    }
}
