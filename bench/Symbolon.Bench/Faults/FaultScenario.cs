using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Bench.Imports;
using Symbolon.Bench.Reporting;
using Symbolon.Bench.Session;
using Symbolon.Bench.Startup;
using Symbolon.Bench.VendorApi;
using Symbolon.Bench.Wallet;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Bench.Faults;

/// <summary>
/// Faults as a person or a vendor meets them, against the README's command line and server as processes of their own
/// (issue 13, "Faults"): <c>kill -9</c> of <c>symbolon import</c>, of the server during a profile write loop and of
/// <c>symbolon backup</c>; 100 concurrent vendor clients reading and pushing receipts with idempotency keys; an import
/// onto a full disk (a small tmpfs). Each check states what must hold; the run fails if one does not. Killing the server
/// while it applies the sealed inbox is in the test suite (<c>InboxCrashTests</c>), and a webhook receiver down across a
/// restart too (<c>WebhookDeliveryTests</c>).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class FaultScenario
{
    private const string Passphrase = "fault horse battery staple";
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    /// <summary>One fault and whether what must hold held.</summary>
    private sealed record Check(string Fault, string MustHold, bool Held, string Observed);

    /// <summary>Runs every fault; returns whether every check held (the report says which did not).</summary>
    public static async Task<bool> RunAsync(BenchReport report, string cliDll, string workDirectory, int rows, int kills, int clients, TimeSpan loadDuration, TextWriter log, CancellationToken ct)
    {
        var pidFile = Path.Combine(workDirectory, "children.pids");
        var passphraseFile = Path.Combine(workDirectory, "fault-passphrase.txt");
        await File.WriteAllTextAsync(passphraseFile, Passphrase + "\n", ct);
        File.SetUnixFileMode(passphraseFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var csv = Path.Combine(workDirectory, "fault-statement.csv");
        CardTransactionGenerator.Write(csv, rows);
        var cli = new Cli(cliDll, workDirectory, pidFile, passphraseFile);
        var checks = new List<Check>();
        var random = new Random(20261207);

        log.WriteLine($"== faults: kill -9 of `symbolon import` ({rows:N0} rows) {kills}×, of the server in a profile write loop 3×, of `symbolon backup` {kills}×; {clients} vendor clients for {loadDuration.TotalSeconds:0} s; an import onto a full tmpfs");
        var vault = await ImportKillsAsync(cli, csv, kills, random, checks, log, ct);
        await BackupKillsAsync(cli, vault, kills, random, checks, log, ct);
        await ProfileWriteKillsAsync(cliDll, workDirectory, pidFile, random, checks, log, ct);
        await ConcurrentVendorsAsync(cliDll, workDirectory, pidFile, clients, loadDuration, checks, log, ct);
        await DiskFullAsync(cli, csv, workDirectory, checks, log, ct);

        var held = checks.Count(c => c.Held);
        report.AddRow(new SummaryRow("Fault checks that held (kill -9 of import, server and backup; 100 vendor clients; a full disk)", $"{held} of {checks.Count}", "", "", held == checks.Count ? "all: met" : "all: **missed**"));
        var lines = report.Section("Faults: kill -9, concurrent vendor clients, a full disk");
        lines.Add($"- `bench/run.sh --scenario faults`: the README's command line (`symbolon.dll`, the ReadyToRun publish `./symbolon` runs) and `symbolon serve` as processes of their own; a seeded {rows:N0}-row card statement; kill -9 is SIGKILL from outside at a random moment (seeded).");
        lines.Add("");
        lines.Add("| Fault | What must hold | Held | Observed |");
        lines.Add("|---|---|---|---|");
        foreach (var check in checks)
        {
            lines.Add($"| {check.Fault} | {check.MustHold} | {(check.Held ? "yes" : "**no**")} | {check.Observed} |");
        }

        foreach (var check in checks)
        {
            log.WriteLine($"   {(check.Held ? "held  " : "FAILED")} {check.Fault}: {check.Observed}");
        }

        return held == checks.Count;
    }

    // ---- kill -9 of `symbolon import`: every import all or nothing, the exact count after re-import ----

    private static async Task<string> ImportKillsAsync(Cli cli, string csv, int kills, Random random, List<Check> checks, TextWriter log, CancellationToken ct)
    {
        var timing = cli.Directory("fault-import-timing");
        await cli.MustAsync(["init", "--data-dir", timing], ct);
        var full = await cli.RunAsync(["import", csv, "--map", SessionSqlScenario.Map, "--data-dir", timing, "--json"], null, ct);
        var expected = await CountAsync(cli, timing, ct);
        log.WriteLine($"   a whole import takes {full.Seconds:0.0} s and stores {expected:N0} transactions");

        var data = cli.Directory("fault-import");
        await cli.MustAsync(["init", "--data-dir", data], ct);
        var seen = new List<long>();
        for (var i = 0; i < kills; i++)
        {
            // The process takes about half a second to start: the kills land between then and the end.
            var at = TimeSpan.FromSeconds(full.Seconds * (0.35 + (random.NextDouble() * 0.65)));
            var run = await cli.RunAsync(["import", csv, "--map", SessionSqlScenario.Map, "--data-dir", data, "--json"], at, ct);
            seen.Add(await CountAsync(cli, data, ct));
            log.WriteLine($"   import killed after {at.TotalSeconds:0.00} s ({(run.Killed ? "killed" : $"had ended, exit {run.ExitCode}")}): {seen[^1]:N0} transactions");
        }

        var last = await cli.RunAsync(["import", csv, "--map", SessionSqlScenario.Map, "--data-dir", data, "--json"], null, ct);
        var final = await CountAsync(cli, data, ct);
        var again = await cli.RunAsync(["import", csv, "--map", SessionSqlScenario.Map, "--data-dir", data, "--json"], null, ct);
        var afterAgain = await CountAsync(cli, data, ct);
        checks.Add(new Check(
            $"kill -9 of `symbolon import` ×{kills}",
            "the vault opens after each kill, holding none or all of the statement; the import run again gives the exact count; once more adds nothing",
            seen.All(c => c == 0 || c == expected) && last.ExitCode == 0 && final == expected && again.ExitCode == 0 && afterAgain == expected,
            $"after each kill: {string.Join(", ", seen.Select(c => c.ToString("N0", CultureInfo.InvariantCulture)))}; after the re-import {final:N0} of {expected:N0}; once more {afterAgain:N0}"));
        return data;
    }

    // ---- kill -9 of `symbolon backup`: the vault opens, no half backup is taken for a whole one ----

    private static async Task BackupKillsAsync(Cli cli, string vault, int kills, Random random, List<Check> checks, TextWriter log, CancellationToken ct)
    {
        var count = await CountAsync(cli, vault, ct);
        var whole = Path.Combine(cli.WorkDirectory, "fault-whole.symbolon-backup");
        var timing = await cli.RunAsync(["backup", "-o", whole, "--data-dir", vault], null, ct);
        var outcomes = new List<string>();
        var held = timing.ExitCode == 0;
        for (var i = 0; i < kills; i++)
        {
            var file = Path.Combine(cli.WorkDirectory, $"fault-killed-{i}.symbolon-backup");
            var at = TimeSpan.FromSeconds(timing.Seconds * (0.35 + (random.NextDouble() * 0.6)));
            var run = await cli.RunAsync(["backup", "-o", file, "--data-dir", vault], at, ct);
            var opens = await CountAsync(cli, vault, ct) == count;
            string outcome;
            if (!File.Exists(file))
            {
                outcome = "no file";
            }
            else
            {
                var target = cli.Directory($"fault-restore-{i}");
                var restore = await cli.RunAsync(["restore", file, "--data-dir", target], null, ct);
                if (restore.ExitCode == 0)
                {
                    var restored = await CountAsync(cli, target, ct);
                    outcome = $"complete ({new FileInfo(file).Length:N0} bytes), restored {restored:N0}";
                    held &= restored == count;
                }
                else
                {
                    // Refused with words, and the target left as it was: a whole backup restores into it.
                    var words = FirstLine(restore.Stderr);
                    var retry = await cli.RunAsync(["restore", whole, "--data-dir", target], null, ct);
                    outcome = $"{new FileInfo(file).Length:N0} bytes, refused: \"{words}\"; the whole one then restored: {(retry.ExitCode == 0 ? "yes" : "no")}";
                    held &= !words.Contains("Something went wrong", StringComparison.Ordinal) && retry.ExitCode == 0;
                }
            }

            held &= opens;
            outcomes.Add($"{(run.Killed ? "killed" : "ended")} at {at.TotalSeconds:0.00} s: {outcome}{(opens ? "" : "; THE VAULT DID NOT OPEN")}");
            log.WriteLine($"   backup {outcomes[^1]}");
        }

        checks.Add(new Check(
            $"kill -9 of `symbolon backup` ×{kills}",
            "the vault opens with every transaction; a cut backup is refused by restore with a reason (never restored in part), or is complete",
            held,
            string.Join("; ", outcomes)));
    }

    // ---- kill -9 of the server during a profile write loop: every acknowledged write is there ----

    private static async Task ProfileWriteKillsAsync(string cliDll, string workDirectory, string pidFile, Random random, List<Check> checks, TextWriter log, CancellationToken ct)
    {
        var data = Path.Combine(workDirectory, "fault-profile");
        Directory.CreateDirectory(data);
        var port = ServerStartScenario.FreeLoopbackPort();
        var acked = new ConcurrentDictionary<Guid, int>();
        var added = new ConcurrentBag<Guid>();
        var observations = new List<string>();
        var held = true;
        for (var cycle = 0; cycle < 3; cycle++)
        {
            var server = await ChildProcess.StartHealthyAsync(cliDll, ["--data-dir", data], data, pidFile, ct, port: port);
            try
            {
                using var owner = await OwnerAsync(server.BaseUri, first: cycle == 0, ct);
                if (cycle == 0)
                {
                    for (var w = 0; w < 4; w++)
                    {
                        var field = await PostFieldAsync(owner, $"writer{w}", 0, ct);
                        acked[field] = 0;
                    }
                }

                using var stop = new CancellationTokenSource();
                var writers = acked.Keys.Select(id => Task.Run(() => UpdateLoopAsync(owner, id, acked, stop.Token), CancellationToken.None))
                    .Append(Task.Run(() => AddLoopAsync(owner, added, stop.Token), CancellationToken.None)).ToList();
                await Task.Delay(TimeSpan.FromSeconds(1 + (random.NextDouble() * 2)), ct);
                server.Dispose();
                await stop.CancelAsync();
                await Task.WhenAll(writers);
            }
            finally
            {
                server.Dispose();
            }

            var restarted = await ChildProcess.StartHealthyAsync(cliDll, ["--data-dir", data], data, pidFile, ct, port: port);
            try
            {
                using var owner = await OwnerAsync(restarted.BaseUri, first: false, ct);
                var profile = (await owner.GetFromJsonAsync<ProfileDocument>("/owner/api/v1/profile", WebJson, ct))!;
                var byId = profile.Fields.ToDictionary(f => f.Id);
                var missing = acked.Count(a => !byId.TryGetValue(a.Key, out var f) || Written(f) < a.Value) + added.Count(id => !byId.ContainsKey(id));
                var versionsOk = true;
                foreach (var id in acked.Keys)
                {
                    var history = (await owner.GetFromJsonAsync<ProfileFieldHistory>($"/owner/api/v1/profile/fields/{id}/history", WebJson, ct))!;
                    versionsOk &= history.Versions.Select(v => v.Version).SequenceEqual(Enumerable.Range(1, history.Versions.Count));
                    acked[id] = Written(byId[id]);
                }

                held &= missing == 0 && versionsOk;
                observations.Add($"cycle {cycle + 1}: {acked.Values.Sum():N0} updates and {added.Count:N0} new fields acknowledged so far, {missing} missing, histories {(versionsOk ? "whole" : "BROKEN")}");
                log.WriteLine($"   profile {observations[^1]}");
            }
            finally
            {
                await restarted.StopAsync(TimeSpan.FromSeconds(10));
                restarted.Dispose();
            }
        }

        checks.Add(new Check(
            "kill -9 of `symbolon serve` in a profile write loop ×3 (4 writers updating, 1 adding)",
            "after each restart every acknowledged update and new field is there, and each field's history runs 1, 2, 3 … without a gap",
            held,
            string.Join("; ", observations)));

        // The text is label-N@example.org: N counts the writes made to the field.
        static int Written(ProfileField field)
        {
            var text = field.Text ?? "";
            return int.Parse(text[(text.LastIndexOf('-') + 1)..text.IndexOf('@', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        }
    }

    private static async Task<HttpClient> OwnerAsync(Uri server, bool first, CancellationToken ct)
    {
        var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        string token;
        if (first)
        {
            using var created = await http.PostAsJsonAsync("/owner/api/v1/vault", new CreateVaultRequest(Passphrase), ct);
            created.EnsureSuccessStatusCode();
            token = (await created.Content.ReadFromJsonAsync<CreateVaultResponse>(ct))!.AccessToken.Token!;
        }
        else
        {
            using var unlocked = await http.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(Passphrase, "faults"), ct);
            unlocked.EnsureSuccessStatusCode();
            token = (await unlocked.Content.ReadFromJsonAsync<UnlockResponse>(ct))!.AccessToken!.Token!;
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<Guid> PostFieldAsync(HttpClient owner, string label, int n, CancellationToken ct)
    {
        using var response = await owner.PostAsJsonAsync("/owner/api/v1/profile/fields", new ProfileFieldInput(ProfileFieldKinds.Email, label, $"{label}-{n}@example.org"), WebJson, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ProfileField>(WebJson, ct))!.Id;
    }

    /// <summary>Updates one field as fast as the server answers; what was acknowledged is recorded before the next write.</summary>
    private static async Task UpdateLoopAsync(HttpClient owner, Guid id, ConcurrentDictionary<Guid, int> acked, CancellationToken ct)
    {
        var label = $"writer-{id:N}"[..12];
        for (var n = acked[id] + 1; !ct.IsCancellationRequested; n++)
        {
            try
            {
                using var response = await owner.PutAsJsonAsync($"/owner/api/v1/profile/fields/{id}", new ProfileFieldUpdate(label, $"{label}-{n}@example.org"), WebJson, ct);
                if (!response.IsSuccessStatusCode)
                {
                    return;
                }

                acked[id] = n;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task AddLoopAsync(HttpClient owner, ConcurrentBag<Guid> added, CancellationToken ct)
    {
        for (var n = 0; !ct.IsCancellationRequested; n++)
        {
            try
            {
                added.Add(await PostFieldAsync(owner, "added", n, ct));
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                return;
            }
        }
    }

    // ---- 100 concurrent vendor clients: no error, the stored receipts are the unique keys ----

    private static async Task ConcurrentVendorsAsync(string cliDll, string workDirectory, string pidFile, int clients, TimeSpan duration, List<Check> checks, TextWriter log, CancellationToken ct)
    {
        const int Vendors = 10;
        const int KeysPerVendor = 300;
        var data = Path.Combine(workDirectory, "fault-vendors");
        Directory.CreateDirectory(data);
        // Ten vendors register and accept the terms within seconds from one address: more than the onboarding limits
        // let one address do (they are there against floods), so this server's limits are raised as an operator would.
        var limits = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RateLimits__RegistrationsPerHour"] = "1000",
            ["RateLimits__PushedAuthorizationsPerMinute"] = "1000",
            ["RateLimits__AgreementAcceptancesPerMinute"] = "1000",
        };
        using var server = await ChildProcess.StartHealthyAsync(cliDll, ["--data-dir", data], data, pidFile, ct, limits);
        var (owner, _) = await VendorSetup.CreateVaultAsync(server.BaseUri, ct);
        var tokens = new List<string>();
        using (owner)
        {
            for (var v = 0; v < Vendors; v++)
            {
                tokens.Add(await VendorSetup.GrantVendorAsync(server.BaseUri, owner, $"Fault Vendor {v}", [Datatypes.Receipts], [DataActions.Read, DataActions.Append], ct));
            }
        }

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = server.BaseUri,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var statuses = new ConcurrentDictionary<string, int>();
        var stored = Enumerable.Range(0, Vendors).Select(_ => new ConcurrentDictionary<string, byte>()).ToArray();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var vendor = c % Vendors;
            var random = new Random(c);
            while (clock.Elapsed < duration && !ct.IsCancellationRequested)
            {
                string outcome;
                try
                {
                    if (random.Next(5) == 0)
                    {
                        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/v1/receipts");
                        read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[vendor]);
                        using var response = await http.SendAsync(read, ct);
                        outcome = $"GET {(int)response.StatusCode}";
                    }
                    else
                    {
                        var key = $"sale-{random.Next(KeysPerVendor)}";
                        using var write = new HttpRequestMessage(HttpMethod.Post, "/api/v1/receipts")
                        {
                            Content = JsonContent.Create(ReceiptsScenario.Receipt with { ReceiptNumber = key }, options: WebJson),
                        };
                        write.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[vendor]);
                        write.Headers.Add("Idempotency-Key", key);
                        using var response = await http.SendAsync(write, ct);
                        var replayed = response.Headers.Contains("Idempotent-Replayed");
                        outcome = $"POST {(int)response.StatusCode}{(replayed ? " (replayed)" : "")}";
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            stored[vendor].TryAdd(key, 0);
                        }
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    outcome = e.GetType().Name;
                }

                statuses.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            }
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(workers);

        var counts = new List<int>();
        for (var v = 0; v < Vendors; v++)
        {
            using var read = new HttpRequestMessage(HttpMethod.Get, "/api/v1/receipts");
            read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[v]);
            using var response = await http.SendAsync(read, ct);
            counts.Add((await response.Content.ReadFromJsonAsync<List<VendorReceipt>>(WebJson, ct))!.Count);
        }

        var errors = statuses.Where(s => !(s.Key.StartsWith("GET 200", StringComparison.Ordinal) || s.Key.StartsWith("POST 201", StringComparison.Ordinal))).Sum(s => s.Value);
        var equal = Enumerable.Range(0, Vendors).All(v => counts[v] == stored[v].Count);
        var tally = string.Join(", ", statuses.OrderByDescending(s => s.Value).Select(s => $"{s.Key}: {s.Value:N0}"));
        log.WriteLine($"   {clients} vendor clients for {duration.TotalSeconds:0} s: {tally}");
        checks.Add(new Check(
            $"{clients} concurrent vendor clients ({Vendors} vendors) reading and pushing receipts with idempotency keys for {duration.TotalSeconds:0} s",
            "no error; each vendor's stored receipts are exactly its keys that were answered 201",
            errors == 0 && equal,
            $"{tally}; stored {string.Join("/", counts)} against unique keys {string.Join("/", stored.Select(s => s.Count))}"));
        await server.StopAsync(TimeSpan.FromSeconds(10));
    }

    // ---- an import onto a full disk: a clear error, the vault opens, nothing lost ----

    private static async Task DiskFullAsync(Cli cli, string csv, string workDirectory, List<Check> checks, TextWriter log, CancellationToken ct)
    {
        var mount = Path.Combine(workDirectory, "fault-tmpfs");
        Directory.CreateDirectory(mount);
        var mounted = await RunToolAsync("mount", ["-t", "tmpfs", "-o", "size=48m", "tmpfs", mount], ct);
        if (mounted.ExitCode != 0)
        {
            checks.Add(new Check("an import onto a full disk", "a tmpfs to fill", false, $"could not mount a tmpfs (it needs root): {FirstLine(mounted.Stderr)}"));
            return;
        }

        try
        {
            var data = Path.Combine(mount, "vault");
            await cli.MustAsync(["init", "--data-dir", data], ct);
            var small = Path.Combine(workDirectory, "fault-small.csv");
            CardTransactionGenerator.Write(small, 1_000, seed: 7);
            await cli.MustAsync(["import", small, "--map", SessionSqlScenario.Map, "--data-dir", data], ct);
            var before = await CountAsync(cli, data, ct);

            var filler = Path.Combine(mount, "filler");
            var free = new DriveInfo(mount).AvailableFreeSpace;
            (await RunToolAsync("fallocate", ["-l", (free - (256 * 1024)).ToString(CultureInfo.InvariantCulture), filler], ct)).Must();
            var full = await cli.RunAsync(["import", csv, "--map", SessionSqlScenario.Map, "--data-dir", data], null, ct);
            var words = FirstLine(full.Stderr);
            var after = await CountAsync(cli, data, ct);

            File.Delete(filler);
            var retry = await cli.RunAsync(["import", csv, "--map", SessionSqlScenario.Map, "--data-dir", data], null, ct);
            var finally_ = await CountAsync(cli, data, ct);
            var held = full.ExitCode != 0 && words.Contains("disk holding the vault is full", StringComparison.Ordinal) && after == before && retry.ExitCode == 0 && finally_ > before;
            log.WriteLine($"   full disk: exit {full.ExitCode}, \"{words}\"; {after:N0} transactions after (before {before:N0}); once freed: exit {retry.ExitCode}, {finally_:N0}");
            checks.Add(new Check(
                "`symbolon import` onto a full disk (a 48 MB tmpfs, 256 KB left)",
                "a clear error; the vault opens with what it held; once space is freed the same import succeeds",
                held,
                $"exit {full.ExitCode}: \"{words}\"; {after:N0} transactions after (before: {before:N0}); freed and imported again: exit {retry.ExitCode}, {finally_:N0}"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await RunToolAsync("umount", ["-l", mount], CancellationToken.None);
        }
    }

    private static async Task<long> CountAsync(Cli cli, string data, CancellationToken ct)
    {
        var run = await cli.RunAsync(["query", "SELECT count(*) FROM transactions", "--json", "--data-dir", data], null, ct);
        if (run.ExitCode != 0)
        {
            return -1;
        }

        var cell = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("rows")[0][0];
        return cell.ValueKind == JsonValueKind.Number ? cell.GetInt64() : long.Parse(cell.GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>The error a command printed (its <c>Error:</c> line, else its first line), fit for a table cell.</summary>
    private static string FirstLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (lines.FirstOrDefault(l => l.StartsWith("Error:", StringComparison.Ordinal)) ?? lines.FirstOrDefault() ?? "").Replace("|", "/", StringComparison.Ordinal);
    }

    private static async Task<CliRun> RunToolAsync(string tool, IEnumerable<string> arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            return new CliRun(process.ExitCode, 0, false, await stdout, await stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new CliRun(127, 0, false, "", e.Message);
        }
    }

    /// <summary>How a command ended: its exit code, how long it ran, whether it was killed, and its output.</summary>
    private sealed record CliRun(int ExitCode, double Seconds, bool Killed, string Stdout, string Stderr)
    {
        public void Must()
        {
            if (ExitCode != 0)
            {
                throw new InvalidOperationException($"exit {ExitCode}: {Stderr}");
            }
        }
    }

    /// <summary>The command line as a person runs it, with the passphrase from a file; optionally killed with SIGKILL after a while.</summary>
    private sealed class Cli(string dll, string workDirectory, string pidFile, string passphraseFile)
    {
        public string WorkDirectory => workDirectory;

        public string Directory(string name)
        {
            var path = Path.Combine(workDirectory, name);
            System.IO.Directory.CreateDirectory(path);
            return path;
        }

        public async Task MustAsync(IEnumerable<string> arguments, CancellationToken ct) => (await RunAsync(arguments, null, ct)).Must();

        public async Task<CliRun> RunAsync(IEnumerable<string> arguments, TimeSpan? killAfter, CancellationToken ct)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet")
            {
                WorkingDirectory = workDirectory,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(dll);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add("--passphrase-file");
            start.ArgumentList.Add(passphraseFile);
            foreach (var name in new[] { "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "SYMBOLON_DATA", "SYMBOLON_SERVER", "SYMBOLON_TOKEN", "SYMBOLON_SESSION", "SYMBOLON_PASSPHRASE" })
            {
                start.Environment.Remove(name);
            }

            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            await File.AppendAllTextAsync(pidFile, process.Id.ToString(CultureInfo.InvariantCulture) + "\n", ct);
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            var killed = false;
            if (killAfter is { } after)
            {
                using var wait = new CancellationTokenSource(after);
                try
                {
                    await process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    process.Kill(entireProcessTree: true);
                    killed = true;
                }
            }

            await process.WaitForExitAsync(ct);
            return new CliRun(process.ExitCode, clock.Elapsed.TotalSeconds, killed, await stdout, await stderr);
        }
    }
}
