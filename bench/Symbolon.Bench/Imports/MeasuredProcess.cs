using System.Diagnostics;
using System.Globalization;

namespace Symbolon.Bench.Imports;

/// <summary>What one command run as a process of its own took: wall time, CPU time and its peak resident set size.</summary>
internal sealed record ProcessRun(int ExitCode, double Seconds, double CpuSeconds, long PeakResidentBytes, string Stdout, string Stderr);

/// <summary>
/// Runs <c>dotnet app.dll …</c> to its end and measures it from outside: wall time around the process, and from
/// <c>/proc/PID/status</c> and <c>/proc/PID/stat</c>, read every 5 ms while it runs, its peak resident set size
/// (VmHWM, which the kernel keeps as a high-water mark, so a read between two samples loses nothing that happened
/// before it) and its CPU time. Only the last few milliseconds before the exit are not seen.
/// </summary>
internal static class MeasuredProcess
{
    public static async Task<ProcessRun> RunAsync(string dll, IEnumerable<string> arguments, string workingDirectory, string pidFile, CancellationToken ct)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "SYMBOLON_DATA", "SYMBOLON_SERVER", "SYMBOLON_TOKEN", "SYMBOLON_SESSION", "SYMBOLON_PASSPHRASE" })
        {
            start.Environment.Remove(name);
        }

        using var process = new Process { StartInfo = start };
        var stopwatch = Stopwatch.StartNew();
        process.Start();
        await File.AppendAllTextAsync(pidFile, process.Id.ToString(CultureInfo.InvariantCulture) + "\n", ct);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        long peak = 0;
        double cpu = 0;
        try
        {
            while (!process.HasExited)
            {
                if (TryRead(process.Id, out var hwm, out var cpuNow))
                {
                    peak = Math.Max(peak, hwm);
                    cpu = Math.Max(cpu, cpuNow);
                }

                await Task.Delay(5, ct);
            }
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        await process.WaitForExitAsync(ct);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        return new ProcessRun(process.ExitCode, seconds, cpu, peak, await stdout, await stderr);
    }

    private static bool TryRead(int pid, out long peakBytes, out double cpuSeconds)
    {
        peakBytes = 0;
        cpuSeconds = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var value = line["VmHWM:".Length..].Trim();
                    peakBytes = long.Parse(value[..value.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture) * 1024;
                }
            }

            // Fields 14 and 15 (user and system time, in clock ticks of 1/100 s); the command name before them may hold spaces.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            cpuSeconds = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            return peakBytes > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            // The process ended between the check and the read (or is a zombie without memory figures).
            return false;
        }
    }

    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        var isDotnet = self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return isDotnet ? self! : "dotnet";
    }
}
