using System.Diagnostics;

namespace Symbolon.Server.Tests.Intents;

/// <summary>The exchange as its operator starts it: a bad setting is one line naming it and exit code 2, no stack trace.</summary>
public sealed class ExchangeStartTests
{
    [Theory]
    [InlineData("--Exchange:KnownProxies=not-an-ip", "Exchange:KnownProxies must list IP addresses")]
    [InlineData("--Exchange:OffersPerMinute=0", "Exchange:OffersPerMinute and Exchange:RegistrationsPerHour must be positive")]
    public async Task A_bad_setting_stops_the_exchange_with_one_line_naming_it(string setting, string expected)
    {
        var directory = Path.Combine(Path.GetTempPath(), "symbolon-tests", "exchange-start-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Symbolon.Exchange.dll"), "--urls=http://127.0.0.1:0", "--Exchange:DataDirectory=" + directory, setting })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(2, process.ExitCode);
        var lines = (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("symbolon-exchange: " + expected, Assert.Single(lines), StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", await output + await error, StringComparison.Ordinal);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
