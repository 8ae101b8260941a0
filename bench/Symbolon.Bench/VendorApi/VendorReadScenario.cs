using System.Diagnostics;
using System.Net.Http.Headers;
using Symbolon.Bench.Reporting;
using Symbolon.Bench.Startup;

namespace Symbolon.Bench.VendorApi;

/// <summary>
/// Throughput and latency of an authorized vendor read (GET /api/v1/profile: token check against the token store,
/// grant and relationship check, disclosure, keyed ETag, access-log append) under concurrent load, against a bare
/// ASP.NET Core endpoint returning the same bytes, measured in the same run. Both run as processes of their own on
/// loopback, with the runtime settings they ship with, and take turns, so machine load hits them alike.
/// </summary>
internal static class VendorReadScenario
{
    public const double GoalRatio = 0.40;
    private const string ProfilePath = "/api/v1/profile";

    private sealed record LoadResult(long Requests, long Failures, double Seconds, long[] LatencyTicks, TimeSpan Cpu, TimeSpan ServerCpu)
    {
        public double PerSecond => Requests / Seconds;

        /// <summary>The server process's CPU time per answered request, in microseconds.</summary>
        public double ServerCpuMicroseconds => Requests == 0 ? double.NaN : ServerCpu.TotalMilliseconds * 1000 / Requests;

        public double PercentileMs(double p)
        {
            if (LatencyTicks.Length == 0)
            {
                return double.NaN;
            }

            var index = (int)Math.Min(LatencyTicks.Length - 1, Math.Ceiling(p * LatencyTicks.Length) - 1);
            return LatencyTicks[Math.Max(0, index)] * 1000.0 / Stopwatch.Frequency;
        }
    }

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(BenchReport report, string serverDll, string baselineDll, string workDirectory, int concurrency, TimeSpan duration, int rounds, TextWriter log, CancellationToken ct)
    {
        log.WriteLine($"== vendor read: {concurrency} concurrent clients, {duration.TotalSeconds:0} s per run, {rounds} rounds alternating with the bare endpoint");
        var dataDirectory = Path.Combine(workDirectory, "vendor-read");
        var pidFile = Path.Combine(workDirectory, "children.pids");
        Directory.CreateDirectory(dataDirectory);

        // Note: both servers run as processes of their own, started from their Release builds with their own runtime
        // settings (server GC, as Symbolon.Server ships). Hosted in this process they ran under the bench's
        // non-concurrent workstation GC (chosen for the single-thread crypto figures), where collections stopped
        // every request thread and took a third of the CPU: a setting no deployment of Symbolon uses.
        using var symbolon = await ChildProcess.StartHealthyAsync(serverDll, ["--data-dir", dataDirectory], dataDirectory, pidFile, ct);
        var symbolonUri = symbolon.BaseUri;
        var token = await VendorSetup.GrantReadAsync(symbolonUri, ct);

        byte[] body;
        using (var probe = NewClient(symbolonUri, token))
        {
            body = await probe.GetByteArrayAsync(ProfilePath, ct);
        }

        var bodyFile = Path.Combine(workDirectory, "vendor-read-body.json");
        await File.WriteAllBytesAsync(bodyFile, body, ct);
        using var baseline = await ChildProcess.StartHealthyAsync(baselineDll, ["--serve-file", bodyFile, "--serve-path", ProfilePath], workDirectory, pidFile, ct);

        // Warm both (JIT, connection pools, SQLite page cache) before anything is measured. Note: two seconds were
        // not enough: tiered compilation and dynamic PGO kept raising Symbolon's rate run after run (2.3 k, 3.6 k,
        // 6.7 k req/s in three consecutive runs), because its path has far more methods to promote than the bare one.
        // A server runs for hours, so the steady state is what is compared.
        await HammerAsync(baseline, null, concurrency, WarmUp, ct);
        await HammerAsync(symbolon, token, concurrency, WarmUp, ct);

        var symbolonRuns = new List<LoadResult>();
        var baselineRuns = new List<LoadResult>();
        for (var round = 1; round <= rounds; round++)
        {
            // Alternate who goes first, so a trend in the machine's load does not favour either.
            var order = round % 2 == 1 ? new[] { true, false } : [false, true];
            foreach (var isSymbolon in order)
            {
                var run = await HammerAsync(isSymbolon ? symbolon : baseline, isSymbolon ? token : null, concurrency, duration, ct);
                (isSymbolon ? symbolonRuns : baselineRuns).Add(run);
                log.WriteLine($"   {(isSymbolon ? "Symbolon" : "bare    ")} #{round}: {run.PerSecond:0} req/s, p50 {run.PercentileMs(0.5):0.00} ms, p99 {run.PercentileMs(0.99):0.00} ms, {run.Failures} failures, load generator CPU {run.Cpu.TotalSeconds:0.0} s, server CPU {run.ServerCpuMicroseconds:0} µs/request");
            }
        }

        var s = Median(symbolonRuns);
        var b = Median(baselineRuns);
        var ratio = s.PerSecond / b.PerSecond;
        report.AddRow(new SummaryRow(
            $"Authorized vendor read, GET /api/v1/profile, {concurrency} concurrent clients",
            $"{Format.Rate(s.PerSecond)} req/s; p50 {Format.Milliseconds(s.PercentileMs(0.5))}, p99 {Format.Milliseconds(s.PercentileMs(0.99))}",
            $"bare ASP.NET Core endpoint, same bytes: {Format.Rate(b.PerSecond)} req/s; p50 {Format.Milliseconds(b.PercentileMs(0.5))}, p99 {Format.Milliseconds(b.PercentileMs(0.99))}",
            $"**{Format.Percent(ratio)}** of the bare throughput (p99 {Format.Ratio(s.PercentileMs(0.99) / b.PercentileMs(0.99))})",
            $"≥ {Format.Percent(GoalRatio)}: {(ratio >= GoalRatio ? "met" : "**missed**")}"));

        var section = report.Section($"Vendor read under load: {concurrency} clients, {duration.TotalSeconds:0} s per run, median of {rounds} runs each");
        section.Add($"- Symbolon: `Symbolon.Server.dll` (Release, its own process with its shipped runtime settings: server GC) on 127.0.0.1 (SQLite in a fresh data directory, vault unlocked); the vendor registered, accepted SD-BASE and got the person's consent over HTTP (name, email, postal address; read). Each request: the opaque token checked (OpenIddict's token-store lookup, grant and relationship, remembered per token until a revoking write invalidates it; the grant's expiry checked every time), the decrypted profile (remembered per vault until a record changes) narrowed to the grant, pairwise ids, keyed ETag, and one access-log row committed (group commit, no disk flush) before the response.");
        section.Add($"- Baseline: `Symbolon.Bench.Baseline.dll` (an empty ASP.NET Core app, same SDK and runtime settings, its own process) answering GET {ProfilePath} with the same {body.Length} bytes as application/json, no per-request logging (as Symbolon).");
        section.Add($"- Warm-up: {WarmUp.TotalSeconds:0} s of the same load on each before the measured runs.");
        section.Add($"- Load: {concurrency} HttpClients, one connection each, requests back to back for the run's duration; latency per request from send to the last body byte. The load generator (this process) shares the 2 cores with the server, alike for both.");
        section.Add("");
        section.Add("| Run | Symbolon req/s | p50 | p99 | failures | server CPU/req | bare req/s | p50 | p99 | server CPU/req |");
        section.Add("|---|---|---|---|---|---|---|---|---|---|");
        for (var i = 0; i < rounds; i++)
        {
            var x = symbolonRuns[i];
            var y = baselineRuns[i];
            section.Add($"| {i + 1} | {x.PerSecond:0} | {x.PercentileMs(0.5):0.00} ms | {x.PercentileMs(0.99):0.00} ms | {x.Failures} | {x.ServerCpuMicroseconds:0} µs | {y.PerSecond:0} | {y.PercentileMs(0.5):0.00} ms | {y.PercentileMs(0.99):0.00} ms | {y.ServerCpuMicroseconds:0} µs |");
        }
    }

    private static LoadResult Median(List<LoadResult> runs) => runs.OrderBy(r => r.PerSecond).ElementAt(runs.Count / 2);

    private static HttpClient NewClient(Uri address, string? token)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private static async Task<LoadResult> HammerAsync(ChildProcess server, string? token, int concurrency, TimeSpan duration, CancellationToken ct)
    {
        var clients = Enumerable.Range(0, concurrency).Select(_ => NewClient(server.BaseUri, token)).ToArray();
        try
        {
            var measurement = Measurement.Start();
            var serverCpu = server.CpuTime();
            var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var workers = clients.Select(client => Task.Run(async () =>
            {
                var latencies = new List<long>(4096);
                long failures = 0;
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    var started = Stopwatch.GetTimestamp();
                    using var response = await client.GetAsync(ProfilePath, HttpCompletionOption.ResponseContentRead, ct);
                    await response.Content.LoadIntoBufferAsync(ct);
                    if (response.IsSuccessStatusCode)
                    {
                        latencies.Add(Stopwatch.GetTimestamp() - started);
                    }
                    else
                    {
                        failures++;
                    }
                }

                return (latencies, failures);
            }, ct)).ToArray();
            var results = await Task.WhenAll(workers);
            var (wall, cpu) = measurement.Stop();
            serverCpu = server.CpuTime() - serverCpu;
            var all = results.SelectMany(r => r.latencies).Order().ToArray();
            return new LoadResult(all.Length, results.Sum(r => r.failures), wall.TotalSeconds, all, cpu, serverCpu);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
