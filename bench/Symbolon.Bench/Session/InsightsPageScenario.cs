using System.Diagnostics;
using System.Globalization;
using Symbolon.Bench.Imports;
using Symbolon.Bench.Reporting;
using Symbolon.Bench.Startup;

namespace Symbolon.Bench.Session;

/// <summary>
/// The Insights page's first render at a million transactions against the same page at a thousand, the way a person
/// meets it: the server (the README's <c>symbolon serve</c>) started as a new process on a data directory holding the
/// vault and its imported statement, the vault unlocked over the owner API (which also signs the browser in with its
/// cookie), and at once <c>GET /insights</c> as a browser asks for it. The page is prerendered with its figures (the
/// overview computes during prerendering and carries the answers into the interactive render), so the time to the
/// last byte of the HTML is the time to a page with numbers on it; it includes waiting for the unlock's warm-up of the
/// transactions. Then the same page again, warm. The two sizes take turns, run by run.
/// </summary>
internal static class InsightsPageScenario
{
    public const double GoalRatio = 2.0;
    public const int SmallRows = 1_000;

    private sealed record Size(string Name, int Rows, string DataDirectory)
    {
        public Samples First { get; } = new("ms");
        public Samples Warm { get; } = new("ms");
        public Samples Unlock { get; } = new("ms");
        public List<long> Bytes { get; } = [];
    }

    public static async Task RunAsync(BenchReport report, UserSettings settings, string workDirectory, TextWriter log, CancellationToken ct)
    {
        var pidFile = Path.Combine(workDirectory, "children.pids");
        var sizes = new[]
        {
            new Size("small", SmallRows, Path.Combine(workDirectory, "insights-small")),
            new Size("large", settings.Rows, Path.Combine(workDirectory, "insights-large")),
        };
        log.WriteLine($"== user: the Insights page's first render at {settings.Rows:N0} against {SmallRows:N0} transactions, a fresh server process per run ({settings.Restarts}× each)");

        foreach (var size in sizes)
        {
            var csv = Path.Combine(workDirectory, $"insights-{size.Rows}.csv");
            CardTransactionGenerator.Write(csv, size.Rows);
            Directory.CreateDirectory(size.DataDirectory);
            using var server = await ChildProcess.StartHealthyAsync(settings.ServerDll, ["--data-dir", size.DataDirectory], size.DataDirectory, pidFile, ct);
            using var owner = new OwnerClient(server.BaseUri);
            await owner.CreateVaultAsync(ct);
            var summary = await owner.ImportCsvAsync(csv, SessionSqlScenario.Map, ct);
            if (summary.Added != size.Rows)
            {
                throw new InvalidOperationException($"The import added {summary.Added} of {size.Rows} transactions.");
            }

            File.Delete(csv);
            log.WriteLine($"   {size.Name}: imported {summary.Added:N0} transactions");
        }

        for (var run = 1; run <= settings.Restarts; run++)
        {
            // Who goes first alternates, so a burst of other work on a shared machine does not favour one size.
            foreach (var size in run % 2 == 1 ? sizes : [sizes[1], sizes[0]])
            {
                using var server = await ChildProcess.StartHealthyAsync(settings.ServerDll, ["--data-dir", size.DataDirectory], size.DataDirectory, pidFile, ct);
                using var owner = new OwnerClient(server.BaseUri);
                await owner.WaitForVaultStatusAsync(ct);
                var unlock = Stopwatch.StartNew();
                await owner.UnlockAsync(ct);
                var unlocked = unlock.Elapsed.TotalMilliseconds;
                var (first, bytes) = await owner.PageAsync("/insights", ct);
                var (warm, _) = await owner.PageAsync("/insights", ct);
                size.Unlock.Add(unlocked);
                size.First.Add(first);
                size.Warm.Add(warm);
                size.Bytes.Add(bytes);
                log.WriteLine($"   {size.Name} #{run}: unlock {unlocked:0} ms, first render {first:0} ms ({bytes / 1024.0:0.0} KiB), again {warm:0} ms");
            }
        }

        var (small, large) = (sizes[0], sizes[1]);
        var ratio = large.First.Median / small.First.Median;
        report.AddRow(new SummaryRow(
            $"`/insights` first render at {Format.Count(large.Rows)} transactions (fresh server process, right after the unlock)",
            $"{large.First.Median:0} ms (warm {large.Warm.Median:0} ms)",
            $"the same page at {Format.Count(small.Rows)}: {small.First.Median:0} ms (warm {small.Warm.Median:0} ms)",
            $"**{Format.Ratio(ratio)}**",
            $"≤ {GoalRatio.ToString(CultureInfo.InvariantCulture)}×: {(ratio <= GoalRatio ? "met" : "**missed**")}"));

        var lines = report.Section($"The Insights page at {Format.Count(large.Rows)} and {Format.Count(small.Rows)} transactions: median of {settings.Restarts} runs each");
        lines.Add($"- Data: the seeded card-transaction generator's first {Format.Count(small.Rows)} and {Format.Count(large.Rows)} rows, each imported over the owner API into a data directory of its own.");
        lines.Add("- Each run: the server started as a new process on that data directory, `GET /owner/api/v1/vault` until it answers, " +
            "`POST /owner/api/v1/vault/unlock` (which also sets the owner's cookie), then at once `GET /insights` with that cookie and `Accept: text/html`, " +
            "timed from sending the request to the last byte of the prerendered page (which carries the figures: the test is that it holds no loading skeleton), then the same again (warm). The sizes take turns.");
        lines.Add("");
        lines.Add("| Transactions | Unlock answered (ms) | First render (ms) | Again (ms) | Page size |");
        lines.Add("|---|---|---|---|---|");
        foreach (var size in sizes)
        {
            lines.Add($"| {Format.Count(size.Rows)} | {size.Unlock} | {size.First} | {size.Warm} | {size.Bytes.Max() / 1024.0:0.0} KiB |");
        }
    }
}
