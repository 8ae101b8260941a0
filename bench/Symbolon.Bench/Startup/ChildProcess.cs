using System.Diagnostics;
using System.Globalization;

namespace Symbolon.Bench.Startup;

/// <summary>
/// A web app started with <c>dotnet app.dll</c>. Its output is kept (the last lines go into errors), its process id is
/// recorded in a file that <c>bench/run.sh</c> reads to kill leftovers should the bench itself die, and disposing it
/// kills the process tree.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private const int KeptLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly Lock _outputGate = new();
    private readonly List<(string Fragment, System.Collections.Concurrent.ConcurrentQueue<string> Lines)> _watches = [];

    private ChildProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    public int Id => _process.Id;

    /// <summary>Where the app listens (its <c>--urls</c>).</summary>
    public Uri BaseUri { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Whether <paramref name="dll"/> is the command line (<c>symbolon.dll</c>) rather than the server's own entry point.</summary>
    public static bool IsCli(string dll) => Path.GetFileName(dll).Equals("symbolon.dll", StringComparison.Ordinal);

    /// <summary>
    /// Starts <paramref name="dll"/> on the same dotnet host that runs the bench, with <paramref name="environment"/>
    /// added to its environment (configuration such as <c>Inbox__MaxItems</c>, as an operator sets it).
    /// </summary>
    public static ChildProcess Start(string dll, IEnumerable<string> arguments, Uri baseUri, string workingDirectory, string pidFile, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        if (IsCli(dll))
        {
            // The command line runs the server as `symbolon serve`, the README's command.
            start.ArgumentList.Add("serve");
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Production settings, whatever the shell running the bench has set.
        foreach (var name in new[] { "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS", "SYMBOLON_DATA" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process, baseUri);
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        process.Start();
        File.AppendAllText(pidFile, process.Id.ToString(CultureInfo.InvariantCulture) + "\n");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Starts <paramref name="dll"/> listening on a free loopback port (its <c>--urls</c> is added here) and waits until
    /// its <c>GET /healthz</c> answers 200; kills it and throws, with its last output, if it exits or takes a minute.
    /// </summary>
    /// <remarks>
    /// A <paramref name="port"/> of its own keeps the server's address across restarts on one data directory: the
    /// address is the OAuth issuer, and the vendors' tokens are bound to it.
    /// </remarks>
    public static async Task<ChildProcess> StartHealthyAsync(
        string dll, IEnumerable<string> arguments, string workingDirectory, string pidFile, CancellationToken ct, IReadOnlyDictionary<string, string>? environment = null, int? port = null)
    {
        var baseUri = new Uri($"http://127.0.0.1:{port ?? ServerStartScenario.FreeLoopbackPort()}/");
        var child = Start(dll, [.. arguments, "--urls", baseUri.GetLeftPart(UriPartial.Authority)], baseUri, workingDirectory, pidFile, environment);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri(baseUri, "healthz"), ct);
                    if (response.IsSuccessStatusCode)
                    {
                        return child;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    // Not listening yet.
                }

                if (child.HasExited || deadline.Elapsed > ServerStartScenario.StartTimeout)
                {
                    throw new InvalidOperationException($"{Path.GetFileName(dll)} did not become healthy. Its last output:\n{child.OutputTail()}");
                }

                await Task.Delay(50, ct);
            }
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    /// <summary>Resident set size (VmRSS) from <c>/proc/PID/status</c>, in bytes.</summary>
    public long ResidentBytes() => ReadStatusKiB("VmRSS:") * 1024;

    /// <summary>
    /// CPU time the process has used so far, all threads, user and system (fields 14 and 15 of <c>/proc/PID/stat</c>,
    /// in clock ticks of 1/100 s, Linux's USER_HZ).
    /// </summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        // The command name (field 2) is in parentheses and may hold spaces; fields after it are plain.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    /// <summary>Peak resident set size (VmHWM), in bytes.</summary>
    public long PeakResidentBytes() => ReadStatusKiB("VmHWM:") * 1024;

    /// <summary>Every line of output from now on that contains <paramref name="fragment"/> (the tail keeps only the last few).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Watch(string fragment)
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        lock (_outputGate)
        {
            _watches.Add((fragment, lines));
        }

        return lines;
    }

    public string OutputTail()
    {
        lock (_outputGate)
        {
            return string.Join('\n', _output);
        }
    }

    /// <summary>
    /// Stops the process as a service manager does: SIGTERM (the host shuts down, the database is closed), and SIGKILL
    /// if it has not exited within <paramref name="timeout"/>. Returns whether it exited on its own.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return true;
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false }))
        {
            if (kill is not null)
            {
                await kill.WaitForExitAsync();
            }
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // The process was never started or is already gone.
        }

        _process.Dispose();
    }

    private long ReadStatusKiB(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var value = line[field.Length..].Trim();
                return long.Parse(value[..value.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{_process.Id}/status has no {field} line.");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputGate)
        {
            foreach (var (fragment, lines) in _watches)
            {
                if (line.Contains(fragment, StringComparison.Ordinal))
                {
                    lines.Enqueue(line);
                }
            }

            _output.Enqueue(line);
            while (_output.Count > KeptLines)
            {
                _output.Dequeue();
            }
        }
    }

    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        var isDotnet = self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return isDotnet ? self! : "dotnet";
    }
}
