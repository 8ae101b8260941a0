using System.Net.Http.Headers;
using Symbolon.Bench.Reporting;
using Symbolon.Bench.Startup;
using Symbolon.Bench.VendorApi;

namespace Symbolon.Bench.Session;

/// <summary>
/// The authorized vendor read under load from <c>wrk</c>, an outside load generator (C, one event loop per thread), as
/// an operator would measure it: <c>GET /api/v1/profile</c> with a granted vendor's bearer token against
/// <c>Symbolon.Server.dll</c>, and the same bytes from the bare ASP.NET Core app, both processes of their own, runs
/// taking turns. The <c>vendor-read</c> scenario measures the same with HttpClients inside the bench.
/// </summary>
internal static class WrkVendorReadScenario
{
    public const double GoalRatio = 0.5;
    public const int Threads = 2;
    private const string ProfilePath = "/api/v1/profile";
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);

    private sealed record Run(Wrk.Result Wrk, double ServerCpuMicroseconds);

    public static async Task RunAsync(BenchReport report, UserSettings settings, string workDirectory, int connections, TimeSpan duration, int rounds, TextWriter log, CancellationToken ct)
    {
        log.WriteLine($"== user: vendor read with wrk -t{Threads} -c{connections} -d{duration.TotalSeconds:0}s --latency, {rounds} rounds alternating with the bare endpoint (after {WarmUp.TotalSeconds:0} s warm-up each)");
        var dataDirectory = Path.Combine(workDirectory, "user-wrk");
        var pidFile = Path.Combine(workDirectory, "children.pids");
        Directory.CreateDirectory(dataDirectory);

        using var symbolon = await ChildProcess.StartHealthyAsync(settings.ServerDll, ["--data-dir", dataDirectory], dataDirectory, pidFile, ct);
        var token = await VendorSetup.GrantReadAsync(symbolon.BaseUri, ct);
        var symbolonUrl = new Uri(symbolon.BaseUri, ProfilePath);

        byte[] body;
        using (var probe = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) })
        {
            probe.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            body = await probe.GetByteArrayAsync(symbolonUrl, ct);
        }

        var bodyFile = Path.Combine(workDirectory, "user-wrk-body.json");
        await File.WriteAllBytesAsync(bodyFile, body, ct);
        using var baseline = await ChildProcess.StartHealthyAsync(settings.BaselineDll, ["--serve-file", bodyFile, "--serve-path", ProfilePath], workDirectory, pidFile, ct);
        var baselineUrl = new Uri(baseline.BaseUri, ProfilePath);

        // Tiered compilation and dynamic PGO keep speeding Symbolon's longer path up for seconds (see vendor-read).
        await Wrk.RunAsync(settings.Wrk, baselineUrl, null, Threads, connections, WarmUp, pidFile, ct);
        await Wrk.RunAsync(settings.Wrk, symbolonUrl, token, Threads, connections, WarmUp, pidFile, ct);

        var symbolonRuns = new List<Run>();
        var baselineRuns = new List<Run>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var isSymbolon in round % 2 == 1 ? new[] { true, false } : [false, true])
            {
                var server = isSymbolon ? symbolon : baseline;
                var cpu = server.CpuTime();
                var result = await Wrk.RunAsync(settings.Wrk, isSymbolon ? symbolonUrl : baselineUrl, isSymbolon ? token : null, Threads, connections, duration, pidFile, ct);
                var cpuPerRequest = result.Requests == 0 ? double.NaN : (server.CpuTime() - cpu).TotalMilliseconds * 1000 / result.Requests;
                (isSymbolon ? symbolonRuns : baselineRuns).Add(new Run(result, cpuPerRequest));
                log.WriteLine($"   {(isSymbolon ? "Symbolon" : "bare    ")} #{round}: {result.RequestsPerSecond:0} req/s, p50 {result.P50Ms:0.00} ms, p99 {result.P99Ms:0.00} ms, non-2xx {result.Non2xx}, socket errors {result.SocketErrors}, server CPU {cpuPerRequest:0} µs/request");
                if (result.Non2xx > 0 || result.SocketErrors > 0)
                {
                    log.WriteLine(result.Output);
                }
            }
        }

        var s = Median(symbolonRuns);
        var b = Median(baselineRuns);
        var ratio = s.Wrk.RequestsPerSecond / b.Wrk.RequestsPerSecond;
        report.AddRow(new SummaryRow(
            $"Authorized vendor read with wrk, GET {ProfilePath}, {Threads} threads, {connections} connections",
            $"{Format.Rate(s.Wrk.RequestsPerSecond)} req/s; p50 {Format.Milliseconds(s.Wrk.P50Ms)}, p99 {Format.Milliseconds(s.Wrk.P99Ms)}",
            $"bare ASP.NET Core endpoint, same bytes: {Format.Rate(b.Wrk.RequestsPerSecond)} req/s; p50 {Format.Milliseconds(b.Wrk.P50Ms)}, p99 {Format.Milliseconds(b.Wrk.P99Ms)}",
            $"**{Format.Ratio(ratio)}** the bare throughput (p99 {Format.Ratio(s.Wrk.P99Ms / b.Wrk.P99Ms)}; server CPU per request {s.ServerCpuMicroseconds:0} µs against {b.ServerCpuMicroseconds:0} µs)",
            $"≥ {GoalRatio}×: {(ratio >= GoalRatio ? "met" : "**missed**")}"));

        var section = report.Section($"Vendor read with wrk: {connections} connections, {duration.TotalSeconds:0} s per run, median of {rounds} runs each");
        section.Add($"- Symbolon: `symbolon serve` (the ReadyToRun publish `./symbolon` runs; `Symbolon.Server.dll` when the bench is given that), its own process, shipped runtime settings) on 127.0.0.1, fresh SQLite data directory; vault, profile, vendor registration, SD-BASE and the person's consent (name, email, postal address; read) set up over HTTP (`VendorApi/VendorSetup.cs`), then `GET {ProfilePath}` with the vendor's bearer token.");
        section.Add($"- Baseline: `Symbolon.Bench.Baseline.dll --serve-file` (an empty ASP.NET Core app, its own process) answering GET {ProfilePath} with the same {body.Length} bytes.");
        section.Add($"- Load: `wrk -t{Threads} -c{connections} -d{duration.TotalSeconds:0}s --latency` (Debian's wrk 4.1; 127.0.0.1 only); {WarmUp.TotalSeconds:0} s of the same load on each first. wrk shares the 2 cores with the server, alike for both. Median run by req/s; latency percentiles are wrk's. Server CPU per request from /proc.");
        section.Add("");
        section.Add("| Run | Symbolon req/s | p50 | p90 | p99 | non-2xx, socket errors | server CPU/req | bare req/s | p50 | p90 | p99 | server CPU/req |");
        section.Add("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (var i = 0; i < rounds; i++)
        {
            var x = symbolonRuns[i];
            var y = baselineRuns[i];
            section.Add($"| {i + 1} | {x.Wrk.RequestsPerSecond:0} | {Format.Milliseconds(x.Wrk.P50Ms)} | {Format.Milliseconds(x.Wrk.P90Ms)} | {Format.Milliseconds(x.Wrk.P99Ms)} | {x.Wrk.Non2xx}, {x.Wrk.SocketErrors} | {x.ServerCpuMicroseconds:0} µs | " +
                $"{y.Wrk.RequestsPerSecond:0} | {Format.Milliseconds(y.Wrk.P50Ms)} | {Format.Milliseconds(y.Wrk.P90Ms)} | {Format.Milliseconds(y.Wrk.P99Ms)} | {y.ServerCpuMicroseconds:0} µs |");
        }
    }

    private static Run Median(List<Run> runs) => runs.OrderBy(r => r.Wrk.RequestsPerSecond).ElementAt(runs.Count / 2);
}
