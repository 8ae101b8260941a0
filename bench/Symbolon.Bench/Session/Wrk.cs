using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Symbolon.Bench.Session;

/// <summary>
/// Runs <c>wrk</c> (Debian's package; bench/run.sh installs it when missing) against a loopback URL for a fixed
/// time and reads its summary: requests per second, the latency distribution (<c>--latency</c>), errors. With a Lua
/// script (<c>-s</c>, its arguments after <c>--</c>) that prints a line <c>statuses: 201=N 202=M …</c> from its
/// <c>done()</c>, the answers' status codes are read too (wrk itself only counts those above 399).
/// </summary>
internal static partial class Wrk
{
    public sealed record Result(double RequestsPerSecond, long Requests, double P50Ms, double P75Ms, double P90Ms, double P99Ms, long Non2xx, long SocketErrors, string Output)
    {
        /// <summary>Answers by status code, when the script counted them (empty otherwise).</summary>
        public IReadOnlyDictionary<int, long> Statuses { get; init; } = new Dictionary<int, long>();

        /// <summary>Answers with <paramref name="status"/>, as the script counted them.</summary>
        public long Count(int status) => Statuses.GetValueOrDefault(status);

        /// <summary>The counted answers other than <paramref name="status"/>, as "201: 12, 500: 1" (empty when there are none).</summary>
        public string Others(int status) => string.Join(", ", Statuses.Where(s => s.Key != status).OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
    }

    /// <summary>
    /// The Lua a script ends with to count answers by status and print them as <c>statuses: 201=N …</c> (read by
    /// <see cref="Parse"/>); the script keeps its threads in a table <c>threads</c> from <c>setup</c> and declares a global
    /// <c>statuses = {}</c>.
    /// </summary>
    public const string StatusCounting = """
        function response(status, headers, body)
          statuses[status] = (statuses[status] or 0) + 1
        end

        function done(summary, latency, requests)
          local total = {}
          for _, thread in ipairs(threads) do
            for status, count in pairs(thread:get("statuses")) do
              total[status] = (total[status] or 0) + count
            end
          end
          local line = "statuses:"
          for status, count in pairs(total) do
            line = line .. " " .. status .. "=" .. string.format("%d", count)
          end
          print(line)
        end
        """;

    public static Task<Result> RunAsync(string wrk, Uri url, string? bearerToken, int threads, int connections, TimeSpan duration, string pidFile, CancellationToken ct) =>
        RunAsync(wrk, url, bearerToken, threads, connections, duration, pidFile, script: null, scriptArguments: [], ct);

    public static async Task<Result> RunAsync(
        string wrk, Uri url, string? bearerToken, int threads, int connections, TimeSpan duration, string pidFile, string? script, IReadOnlyList<string> scriptArguments, CancellationToken ct)
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

        if (script is not null)
        {
            start.ArgumentList.Add("-s");
            start.ArgumentList.Add(script);
        }

        start.ArgumentList.Add(url.ToString());
        if (scriptArguments.Count > 0)
        {
            start.ArgumentList.Add("--");
            foreach (var argument in scriptArguments)
            {
                start.ArgumentList.Add(argument);
            }
        }

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
        var statuses = new Dictionary<int, long>();
        if (StatusLine().Match(output) is { Success: true } line)
        {
            foreach (Match count in StatusCount().Matches(line.Groups[1].Value))
            {
                statuses[int.Parse(count.Groups[1].Value, CultureInfo.InvariantCulture)] = long.Parse(count.Groups[2].Value, CultureInfo.InvariantCulture);
            }
        }

        return new Result(
            double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            Percentile("50"),
            Percentile("75"),
            Percentile("90"),
            Percentile("99"),
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            socketErrors,
            output)
        {
            Statuses = statuses,
        };
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

    [GeneratedRegex(@"^statuses:(.*)$", RegexOptions.Multiline)]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"(\d{3})=(\d+)")]
    private static partial Regex StatusCount();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
