using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Symbolon.Bench.Session;

/// <summary>
/// Runs <c>wrk</c> (Debian's package; bench/run.sh installs it when missing) against a loopback URL for a fixed
/// time and reads its summary: requests per second, the latency distribution (<c>--latency</c>), errors.
/// </summary>
internal static partial class Wrk
{
    public sealed record Result(double RequestsPerSecond, long Requests, double P50Ms, double P75Ms, double P90Ms, double P99Ms, long Non2xx, long SocketErrors, string Output);

    public static async Task<Result> RunAsync(string wrk, Uri url, string? bearerToken, int threads, int connections, TimeSpan duration, string pidFile, CancellationToken ct)
    {
        if (!url.IsLoopback)
        {
            throw new InvalidOperationException($"wrk is only pointed at loopback addresses, not {url}.");
        }

        var start = new ProcessStartInfo(wrk)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            $"-t{threads}", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--timeout", "10s", "--latency",
        })
        {
            start.ArgumentList.Add(argument);
        }

        if (bearerToken is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add($"Authorization: Bearer {bearerToken}");
        }

        start.ArgumentList.Add(url.ToString());
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start {wrk}: {e.Message}. Install it with `apt-get install wrk` (bench/run.sh does).", e);
        }

        await File.AppendAllTextAsync(pidFile, process.Id.ToString(CultureInfo.InvariantCulture) + "\n", ct);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).WaitAsync(duration + TimeSpan.FromSeconds(30), ct);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {output}{await stderr}");
        }

        return Parse(output);
    }

    internal static Result Parse(string output)
    {
        var rate = RequestsPerSecond().Match(output);
        var total = RequestsTotal().Match(output);
        if (!rate.Success || !total.Success)
        {
            throw new InvalidOperationException($"Could not read wrk's summary:\n{output}");
        }

        double Percentile(string p)
        {
            var match = Regex.Match(output, $@"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
            return match.Success ? ToMilliseconds(match.Groups[1].Value, match.Groups[2].Value) : double.NaN;
        }

        var non2xx = Non2xx().Match(output);
        var socket = SocketErrors().Match(output);
        var socketErrors = socket.Success
            ? socket.Groups.Cast<Group>().Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture))
            : 0;
        return new Result(
            double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            Percentile("50"),
            Percentile("75"),
            Percentile("90"),
            Percentile("99"),
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            socketErrors,
            output);
    }

    private static double ToMilliseconds(string value, string unit)
    {
        var number = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => number / 1000,
            "ms" => number,
            _ => number * 1000,
        };
    }

    [GeneratedRegex(@"^Requests/sec:\s+([\d.]+)", RegexOptions.Multiline)]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+(\d+) requests in ", RegexOptions.Multiline)]
    private static partial Regex RequestsTotal();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
