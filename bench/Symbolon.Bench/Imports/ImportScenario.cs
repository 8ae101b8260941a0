using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Symbolon.Bench.Reporting;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Records;
using Symbolon.Core.Statements;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Server.Storage;

namespace Symbolon.Bench.Imports;

/// <summary>
/// Importing a large card statement through the whole pipeline (StatementImporter.ImportAsync: parse
/// the CSV, categorize, dedupe against the vault, compress and seal chunks, store them in SQLite), against inserting
/// the same rows unencrypted into SQLite with one prepared statement in one transaction; then unlock-to-ready:
/// decrypting every chunk and building the in-memory projection, as the server does after an unlock.
/// </summary>
internal static class ImportScenario
{
    private const string Passphrase = "correct horse battery staple";

    private static readonly string[] ParameterNames = ["$date", "$description", "$merchant", "$amount", "$currency"];

    private static readonly CsvMapping Mapping = new(Date: "Date", Amount: "Amount", Description: "Description", Merchant: "Merchant", Currency: "Currency", Account: "Card");

    public static async Task RunAsync(BenchReport report, string workDirectory, int rows, int passes, TextWriter log, CancellationToken ct)
    {
        log.WriteLine($"== import: {rows:N0} generated card transactions, full pipeline vs. a prepared SQLite insert, {passes}× each in turn (after one untimed round at 1/10 the size)");
        var file = Path.Combine(workDirectory, "import-card-transactions.csv");
        var generate = Stopwatch.StartNew();
        var size = CardTransactionGenerator.Write(file, rows);
        log.WriteLine($"   generated {size / (1024.0 * 1024):0.0} MiB in {generate.Elapsed.TotalSeconds:0.0} s");
        var bytes = await File.ReadAllBytesAsync(file, ct);
        var parsedRows = ParseForBaseline(bytes);

        var import = new Samples("s");
        var importCpu = new Samples("s");
        var baseline = new Samples("s");
        var ratio = new Samples("×");
        var ready = new Samples("ms");
        var parse = new Samples("s");
        var parseCsv = new Samples("s");
        (ImportSummary Summary, long DatabaseBytes, long ProjectionBytes)? last = null;

        // Warm-up: JIT and EF Core's model, at a tenth of the size.
        var small = bytes.AsMemory(0, bytes.AsSpan(0, bytes.Length / 10).LastIndexOf((byte)'\n') + 1);
        await ImportOnceAsync(Path.Combine(workDirectory, "import-warm"), small, ct);
        BaselineOnce(Path.Combine(workDirectory, "baseline-warm.db"), parsedRows[..(rows / 10)]);

        for (var pass = 0; pass < passes; pass++)
        {
            ct.ThrowIfCancellationRequested();
            double importSeconds, baselineSeconds;
            if (pass % 2 == 0)
            {
                baselineSeconds = BaselineOnce(Path.Combine(workDirectory, $"baseline-{pass}.db"), parsedRows);
                (importSeconds, var cpu, var result) = await ImportOnceAsync(Path.Combine(workDirectory, $"import-{pass}"), bytes, ct);
                importCpu.Add(cpu);
                last = result;
            }
            else
            {
                (importSeconds, var cpu, var result) = await ImportOnceAsync(Path.Combine(workDirectory, $"import-{pass}"), bytes, ct);
                importCpu.Add(cpu);
                last = result;
                baselineSeconds = BaselineOnce(Path.Combine(workDirectory, $"baseline-{pass}.db"), parsedRows);
            }

            import.Add(importSeconds);
            baseline.Add(baselineSeconds);
            ratio.Add(baselineSeconds / importSeconds);
            log.WriteLine($"   pass {pass + 1}: import {importSeconds:0.00} s ({rows / importSeconds:N0} rows/s), baseline {baselineSeconds:0.00} s ({rows / baselineSeconds:N0} rows/s)");

            // The parts: reading the CSV alone, and reading plus categorizing.
            var stopwatch = Stopwatch.StartNew();
            var statement = CsvStatementReader.Read(bytes, Mapping, ct);
            parseCsv.Add(stopwatch.Elapsed.TotalSeconds);
            CategoryRules.Default().Apply(statement.Lines);
            parse.Add(stopwatch.Elapsed.TotalSeconds);
            ready.Add(await UnlockToReadyAsync(Path.Combine(workDirectory, $"import-{pass}"), ct));
            Cleanup(workDirectory, pass);
        }

        var (summary, databaseBytes, projectionBytes) = last!.Value;
        var rate = rows / import.Median;
        report.AddRow(new SummaryRow(
            $"Import {rows:N0} CSV card transactions (parse, categorize, dedupe, compress, seal, store; SQLite)",
            $"{Format.Seconds(import.Median)}, {rate:N0} rows/s",
            $"prepared INSERT, one transaction, unencrypted: {Format.Seconds(baseline.Median)}, {rows / baseline.Median:N0} rows/s",
            $"**{Format.Ratio(ratio.Median)}** of the baseline's speed",
            $"≥ 100,000 rows/s: {(rate >= 100_000 ? "met" : "missed")}"));
        report.AddRow(new SummaryRow(
            $"Unlock to ready with {rows:N0} transactions (read, decrypt, decompress, build projection and dedupe index)",
            Format.Milliseconds(ready.Median),
            "—",
            "—",
            $"< 3 s: {(ready.Median < 3000 ? "met" : "missed")}"));

        var lines = report.Section($"Import: median of {passes}");
        lines.Add($"- Data: {rows:N0} rows, {size / (1024.0 * 1024):0.0} MiB CSV from a seeded generator (29 merchants × store numbers × 10 cities, 3 years); added {summary.Added:N0}, duplicates {summary.DuplicatesSkipped:N0}.");
        lines.Add($"- Full import (StatementImporter.ImportAsync on a new SQLite vault, WAL): {import}; CPU {importCpu}.");
        lines.Add($"- Baseline (Microsoft.Data.Sqlite, table of 5 columns, one prepared INSERT reused, one transaction, WAL, rows already split into fields): {baseline}.");
        lines.Add($"- Of the import: reading the CSV (CsvHelper parser, dates, amounts, text cleaning) {parseCsv}; with categorizing {parse}. The rest is dedupe, compress, seal and store.");
        lines.Add($"- Stored: database file {databaseBytes / (1024.0 * 1024):0.0} MiB for the vault with {summary.Added:N0} transactions in {(summary.Added + StatementImporter.ChunkSize - 1) / StatementImporter.ChunkSize} sealed chunks of {StatementImporter.ChunkSize:N0}.");
        lines.Add($"- Unlock to ready (new process state: a new projection cache, new DbContext; read chunks, AES-GCM open, Brotli decode, columns, dedupe index): {ready}; managed heap grew by about {projectionBytes / (1024.0 * 1024):0} MiB for the projection.");
    }

    private static async Task<(double Seconds, double Cpu, (ImportSummary, long, long) Result)> ImportOnceAsync(string dataDirectory, ReadOnlyMemory<byte> bytes, CancellationToken ct)
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
            {
                var importer = new StatementImporter(db, TimeProvider.System, new RecordStore(db, TimeProvider.System));
                summary = await importer.ImportAsync(new VaultSession(keys, DateTimeOffset.UnixEpoch), bytes, new ImportRequest(StatementFormats.Csv, Mapping), null, ct);
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

    private static string[][] ParseForBaseline(byte[] bytes)
    {
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var rows = new string[lines.Length - 1][];
        for (var i = 1; i < lines.Length; i++)
        {
            // The generator quotes only the description, which holds no commas or quotes.
            rows[i - 1] = lines[i].Replace("\"", "", StringComparison.Ordinal).Split(',');
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

    private static void Cleanup(string workDirectory, int pass)
    {
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { Path.Combine(workDirectory, $"import-{pass}"), Path.Combine(workDirectory, $"baseline-{pass}.db") })
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

        _ = CultureInfo.InvariantCulture;
    }
}
