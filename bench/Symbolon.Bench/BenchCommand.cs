using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Symbolon.Bench.Crypto;
using Symbolon.Bench.Faults;
using Symbolon.Bench.Imports;
using Symbolon.Bench.Insights;
using Symbolon.Bench.Reporting;
using Symbolon.Bench.Session;
using Symbolon.Bench.Startup;
using Symbolon.Bench.Unlock;
using Symbolon.Bench.Wallet;
using Symbolon.Bench.VendorApi;
using Symbolon.Bench.Webhooks;

namespace Symbolon.Bench;

/// <summary>The bench's command line: which scenarios to run, how big, and where the apps and results are.</summary>
internal static class BenchCommand
{
    public static readonly string[] AllScenarios = ["crypto", "micro", "unlock", "server", "vendor-read", "webhooks", "receipts", "import", "insights"];

    /// <summary>
    /// The "as a user runs it" family, not part of the default run: <c>user</c> is <c>server</c> (start and idle RSS),
    /// <c>user-sql</c> (SQL over the owner API, then unlock-to-ready in a fresh process; DuckDB in Node as the baseline)
    /// <c>user-wrk</c> (the vendor read under wrk) and <c>user-insights</c> (the Insights page at a million transactions
    /// against a thousand). <c>inbox</c> (the sealed inbox: writes queued while the vault is locked against live ones under
    /// wrk, and the unlock with 10,000 queued) is measured the same way but runs only when named, not with <c>user</c>;
    /// so does <c>faults</c> (kill -9 of import, server and backup, 100 vendor clients, a full disk: checks, not figures).
    /// </summary>
    public static readonly string[] UserScenarios = ["user", "user-sql", "user-wrk", "user-insights", "inbox", "faults", "intents"];

    private static readonly string[] KnownScenarios = [.. AllScenarios, .. UserScenarios];

    public static RootCommand Create()
    {
        var scenarios = new Option<string[]>("--scenario")
        {
            Description = $"Scenarios to run (repeatable): {string.Join(", ", KnownScenarios)}. Default: {string.Join(", ", AllScenarios)} (the user family runs only when named).",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => AllScenarios,
        };
        scenarios.AcceptOnlyFromAmong(KnownScenarios);
        var records = new Option<int>("--records") { Description = "Records per crypto pass.", DefaultValueFactory = _ => 1_000_000 };
        var passes = new Option<int>("--passes") { Description = "Measured crypto passes (after one warm-up pass).", DefaultValueFactory = _ => 3 };
        var unlocks = new Option<int>("--unlocks") { Description = "Timed Argon2id derivations and unlocks.", DefaultValueFactory = _ => 5 };
        var starts = new Option<int>("--starts") { Description = "Server starts per app.", DefaultValueFactory = _ => 3 };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients in the vendor-read and receipts scenarios (wrk connections in user-wrk and inbox).", DefaultValueFactory = _ => 16 };
        var loadSeconds = new Option<int>("--load-seconds") { Description = "Seconds per measured vendor-read, receipts, user-wrk or inbox run.", DefaultValueFactory = _ => 8 };
        var loadRounds = new Option<int>("--load-rounds") { Description = "Measured vendor-read, receipts, user-wrk or inbox runs per side (alternating).", DefaultValueFactory = _ => 3 };
        var relationships = new Option<int>("--relationships") { Description = "Relationships one webhook fan-out reaches.", DefaultValueFactory = _ => 10_000 };
        var importRows = new Option<int>("--import-rows") { Description = "Transactions in the generated statement of the import, insights and user-sql scenarios.", DefaultValueFactory = _ => 1_000_000 };
        var importPasses = new Option<int>("--import-passes") { Description = "Measured import passes (after one warm-up at a tenth of the size).", DefaultValueFactory = _ => 3 };
        var webhookPasses = new Option<int>("--webhook-passes") { Description = "Measured webhook fan-out passes (after one warm-up pass).", DefaultValueFactory = _ => 3 };
        var userCalls = new Option<int>("--user-calls") { Description = "Measured warm calls per query and side in user-sql (after the first call and two warm-ups).", DefaultValueFactory = _ => 10 };
        var userRestarts = new Option<int>("--user-restarts") { Description = "Unlock-to-ready runs per side in user-sql (a fresh server process, a fresh Node process), and timed unlocks per side in inbox.", DefaultValueFactory = _ => 3 };
        var inboxItems = new Option<int>("--inbox-items") { Description = "Receipts queued before the timed unlock in the inbox scenario (the default quotas take 10,000 from one vendor; more are run with them raised).", DefaultValueFactory = _ => 10_000 };
        var inboxPollMs = new Option<int>("--inbox-poll-ms") { Description = "How often the inbox scenario reads the away report while the inbox is applied (every read costs the server the whole report).", DefaultValueFactory = _ => 20 };
        var faultRows = new Option<int>("--fault-rows") { Description = "Transactions in the statement the faults scenario imports and backs up while killing it.", DefaultValueFactory = _ => 200_000 };
        var faultKills = new Option<int>("--fault-kills") { Description = "kill -9 runs of `symbolon import` and of `symbolon backup` in the faults scenario.", DefaultValueFactory = _ => 5 };
        var faultClients = new Option<int>("--fault-clients") { Description = "Concurrent vendor clients in the faults scenario.", DefaultValueFactory = _ => 100 };
        var faultSeconds = new Option<int>("--fault-seconds") { Description = "How long the faults scenario's vendor clients run.", DefaultValueFactory = _ => 60 };
        var userData = new Option<DirectoryInfo?>("--user-data")
        {
            Description = "Keep user-sql's generated CSV and data directory here and reuse them when they hold the same number of rows (no generation, no import; the vault is unlocked instead of created). For repeated unlock-to-ready runs while developing.",
        };
        var duckDbNode = new Option<DirectoryInfo?>("--duckdb-node") { Description = "Folder with baseline.mjs and node_modules/@duckdb/node-api (bench/duckdb-node); needed by user-sql." };
        var node = new Option<string>("--node") { Description = "Node.js executable for the DuckDB baseline.", DefaultValueFactory = _ => "node" };
        var wrk = new Option<string>("--wrk") { Description = "wrk executable for user-wrk and inbox.", DefaultValueFactory = _ => "wrk" };
        var exchangeDll = new Option<FileInfo?>("--exchange-dll") { Description = "Release build of Symbolon.Exchange.dll, run by the intents scenario." };
        var serverDll = new Option<FileInfo>("--server-dll") { Description = "Release build of Symbolon.Server.dll.", Required = true };
        var cliDll = new Option<FileInfo?>("--cli-dll") { Description = "Release build of the CLI (symbolon.dll), run by the import scenario as a person runs it; without it that part is left out." };
        var baselineDll = new Option<FileInfo>("--baseline-dll") { Description = "Release build of Symbolon.Bench.Baseline.dll.", Required = true };
        var workDirectory = new Option<DirectoryInfo>("--work-dir") { Description = "Scratch directory (vaults, data dirs, child pids); emptied at the end.", Required = true };
        var artifacts = new Option<DirectoryInfo>("--artifacts") { Description = "BenchmarkDotNet artifacts directory.", Required = true };
        var output = new Option<FileInfo>("--output") { Description = "Where to write the markdown summary.", Required = true };
        var commit = new Option<string?>("--commit") { Description = "Commit the build came from (shown in the summary)." };
        var buildSeconds = new Option<double?>("--build-seconds") { Description = "How long the Release build took (shown in the summary)." };

        foreach (var count in new[] { records, passes, unlocks, starts, clients, loadSeconds, loadRounds, relationships, webhookPasses, importRows, importPasses, userCalls, userRestarts, inboxItems, inboxPollMs, faultRows, faultKills, faultClients, faultSeconds })
        {
            count.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() < 1)
                {
                    result.AddError($"{count.Name} must be at least 1.");
                }
            });
        }

        var command = new RootCommand("Symbolon benchmarks; see bench/README.md.")
        {
            scenarios, records, passes, unlocks, starts, clients, loadSeconds, loadRounds, relationships, webhookPasses, importRows, importPasses, userCalls, userRestarts, inboxItems, inboxPollMs,
            faultRows, faultKills, faultClients, faultSeconds, userData, duckDbNode, node, wrk,
            serverDll, cliDll, baselineDll, workDirectory, artifacts, output, commit, buildSeconds, exchangeDll,
        };
        command.SetAction((result, ct) => RunAsync(
            new BenchSettings(
                Expand(result.GetValue(scenarios)!),
                result.GetValue(records),
                result.GetValue(passes),
                result.GetValue(unlocks),
                result.GetValue(starts),
                result.GetValue(clients),
                result.GetValue(loadSeconds),
                result.GetValue(loadRounds),
                result.GetValue(relationships),
                result.GetValue(webhookPasses),
                result.GetValue(importRows),
                result.GetValue(importPasses),
                result.GetValue(userCalls),
                result.GetValue(userRestarts),
                result.GetValue(inboxItems),
                result.GetValue(inboxPollMs),
                result.GetValue(faultRows),
                result.GetValue(faultKills),
                result.GetValue(faultClients),
                result.GetValue(faultSeconds),
                result.GetValue(userData)?.FullName,
                result.GetValue(duckDbNode)?.FullName,
                result.GetValue(node)!,
                result.GetValue(wrk)!,
                result.GetValue(serverDll)!.FullName,
                result.GetValue(cliDll)?.FullName,
                result.GetValue(baselineDll)!.FullName,
                result.GetValue(workDirectory)!.FullName,
                result.GetValue(artifacts)!.FullName,
                result.GetValue(output)!.FullName,
                result.GetValue(commit),
                result.GetValue(buildSeconds),
                result.GetValue(exchangeDll)?.FullName),
            ct));
        return command;
    }

    private static async Task<int> RunAsync(BenchSettings settings, CancellationToken ct)
    {
        var log = Console.Out;
        var total = Stopwatch.StartNew();
        var loadAtStart = LoadAverage();
        var report = new BenchReport();
        var faultsHeld = true;
        Directory.CreateDirectory(settings.WorkDirectory);
        try
        {
            if (settings.Scenarios.Contains("crypto"))
            {
                RecordCryptoScenario.Run(report, settings.Records, settings.Passes, log, ct);
                GC.Collect();
            }

            if (settings.Scenarios.Contains("micro"))
            {
                RecordCryptoMicro.Run(report, settings.ArtifactsDirectory, log);
            }

            if (settings.Scenarios.Contains("unlock"))
            {
                await UnlockScenario.RunAsync(report, settings.WorkDirectory, settings.Unlocks, log, ct);
            }

            if (settings.Scenarios.Contains("server"))
            {
                await ServerStartScenario.RunAsync(report, settings.ServerDll, settings.BaselineDll, settings.WorkDirectory, settings.Starts, log, ct);
            }

            if (settings.Scenarios.Contains("vendor-read"))
            {
                await VendorReadScenario.RunAsync(report, settings.ServerDll, settings.BaselineDll, settings.WorkDirectory, settings.Clients, TimeSpan.FromSeconds(settings.LoadSeconds), settings.LoadRounds, log, ct);
            }

            if (settings.Scenarios.Contains("receipts"))
            {
                await ReceiptsScenario.RunAsync(report, settings.WorkDirectory, settings.Clients, TimeSpan.FromSeconds(settings.LoadSeconds), settings.LoadRounds, log, ct);
            }

            if (settings.Scenarios.Contains("webhooks"))
            {
                await WebhookFanOutScenario.RunAsync(report, settings.WorkDirectory, settings.Relationships, settings.WebhookPasses, log, ct);
            }

            if (settings.Scenarios.Contains("import"))
            {
                GC.Collect();
                await ImportScenario.RunAsync(report, settings.WorkDirectory, settings.ImportRows, settings.ImportPasses, settings.CliDll, settings.ServerDll, log, ct);
            }

            if (settings.Scenarios.Contains("insights"))
            {
                GC.Collect();
                await InsightScenario.RunAsync(report, settings.WorkDirectory, settings.ImportRows, log, ct);
            }

            var user = new UserSettings(settings.ServerDll, settings.BaselineDll, settings.DuckDbNodeFolder, settings.Node, settings.Wrk, settings.ImportRows, settings.UserCalls, settings.UserRestarts, settings.UserData);
            if (settings.Scenarios.Contains("user-sql"))
            {
                GC.Collect();
                await SessionSqlScenario.RunAsync(report, user, settings.WorkDirectory, log, ct);
            }

            if (settings.Scenarios.Contains("user-insights"))
            {
                GC.Collect();
                await InsightsPageScenario.RunAsync(report, user, settings.WorkDirectory, log, ct);
            }

            if (settings.Scenarios.Contains("user-wrk"))
            {
                await WrkVendorReadScenario.RunAsync(report, user, settings.WorkDirectory, settings.Clients, TimeSpan.FromSeconds(settings.LoadSeconds), settings.LoadRounds, log, ct);
            }

            if (settings.Scenarios.Contains("intents"))
            {
                await Intents.IntentExchangeScenario.RunAsync(
                    report, settings.ExchangeDll ?? throw new InvalidOperationException("The intents scenario needs --exchange-dll (bench/run.sh passes it)."),
                    settings.BaselineDll, settings.Wrk, settings.WorkDirectory, settings.Clients, TimeSpan.FromSeconds(settings.LoadSeconds), settings.LoadRounds, log, ct);
            }

            if (settings.Scenarios.Contains("inbox"))
            {
                await InboxScenario.RunAsync(report, user, settings.WorkDirectory, settings.Clients, TimeSpan.FromSeconds(settings.LoadSeconds), settings.LoadRounds, settings.InboxItems, TimeSpan.FromMilliseconds(settings.InboxPollMs), log, ct);
            }

            if (settings.Scenarios.Contains("faults") && !OperatingSystem.IsWindows())
            {
                var cli = settings.CliDll ?? settings.ServerDll;
                faultsHeld = await FaultScenario.RunAsync(report, cli, settings.WorkDirectory, settings.FaultRows, settings.FaultKills, settings.FaultClients, TimeSpan.FromSeconds(settings.FaultSeconds), log, ct);
            }
        }
        finally
        {
            EmptyDirectory(settings.WorkDirectory);
        }

        report.Header.AddRange(Describe(settings, total.Elapsed, loadAtStart, LoadAverage()));
        var markdown = report.ToMarkdown();
        Directory.CreateDirectory(Path.GetDirectoryName(settings.OutputFile)!);
        await File.WriteAllTextAsync(settings.OutputFile, markdown, ct);
        await log.WriteLineAsync();
        await log.WriteAsync(markdown);
        await log.WriteLineAsync($"(written to {settings.OutputFile})");
        return faultsHeld ? 0 : 1;
    }

    private static IEnumerable<string> Describe(BenchSettings settings, TimeSpan elapsed, string? loadAtStart, string? loadAtEnd)
    {
        yield return $"- Run: {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm} UTC" + (settings.Commit is null ? "" : $", commit `{settings.Commit}`") +
            $"; scenarios: {string.Join(", ", KnownScenarios.Where(settings.Scenarios.Contains))}.";
        yield return $"- Machine: {CpuModel()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}.";
        yield return $"- Time: bench {Format.Seconds(elapsed.TotalSeconds)}" +
            (settings.BuildSeconds is { } build ? $", Release build {Format.Seconds(build)}, total {Format.Seconds(build + elapsed.TotalSeconds)}" : "") + ".";
        if (loadAtStart is not null && loadAtEnd is not null)
        {
            // Note: other work on a shared machine slows the measured code and its baseline alike only when they
            // run close together, which is why every scenario interleaves them and reports ratios first.
            yield return $"- Load average (1, 5, 15 min) at start {loadAtStart}, at end {loadAtEnd}; with {Environment.ProcessorCount} cores, anything above {Environment.ProcessorCount} means other work competed for the CPU.";
        }

        yield return "- Every figure is a median; ratios compare with a baseline measured in the same run (see each section). Nothing here is asserted by tests.";
    }

    /// <summary>The named scenarios, with <c>user</c> standing for its parts.</summary>
    private static HashSet<string> Expand(IEnumerable<string> names)
    {
        var set = names.ToHashSet(StringComparer.Ordinal);
        if (set.Contains("user"))
        {
            set.UnionWith(["server", "user-sql", "user-wrk", "user-insights"]);
        }

        return set;
    }

    private static string? LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) ? string.Join(' ', File.ReadAllText(path).Split(' ').Take(3)) : null;
    }

    private static string CpuModel()
    {
        const string path = "/proc/cpuinfo";
        if (File.Exists(path))
        {
            var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
            {
                return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static void EmptyDirectory(string directory)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            try
            {
                if (entry is DirectoryInfo sub)
                {
                    sub.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"warning: could not remove {entry.FullName}: {e.Message}");
            }
        }
    }
}

internal sealed record BenchSettings(
    ISet<string> Scenarios,
    int Records,
    int Passes,
    int Unlocks,
    int Starts,
    int Clients,
    int LoadSeconds,
    int LoadRounds,
    int Relationships,
    int WebhookPasses,
    int ImportRows,
    int ImportPasses,
    int UserCalls,
    int UserRestarts,
    int InboxItems,
    int InboxPollMs,
    int FaultRows,
    int FaultKills,
    int FaultClients,
    int FaultSeconds,
    string? UserData,
    string? DuckDbNodeFolder,
    string Node,
    string Wrk,
    string ServerDll,
    string? CliDll,
    string BaselineDll,
    string WorkDirectory,
    string ArtifactsDirectory,
    string OutputFile,
    string? Commit,
    double? BuildSeconds,
    string? ExchangeDll);
