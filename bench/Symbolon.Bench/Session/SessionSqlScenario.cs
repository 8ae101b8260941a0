using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Symbolon.Bench.Imports;
using Symbolon.Bench.Reporting;
using Symbolon.Bench.Startup;

namespace Symbolon.Bench.Session;

/// <summary>
/// SQL over a million card transactions and unlock-to-ready, measured the way a person runs Symbolon: the Release
/// server as a process of its own on a fresh SQLite data directory, the vault created and the generated CSV imported
/// over the owner API, then <c>POST /owner/api/v1/query</c> timed from the client (first call, then warm), and the
/// server restarted on that data directory to time an unlock until the first query and the first transactions page
/// answer. The baseline is DuckDB's Node API in a process of its own over the same CSV, same column types and the same
/// SQL, timed in the same run, in turns with Symbolon.
/// </summary>
internal static partial class SessionSqlScenario
{
    public const double QueryGoalRatio = 2.0;
    public const double ReadyGoalSeconds = 2.0;
    public const double ReadyGoalRatio = 1.5;
    public const int PageSize = 50;
    private const int WarmUps = 2;

    /// <summary>The generator's columns as Symbolon's CSV mapping syntax (the API's <c>map</c> parameter).</summary>
    public const string Map = "date=Date,amount=Amount,description=Description,merchant=Merchant,currency=Currency,dateFormat=yyyy-MM-dd,decimal=point";

    internal sealed record SqlQuery(string Name, string Sql, bool CompareText);

    public static readonly SqlQuery SpendByCategory = new(
        "spend by category per month",
        "SELECT category, date_trunc('month', date) AS month, sum(amount) AS total FROM transactions GROUP BY ALL ORDER BY ALL",
        CompareText: true);

    public static readonly SqlQuery TopMerchants = new(
        "top 10 merchants by spend",
        "SELECT merchant, count(*) AS purchases, sum(-amount) AS spent FROM transactions WHERE amount < 0 GROUP BY merchant ORDER BY spent DESC LIMIT 10",
        // Note: Symbolon's merchant column holds the cleaned name the insights show (no legal form, no store number),
        // DuckDB's the CSV's text; the groups and their numbers are the same.
        CompareText: false);

    public static readonly SqlQuery FilteredCount = new(
        "count with a text, amount and date filter",
        "SELECT count(*) AS n FROM transactions WHERE description ILIKE '%berlin%' AND amount < -20 AND date >= DATE '2024-01-01'",
        CompareText: true);

    public static readonly IReadOnlyList<SqlQuery> Queries = [SpendByCategory, TopMerchants, FilteredCount];

    /// <summary>What the first query after an unlock runs (it needs no category, which the cold DuckDB load has not).</summary>
    public static SqlQuery ReadyQuery => TopMerchants;

    private sealed class QuerySamples(SqlQuery query)
    {
        public SqlQuery Query { get; } = query;
        public double SymbolonFirst { get; set; }
        public double SymbolonFirstServer { get; set; }
        public double DuckFirst { get; set; }
        public Samples Symbolon { get; } = new("ms");
        public Samples SymbolonServer { get; } = new("ms");
        public Samples Duck { get; } = new("ms");

        /// <summary>CPU time of the server process over the measured calls (from /proc, in 10 ms ticks: only the sum is meaningful).</summary>
        public double SymbolonCpuTotal { get; set; }

        public double DuckCpuTotal { get; set; }

        public double SymbolonCpuPerCall => SymbolonCpuTotal / Symbolon.Count;

        public double DuckCpuPerCall => DuckCpuTotal / Duck.Count;
        public int Rows { get; set; }
        public int AnswerBytes { get; set; }
        public string Agreement { get; set; } = "";
    }

    private sealed record ReadyRun(double HealthySeconds, double StorageSeconds, double UnlockMs, double QueryMs, double PageMs, double ReadyMs, double CpuMs, long RssBytes, string ServerLog);

    public static async Task RunAsync(BenchReport report, UserSettings settings, string workDirectory, TextWriter log, CancellationToken ct)
    {
        var folder = DuckDbNode.RequireFolder(settings.DuckDbNodeFolder);
        var pidFile = Path.Combine(workDirectory, "children.pids");
        var rows = settings.Rows;
        log.WriteLine($"== user: SQL over {rows:N0} transactions through the owner API, warm ({settings.Calls} calls per query), then unlock-to-ready in a fresh server process ({settings.Restarts}×); baseline DuckDB in Node");

        // With --user-data the CSV and the data directory are kept, and reused when a run with the same number of
        // rows left them there complete (the marker is written only after the import succeeded).
        var home = settings.KeptData ?? workDirectory;
        Directory.CreateDirectory(home);
        var csv = Path.Combine(home, "user-cards.csv");
        var dataDirectory = Path.Combine(home, "user-sql");
        var marker = Path.Combine(home, $"imported-{rows}");
        var reuse = settings.KeptData is not null && File.Exists(marker) && File.Exists(csv) && Directory.Exists(dataDirectory);
        long csvBytes;
        if (reuse)
        {
            csvBytes = new FileInfo(csv).Length;
            log.WriteLine($"   reusing {home}: {rows:N0} rows, {csvBytes / (1024.0 * 1024):0.0} MiB CSV, vault already imported");
        }
        else
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }

            foreach (var stale in Directory.EnumerateFiles(home, "imported-*"))
            {
                File.Delete(stale);
            }

            var generated = Stopwatch.StartNew();
            csvBytes = CardTransactionGenerator.Write(csv, rows);
            log.WriteLine($"   generated {rows:N0} rows, {csvBytes / (1024.0 * 1024):0.0} MiB, in {generated.Elapsed.TotalSeconds:0.0} s");
        }

        Directory.CreateDirectory(dataDirectory);
        var samples = Queries.Select(q => new QuerySamples(q)).ToList();
        double importSeconds;
        int added;
        int threads;
        int memoryMiB;
        long uncategorized;
        double duckLoadMs;
        string categoryNote;

        using (var server = await ChildProcess.StartHealthyAsync(settings.ServerDll, ["--data-dir", dataDirectory], dataDirectory, pidFile, ct))
        using (var owner = new OwnerClient(server.BaseUri))
        {
            if (reuse)
            {
                await owner.WaitForVaultStatusAsync(ct);
                await owner.UnlockAsync(ct);
                (importSeconds, added) = (double.NaN, rows);
                log.WriteLine("   Symbolon: unlocked the kept vault (no import; the first calls below wait for the unlock's warm-up)");
            }
            else
            {
                await owner.CreateVaultAsync(ct);
                var import = Stopwatch.StartNew();
                var summary = await owner.ImportCsvAsync(csv, Map, ct);
                importSeconds = import.Elapsed.TotalSeconds;
                added = summary.Added;
                log.WriteLine($"   Symbolon: created the vault and imported over HTTP in {importSeconds:0.00} s: {summary.Added:N0} added, {summary.DuplicatesSkipped:N0} duplicates");
                if (summary.Added != rows)
                {
                    throw new InvalidOperationException($"The import added {summary.Added} of {rows} transactions.");
                }

                if (settings.KeptData is not null)
                {
                    await File.WriteAllTextAsync(marker, $"{rows} transactions imported\n", ct);
                }
            }

            // First calls: the first query after the import also copies the new rows into the query database.
            var firstAnswers = new List<QueryAnswer>();
            foreach (var s in samples)
            {
                var answer = await owner.QueryAsync(s.Query.Sql, ct);
                firstAnswers.Add(answer);
                s.SymbolonFirst = answer.Milliseconds;
                s.SymbolonFirstServer = answer.ServerMilliseconds;
                s.Rows = answer.Rows.GetArrayLength();
                s.AnswerBytes = answer.Bytes;
                log.WriteLine($"   Symbolon first call, {s.Query.Name}: {answer.Milliseconds:0.0} ms (server {answer.ServerMilliseconds:0.0} ms), {s.Rows} row(s)");
            }

            var limits = firstAnswers[0].Answer.GetProperty("limits");
            threads = limits.GetProperty("threads").GetInt32();
            memoryMiB = limits.GetProperty("memoryLimitMiB").GetInt32();

            var (pairs, note) = await CategoriesAsync(owner, ct);
            categoryNote = note;
            using var duck = await DuckDbNode.StartServingAsync(settings.Node, folder, csv, threads, memoryMiB, pidFile, ct);
            duckLoadMs = duck.LoadMilliseconds;
            if (duck.Rows != rows)
            {
                throw new InvalidOperationException($"DuckDB loaded {duck.Rows} of {rows} rows.");
            }

            uncategorized = await duck.SetCategoriesAsync(pairs, ct);
            log.WriteLine($"   DuckDB (Node): loaded in {duckLoadMs:0} ms; categories joined from Symbolon's answer ({pairs.Count} merchants, {uncategorized} rows without one)");

            for (var i = 0; i < samples.Count; i++)
            {
                var s = samples[i];
                var (ms, _, duckRows) = await duck.QueryAsync(s.Query.Sql, ct);
                s.DuckFirst = ms;
                s.Agreement = Agreement(firstAnswers[i].Rows, duckRows, s.Query.CompareText);
                log.WriteLine($"   DuckDB first call, {s.Query.Name}: {ms:0.0} ms; answers {s.Agreement}");
            }

            for (var warm = 0; warm < WarmUps; warm++)
            {
                foreach (var s in samples)
                {
                    await owner.QueryAsync(s.Query.Sql, ct);
                    await duck.QueryAsync(s.Query.Sql, ct);
                }
            }

            for (var call = 1; call <= settings.Calls; call++)
            {
                foreach (var s in samples)
                {
                    // Take turns at every call, and alternate who goes first, so load on the machine hits both alike.
                    foreach (var symbolonSide in call % 2 == 1 ? new[] { true, false } : [false, true])
                    {
                        ct.ThrowIfCancellationRequested();
                        if (symbolonSide)
                        {
                            var cpu = server.CpuTime();
                            var answer = await owner.QueryAsync(s.Query.Sql, ct);
                            s.SymbolonCpuTotal += (server.CpuTime() - cpu).TotalMilliseconds;
                            s.Symbolon.Add(answer.Milliseconds);
                            s.SymbolonServer.Add(answer.ServerMilliseconds);
                        }
                        else
                        {
                            var (ms, cpu, _) = await duck.QueryAsync(s.Query.Sql, ct);
                            s.Duck.Add(ms);
                            s.DuckCpuTotal += cpu;
                        }
                    }
                }
            }

            foreach (var s in samples)
            {
                log.WriteLine($"   warm, {s.Query.Name}: Symbolon {s.Symbolon.Median:0.0} ms (server {s.SymbolonServer.Median:0.0} ms, CPU {s.SymbolonCpuPerCall:0.0} ms per call), DuckDB {s.Duck.Median:0.0} ms (CPU {s.DuckCpuPerCall:0.0} ms), ratio {s.Symbolon.Median / s.Duck.Median:0.00}×");
            }
        }

        // Unlock to ready: a fresh server process on the data directory above, in turns with a fresh Node process
        // loading the same CSV.
        var readyRuns = new List<ReadyRun>();
        var coldLoads = new List<ColdLoad>();
        for (var round = 1; round <= settings.Restarts; round++)
        {
            foreach (var symbolonSide in round % 2 == 1 ? new[] { true, false } : [false, true])
            {
                ct.ThrowIfCancellationRequested();
                if (symbolonSide)
                {
                    var run = await UnlockToReadyAsync(settings.ServerDll, dataDirectory, pidFile, rows, ct);
                    readyRuns.Add(run);
                    log.WriteLine($"   Symbolon #{round}: start→healthy {run.HealthySeconds:0.00} s, →vault status {run.StorageSeconds:0.00} s; unlock answered {run.UnlockMs:0} ms, first query {run.QueryMs:0} ms, first page {run.PageMs:0} ms after the unlock request (server CPU {run.CpuMs:0} ms); RSS {run.RssBytes / (1024.0 * 1024):0} MB; {run.ServerLog}");
                }
                else
                {
                    var load = await DuckDbNode.LoadOnceAsync(settings.Node, folder, csv, threads, memoryMiB, ReadyQuery.Sql, pidFile, ct);
                    if (load.Rows != rows)
                    {
                        throw new InvalidOperationException($"DuckDB loaded {load.Rows} of {rows} rows.");
                    }

                    coldLoads.Add(load);
                    log.WriteLine($"   DuckDB #{round}: open {load.Open:0} ms, load {load.Load:0} ms, first query {load.FirstQuery:0} ms: ready {load.Ready:0} ms, CPU {load.ReadyCpu:0} ms (spawn to answer {load.SpawnToAnswer:0} ms, of which Node start {load.ProcessToScript:0} ms and module load {load.ModuleLoad:0} ms)");
                }
            }
        }

        Report(report, settings, rows, csvBytes, added, importSeconds, threads, memoryMiB, duckLoadMs, uncategorized, categoryNote, samples, readyRuns, coldLoads);
    }

    private static async Task<ReadyRun> UnlockToReadyAsync(string serverDll, string dataDirectory, string pidFile, int rows, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        using var server = await ChildProcess.StartHealthyAsync(serverDll, ["--data-dir", dataDirectory], dataDirectory, pidFile, ct);
        var healthy = started.Elapsed.TotalSeconds;
        using var owner = new OwnerClient(server.BaseUri);
        await owner.WaitForVaultStatusAsync(ct);
        var storage = started.Elapsed.TotalSeconds;
        var cpu = server.CpuTime();
        var unlock = Stopwatch.StartNew();
        await owner.UnlockAsync(ct);
        var unlocked = unlock.Elapsed.TotalMilliseconds;

        // Both at once, as the web app's first page and a script's first query would come.
        var query = Task.Run(async () =>
        {
            var answer = await owner.QueryAsync(ReadyQuery.Sql, ct);
            return (unlock.Elapsed.TotalMilliseconds, answer.Rows.GetArrayLength());
        }, ct);
        var page = Task.Run(async () =>
        {
            var items = await owner.FirstTransactionsPageAsync(PageSize, ct);
            return (unlock.Elapsed.TotalMilliseconds, items);
        }, ct);
        var (queryMs, queryRows) = await query;
        var (pageMs, items) = await page;
        if (items != Math.Min(PageSize, rows) || queryRows == 0)
        {
            throw new InvalidOperationException($"After the unlock the first page held {items} transactions and the first query {queryRows} rows.");
        }

        var cpuMs = (server.CpuTime() - cpu).TotalMilliseconds;
        var rss = server.ResidentBytes();
        return new ReadyRun(healthy, storage, unlocked, queryMs, pageMs, Math.Max(queryMs, pageMs), cpuMs, rss, ServerReadyLog(server.OutputTail()));
    }

    /// <summary>The server's own log lines about the warm-up (projection and query database), when it wrote them.</summary>
    private static string ServerReadyLog(string output)
    {
        var parts = new List<string>();
        if (StorageReady().Match(output) is { Success: true } st)
        {
            parts.Add($"storage (schema) ready {st.Groups[1].Value} ms after start");
        }

        if (TransactionsReady().Match(output) is { Success: true } t)
        {
            parts.Add($"projection {t.Groups[1].Value} ms");
        }

        if (QueryDatabaseReady().Match(output) is { Success: true } q)
        {
            parts.Add($"query database filled {q.Groups[1].Value} ms after the unlock");
        }

        return parts.Count == 0 ? "no warm-up lines in the server log" : string.Join(", ", parts);
    }

    [GeneratedRegex(@"Storage ready in (\d+) ms")]
    private static partial Regex StorageReady();

    [GeneratedRegex(@"Transactions ready: \d+ in (\d+) ms")]
    private static partial Regex TransactionsReady();

    [GeneratedRegex(@"Query database ready: \d+ transactions (\d+) ms after the unlock")]
    private static partial Regex QueryDatabaseReady();

    /// <summary>
    /// Each merchant of the CSV (the description without the generator's store number and city) with the category
    /// Symbolon's rules gave its transactions, so the DuckDB table can hold the same categories.
    /// </summary>
    private static async Task<(List<(string Merchant, string Category)> Pairs, string Note)> CategoriesAsync(OwnerClient owner, CancellationToken ct)
    {
        var answer = await owner.QueryAsync(
            "SELECT regexp_replace(description, ' [0-9]+ [A-Z]+$', '') AS merchant, category, count(*) AS n FROM transactions GROUP BY ALL ORDER BY merchant, n DESC, category",
            ct);
        var pairs = new List<(string, string)>();
        var mixed = 0L;
        string? last = null;
        foreach (var row in answer.Rows.EnumerateArray())
        {
            var merchant = row[0].GetString()!;
            if (merchant == last)
            {
                mixed += long.Parse(row[2].GetRawText(), CultureInfo.InvariantCulture);
                continue;
            }

            pairs.Add((merchant, row[1].GetString()!));
            last = merchant;
        }

        return (pairs, mixed == 0 ? "every merchant's transactions share one category" : $"{mixed} transactions have another category than most of their merchant's");
    }

    /// <summary>Whether two answers agree, cell by cell: numbers as decimals, times as times, text as text (unless skipped).</summary>
    private static string Agreement(JsonElement symbolon, JsonElement duck, bool compareText)
    {
        var a = symbolon.EnumerateArray().ToList();
        var b = duck.EnumerateArray().ToList();
        if (a.Count != b.Count)
        {
            return $"**differ**: {a.Count} rows against {b.Count}";
        }

        for (var i = 0; i < a.Count; i++)
        {
            var x = a[i].EnumerateArray().Select(Canonical).ToList();
            var y = b[i].EnumerateArray().Select(Canonical).ToList();
            if (x.Count != y.Count)
            {
                return $"**differ** in row {i + 1}: {x.Count} columns against {y.Count}";
            }

            for (var c = 0; c < x.Count; c++)
            {
                if (x[c] != y[c] && (compareText || (x[c].IsNumber && y[c].IsNumber)))
                {
                    return $"**differ** in row {i + 1}, column {c + 1}: {x[c].Text} against {y[c].Text}";
                }
            }
        }

        var rowsText = a.Count == 1 ? "1 row" : $"{a.Count} rows";
        return compareText ? $"agree ({rowsText}, every cell)" : $"agree ({rowsText}, every number; merchant names differ by design)";
    }

    private readonly record struct Cell(string Text, bool IsNumber);

    private static Cell Canonical(JsonElement value)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Null => "null",
            _ => value.GetRawText(),
        };
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return new Cell(number.ToString("0.############", CultureInfo.InvariantCulture), true);
        }

        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return new Cell(time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), false);
        }

        return new Cell(text, false);
    }

    private static void Report(
        BenchReport report, UserSettings settings, int rows, long csvBytes, int added, double importSeconds, int threads, int memoryMiB, double duckLoadMs, long uncategorized,
        string categoryNote, List<QuerySamples> samples, List<ReadyRun> readyRuns, List<ColdLoad> coldLoads)
    {
        var count = Format.Count(rows);
        foreach (var s in samples)
        {
            var ratio = s.Symbolon.Median / s.Duck.Median;
            report.AddRow(new SummaryRow(
                $"SQL over {count} transactions, warm, `POST /owner/api/v1/query`: {s.Query.Name}",
                $"{Format.Milliseconds(s.Symbolon.Median)} (server {Format.Milliseconds(s.SymbolonServer.Median)}; first call {Format.Milliseconds(s.SymbolonFirst)})",
                $"DuckDB (Node) in its own process, query only: {Format.Milliseconds(s.Duck.Median)} (first call {Format.Milliseconds(s.DuckFirst)})",
                $"**{Format.Ratio(ratio)}** DuckDB's time (by CPU time per call {Format.Ratio(s.SymbolonCpuPerCall / s.DuckCpuPerCall)})",
                $"≤ {QueryGoalRatio:0}×: {(ratio <= QueryGoalRatio ? "met" : "**missed**")}"));
        }

        var ready = Median(readyRuns.Select(r => r.ReadyMs));
        var duckReady = Median(coldLoads.Select(l => l.Ready));
        var readyRatio = ready / duckReady;
        var cpuRatio = Median(readyRuns.Select(r => r.CpuMs)) / Median(coldLoads.Select(l => l.ReadyCpu));
        var readyMet = ready / 1000 < ReadyGoalSeconds;
        report.AddRow(new SummaryRow(
            $"Unlock to ready with {count} transactions, fresh server process (unlock → first query and first page of {PageSize} answered)",
            $"{Format.Milliseconds(ready)} (unlock answered {Format.Milliseconds(Median(readyRuns.Select(r => r.UnlockMs)))}, first query {Format.Milliseconds(Median(readyRuns.Select(r => r.QueryMs)))}, first page {Format.Milliseconds(Median(readyRuns.Select(r => r.PageMs)))})",
            $"DuckDB (Node), fresh process: instance + CSV into a table + the same first query: {Format.Milliseconds(duckReady)} (load alone {Format.Milliseconds(Median(coldLoads.Select(l => l.Load)))})",
            $"**{Format.Ratio(readyRatio)}** DuckDB's time (by CPU time {Format.Ratio(cpuRatio)})",
            $"< {ReadyGoalSeconds:0} s: {(readyMet ? "met" : "**missed**")}; ≤ {ReadyGoalRatio}×: {(readyRatio <= ReadyGoalRatio ? "met" : "**missed**")}"));

        var lines = report.Section($"SQL over {count} transactions through the owner API: median of {settings.Calls} warm calls per query");
        lines.Add($"- Data: {count} rows, {csvBytes / (1024.0 * 1024):0.0} MiB CSV from the seeded generator (`Imports/CardTransactionGenerator.cs`), the same file for both.");
        lines.Add($"- Symbolon: `symbolon serve` (the ReadyToRun publish `./symbolon` runs; `Symbolon.Server.dll` when the bench is given that), its own process, Production settings) on 127.0.0.1 with a fresh SQLite data directory; `POST /owner/api/v1/vault` (its access token used as the bearer token from then on), " +
            (double.IsNaN(importSeconds)
                ? $"`POST /owner/api/v1/imports?format=csv&map={Map}` with the file as the body, in an earlier run whose data directory was kept (`--user-data`); this run unlocked that vault, so its first calls include the unlock's warm-up. "
                : $"`POST /owner/api/v1/imports?format=csv&map={Map}` with the file as the body: {Format.Count(added)} added in {Format.Seconds(importSeconds)} ({Format.Rate(added / importSeconds)} rows/s, HTTP upload included). ") +
            $"Then `POST /owner/api/v1/query` with `{{\"sql\": …}}` on one keep-alive connection; time from sending the request to the last byte of the JSON answer. " +
            $"\"server\" is the answer's own `elapsedMilliseconds` (query database brought up to date, the statement run and its rows read); the rest is HTTP, the access-token check, the records stamp (two counts in SQLite), the SQL check and JSON. " +
            $"The query database's limits as the answer gives them: {threads} threads, {memoryMiB} MiB.");
        lines.Add($"- Baseline: DuckDB through `@duckdb/node-api` (`bench/duckdb-node`, same DuckDB release as DuckDB.NET), in-memory, `threads={threads}`, `memory_limit={memoryMiB}MiB`, `temp_directory=''` (Symbolon's settings), " +
            $"in a Node process of its own; `CREATE TABLE transactions AS SELECT * FROM read_csv(…)` with explicit types (date DATE, amount DECIMAL(18,4), description, merchant and currency VARCHAR) in {Format.Milliseconds(duckLoadMs)}, " +
            $"then a category column joined by merchant from Symbolon's own categories (not timed; {categoryNote}; {uncategorized} rows left without one). Time: `runAndReadAll` and `getRowsJson` measured inside Node, so no IPC and no HTTP.");
        lines.Add("- CPU per warm call: the server process's CPU time over the measured calls (from /proc/PID/stat, all threads: HTTP, authentication, DuckDB's workers), divided by the calls; Node's `process.cpuUsage()` over each query. Waiting for a core inflates the wall times, not these.");
        lines.Add($"- Order: first calls (Symbolon's first query after the import also copies the {count} new rows into its query database), {WarmUps} warm-up calls each, then {settings.Calls} calls per query taking turns call by call, who goes first alternating.");
        lines.Add("");
        lines.Add("| Query | Rows | Answers | Symbolon first | DuckDB first | Symbolon warm (client) | server part | DuckDB warm | Ratio | CPU per warm call: server process | Node process |");
        lines.Add("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in samples)
        {
            lines.Add($"| {s.Query.Name}: `{s.Query.Sql}` | {s.Rows} ({Format.Bytes(s.AnswerBytes)} JSON) | {s.Agreement} | {Format.Milliseconds(s.SymbolonFirst)} (server {Format.Milliseconds(s.SymbolonFirstServer)}) | {Format.Milliseconds(s.DuckFirst)} | " +
                $"{Format.Milliseconds(s.Symbolon.Median)} | {Format.Milliseconds(s.SymbolonServer.Median)} | {Format.Milliseconds(s.Duck.Median)} | {Format.Ratio(s.Symbolon.Median / s.Duck.Median)} | " +
                $"{Format.Milliseconds(s.SymbolonCpuPerCall)} | {Format.Milliseconds(s.DuckCpuPerCall)} |");
        }

        lines.Add("");
        foreach (var s in samples)
        {
            lines.Add($"- {s.Query.Name}: Symbolon {Join(s.Symbolon.Values)} ms (server {Join(s.SymbolonServer.Values)} ms); DuckDB {Join(s.Duck.Values)} ms.");
        }

        var restart = report.Section($"Unlock to ready with {count} transactions in a fresh server process: median of {settings.Restarts}");
        restart.Add($"- Symbolon: the data directory above, the server started again as a new process (cold JIT), healthy, and answering `GET /owner/api/v1/vault` " +
            "(`/healthz` answers while the schema is still being brought up to date in the background; every other request waits for it, so the unlock clock starts only after the vault status answers, as when a person types the passphrase); then `POST /owner/api/v1/vault/unlock` (Argon2id, keys, the session; the answer carries an access token), " +
            $"and at once, side by side, `POST /owner/api/v1/query` ({ReadyQuery.Name}) and `GET /owner/api/v1/transactions?limit={PageSize}`; each time runs from sending the unlock. " +
            "Behind them the session's warm-up reads, opens and decodes every chunk into the projection and fills the query database with the rows as they are decoded; both requests wait for what they need of it.");
        restart.Add($"- Baseline: a new Node process per run: `DuckDBInstance.create(':memory:')` with the settings above, `CREATE TABLE transactions AS SELECT * FROM read_csv(…)` (explicit types), the same first query; " +
            "time from creating the instance to the query's rows, measured in Node (Node's own start and loading the native module are left out, as Symbolon's process start is).");
        restart.Add("- Runs take turns, who goes first alternating.");
        restart.Add("");
        restart.Add("| Run | Start → healthy | Start → vault status | Unlock answered | First query | First page | Ready | Server CPU unlock → ready | RSS when ready | Server log | DuckDB open | load | first query | ready | CPU | spawn → answer |");
        restart.Add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (var i = 0; i < Math.Max(readyRuns.Count, coldLoads.Count); i++)
        {
            var r = i < readyRuns.Count ? readyRuns[i] : null;
            var l = i < coldLoads.Count ? coldLoads[i] : null;
            restart.Add($"| {i + 1} | {(r is null ? "" : Format.Seconds(r.HealthySeconds))} | {(r is null ? "" : Format.Seconds(r.StorageSeconds))} | {Ms(r?.UnlockMs)} | {Ms(r?.QueryMs)} | {Ms(r?.PageMs)} | {Ms(r?.ReadyMs)} | {Ms(r?.CpuMs)} | {(r is null ? "" : Format.Megabytes(r.RssBytes))} | {r?.ServerLog} | " +
                $"{Ms(l?.Open)} | {Ms(l?.Load)} | {Ms(l?.FirstQuery)} | {Ms(l?.Ready)} | {Ms(l?.ReadyCpu)} | {Ms(l?.SpawnToAnswer)} |");
        }
    }

    private static string Ms(double? value) => value is { } v ? Format.Milliseconds(v) : "";

    private static string Join(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("0.0", CultureInfo.InvariantCulture)));

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

/// <summary>The settings of the user scenarios.</summary>
internal sealed record UserSettings(string ServerDll, string BaselineDll, string? DuckDbNodeFolder, string Node, string Wrk, int Rows, int Calls, int Restarts, string? KeptData = null);
