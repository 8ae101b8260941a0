using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Symbolon.Bench.Reporting;
using Symbolon.Bench.Startup;
using Symbolon.Bench.VendorApi;
using Symbolon.Bench.Wallet;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Bench.Session;

/// <summary>
/// The sealed inbox (issue 12), measured as a person and a vendor meet it: <c>symbolon serve</c> as a process of its
/// own on a fresh SQLite data directory, a vendor granted append on receipts over HTTP, and <c>wrk</c> posting receipts.
/// First the write: while the vault is locked each receipt is checked, sealed to the vault's public key and queued (202),
/// against the same load on the unlocked vault, where it is stored at once (201), runs taking turns; after each queued
/// run the vault is unlocked and the time until the away report shows nothing pending is taken (the drain). Then the
/// unlock after a night away: a fresh server process on a data directory holding 10,000 queued receipts, from the unlock
/// request until <c>GET /owner/api/v1/inbox</c> shows none pending, against the same unlock with none queued.
/// </summary>
internal static partial class InboxScenario
{
    public const int Threads = 2;
    private const string ReceiptsPath = "/api/v1/receipts";
    private const string AppliedFragment = "the inbox gave";
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(10);
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    /// <summary>The quotas the throughput part runs with, so that no queued run meets them (the defaults are 10,000 items per vendor).</summary>
    private static readonly Dictionary<string, string> RaisedQuotas = new(StringComparer.Ordinal)
    {
        ["Inbox__MaxItemsPerVendor"] = "1000000",
        ["Inbox__MaxItems"] = "1000000",
        ["Inbox__MaxBytesPerVendor"] = (8L << 30).ToString(CultureInfo.InvariantCulture),
        ["Inbox__MaxBytes"] = (8L << 30).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>One wrk run: live (the vault unlocked) or queued (locked), and for a queued run the drain that followed.</summary>
    private sealed record LoadRun(Wrk.Result Wrk, long Answered, string Others, double ServerCpuMicroseconds)
    {
        public QueuedDetail? Queued { get; init; }
    }

    /// <summary>What a queued run left and how the unlock after it applied it.</summary>
    private sealed record QueuedDetail(int Pending, double FirstSecondRate, double LastSecondRate, Drain Drain);

    /// <summary>An unlock and the application of what was pending, as the client and the server's log saw it.</summary>
    private sealed record Drain(
        double UnlockMs, double AppliedMs, double? ServerLogMs, int Applied, int Refused, int Unopenable, int Polls, int FirstReportBytes, double CpuMs, long PeakRssBytes)
    {
        /// <summary>Items per second of application: by the server's own timing when it logged it, else from the unlock request to none pending.</summary>
        public double ItemsPerSecond => Applied / ((ServerLogMs ?? AppliedMs) / 1000);
    }

    public static async Task RunAsync(
        BenchReport report, UserSettings settings, string workDirectory, int connections, TimeSpan duration, int rounds, int queuedItems, TimeSpan poll, TextWriter log, CancellationToken ct)
    {
        var pidFile = Path.Combine(workDirectory, "children.pids");
        var body = JsonSerializer.SerializeToUtf8Bytes(ReceiptsScenario.Receipt, WebJson);
        log.WriteLine($"== user: sealed inbox: POST {ReceiptsPath} under wrk -t{Threads} -c{connections} -d{duration.TotalSeconds:0}s, vault locked (queued) against unlocked (live), {rounds} rounds each with the drain after each queued run; then unlock with {queuedItems:N0} queued in a fresh server process, {settings.Restarts}× against none queued");
        var load = await MeasureWritesAsync(settings, workDirectory, pidFile, body, connections, duration, rounds, poll, log, ct);
        var unlocks = await MeasureUnlocksAsync(settings, workDirectory, pidFile, body, queuedItems, poll, log, ct);
        Report(report, connections, duration, rounds, queuedItems, poll, body.Length, load, unlocks);
    }

    // ---- Part 1: queued against live writes, and the drain after each queued run ----

    private sealed record LoadResults(List<LoadRun> Live, List<LoadRun> Queued, string WarmUpNote);

    private static async Task<LoadResults> MeasureWritesAsync(
        UserSettings settings, string workDirectory, string pidFile, byte[] body, int connections, TimeSpan duration, int rounds, TimeSpan poll, TextWriter log, CancellationToken ct)
    {
        var dataDirectory = Path.Combine(workDirectory, "inbox-load");
        Directory.CreateDirectory(dataDirectory);
        using var server = await ChildProcess.StartHealthyAsync(settings.ServerDll, ["--data-dir", dataDirectory], dataDirectory, pidFile, ct, RaisedQuotas);
        var applied = server.Watch(AppliedFragment);
        var (vendorToken, ownerToken) = await VendorSetup.GrantWithOwnerAsync(server.BaseUri, [Datatypes.Receipts], [DataActions.Append], ct);
        using var owner = new OwnerClient(server.BaseUri, ownerToken);
        var url = new Uri(server.BaseUri, ReceiptsPath);
        var script = Path.Combine(workDirectory, "inbox-post.lua");
        await File.WriteAllTextAsync(script, LuaScript(body, vendorToken), ct);

        // One of each by hand first, so that a wrong body or grant fails here with the server's answer.
        await ProbeAsync(url, vendorToken, body, HttpStatusCode.Created, ct);
        var run = 0;
        Task<Wrk.Result> WrkAsync(TimeSpan time) =>
            Wrk.RunAsync(settings.Wrk, url, null, Threads, connections, time, pidFile, script, [$"run{++run}"], ct);

        async Task<LoadRun> LiveAsync(TimeSpan time)
        {
            var cpu = server.CpuTime();
            var result = await WrkAsync(time);
            return Summarize(result, StatusCodes.Created, server.CpuTime() - cpu);
        }

        var probed = false;
        async Task<LoadRun> QueuedAsync(TimeSpan time)
        {
            await owner.LockAsync(ct);
            if (!probed)
            {
                await ProbeAsync(url, vendorToken, body, HttpStatusCode.Accepted, ct);
                probed = true;
            }

            var cpu = server.CpuTime();
            var result = await WrkAsync(time);
            var loadRun = Summarize(result, StatusCodes.Accepted, server.CpuTime() - cpu);

            // Requests wrk left in flight at its end may still be queued: read the report until it holds still.
            var inbox = await owner.InboxAsync(ct);
            for (var settled = 0; settled < 10; settled++)
            {
                await Task.Delay(200, ct);
                var again = await owner.InboxAsync(ct);
                if (again.Pending == inbox.Pending)
                {
                    break;
                }

                inbox = again;
            }

            var (first, last) = EdgeRates(inbox.PendingArrivals);
            var drain = await DrainAsync(server, owner, applied, inbox.Pending, poll, ct);
            await owner.MarkInboxSeenAsync(ct);
            return loadRun with { Queued = new QueuedDetail(inbox.Pending, first, last, drain) };
        }

        // Warm-up (JIT, tiered compilation, SQLite's page cache) on both paths and the drain.
        var warmLive = await LiveAsync(WarmUp);
        var warmQueued = await QueuedAsync(WarmUp);
        var warmUpNote = $"warm-up: live {warmLive.Wrk.RequestsPerSecond:0}/s, queued {warmQueued.Wrk.RequestsPerSecond:0}/s, {warmQueued.Queued!.Pending:N0} items applied in {warmQueued.Queued.Drain.AppliedMs:0} ms";
        log.WriteLine($"   {warmUpNote}");

        var live = new List<LoadRun>();
        var queued = new List<LoadRun>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var isLive in round % 2 == 1 ? new[] { true, false } : [false, true])
            {
                ct.ThrowIfCancellationRequested();
                var result = isLive ? await LiveAsync(duration) : await QueuedAsync(duration);
                (isLive ? live : queued).Add(result);
                var line = $"   {(isLive ? "live  " : "queued")} #{round}: {result.Wrk.RequestsPerSecond:0} writes/s, p50 {result.Wrk.P50Ms:0.00} ms, p99 {result.Wrk.P99Ms:0.00} ms, {result.Answered:N0} answered {(isLive ? 201 : 202)}" +
                    (result.Others.Length > 0 ? $", **others: {result.Others}**" : "") + $", socket errors {result.Wrk.SocketErrors}, server CPU {result.ServerCpuMicroseconds:0} µs/write";
                if (result.Queued is { } q)
                {
                    line += $"; {q.Pending:N0} pending (first second {q.FirstSecondRate:0}/s, last {q.LastSecondRate:0}/s); unlock answered {q.Drain.UnlockMs:0} ms, none pending {q.Drain.AppliedMs:0} ms after the unlock request" +
                        $" (server log {Ms(q.Drain.ServerLogMs)}, {q.Drain.ItemsPerSecond:0} items/s; {q.Drain.Applied:N0} applied, {q.Drain.Refused} refused, {q.Drain.Unopenable} unopenable; {q.Drain.Polls} polls; CPU {q.Drain.CpuMs:0} ms)";
                }

                log.WriteLine(line);
                if (result.Others.Length > 0 || result.Wrk.SocketErrors > 0)
                {
                    log.WriteLine(result.Wrk.Output);
                }
            }
        }

        return new LoadResults(live, queued, warmUpNote);
    }

    private static LoadRun Summarize(Wrk.Result result, int expected, TimeSpan cpu) =>
        new(result, result.Count(expected), result.Others(expected), result.Requests == 0 ? double.NaN : cpu.TotalMilliseconds * 1000 / result.Requests);

    /// <summary>Arrivals per second in the run's first and last second (the server's clock), to show whether queuing slows as the inbox fills.</summary>
    private static (double First, double Last) EdgeRates(IReadOnlyList<DateTimeOffset> arrivals)
    {
        if (arrivals.Count < 2)
        {
            return (double.NaN, double.NaN);
        }

        var first = arrivals.Min();
        var last = arrivals.Max();
        var second = TimeSpan.FromSeconds(1);
        return (arrivals.Count(a => a < first + second), arrivals.Count(a => a > last - second));
    }

    // ---- Part 2: unlock after a night away ----

    /// <summary>The web app's away banner reads the report once a second; the unlock is timed at that pace too when the main pace is faster.</summary>
    private static readonly TimeSpan BannerPoll = TimeSpan.FromSeconds(1);

    private sealed record UnlockRun(int Items, TimeSpan Poll, double HealthySeconds, Drain Drain);

    /// <summary>The timed unlocks by side: queued items at the main polling pace, at the banner's pace (if slower), and none queued.</summary>
    private sealed record UnlockResults(
        List<UnlockRun> Full, List<UnlockRun> FullBannerPace, List<UnlockRun> Empty, double QueueSeconds, double FirstThousandRate, double LastThousandRate, long DataBytesEmpty, long DataBytesFull);

    private static async Task<UnlockResults> MeasureUnlocksAsync(
        UserSettings settings, string workDirectory, string pidFile, byte[] body, int items, TimeSpan poll, TextWriter log, CancellationToken ct)
    {
        // The default quotas take 10,000 items from one vendor; more need them raised.
        IReadOnlyDictionary<string, string>? quotas = items > 10_000 ? RaisedQuotas : null;
        var setupDirectory = Path.Combine(workDirectory, "inbox-night");
        var empty = Path.Combine(workDirectory, "inbox-night-none");
        var full = Path.Combine(workDirectory, "inbox-night-full");
        Directory.CreateDirectory(setupDirectory);

        // Every start on these data directories listens on the same address: it is the OAuth issuer, which the
        // vendor's token is bound to (a server keeps its address across restarts).
        var port = ServerStartScenario.FreeLoopbackPort();

        // The vault and the vendor, then locked: the state a person leaves the server in. Stopped as a service manager
        // stops it, and kept as it is (the baseline's data directory).
        string vendorToken;
        string ownerToken;
        using (var server = await ChildProcess.StartHealthyAsync(settings.ServerDll, ["--data-dir", setupDirectory], setupDirectory, pidFile, ct, quotas, port))
        {
            (vendorToken, ownerToken) = await VendorSetup.GrantWithOwnerAsync(server.BaseUri, [Datatypes.Receipts], [DataActions.Append], ct);
            using var owner = new OwnerClient(server.BaseUri, ownerToken);
            await ProbeAsync(new Uri(server.BaseUri, ReceiptsPath), vendorToken, body, HttpStatusCode.Created, ct);
            await owner.LockAsync(ct);
            await StopAsync(server);
        }

        CopyDirectory(setupDirectory, empty);

        // The night: the server started again (locked, as every start is), the vendor's receipts queued, the server
        // stopped. The report (read without the key) gives when each arrived: how queuing went as the inbox filled.
        double queueSeconds;
        IReadOnlyList<DateTimeOffset> arrivals;
        using (var server = await ChildProcess.StartHealthyAsync(settings.ServerDll, ["--data-dir", setupDirectory], setupDirectory, pidFile, ct, quotas, port))
        {
            var started = Stopwatch.StartNew();
            await QueueAsync(new Uri(server.BaseUri, ReceiptsPath), vendorToken, body, items, ct);
            queueSeconds = started.Elapsed.TotalSeconds;
            using var owner = new OwnerClient(server.BaseUri, ownerToken);
            var report = await owner.InboxAsync(ct);
            if (report.Pending != items)
            {
                throw new InvalidOperationException($"{report.Pending} items are pending after {items} were queued.");
            }

            arrivals = report.PendingArrivals;
            await StopAsync(server);
        }

        var (firstRate, lastRate) = ThousandRates(arrivals);
        CopyDirectory(setupDirectory, full);
        Directory.Delete(setupDirectory, recursive: true);
        log.WriteLine($"   queued {items:N0} receipts over HTTP in {queueSeconds:0.0} s (16 clients; not a figure): the first {Math.Min(1_000, items / 10):N0} at {firstRate:0}/s, the last {Math.Min(1_000, items / 10):N0} at {lastRate:0}/s; data directory {DirectoryBytes(empty) / (1024.0 * 1024):0.0} MB without them, {DirectoryBytes(full) / (1024.0 * 1024):0.0} MB with them");

        var sides = new List<(int Items, TimeSpan Poll, List<UnlockRun> Runs)> { (items, poll, []) };
        if (poll < BannerPoll)
        {
            sides.Add((items, BannerPoll, []));
        }

        sides.Add((0, poll, []));
        for (var round = 1; round <= settings.Restarts; round++)
        {
            foreach (var side in round % 2 == 1 ? sides : Enumerable.Reverse(sides))
            {
                ct.ThrowIfCancellationRequested();
                var run = await UnlockOnceAsync(settings.ServerDll, side.Items > 0 ? full : empty, Path.Combine(workDirectory, "inbox-night-run"), pidFile, side.Items, quotas, port, side.Poll, ct);
                side.Runs.Add(run);
                var d = run.Drain;
                log.WriteLine($"   {(side.Items > 0 ? $"{side.Items:N0} queued" : "none queued")}, report read every {side.Poll.TotalMilliseconds:0} ms, #{round}: start→healthy {run.HealthySeconds:0.00} s; unlock answered {d.UnlockMs:0} ms, none pending {d.AppliedMs:0} ms after the unlock request" +
                    (side.Items > 0 ? $" (server log {Ms(d.ServerLogMs)}, {d.ItemsPerSecond:0} items/s; {d.Applied:N0} applied, {d.Refused} refused, {d.Unopenable} unopenable; {d.Polls} reads, the first {d.FirstReportBytes / 1024.0:0} KiB)" : "") +
                    $"; server CPU {d.CpuMs:0} ms, peak RSS {d.PeakRssBytes / (1024.0 * 1024):0} MB");
            }
        }

        return new UnlockResults(sides[0].Runs, sides.Count == 3 ? sides[1].Runs : [], sides[^1].Runs, queueSeconds, firstRate, lastRate, DirectoryBytes(empty), DirectoryBytes(full));
    }

    /// <summary>Arrivals per second over the first and the last 1,000 items (or a tenth, for fewer than 10,000).</summary>
    private static (double First, double Last) ThousandRates(IReadOnlyList<DateTimeOffset> arrivals)
    {
        var n = Math.Min(1_000, arrivals.Count / 10);
        if (n < 2)
        {
            return (double.NaN, double.NaN);
        }

        var sorted = arrivals.Order().ToList();
        return ((n - 1) / (sorted[n - 1] - sorted[0]).TotalSeconds, (n - 1) / (sorted[^1] - sorted[^n]).TotalSeconds);
    }

    private static async Task<UnlockRun> UnlockOnceAsync(
        string serverDll, string snapshot, string dataDirectory, string pidFile, int expected, IReadOnlyDictionary<string, string>? quotas, int port, TimeSpan poll, CancellationToken ct)
    {
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        CopyDirectory(snapshot, dataDirectory);
        try
        {
            var started = Stopwatch.StartNew();
            using var server = await ChildProcess.StartHealthyAsync(serverDll, ["--data-dir", dataDirectory], dataDirectory, pidFile, ct, quotas, port);
            var healthy = started.Elapsed.TotalSeconds;
            var applied = server.Watch(AppliedFragment);
            using var owner = new OwnerClient(server.BaseUri);
            await owner.WaitForVaultStatusAsync(ct);
            var drain = await DrainAsync(server, owner, applied, expected, poll, ct);
            return new UnlockRun(expected, poll, healthy, drain);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// Unlocks the vault and polls the away report every <paramref name="poll"/> until it shows nothing pending; then checks that every
    /// one of <paramref name="expected"/> items was applied and waits for the server's log line on it.
    /// </summary>
    private static async Task<Drain> DrainAsync(ChildProcess server, OwnerClient owner, ConcurrentQueue<string> applied, int expected, TimeSpan poll, CancellationToken ct)
    {
        applied.Clear();
        var cpu = server.CpuTime();
        var clock = Stopwatch.StartNew();
        await owner.UnlockAsync(ct);
        var unlockMs = clock.Elapsed.TotalMilliseconds;
        var polls = 0;
        var firstBytes = 0;
        double appliedMs;
        while (true)
        {
            var pollStarted = clock.Elapsed;
            var (pending, bytes) = await owner.PendingInboxItemsAsync(ct);
            polls++;
            if (polls == 1)
            {
                firstBytes = bytes;
            }

            if (pending == 0)
            {
                appliedMs = clock.Elapsed.TotalMilliseconds;
                break;
            }

            if (clock.Elapsed > DrainTimeout)
            {
                throw new TimeoutException($"{pending} inbox items were still pending {DrainTimeout.TotalMinutes:0} minutes after the unlock. The server's last output:\n{server.OutputTail()}");
            }

            var wait = poll - (clock.Elapsed - pollStarted);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct);
            }
        }

        var cpuMs = (server.CpuTime() - cpu).TotalMilliseconds;
        var report = await owner.InboxAsync(ct);
        if (report.Applied + report.Refused + report.Unopenable != expected || report.Applied != expected)
        {
            throw new InvalidOperationException($"Of {expected} queued items {report.Applied} were applied, {report.Refused} refused and {report.Unopenable} unopenable.");
        }

        // The applier logs once the inbox is drained and writes go live again; the next live run waits for that.
        double? logMs = null;
        if (expected > 0)
        {
            var waited = Stopwatch.StartNew();
            string? line;
            while (!applied.TryDequeue(out line) && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(10, ct);
            }

            if (line is not null && AppliedLine().Match(line) is { Success: true } m)
            {
                if (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) != expected)
                {
                    throw new InvalidOperationException($"The server logged another count than the {expected} items queued: {line}");
                }

                logMs = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            }
        }

        return new Drain(unlockMs, appliedMs, logMs, report.Applied, report.Refused, report.Unopenable, polls, firstBytes, cpuMs, server.PeakResidentBytes());
    }

    /// <summary>Queues exactly <paramref name="items"/> receipts from 16 clients, each with its own Idempotency-Key; every answer must be 202.</summary>
    private static async Task QueueAsync(Uri url, string token, byte[] body, int items, CancellationToken ct)
    {
        var next = 0;
        using var http = NewVendorClient(token);
        var workers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) <= items)
            {
                using var response = await PostAsync(http, url, body, $"night-{i}", ct);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"Queuing receipt {i} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                }
            }
        }, ct));
        await Task.WhenAll(workers);
    }

    private static async Task ProbeAsync(Uri url, string token, byte[] body, HttpStatusCode expected, CancellationToken ct)
    {
        using var http = NewVendorClient(token);
        using var response = await PostAsync(http, url, body, $"probe-{Guid.NewGuid():N}", ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != expected || (expected == HttpStatusCode.Accepted && !text.Contains("\"queued\"", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"POST {ReceiptsPath} answered {(int)response.StatusCode}, expected {(int)expected}: {text[..Math.Min(600, text.Length)]}");
        }
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, Uri url, byte[] body, string key, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("Idempotency-Key", key);
        var response = await http.SendAsync(request, ct);
        await response.Content.LoadIntoBufferAsync(ct);
        return response;
    }

    private static HttpClient NewVendorClient(string token)
    {
        var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 16 }) { Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task StopAsync(ChildProcess server)
    {
        if (!await server.StopAsync(TimeSpan.FromSeconds(30)))
        {
            throw new InvalidOperationException($"The server did not stop within 30 s of SIGTERM. Its last output:\n{server.OutputTail()}");
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }
    }

    private static long DirectoryBytes(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    /// <summary>
    /// POST the receipt with the vendor's token and a new Idempotency-Key per request (run, thread, counter), and count
    /// the answers by status code, printed as <c>statuses: 201=N …</c> when wrk is done (see <see cref="Wrk"/>).
    /// </summary>
    private static string LuaScript(byte[] body, string token) => $$"""
        -- Written by the bench's inbox scenario: POST a receipt with a new Idempotency-Key each, count answers by status.
        local threads = {}
        local counter = 0
        local prefix = ""
        statuses = {}

        function setup(thread)
          table.insert(threads, thread)
          thread:set("thread_number", #threads)
        end

        function init(args)
          prefix = (args[1] or "run") .. "-" .. thread_number .. "-"
          wrk.method = "POST"
          wrk.body = [==[{{System.Text.Encoding.UTF8.GetString(body)}}]==]
          wrk.headers["Content-Type"] = "application/json"
          wrk.headers["Authorization"] = "Bearer {{token}}"
        end

        function request()
          counter = counter + 1
          wrk.headers["Idempotency-Key"] = prefix .. counter
          return wrk.format()
        end

        {{Wrk.StatusCounting}}
        """;

    private static string Ms(double? milliseconds) => milliseconds is { } ms ? $"{ms:0} ms" : "no line";

    [GeneratedRegex(@"gave (\d+) applied, \d+ refused and \d+ unopenable items in (\d+) ms")]
    private static partial Regex AppliedLine();

    private static class StatusCodes
    {
        public const int Created = 201;
        public const int Accepted = 202;
    }

    // ---- The report ----

    private static void Report(BenchReport report, int connections, TimeSpan duration, int rounds, int items, TimeSpan poll, int bodyBytes, LoadResults load, UnlockResults unlocks)
    {
        var live = MedianBy(load.Live, r => r.Wrk.RequestsPerSecond);
        var queued = MedianBy(load.Queued, r => r.Wrk.RequestsPerSecond);
        var ratio = queued.Wrk.RequestsPerSecond / live.Wrk.RequestsPerSecond;
        var wrongAnswers = load.Live.Sum(r => r.Wrk.Requests - r.Answered) + load.Queued.Sum(r => r.Wrk.Requests - r.Answered);
        report.AddRow(new SummaryRow(
            $"Vendor write while the vault is locked: POST {ReceiptsPath} checked, sealed to the vault's key, queued (202); wrk -t{Threads} -c{connections}",
            $"{Format.Rate(queued.Wrk.RequestsPerSecond)} writes/s; p50 {Format.Milliseconds(queued.Wrk.P50Ms)}, p99 {Format.Milliseconds(queued.Wrk.P99Ms)}" + (wrongAnswers > 0 ? $"; **{wrongAnswers} answers not 201/202**" : ""),
            $"the live write (vault unlocked, stored, 201), same load: {Format.Rate(live.Wrk.RequestsPerSecond)} writes/s; p50 {Format.Milliseconds(live.Wrk.P50Ms)}, p99 {Format.Milliseconds(live.Wrk.P99Ms)}",
            $"**{Format.Ratio(ratio)}** the live rate (server CPU per write {queued.ServerCpuMicroseconds:0} µs against {live.ServerCpuMicroseconds:0} µs)",
            "none set"));

        var drains = load.Queued.Select(r => r.Queued!).ToList();
        var drain = MedianBy(drains, d => d.Drain.ItemsPerSecond);
        report.AddRow(new SummaryRow(
            "The inbox applied on unlock after each queued run (unlock request → away report shows none pending)",
            $"{Format.Rate(drain.Drain.ItemsPerSecond)} items/s ({Format.Count(drain.Pending)} items: applied in {Ms(drain.Drain.ServerLogMs)} by the server's log, none pending {Format.Milliseconds(drain.Drain.AppliedMs)} after the unlock request)",
            $"the live write rate: {Format.Rate(live.Wrk.RequestsPerSecond)} writes/s",
            $"**{Format.Ratio(drain.Drain.ItemsPerSecond / live.Wrk.RequestsPerSecond)}** the live rate",
            "none set"));

        var full = MedianBy(unlocks.Full, r => r.Drain.AppliedMs);
        var none = MedianBy(unlocks.Empty, r => r.Drain.AppliedMs);
        report.AddRow(new SummaryRow(
            $"Unlock with {Format.Count(items)} queued receipts, fresh server process (unlock request → away report, read every {poll.TotalMilliseconds:0} ms, shows none pending)",
            $"{Format.Milliseconds(full.Drain.AppliedMs)} (unlock answered {Format.Milliseconds(full.Drain.UnlockMs)}; applied in {Ms(full.Drain.ServerLogMs)} by the server's log, {Format.Rate(full.Drain.ItemsPerSecond)} items/s; server CPU {Format.Milliseconds(full.Drain.CpuMs)})",
            $"the same unlock with none queued: {Format.Milliseconds(none.Drain.AppliedMs)} (unlock answered {Format.Milliseconds(none.Drain.UnlockMs)}; server CPU {Format.Milliseconds(none.Drain.CpuMs)})",
            $"**{Format.Ratio(full.Drain.AppliedMs / none.Drain.AppliedMs)}** (by server CPU {Format.Ratio(full.Drain.CpuMs / none.Drain.CpuMs)})",
            "none set"));
        if (unlocks.FullBannerPace.Count > 0)
        {
            var banner = MedianBy(unlocks.FullBannerPace, r => r.Drain.AppliedMs);
            report.AddRow(new SummaryRow(
                $"The same, the away report read once a second (the web app's banner's pace)",
                $"{Format.Milliseconds(banner.Drain.AppliedMs)} (unlock answered {Format.Milliseconds(banner.Drain.UnlockMs)}; applied in {Ms(banner.Drain.ServerLogMs)} by the server's log, {Format.Rate(banner.Drain.ItemsPerSecond)} items/s; server CPU {Format.Milliseconds(banner.Drain.CpuMs)})",
                $"the same unlock with none queued: {Format.Milliseconds(none.Drain.AppliedMs)}",
                $"**{Format.Ratio(banner.Drain.AppliedMs / none.Drain.AppliedMs)}** (by server CPU {Format.Ratio(banner.Drain.CpuMs / none.Drain.CpuMs)})",
                "none set"));
        }

        var section = report.Section($"Sealed inbox: writes queued against live writes, {connections} connections, {duration.TotalSeconds:0} s per run, median of {rounds} runs each");
        section.Add("- Server: `symbolon serve` (the ReadyToRun publish `./symbolon` runs; `Symbolon.Server.dll` when the bench is given that), its own process, Production settings, 127.0.0.1, fresh SQLite data directory, started with the inbox's quotas raised (`Inbox__MaxItemsPerVendor` and `Inbox__MaxItems` 1,000,000, `Inbox__MaxBytesPerVendor` and `Inbox__MaxBytes` 8 GiB) so that no run meets them. Vault, vendor registration, SD-BASE and the person's consent (receipts; append) over HTTP (`VendorApi/VendorSetup.cs`); the owner's access token from creating the vault for `POST /owner/api/v1/vault/lock`, `GET /owner/api/v1/inbox` and `POST /owner/api/v1/inbox/seen`.");
        section.Add($"- Load: `wrk -t{Threads} -c{connections} -d{duration.TotalSeconds:0}s --latency -s inbox-post.lua` (Debian's wrk 4.1): the {bodyBytes}-byte three-line EUR receipt of the `receipts` scenario, the vendor's bearer token, a new `Idempotency-Key` per request (run, thread, counter); the script counts the answers by status. Live: the vault unlocked, every answer must be 201 (stored). Queued: `POST /owner/api/v1/vault/lock` first, every answer must be 202 (`{{\"inbox_id\",\"received_at\",\"status\":\"queued\"}}`). Runs take turns, who goes first alternating; {WarmUp.TotalSeconds:0} s of each first ({load.WarmUpNote}). Server CPU per write from /proc. \"Queued in the first s, last s\": the items' arrival times (the server's clock) in the run's first and last second.");
        section.Add($"- Drain: after each queued run the away report is read (pending items, when they arrived), then `POST /owner/api/v1/vault/unlock`, then `GET /owner/api/v1/inbox` every {poll.TotalMilliseconds:0} ms until no item is pending; the server's own figure is its log line (\"the inbox gave N applied … in M ms\", from the applier's start to the inbox drained). Every item must be applied. Then the settled items are marked seen, so that the next report holds only the next run's, and the next run waits for that log line (writes go live again only then).");
        section.Add("");
        section.Add("| Run | live writes/s | p50 | p99 | 201 answers | other answers | server CPU/write | queued writes/s | p50 | p99 | 202 answers | other answers | server CPU/write | queued in the first s, last s | unlock answered | none pending | server log | items/s | drain CPU |");
        section.Add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (var i = 0; i < rounds; i++)
        {
            var x = load.Live[i];
            var y = load.Queued[i];
            var q = y.Queued!;
            section.Add($"| {i + 1} | {x.Wrk.RequestsPerSecond:0} | {Format.Milliseconds(x.Wrk.P50Ms)} | {Format.Milliseconds(x.Wrk.P99Ms)} | {Format.Count(x.Answered)} | {Others(x)} | {x.ServerCpuMicroseconds:0} µs | " +
                $"{y.Wrk.RequestsPerSecond:0} | {Format.Milliseconds(y.Wrk.P50Ms)} | {Format.Milliseconds(y.Wrk.P99Ms)} | {Format.Count(y.Answered)} | {Others(y)} | {y.ServerCpuMicroseconds:0} µs | {q.FirstSecondRate:0}, {q.LastSecondRate:0} | " +
                $"{Format.Milliseconds(q.Drain.UnlockMs)} | {Format.Milliseconds(q.Drain.AppliedMs)} | {Ms(q.Drain.ServerLogMs)} | {q.Drain.ItemsPerSecond:0} | {Format.Milliseconds(q.Drain.CpuMs)} |");
        }

        var night = report.Section($"Sealed inbox: unlock with {Format.Count(items)} queued receipts against none, fresh server process, median of {unlocks.Full.Count} runs each");
        night.Add($"- Data: one vault and vendor set up as above (default quotas{(items > 10_000 ? ", raised for this many items" : "")}), locked, the server stopped with SIGTERM: that data directory ({unlocks.DataBytesEmpty / (1024.0 * 1024):0.0} MB) is the baseline's. The server started again on it (locked, as every start is), {Format.Count(items)} receipts queued over HTTP by 16 clients, stopped again: that one ({unlocks.DataBytesFull / (1024.0 * 1024):0.0} MB) is the measured side's. Queuing them took {unlocks.QueueSeconds:0.0} s (not a figure): the first {Format.Count(Math.Min(1_000, items / 10))} arrived at {unlocks.FirstThousandRate:0}/s, the last {Format.Count(Math.Min(1_000, items / 10))} at {unlocks.LastThousandRate:0}/s (the server's arrival times).");
        night.Add($"- Each run: the data directory copied to a new place, `symbolon serve` started on it (a new process, cold JIT, as after a night; the same port every time, as the OAuth issuer the vendor's token names), `GET /owner/api/v1/vault` answering 200 (storage ready), then the clock: `POST /owner/api/v1/vault/unlock` (Argon2id included; the applier starts off the unlocking request), then `GET /owner/api/v1/inbox` with the new access token every {poll.TotalMilliseconds:0} ms{(unlocks.FullBannerPace.Count > 0 ? " (or every second, the web app's banner's pace)" : "")} until no item is pending (every item applied). The sides take turns, the order reversed every other round. The reading is part of what the server does meanwhile: each read sends the whole away report (the first one's size is in the table).");
        night.Add("- Server CPU: the server process's CPU time (all threads, from /proc) from just before the unlock request to the answer showing none pending. Items/s: the items over the server's own time for them (its log line, from the applier's start to the inbox drained).");
        night.Add("");
        night.Add("| Run | queued | report read every | start → healthy | unlock answered | none pending | server log | items/s | reads | first report | server CPU | peak RSS |");
        night.Add("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (var i = 0; i < unlocks.Full.Count; i++)
        {
            foreach (var run in new[] { unlocks.Full[i] }.Concat(unlocks.FullBannerPace.Skip(i).Take(1)).Append(unlocks.Empty[i]))
            {
                var d = run.Drain;
                var some = run.Items > 0;
                night.Add($"| {i + 1} | {Format.Count(run.Items)} | {Format.Milliseconds(run.Poll.TotalMilliseconds)} | {Format.Seconds(run.HealthySeconds)} | {Format.Milliseconds(d.UnlockMs)} | {Format.Milliseconds(d.AppliedMs)} | {(some ? Ms(d.ServerLogMs) : "–")} | {(some ? d.ItemsPerSecond.ToString("0", CultureInfo.InvariantCulture) : "–")} | {d.Polls} | {d.FirstReportBytes / 1024.0:0} KiB | {Format.Milliseconds(d.CpuMs)} | {Format.Megabytes(d.PeakRssBytes)} |");
            }
        }
    }

    private static string Others(LoadRun run) => run.Others.Length == 0 ? "none" : $"**{run.Others}**";

    private static T MedianBy<T>(List<T> runs, Func<T, double> key) => runs.OrderBy(key).ElementAt(runs.Count / 2);
}
