using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Symbolon.Bench.Reporting;
using Symbolon.Bench.Session;
using Symbolon.Bench.Startup;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Records;
using Symbolon.Core.Statements;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Server.Storage;

namespace Symbolon.Bench.Imports;

/// <summary>
/// Importing a large card statement through the whole pipeline (the file streamed through StatementImporter.ImportAsync:
/// parse the CSV, dedupe against the vault, categorize, compress and seal chunks, store them in SQLite), against
/// inserting the same rows unencrypted into SQLite with one prepared statement in one transaction; then the import as
/// a person runs it, each in a process of its own so its peak memory is its own: <c>symbolon import</c> in local mode
/// on a fresh data directory (and the same file again: nothing added), and the server taking the file as an HTTP
/// upload; then unlock-to-ready: decrypting every chunk and building the in-memory projection.
/// </summary>
internal static class ImportScenario
{
    private const string Passphrase = "correct horse battery staple";
    private const int SmallRows = 1_000;

    /// <summary>The goals of issue 11, checked in the summary.</summary>
    private const double GoalRowsPerSecond = 250_000;
    private const double GoalPeakBytes = 250.0 * 1024 * 1024;

    private static readonly string[] ParameterNames = ["$date", "$description", "$merchant", "$amount", "$currency"];

    private static readonly CsvMapping Mapping = new(Date: "Date", Amount: "Amount", Description: "Description", Merchant: "Merchant", Currency: "Currency", Account: "Card");

    public static async Task RunAsync(BenchReport report, string workDirectory, int rows, int passes, string? cliDll, string serverDll, TextWriter log, CancellationToken ct)
    {
        log.WriteLine($"== import: {rows:N0} generated card transactions, full pipeline vs. a prepared SQLite insert, {passes}× each in turn (after one untimed round at 1/10 the size); then `symbolon import` and an HTTP upload, each in its own process");
        var file = Path.Combine(workDirectory, "import-card-transactions.csv");
        var generate = Stopwatch.StartNew();
        var size = CardTransactionGenerator.Write(file, rows);
        log.WriteLine($"   generated {size / (1024.0 * 1024):0.0} MiB in {generate.Elapsed.TotalSeconds:0.0} s");
        var parsedRows = ParseForBaseline(file);
        var warmFile = Head(file, Path.Combine(workDirectory, "import-warm.csv"), rows / 10);
        var smallFile = Head(file, Path.Combine(workDirectory, "import-small.csv"), Math.Min(SmallRows, rows));
        var passphraseFile = Path.Combine(workDirectory, "passphrase.txt");
        await File.WriteAllTextAsync(passphraseFile, Passphrase + "\n", ct);
        if (!OperatingSystem.IsWindows())
        {
            // The CLI warns about a passphrase file others can read.
            File.SetUnixFileMode(passphraseFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var pidFile = Path.Combine(workDirectory, "children.pids");

        var import = new Samples("s");
        var importCpu = new Samples("s");
        var baseline = new Samples("s");
        var ratio = new Samples("×");
        var ready = new Samples("ms");
        var parse = new Samples("s");
        var parseCsv = new Samples("s");
        var cli = new Runs();
        var cliAgain = new Runs();
        var cliSmall = new Runs();
        var http = new Samples("s");
        var httpPeak = new Samples("MB");
        var httpIdle = new Samples("MB");
        var httpLifetimePeak = new Samples("MB");
        var httpCpu = new Samples("s");
        (ImportSummary Summary, long DatabaseBytes, long ProjectionBytes)? last = null;

        // Warm-up: JIT and EF Core's model, at a tenth of the size.
        await ImportOnceAsync(Path.Combine(workDirectory, "import-warm"), warmFile, ct);
        BaselineOnce(Path.Combine(workDirectory, "baseline-warm.db"), parsedRows[..(rows / 10)]);

        for (var pass = 0; pass < passes; pass++)
        {
            ct.ThrowIfCancellationRequested();
            double importSeconds, baselineSeconds;
            if (pass % 2 == 0)
            {
                baselineSeconds = BaselineOnce(Path.Combine(workDirectory, $"baseline-{pass}.db"), parsedRows);
                (importSeconds, var cpu, var result) = await ImportOnceAsync(Path.Combine(workDirectory, $"import-{pass}"), file, ct);
                importCpu.Add(cpu);
                last = result;
            }
            else
            {
                (importSeconds, var cpu, var result) = await ImportOnceAsync(Path.Combine(workDirectory, $"import-{pass}"), file, ct);
                importCpu.Add(cpu);
                last = result;
                baselineSeconds = BaselineOnce(Path.Combine(workDirectory, $"baseline-{pass}.db"), parsedRows);
            }

            import.Add(importSeconds);
            baseline.Add(baselineSeconds);
            ratio.Add(baselineSeconds / importSeconds);
            log.WriteLine($"   pass {pass + 1}: import {importSeconds:0.00} s ({rows / importSeconds:N0} rows/s), baseline {baselineSeconds:0.00} s ({rows / baselineSeconds:N0} rows/s)");

            // The parts: reading the CSV alone (streamed from the file into a sink that only counts), and with categorizing.
            parseCsv.Add(await ReadOnlyAsync(file, null, ct));
            parse.Add(await ReadOnlyAsync(file, CategoryRules.Default(), ct));
            ready.Add(await UnlockToReadyAsync(Path.Combine(workDirectory, $"import-{pass}"), ct));
            Cleanup(workDirectory, $"import-{pass}", $"baseline-{pass}.db");

            if (cliDll is not null)
            {
                // As a person runs it: a fresh data directory, the vault created (not timed), then the import command
                // alone; the same file once more (every row already there); and a 1,000-row file for what any run of
                // the command costs (start, Argon2id with 64 MiB, opening the database).
                var data = Path.Combine(workDirectory, $"cli-{pass}");
                await CliAsync(cliDll, ["init", "--data-dir", data, "--passphrase-file", passphraseFile], workDirectory, pidFile, ct);
                cli.Add(await CliImportAsync(cliDll, file, data, passphraseFile, workDirectory, pidFile, rows, 0, ct));
                cliAgain.Add(await CliImportAsync(cliDll, file, data, passphraseFile, workDirectory, pidFile, 0, rows, ct));
                var small = Path.Combine(workDirectory, $"cli-small-{pass}");
                await CliAsync(cliDll, ["init", "--data-dir", small, "--passphrase-file", passphraseFile], workDirectory, pidFile, ct);
                cliSmall.Add(await CliImportAsync(cliDll, smallFile, small, passphraseFile, workDirectory, pidFile, Math.Min(SmallRows, rows), 0, ct));
                log.WriteLine($"   pass {pass + 1}: symbolon import {Describe(cli.Last)}; again {Describe(cliAgain.Last)}; {SmallRows:N0} rows {Describe(cliSmall.Last)}");
                Cleanup(workDirectory, $"cli-{pass}", $"cli-small-{pass}");
            }

            var (seconds, peak, lifetimePeak, idle, cpuSeconds) = await HttpImportAsync(serverDll, file, Path.Combine(workDirectory, $"server-{pass}"), pidFile, rows, ct);
            http.Add(seconds);
            httpPeak.Add(peak / (1024.0 * 1024));
            httpLifetimePeak.Add(lifetimePeak / (1024.0 * 1024));
            httpIdle.Add(idle / (1024.0 * 1024));
            httpCpu.Add(cpuSeconds);
            log.WriteLine($"   pass {pass + 1}: HTTP upload {seconds:0.00} s ({rows / seconds:N0} rows/s), server RSS at most {peak / (1024.0 * 1024):0} MB during it (before {idle / (1024.0 * 1024):0} MB, VmHWM {lifetimePeak / (1024.0 * 1024):0} MB)");
            Cleanup(workDirectory, $"server-{pass}");
        }

        var (summary, databaseBytes, projectionBytes) = last!.Value;
        var rate = rows / import.Median;
        report.AddRow(new SummaryRow(
            $"Import {rows:N0} CSV card transactions, streamed from the file (parse, dedupe, categorize, compress, seal, store; SQLite; in the bench process)",
            $"{Format.Seconds(import.Median)}, {rate:N0} rows/s",
            $"prepared INSERT, one transaction, unencrypted: {Format.Seconds(baseline.Median)}, {rows / baseline.Median:N0} rows/s",
            $"**{Format.Ratio(ratio.Median)}** of the baseline's speed",
            $"≥ 250,000 rows/s: {(rate >= GoalRowsPerSecond ? "met" : "**missed**")}"));
        if (cli.Count > 0)
        {
            report.AddRow(new SummaryRow(
                $"`symbolon import` of the same {rows:N0} rows, local mode, fresh data dir: the whole process (start, unlock, import), peak RSS (VmHWM)",
                $"{Format.Megabytes(cli.PeakMedian)} peak; {Format.Seconds(cli.SecondsMedian)}, {rows / cli.SecondsMedian:N0} rows/s end to end",
                $"the same command with {SmallRows:N0} rows: {Format.Megabytes(cliSmall.PeakMedian)}, {Format.Seconds(cliSmall.SecondsMedian)}",
                $"{Format.Ratio(cli.PeakMedian / cliSmall.PeakMedian)} the memory",
                $"≤ 250 MB: {(cli.PeakMedian <= GoalPeakBytes ? "met" : "**missed**")}"));
            report.AddRow(new SummaryRow(
                $"`symbolon import` of the same file again (all {rows:N0} already there, none added): unlock loads them, then every row is checked",
                $"{Format.Megabytes(cliAgain.PeakMedian)} peak; {Format.Seconds(cliAgain.SecondsMedian)}",
                "—",
                "—",
                $"≤ 250 MB: {(cliAgain.PeakMedian <= GoalPeakBytes ? "met" : "**missed**")}"));
        }

        report.AddRow(new SummaryRow(
            $"The same file as an HTTP upload to `Symbolon.Server.dll` (own process, fresh data dir, server GC): `POST /owner/api/v1/imports?format=csv&map=…`, raw body streamed",
            $"{Format.Seconds(http.Median)}, {rows / http.Median:N0} rows/s; server RSS at most {httpPeak.Median:0} MB during the import (VmHWM {httpLifetimePeak.Median:0} MB)",
            $"the server before the upload: {httpIdle.Median:0} MB",
            "—",
            $"≤ 250 MB: {(httpPeak.Median * 1024 * 1024 <= GoalPeakBytes ? "met" : "**missed**")}"));
        report.AddRow(new SummaryRow(
            $"Unlock to ready with {rows:N0} transactions (read, decrypt, decompress, build projection and dedupe index)",
            Format.Milliseconds(ready.Median),
            "—",
            "—",
            $"< 3 s: {(ready.Median < 3000 ? "met" : "missed")}"));

        var lines = report.Section($"Import: median of {passes}");
        lines.Add($"- Data: {rows:N0} rows, {size / (1024.0 * 1024):0.0} MiB CSV from a seeded generator (29 merchants × store numbers × 10 cities, 3 years); added {summary.Added:N0}, duplicates {summary.DuplicatesSkipped:N0}.");
        lines.Add($"- Full import (StatementImporter.ImportAsync reading a FileStream of the CSV, a new SQLite vault, WAL): {import}; CPU {importCpu} (the bench process's, both cores).");
        lines.Add($"- Baseline (Microsoft.Data.Sqlite, table of 5 columns, one prepared INSERT reused, one transaction, WAL, rows already split into fields): {baseline}.");
        lines.Add($"- Of the import: reading the CSV alone (streamed; CsvHelper's parser, dates, amounts, text cleaning) {parseCsv}; with categorizing {parse}. The rest (dedupe, the projection's columns, compressing and sealing on the other core, storing) overlaps with reading.");
        lines.Add($"- Stored: database file {databaseBytes / (1024.0 * 1024):0.0} MiB for the vault with {summary.Added:N0} transactions in {(summary.Added + StatementImporter.ChunkSize - 1) / StatementImporter.ChunkSize} sealed chunks of {StatementImporter.ChunkSize:N0}.");
        if (cli.Count > 0)
        {
            lines.Add($"- `symbolon import FILE --map {SessionSqlScenario.Map} --data-dir … --passphrase-file … --json` (Release build, `dotnet symbolon.dll`, workstation GC as shipped), its own process, after `symbolon init` on a fresh data directory; wall time around the process, CPU time and VmHWM read from /proc every 5 ms while it runs:");
            lines.Add($"  - {rows:N0} rows: {cli}.");
            lines.Add($"  - the same file again (0 added, {rows:N0} skipped as already there): {cliAgain}.");
            lines.Add($"  - {SmallRows:N0} rows (what every run costs: start, Argon2id unlock with 64 MiB, EF Core and SQLite): {cliSmall}.");
        }
        else
        {
            lines.Add("- `symbolon import` was not measured: no --cli-dll was given (bench/run.sh builds and passes it).");
        }

        lines.Add($"- HTTP upload: `Symbolon.Server.dll` (Release, shipped runtime settings: server GC), fresh SQLite data dir, `POST /owner/api/v1/vault`, then `POST /owner/api/v1/imports?format=csv&map=…` with the file as a streamed raw body (HttpClient StreamContent, Content-Length); time at the client from sending to the summary: {http}; server CPU during it {httpCpu}; server VmRSS before the import {httpIdle}, its highest while the import ran (sampled every 5 ms) {httpPeak}, and VmHWM at the end (the process's peak since it started, creating the vault included) {httpLifetimePeak}.");
        lines.Add($"- Unlock to ready (new process state: a new projection cache, new DbContext; read chunks, AES-GCM open, Brotli decode, columns, dedupe index): {ready}; managed heap grew by about {projectionBytes / (1024.0 * 1024):0} MiB for the projection.");
    }

    private static async Task<(double Seconds, double Cpu, (ImportSummary, long, long) Result)> ImportOnceAsync(string dataDirectory, string file, CancellationToken ct)
    {
        var storage = new StorageOptions { DataDirectory = dataDirectory };
        StorageSetup.PrepareDataDirectory(dataDirectory);
        VaultKeys keys;
        await using (var db = StorageSetup.CreateContext(storage))
        {
            await StorageSetup.MigrateAsync(db, ct);
            keys = (await new VaultService(db, TimeProvider.System, NullLogger<VaultService>.Instance).CreateAsync(Passphrase, ct)).Keys;
        }

        using (keys)
        {
            GC.Collect();
            var measurement = Measurement.Start();
            ImportSummary summary;
            await using (var db = StorageSetup.CreateContext(storage))
            await using (var stream = OpenRead(file))
            {
                var importer = new StatementImporter(db, TimeProvider.System, new RecordStore(db, TimeProvider.System));
                summary = await importer.ImportAsync(new VaultSession(keys, DateTimeOffset.UnixEpoch), stream, new ImportRequest(StatementFormats.Csv, Mapping), null, ct);
            }

            var (wall, cpu) = measurement.Stop();
            var before = GC.GetTotalMemory(true);
            await using var reload = StorageSetup.CreateContext(storage);
            var projection = await new StatementImporter(reload, TimeProvider.System, new RecordStore(reload, TimeProvider.System)).LoadAsync(keys, ct);
            var projectionBytes = GC.GetTotalMemory(true) - before;
            GC.KeepAlive(projection);
            return (wall.TotalSeconds, cpu.TotalSeconds, (summary, new FileInfo(storage.SqlitePath).Length + WalLength(storage.SqlitePath), projectionBytes));
        }
    }

    private static FileStream OpenRead(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    /// <summary>Streams the file through the CSV reader into a sink that only counts (and categorizes, given rules).</summary>
    private static async Task<double> ReadOnlyAsync(string file, CategoryRules? rules, CancellationToken ct)
    {
        GC.Collect();
        var stopwatch = Stopwatch.StartNew();
        await using var stream = OpenRead(file);
        var sink = new CountingSink(rules);
        await CsvStatementReader.ReadAsync(stream, Mapping, sink, ct);
        return stopwatch.Elapsed.TotalSeconds;
    }

    private sealed class CountingSink(CategoryRules? rules) : IStatementRowSink
    {
        public int Rows { get; private set; }

        public ValueTask AddAsync(in StatementRow row)
        {
            Rows++;
            rules?.Categorize(row.Description, row.Merchant, row.Amount, row.Account);
            return ValueTask.CompletedTask;
        }
    }

    private static string Describe(ProcessRun run) =>
        $"{run.Seconds:0.00} s, CPU {run.CpuSeconds:0.00} s, peak RSS {run.PeakResidentBytes / (1024.0 * 1024):0} MB";

    private static async Task CliAsync(string cliDll, string[] arguments, string workDirectory, string pidFile, CancellationToken ct)
    {
        var run = await MeasuredProcess.RunAsync(cliDll, arguments, workDirectory, pidFile, ct);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"symbolon {arguments[0]} failed ({run.ExitCode}): {run.Stderr}");
        }
    }

    private static async Task<ProcessRun> CliImportAsync(string cliDll, string file, string data, string passphraseFile, string workDirectory, string pidFile, int added, int skipped, CancellationToken ct)
    {
        var run = await MeasuredProcess.RunAsync(
            cliDll, ["import", file, "--map", SessionSqlScenario.Map, "--data-dir", data, "--passphrase-file", passphraseFile, "--json"], workDirectory, pidFile, ct);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"symbolon import failed ({run.ExitCode}): {run.Stderr}");
        }

        using var json = JsonDocument.Parse(run.Stdout);
        var (gotAdded, gotSkipped) = (json.RootElement.GetProperty("added").GetInt32(), json.RootElement.GetProperty("duplicatesSkipped").GetInt32());
        if ((gotAdded, gotSkipped) != (added, skipped))
        {
            throw new InvalidOperationException($"symbolon import added {gotAdded} and skipped {gotSkipped}; expected {added} and {skipped}.");
        }

        return run;
    }

    /// <summary>The server on a fresh data dir, a vault, then the file as the raw body; its peak RSS from /proc after the import.</summary>
    private static async Task<(double Seconds, long PeakBytes, long LifetimePeakBytes, long IdleBytes, double CpuSeconds)> HttpImportAsync(string serverDll, string file, string dataDirectory, string pidFile, int rows, CancellationToken ct)
    {
        Directory.CreateDirectory(dataDirectory);
        using var server = await ChildProcess.StartHealthyAsync(serverDll, ["--data-dir", dataDirectory], dataDirectory, pidFile, ct);
        using var owner = new OwnerClient(server.BaseUri);
        await owner.WaitForVaultStatusAsync(ct);
        await owner.CreateVaultAsync(ct);
        var idle = server.ResidentBytes();
        var cpuBefore = server.CpuTime();

        // VmHWM also holds what came before (start, creating the vault with Argon2id's 64 MiB), so the import's own
        // peak is sampled from VmRSS while it runs.
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var peak = Task.Run(async () =>
        {
            var max = 0L;
            while (!sampling.IsCancellationRequested)
            {
                max = Math.Max(max, server.ResidentBytes());
                await Task.Delay(5, CancellationToken.None);
            }

            return Math.Max(max, server.ResidentBytes());
        }, CancellationToken.None);
        var stopwatch = Stopwatch.StartNew();
        var summary = await owner.ImportCsvAsync(file, SessionSqlScenario.Map, ct);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        var importPeak = await peak;
        var cpu = (server.CpuTime() - cpuBefore).TotalSeconds;
        if (summary.Added != rows)
        {
            throw new InvalidOperationException($"The upload added {summary.Added} of {rows} transactions.");
        }

        return (seconds, importPeak, server.PeakResidentBytes(), idle, cpu);
    }

    private static long WalLength(string path) => File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0;

    private static async Task<double> UnlockToReadyAsync(string dataDirectory, CancellationToken ct)
    {
        var storage = new StorageOptions { DataDirectory = dataDirectory };
        VaultKeys keys;
        await using (var db = StorageSetup.CreateContext(storage))
        {
            keys = await new VaultService(db, TimeProvider.System, NullLogger<VaultService>.Instance).UnlockAsync(Passphrase, ct);
        }

        using (keys)
        {
            GC.Collect();
            var stopwatch = Stopwatch.StartNew();
            await using var db = StorageSetup.CreateContext(storage);
            var projection = await new StatementImporter(db, TimeProvider.System, new RecordStore(db, TimeProvider.System)).LoadAsync(keys, ct);
            var elapsed = stopwatch.Elapsed.TotalMilliseconds;
            GC.KeepAlive(projection);
            return elapsed;
        }
    }

    /// <summary>The header and the first <paramref name="rows"/> rows of <paramref name="file"/>, as a file of their own.</summary>
    private static string Head(string file, string path, int rows)
    {
        File.WriteAllLines(path, File.ReadLines(file).Take(rows + 1));
        return path;
    }

    private static string[][] ParseForBaseline(string file)
    {
        var lines = File.ReadLines(file).Skip(1).Where(l => l.Length > 0).ToList();
        var rows = new string[lines.Count][];
        for (var i = 0; i < lines.Count; i++)
        {
            // The generator quotes only the description, which holds no commas or quotes.
            rows[i] = lines[i].Replace("\"", "", StringComparison.Ordinal).Split(',');
        }

        return rows;
    }

    /// <summary>The same rows, unencrypted, through one prepared INSERT in one transaction.</summary>
    private static double BaselineOnce(string path, string[][] rows)
    {
        GC.Collect();
        var stopwatch = Stopwatch.StartNew();
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE transactions (date TEXT NOT NULL, description TEXT NOT NULL, merchant TEXT, amount TEXT NOT NULL, currency TEXT NOT NULL);";
                pragma.ExecuteNonQuery();
            }

            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO transactions (date, description, merchant, amount, currency) VALUES ($date, $description, $merchant, $amount, $currency)";
            var parameters = ParameterNames.Select(name => insert.Parameters.Add(name, SqliteType.Text)).ToArray();
            insert.Prepare();
            foreach (var row in rows)
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    parameters[i].Value = row[i];
                }

                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        return stopwatch.Elapsed.TotalSeconds;
    }

    private static void Cleanup(string workDirectory, params string[] names)
    {
        SqliteConnection.ClearAllPools();
        foreach (var path in names.Select(n => Path.Combine(workDirectory, n)))
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>The process runs of one command across passes.</summary>
    private sealed class Runs
    {
        private readonly List<ProcessRun> _runs = [];

        public int Count => _runs.Count;

        public ProcessRun Last => _runs[^1];

        public double PeakMedian => Median(_runs.Select(r => (double)r.PeakResidentBytes));

        public double SecondsMedian => Median(_runs.Select(r => r.Seconds));

        public void Add(ProcessRun run) => _runs.Add(run);

        public override string ToString() =>
            $"peak RSS {string.Join(", ", _runs.Select(r => (r.PeakResidentBytes / (1024.0 * 1024)).ToString("0", System.Globalization.CultureInfo.InvariantCulture)))} MB; " +
            $"wall {string.Join(", ", _runs.Select(r => r.Seconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))} s; " +
            $"CPU {string.Join(", ", _runs.Select(r => r.CpuSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))} s";

        private static double Median(IEnumerable<double> values)
        {
            var samples = new Samples("");
            foreach (var value in values)
            {
                samples.Add(value);
            }

            return samples.Median;
        }
    }
}
