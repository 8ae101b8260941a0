using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Symbolon.Bench.Reporting;

namespace Symbolon.Bench.Startup;

/// <summary>
/// Start-to-healthy time and idle memory of the real server process, against the smallest ASP.NET Core app
/// (bench/Symbolon.Bench.Baseline) measured the same way in the same run. Runs alternate between the two apps.
/// </summary>
internal static class ServerStartScenario
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    public const double StartGoalSeconds = 1.0;
    public const double MemoryGoalMegabytes = 120;

    private sealed record App(string Name, string Dll, bool UsesDataDirectory)
    {
        public Samples StartSeconds { get; } = new("s");
        public Samples IdleBytes { get; } = new("B");
        public Samples RestartSeconds { get; } = new("s");
        public Samples StartCpuSeconds { get; } = new("s");
        public Samples UsableSeconds { get; } = new("s");
        public List<string> Notes { get; } = [];
    }

    private sealed record Run(double StartSeconds, double StartCpuSeconds, long IdleBytes, string Note);

    public static async Task RunAsync(BenchReport report, string serverDll, string baselineDll, string workDirectory, int repetitions, TextWriter log, CancellationToken ct)
    {
        log.WriteLine($"== server start: {repetitions}× each, alternating; poll /healthz every {PollInterval.TotalMilliseconds:0} ms, then GET / and {IdleWait.TotalSeconds:0} s idle");
        var symbolon = new App(ChildProcess.IsCli(serverDll) ? "symbolon serve" : "Symbolon.Server", RequireFile(serverDll), UsesDataDirectory: true);
        var baseline = new App("Symbolon.Bench.Baseline", RequireFile(baselineDll), UsesDataDirectory: false);
        var pidFile = Path.Combine(workDirectory, "children.pids");

        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = true,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionLifetime = TimeSpan.Zero,
        })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };

        for (var round = 1; round <= repetitions; round++)
        {
            foreach (var app in new[] { symbolon, baseline })
            {
                ct.ThrowIfCancellationRequested();
                var run = await RunOnceAsync(app, http, workDirectory, pidFile, round, ct);
                app.StartSeconds.Add(run.StartSeconds);
                app.IdleBytes.Add(run.IdleBytes);
                app.StartCpuSeconds.Add(run.StartCpuSeconds);
                app.Notes.Add(run.Note);
                log.WriteLine($"   {app.Name} #{round}: start→healthy {run.StartSeconds:0.000} s (CPU {run.StartCpuSeconds:0.00} s), idle RSS {run.IdleBytes / (1024.0 * 1024):0.0} MB ({run.Note})");
                if (app.RestartSeconds.Count == round)
                {
                    log.WriteLine($"   {app.Name} #{round}: restart on its data dir, start→healthy {app.RestartSeconds.Values[^1]:0.000} s");
                }
            }
        }

        var start = symbolon.StartSeconds.Median;
        var memory = symbolon.IdleBytes.Median;
        report.AddRow(new SummaryRow(
            "Server start → first 200 from GET /healthz",
            Format.Seconds(start),
            Format.Seconds(baseline.StartSeconds.Median),
            $"**{Format.Ratio(start / baseline.StartSeconds.Median)}** (by CPU time {Format.Ratio(symbolon.StartCpuSeconds.Median / baseline.StartCpuSeconds.Median)})",
            $"< {StartGoalSeconds} s: {(start < StartGoalSeconds ? "met" : "**missed**")}"));
        report.AddRow(new SummaryRow(
            $"Server idle RSS ({IdleWait.TotalSeconds:0} s after GET /)",
            Format.Megabytes(memory),
            Format.Megabytes(baseline.IdleBytes.Median),
            $"**{Format.Ratio(memory / baseline.IdleBytes.Median)}**",
            $"< {MemoryGoalMegabytes} MB: {(memory / (1024 * 1024) < MemoryGoalMegabytes ? "met" : "**missed**")}"));

        var lines = report.Section($"Server start and idle memory: median of {repetitions} runs each");
        lines.Add($"- `dotnet <app>.dll --urls http://127.0.0.1:<free port>` (Symbolon: `symbolon.dll serve` from the ReadyToRun publish that the README's `./symbolon` runs, or `Symbolon.Server.dll` when given that; also `--data-dir <fresh temp dir>`), Production environment, Release build. " +
            $"Time from just before Process.Start to the first 200 from GET /healthz, polled every {PollInterval.TotalMilliseconds:0} ms. " +
            $"Then one GET / (Symbolon's web app page; 404 on the baseline), {IdleWait.TotalSeconds:0} s idle, VmRSS from /proc/PID/status.");
        lines.Add("");
        lines.Add("| App | Start → healthy (s) | CPU time used by then (s) | Idle RSS (MB) | Per run |");
        lines.Add("|---|---|---|---|---|");
        foreach (var app in new[] { symbolon, baseline })
        {
            lines.Add($"| {app.Name} | {string.Join(", ", app.StartSeconds.Values.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)))} | " +
                $"{string.Join(", ", app.StartCpuSeconds.Values.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))} | " +
                $"{string.Join(", ", app.IdleBytes.Values.Select(v => (v / (1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture)))} | {string.Join("; ", app.Notes)} |");
        }

        var restart = symbolon.RestartSeconds.Median;
        lines.Add("");
        lines.Add($"- {symbolon.Name}, start → usable (the first 200 from GET /owner/api/v1/vault, which waits for the schema check or migration): " +
            $"{Format.Seconds(symbolon.UsableSeconds.Median)} (runs: {symbolon.UsableSeconds}).");
        lines.Add($"- {symbolon.Name} started again on the data directory its first start had created and migrated: start → healthy {Format.Seconds(restart)} " +
            $"(runs: {symbolon.RestartSeconds}). " +
            (restart < start
                ? $"A fresh data directory (new SQLite database, migrations, data protection keys) adds about {Format.Seconds(start - restart)} to the first start."
                : "A restart is no faster, so creating the database and keys is not what the start waits for; the fixed cost of starting the app is."));
    }

    private static async Task<Run> RunOnceAsync(App app, HttpClient http, string workDirectory, string pidFile, int round, CancellationToken ct)
    {
        var dataDirectory = Path.Combine(workDirectory, $"{app.Name}-{round}");
        Directory.CreateDirectory(dataDirectory);
        try
        {
            Run run;
            var (child, startSeconds, attempts) = await StartUntilHealthyAsync(app, http, dataDirectory, pidFile, ct);
            using (child)
            {
                var startCpu = child.CpuTime();
                if (app.UsesDataDirectory)
                {
                    // Healthy is liveness: /healthz answers while the schema is still being checked. Usable is the
                    // first answer that needs storage, the vault status the web app asks for first.
                    app.UsableSeconds.Add(startSeconds + await SecondsUntilOkAsync(http, new Uri(child.BaseUri, "owner/api/v1/vault"), ct));
                }

                var page = Stopwatch.StartNew();
                using var response = await http.GetAsync(child.BaseUri, ct);
                await response.Content.LoadIntoBufferAsync(ct);
                page.Stop();
                await Task.Delay(IdleWait, ct);
                if (child.HasExited)
                {
                    throw new InvalidOperationException($"{app.Name} exited while idle. Its last output:\n{child.OutputTail()}");
                }

                run = new Run(
                    startSeconds,
                    startCpu.TotalSeconds,
                    child.ResidentBytes(),
                    $"{attempts} polls; GET / {(int)response.StatusCode} in {page.Elapsed.TotalMilliseconds:0} ms; peak RSS {child.PeakResidentBytes() / (1024 * 1024)} MB");
            }

            if (app.UsesDataDirectory)
            {
                // A second start on the data directory the first one created and migrated: what a restart costs,
                // and by difference what creating the database costs.
                var (again, restartSeconds, _) = await StartUntilHealthyAsync(app, http, dataDirectory, pidFile, ct);
                again.Dispose();
                app.RestartSeconds.Add(restartSeconds);
            }

            return run;
        }
        finally
        {
            TryDelete(dataDirectory);
        }
    }

    /// <summary>Starts the app and polls GET /healthz until it answers 200; the time runs from just before Process.Start.</summary>
    private static async Task<(ChildProcess Child, double Seconds, int Attempts)> StartUntilHealthyAsync(App app, HttpClient http, string dataDirectory, string pidFile, CancellationToken ct)
    {
        var baseUri = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}/");
        var arguments = new List<string>();
        if (app.UsesDataDirectory)
        {
            arguments.AddRange(["--data-dir", dataDirectory]);
        }

        arguments.AddRange(["--urls", baseUri.GetLeftPart(UriPartial.Authority)]);
        var health = new Uri(baseUri, "healthz");
        var stopwatch = Stopwatch.StartNew();
        var child = ChildProcess.Start(app.Dll, arguments, baseUri, dataDirectory, pidFile);
        try
        {
            var attempts = 0;
            while (true)
            {
                attempts++;
                if (await IsHealthyAsync(http, health, ct))
                {
                    return (child, stopwatch.Elapsed.TotalSeconds, attempts);
                }

                if (child.HasExited)
                {
                    throw new InvalidOperationException($"{app.Name} exited before it was healthy. Its last output:\n{child.OutputTail()}");
                }

                if (stopwatch.Elapsed > StartTimeout)
                {
                    throw new TimeoutException($"{app.Name} was not healthy within {StartTimeout.TotalSeconds:0} s. Its last output:\n{child.OutputTail()}");
                }

                await Task.Delay(PollInterval, ct);
            }
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    private static async Task<double> SecondsUntilOkAsync(HttpClient http, Uri uri, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await IsHealthyAsync(http, uri, ct))
        {
            if (stopwatch.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"{uri} did not answer 200 within {StartTimeout.TotalSeconds:0} s.");
            }

            await Task.Delay(PollInterval, ct);
        }

        return stopwatch.Elapsed.TotalSeconds;
    }

    private static async Task<bool> IsHealthyAsync(HttpClient http, Uri health, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(health, ct);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            // Not listening yet.
            return false;
        }
    }

    internal static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RequireFile(string path) =>
        File.Exists(path) ? Path.GetFullPath(path) : throw new FileNotFoundException($"{path} does not exist; build it in Release first (bench/run.sh does).", path);

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // The work directory as a whole is removed at the end (and by bench/run.sh).
        }
    }
}
