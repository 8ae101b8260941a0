using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Symbolon.Bench.Session;

/// <summary>
/// The DuckDB baseline of the user scenarios: <c>bench/duckdb-node/baseline.mjs</c> on DuckDB's Node API
/// (<c>@duckdb/node-api</c>), in a process of its own. <see cref="StartServingAsync"/> keeps one process with the CSV
/// loaded and answers queries one JSON line at a time (timed inside Node, query only); <see cref="LoadOnceAsync"/>
/// runs a fresh process that loads the CSV cold and answers one query. Process ids go into the pid file that
/// <c>bench/run.sh</c> reads to stop leftovers; disposing kills the process.
/// </summary>
internal sealed class DuckDbNode : IDisposable
{
    public const string Script = "baseline.mjs";
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly StderrTail _stderr;

    private DuckDbNode(Process process, StderrTail stderr)
    {
        _process = process;
        _stderr = stderr;
    }

    /// <summary>How long loading the CSV took in the serving process (not a measured figure; shown for context).</summary>
    public double LoadMilliseconds { get; private set; }

    public long Rows { get; private set; }

    /// <summary>The folder holding <c>baseline.mjs</c> and its <c>node_modules</c>; throws with what to do when it is not ready.</summary>
    public static string RequireFolder(string? folder)
    {
        if (folder is null || !File.Exists(Path.Combine(folder, Script)))
        {
            throw new InvalidOperationException($"The user scenarios need --duckdb-node <folder with {Script}> (bench/run.sh passes bench/duckdb-node).");
        }

        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@duckdb", "node-api")))
        {
            throw new InvalidOperationException($"{folder}/node_modules has no @duckdb/node-api; run `npm ci` there (bench/run.sh does).");
        }

        return Path.GetFullPath(folder);
    }

    public static async Task<DuckDbNode> StartServingAsync(string node, string folder, string csv, int threads, int memoryMiB, string pidFile, CancellationToken ct)
    {
        var (process, stderr) = Start(node, folder, ["serve", .. Options(csv, threads, memoryMiB)], pidFile);
        var child = new DuckDbNode(process, stderr);
        try
        {
            var ready = await child.ReadReplyAsync(ct);
            child.LoadMilliseconds = ready.GetProperty("loadMs").GetDouble();
            child.Rows = ready.GetProperty("rows").GetInt64();
            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    /// <summary>Adds the category column: each merchant's category as Symbolon gave it (joined once, not timed).</summary>
    public async Task<long> SetCategoriesAsync(IReadOnlyList<(string Merchant, string Category)> pairs, CancellationToken ct)
    {
        var reply = await AskAsync(new { op = "categories", pairs = pairs.Select(p => new[] { p.Merchant, p.Category }) }, ct);
        return reply.GetProperty("uncategorized").GetInt64();
    }

    /// <summary>
    /// Runs <paramref name="sql"/>; the time is DuckDB's alone (the query and reading its rows, measured in Node), and
    /// so is the CPU time (all the process's threads).
    /// </summary>
    public async Task<(double Milliseconds, double CpuMilliseconds, JsonElement Rows)> QueryAsync(string sql, CancellationToken ct)
    {
        var reply = await AskAsync(new { op = "query", sql }, ct);
        return (reply.GetProperty("ms").GetDouble(), reply.GetProperty("cpuMs").GetDouble(), reply.GetProperty("rows"));
    }

    /// <summary>One cold load in a fresh Node process; returns its report and the time from spawning it to its answer.</summary>
    public static async Task<ColdLoad> LoadOnceAsync(string node, string folder, string csv, int threads, int memoryMiB, string sql, string pidFile, CancellationToken ct)
    {
        var spawned = Stopwatch.StartNew();
        var (process, stderr) = Start(node, folder, ["load", .. Options(csv, threads, memoryMiB), "--sql", sql], pidFile);
        using var child = new DuckDbNode(process, stderr);
        var reply = await child.ReadReplyAsync(ct);
        var wall = spawned.Elapsed.TotalMilliseconds;
        await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        return new ColdLoad(
            reply.GetProperty("scriptMs").GetDouble(),
            reply.GetProperty("moduleMs").GetDouble(),
            reply.GetProperty("openMs").GetDouble(),
            reply.GetProperty("loadMs").GetDouble(),
            reply.GetProperty("firstQueryMs").GetDouble(),
            reply.GetProperty("readyMs").GetDouble(),
            reply.GetProperty("readyCpuMs").GetDouble(),
            wall,
            reply.GetProperty("rows").GetInt64());
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(TimeSpan.FromSeconds(10));
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private static string[] Options(string csv, int threads, int memoryMiB) =>
        ["--csv", csv, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--memory", memoryMiB.ToString(CultureInfo.InvariantCulture) + "MiB"];

    private static (Process, StderrTail) Start(string node, string folder, IEnumerable<string> arguments, string pidFile)
    {
        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(folder, Script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var stderr = new StderrTail();
        process.ErrorDataReceived += (_, e) => stderr.Keep(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start {node} (Node.js): {e.Message}. bench/run.sh installs it when missing.", e);
        }

        File.AppendAllText(pidFile, process.Id.ToString(CultureInfo.InvariantCulture) + "\n");
        process.BeginErrorReadLine();
        return (process, stderr);
    }

    private async Task<JsonElement> AskAsync(object request, CancellationToken ct)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(request).AsMemory(), ct);
        await _process.StandardInput.FlushAsync(ct);
        var reply = await ReadReplyAsync(ct);
        if (reply.TryGetProperty("ok", out var ok) && !ok.GetBoolean())
        {
            throw new InvalidOperationException($"DuckDB (Node) refused the request: {reply.GetProperty("error").GetString()}");
        }

        return reply;
    }

    private async Task<JsonElement> ReadReplyAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReplyTimeout);
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"DuckDB (Node) did not answer within {ReplyTimeout.TotalSeconds:0} s. Its last output:\n{_stderr}");
        }

        if (line is null)
        {
            await _process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(5), ct);
            throw new InvalidOperationException($"DuckDB (Node) exited ({_process.ExitCode}) without an answer. Its last output:\n{_stderr}");
        }

        return JsonDocument.Parse(line).RootElement.Clone();
    }

    /// <summary>The last lines the process wrote to stderr, for error messages.</summary>
    private sealed class StderrTail
    {
        private readonly Queue<string> _lines = new();
        private readonly Lock _gate = new();

        public void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_gate)
            {
                _lines.Enqueue(line);
                while (_lines.Count > 30)
                {
                    _lines.Dequeue();
                }
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return string.Join('\n', _lines);
            }
        }
    }
}

/// <summary>A cold load in a fresh Node process (all in milliseconds).</summary>
/// <param name="ProcessToScript">Process start (Node's time origin) until the script ran.</param>
/// <param name="ModuleLoad">Importing <c>@duckdb/node-api</c> (the native addon).</param>
/// <param name="Open">Creating the in-memory instance and a connection.</param>
/// <param name="Load"><c>CREATE TABLE ... AS SELECT * FROM read_csv(...)</c>.</param>
/// <param name="FirstQuery">The first query, reading its rows.</param>
/// <param name="Ready">Open + load + first query: from the instance's creation to the first answer.</param>
/// <param name="ReadyCpu">CPU time the process used over <paramref name="Ready"/>, all threads.</param>
/// <param name="SpawnToAnswer">Measured by the bench: from spawning the process to reading its answer.</param>
/// <param name="Rows">Rows loaded.</param>
internal sealed record ColdLoad(double ProcessToScript, double ModuleLoad, double Open, double Load, double FirstQuery, double Ready, double ReadyCpu, double SpawnToAnswer, long Rows);
