using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Symbolon.Bench.Imports;
using Symbolon.Bench.Reporting;
using Symbolon.Contracts.Insights;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Insights;
using Symbolon.Core.Statements;

namespace Symbolon.Bench.Insights;

/// <summary>
/// "Spend by merchant per month" over the generated card transactions, warm: the in-memory projection's scan
/// (<see cref="TransactionProjection.Spend"/> and the report built from it, as <c>GET /insights/spend?groupBy=merchant</c>
/// answers) against the same question asked of DuckDB, in memory, over the same rows in plaintext (DuckDB.NET).
/// Both answer for every month the data covers, and the totals are checked to agree before anything is timed.
/// </summary>
internal static class InsightScenario
{
    private const int WarmUps = 10;
    private const int Runs = 30;

    private const string DuckQuery = """
        SELECT coalesce(merchant, description) AS merchant, date_trunc('month', day) AS month, -sum(amount) AS spent, count(*) AS n
        FROM transactions
        WHERE amount < 0 AND currency = 'EUR' AND day >= $from AND day < $to
        GROUP BY 1, 2
        """;

    public static async Task RunAsync(BenchReport report, string workDirectory, int rows, TextWriter log, CancellationToken ct)
    {
        log.WriteLine($"== insights: spend by merchant per month over {rows:N0} transactions, projection vs. DuckDB in memory, {Runs} warm runs each in turn");
        var file = Path.Combine(workDirectory, "insights-card-transactions.csv");
        CardTransactionGenerator.Write(file, rows);
        var bytes = await File.ReadAllBytesAsync(file, ct);
        var statement = CsvStatementReader.Read(bytes, new CsvMapping(Date: "Date", Amount: "Amount", Description: "Description", Merchant: "Merchant", Currency: "Currency", Account: "Card"), ct);
        CategoryRules.Default().Apply(statement.Lines);
        var lines = statement.Lines;

        // The projection as an unlock builds it: chunks of 8,192 encoded and decoded column by column.
        var projection = new TransactionProjection();
        var batch = Guid.CreateVersion7();
        for (var start = 0; start < lines.Count; start += StatementImporter.ChunkSize)
        {
            var count = Math.Min(StatementImporter.ChunkSize, lines.Count - start);
            projection.Append(batch, start, TransactionChunkCodec.Decode(TransactionChunkCodec.Encode(lines, start, count)));
        }

        var first = lines.Min(l => l.Date);
        var last = lines.Max(l => l.Date);
        var months = ((last.Year - first.Year) * 12) + last.Month - first.Month + 1;
        var query = new SpendQuery(SpendGroupings.Merchant, InsightPeriods.Month, last, months, Currency: "EUR", Limit: InsightService.MaxLimit);
        var periods = InsightService.PeriodsEndingAt(InsightPeriods.Month, last, months);
        var starts = periods.Select(p => p.Start.DayNumber).Append(periods[^1].End.DayNumber + 1).ToArray();
        SpendReport Ours() => InsightService.ToReport(query, "EUR", periods, projection.Spend(true, starts, "EUR"));

        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        var load = Stopwatch.StartNew();
        using (var create = duck.CreateCommand())
        {
            create.CommandText = "CREATE TABLE transactions (day DATE NOT NULL, description VARCHAR NOT NULL, merchant VARCHAR, amount DECIMAL(18,4) NOT NULL, currency VARCHAR NOT NULL, category VARCHAR NOT NULL)";
            create.ExecuteNonQuery();
        }

        using (var appender = duck.CreateAppender("transactions"))
        {
            foreach (var line in lines)
            {
                appender.CreateRow().AppendValue(line.Date).AppendValue(line.Description).AppendValue(line.Merchant).AppendValue(line.Amount).AppendValue(line.Currency).AppendValue(line.Category).EndRow();
            }
        }

        log.WriteLine($"   loaded {lines.Count:N0} rows into DuckDB in {load.Elapsed.TotalSeconds:0.0} s");
        using var command = duck.CreateCommand();
        command.CommandText = DuckQuery;
        command.Parameters.Add(new DuckDBParameter("from", periods[0].Start));
        command.Parameters.Add(new DuckDBParameter("to", periods[^1].End.AddDays(1)));
        (decimal Total, int Cells) Duck()
        {
            decimal total = 0;
            var cells = 0;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                total += reader.GetDecimal(2);
                cells++;
            }

            return (total, cells);
        }

        // Same answer first: the grand totals agree to the cent.
        var ours = Ours();
        var theirs = Duck();
        var ourTotal = ours.Totals.Sum();
        if (ourTotal != theirs.Total)
        {
            throw new InvalidOperationException($"The projection's total {ourTotal} differs from DuckDB's {theirs.Total}.");
        }

        for (var i = 0; i < WarmUps; i++)
        {
            Ours();
            Duck();
        }

        var projectionMs = new Samples("ms");
        var duckMs = new Samples("ms");
        var ratio = new Samples("×");
        for (var run = 0; run < Runs; run++)
        {
            ct.ThrowIfCancellationRequested();
            double a, b;
            if (run % 2 == 0)
            {
                a = Time(() => Ours());
                b = Time(() => Duck());
            }
            else
            {
                b = Time(() => Duck());
                a = Time(() => Ours());
            }

            projectionMs.Add(a);
            duckMs.Add(b);
            ratio.Add(a / b);
        }

        report.AddRow(new SummaryRow(
            $"Spend by merchant per month over {rows:N0} transactions, warm (projection scan + report)",
            Format.Milliseconds(projectionMs.Median),
            $"DuckDB {DuckDbVersion(duck)} in memory, same rows in plaintext, GROUP BY merchant, month: {Format.Milliseconds(duckMs.Median)}",
            $"**{Format.Ratio(ratio.Median)}** DuckDB's time",
            $"< 100 ms: {(projectionMs.Median < 100 ? "met" : "missed")}; within 3×: {(ratio.Median <= 3 ? "met" : "missed")}"));
        var section = report.Section($"Insights: median of {Runs} warm runs");
        section.Add($"- Data: {lines.Count:N0} generated card transactions ({months} months, {ours.Groups.Count} merchants, {theirs.Cells} merchant-month cells in DuckDB's answer); both answers total {Format.Count((long)ourTotal)} EUR.");
        section.Add($"- Projection (`TransactionProjection.Spend` + `InsightService.ToReport`, {Environment.ProcessorCount} slices): {projectionMs}.");
        section.Add($"- DuckDB (DuckDB.NET.Data.Full, `:memory:`, DECIMAL(18,4) amounts, the query and reading every result row): {duckMs}.");
        section.Add($"- Ratio projection / DuckDB per run: {ratio}.");
        log.WriteLine($"   projection {projectionMs.Median:0.0} ms, DuckDB {duckMs.Median:0.0} ms, ratio {ratio.Median:0.00}");
    }

    private static double Time(Action action)
    {
        var stopwatch = Stopwatch.StartNew();
        action();
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static string DuckDbVersion(DuckDBConnection duck)
    {
        using var version = duck.CreateCommand();
        version.CommandText = "SELECT version()";
        return Convert.ToString(version.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "?";
    }
}
