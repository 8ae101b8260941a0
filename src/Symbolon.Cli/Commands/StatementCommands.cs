using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Symbolon.Cli.Infrastructure;
using Symbolon.Cli.Operations;
using Symbolon.Contracts.Statements;

namespace Symbolon.Cli.Commands;

/// <summary><c>import</c>, <c>transactions</c> and <c>query</c>: bank statements in, transactions listed, and read-only SQL over them.</summary>
internal static class StatementCommands
{
    /// <summary>Below this size an import is quick enough that a progress bar would only flicker.</summary>
    private const long ProgressBarFrom = 256 * 1024;

    public static IEnumerable<Command> Create(CliCommands cli) => [Import(cli), Transactions(cli), Query(cli)];

    private static Command Import(CliCommands cli)
    {
        var file = new Argument<string>("FILE") { Description = "The statement: a bank's CSV export, OFX/QFX, or ISO 20022 camt.053/camt.052." };
        var profile = new Option<string?>("--profile", "-p") { Description = "Read a CSV file with this saved profile (see the web app's Import page, or --save-profile).", HelpName = "NAME" };
        var format = new Option<string?>("--format") { Description = "csv, ofx or camt (default: recognised from the file).", HelpName = "FORMAT" };
        var map = new Option<string?>("--map") { Description = "CSV columns and formats, e.g. date=Buchungstag,amount=Betrag,dateFormat=dd.MM.yyyy,decimal=comma; keys not given keep the guessed value.", HelpName = "MAPPING" };
        var saveProfile = new Option<string?>("--save-profile") { Description = "Save the CSV mapping used (from --map or guessed) under this name, so the next file imports with --profile NAME.", HelpName = "NAME" };
        var json = new Option<bool>("--json") { Description = "Print the import's summary as JSON (and no progress bar)." };
        var command = new Command("import", "Import a bank or card statement, all or nothing; transactions you already have are not added twice.") { file, profile, format, map, saveProfile, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var path = result.GetValue(file)!;
            var upload = StatementUpload.FromFile(path, result.GetValue(format), result.GetValue(profile), result.GetValue(map), result.GetValue(saveProfile));
            var operations = await context.ConnectAsync(ct);
            await operations.EnsureAccessAsync(ct);

            ImportSummary summary;
            if (result.GetValue(json) || !cli.Env.IsErrorTerminal || upload.Length < ProgressBarFrom)
            {
                summary = await operations.ImportStatementAsync(upload, null, ct);
            }
            else
            {
                summary = await WithProgressBarAsync(cli.Env, operations.Mode == "remote", upload.Length, progress => operations.ImportStatementAsync(upload, progress, ct));
            }

            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, summary);
                return ExitCodes.Success;
            }

            cli.Say($"Imported {Rows(summary.Added)} from {summary.FileName ?? path} ({summary.Format}); {Rows(summary.DuplicatesSkipped)} already there were skipped.");
            foreach (var account in summary.Accounts.Where(_ => summary.Accounts.Count > 1))
            {
                cli.Say($"  {account.Account}: {Rows(account.Added)} added, {account.DuplicatesSkipped.ToString(CultureInfo.InvariantCulture)} skipped");
            }

            if (upload.SaveProfile is not null)
            {
                cli.Say($"Saved the mapping as the profile '{upload.SaveProfile}': next time run `symbolon import FILE --profile \"{upload.SaveProfile}\"`.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<ImportSummary> WithProgressBarAsync(CliEnvironment env, bool uploads, long size, Func<IProgress<StatementProgress>, Task<ImportSummary>> work) =>
        await env.ErrorConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var upload = uploads ? progress.AddTask("Uploading", maxValue: size) : null;
                var read = progress.AddTask("Reading rows", maxValue: size);
                var store = progress.AddTask("Encrypting and storing", maxValue: 1);
                var summary = await work(new Progress<StatementProgress>(p =>
                {
                    switch (p.Stage)
                    {
                        case "upload":
                            upload?.Value(p.Done);
                            break;
                        case "parse":
                            upload?.Value(size);
                            read.Value(p.Done);
                            read.Description = $"Reading rows ({p.Rows.ToString("N0", CultureInfo.InvariantCulture)})";
                            store.MaxValue = Math.Max(1, p.Rows);
                            break;
                        case "store":
                            read.Value(size);
                            store.Value(p.Rows);
                            break;
                    }
                }));
                upload?.Value(size);
                read.Value(size);
                store.MaxValue = Math.Max(1, summary.Added);
                store.Value(store.MaxValue);
                return summary;
            });

    private static Command Transactions(CliCommands cli)
    {
        var from = new Option<DateOnly?>("--from") { Description = "From this booking date (yyyy-MM-dd).", HelpName = "DATE" };
        var to = new Option<DateOnly?>("--to") { Description = "Up to and including this booking date.", HelpName = "DATE" };
        var text = new Option<string?>("--text", "-t") { Description = "Description or merchant contains this text (any case).", HelpName = "TEXT" };
        var min = new Option<decimal?>("--min") { Description = "Amount at least this (negative is money out).", HelpName = "AMOUNT" };
        var max = new Option<decimal?>("--max") { Description = "Amount at most this.", HelpName = "AMOUNT" };
        var category = new Option<string?>("--category", "-c") { Description = "Exactly this category, e.g. coffee.", HelpName = "CATEGORY" };
        var merchant = new Option<string?>("--merchant", "-m") { Description = "Merchant contains this text.", HelpName = "TEXT" };
        var limit = new Option<int>("--limit", "-n") { Description = "Show at most this many (newest first).", HelpName = "N", DefaultValueFactory = _ => 50 };
        var all = new Option<bool>("--all") { Description = "Show every matching transaction (ignores --limit)." };
        var json = new Option<bool>("--json") { Description = "Print the transactions as JSON." };
        var command = new Command("transactions", "List imported transactions, newest first, filtered by date, amount, text, category and merchant, with totals.")
        {
            from, to, text, min, max, category, merchant, limit, all, json,
        };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var filter = new TransactionQuery(result.GetValue(from), result.GetValue(to), result.GetValue(text), result.GetValue(min), result.GetValue(max), result.GetValue(category), result.GetValue(merchant));
            var wanted = result.GetValue(all) ? int.MaxValue : result.GetValue(limit);
            if (wanted < 1)
            {
                throw CliException.Usage("--limit must be at least 1.");
            }

            var operations = await context.ConnectAsync(ct);
            var items = new List<TransactionItem>();
            string? cursor = null;
            do
            {
                var page = await operations.ListTransactionsAsync(filter, cursor, Math.Min(1000, wanted - items.Count), ct);
                items.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null && items.Count < wanted);

            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, items);
                return ExitCodes.Success;
            }

            var totals = await operations.GetTransactionTotalsAsync(filter, ct);
            if (totals.Count == 0)
            {
                cli.Say(filter == new TransactionQuery() ? "No transactions yet. Import a statement with `symbolon import FILE`." : "No transactions match.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Date", "Description", "Merchant", "Category", "Account", "Amount");
            table.Columns[5].RightAligned();
            foreach (var t in items)
            {
                table.AddRow(
                    Display.Cell(t.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                    Display.Cell(t.Description),
                    Display.Cell(t.Merchant),
                    Display.Cell(t.Category),
                    Display.Cell(t.Account),
                    Display.Cell(string.Create(CultureInfo.InvariantCulture, $"{t.Amount:#,0.00} {t.Currency}")));
            }

            cli.Env.OutConsole.Write(table);
            cli.Say(items.Count < totals.Count
                ? $"Showing the newest {items.Count.ToString("N0", CultureInfo.InvariantCulture)} of {Rows(totals.Count)} (use --limit or --all for more)."
                : $"{Rows(totals.Count)}.");
            foreach (var c in totals.Currencies)
            {
                cli.Say(string.Create(CultureInfo.InvariantCulture, $"{c.Currency}: in {c.In:#,0.00}, out {-c.Out:#,0.00}, net {c.In + c.Out:#,0.00}"));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Query(CliCommands cli)
    {
        var sql = new Argument<string>("SQL") { Description = "One SELECT over the tables transactions(date, amount, currency, description, merchant, category, account, import_id), receipts(id, issued_at, store, store_location, receipt_number, currency, subtotal, tax_total, total, payment_method), receipt_lines(receipt_id, line, description, quantity, unit_price, tax, line_total), check_ins(id, visited_at, place, note), loyalty_events(id, programme, occurred_at, kind, amount, balance_after, reward, note) and profile_fields(id, kind, label, value, updated_at); times in UTC." };
        var maxRows = new Option<int?>("--max-rows") { Description = "Return at most this many rows (1 to 10000, default 1000).", HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON (columns, rows, truncated)." };
        var command = new Command(
            "query",
            "Run read-only SQL (DuckDB) over your own transactions, receipts, check-ins, loyalty events and profile fields, in memory (512 MiB, 30 s per query): nothing decrypted is written to disk, and only a single SELECT runs. " +
            "Example: symbolon query \"SELECT merchant, count(*) AS visits, sum(amount) FROM transactions WHERE category = 'coffee' GROUP BY ALL ORDER BY visits DESC\"")
        {
            sql, maxRows, json,
        };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            await operations.EnsureAccessAsync(ct);
            var answer = await Display.WithStatusAsync(cli.Env, "Running the query…", () => operations.RunQueryAsync(new SqlQueryRequest(result.GetValue(sql)!, result.GetValue(maxRows)), ct), show: !result.GetValue(json));
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, answer);
                return ExitCodes.Success;
            }

            var table = new Table();
            foreach (var column in answer.Columns)
            {
                table.AddColumn(new TableColumn(Display.Cell(column.Name)));
                if (IsNumeric(column.Type))
                {
                    table.Columns[^1].RightAligned();
                }
            }

            foreach (var row in answer.Rows)
            {
                table.AddRow(row.Select(v => Display.Cell(Text(v))));
            }

            cli.Env.OutConsole.Write(table);
            var count = answer.Rows.Count.ToString("N0", CultureInfo.InvariantCulture);
            cli.Note(answer.Truncated
                ? $"The first {count} rows; the query returned more (raise --max-rows, up to 10000)."
                : $"{count} {(answer.Rows.Count == 1 ? "row" : "rows")} in {answer.ElapsedMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static bool IsNumeric(string type) =>
        type.StartsWith("DECIMAL", StringComparison.OrdinalIgnoreCase) || type is "BIGINT" or "INTEGER" or "HUGEINT" or "DOUBLE" or "FLOAT" or "SMALLINT" or "TINYINT" or "UBIGINT" or "UINTEGER";

    private static string Text(JsonElement? value) => value switch
    {
        null => "",
        { ValueKind: JsonValueKind.String } v => v.GetString() ?? "",
        { ValueKind: JsonValueKind.Null } => "",
        { } v => v.GetRawText(),
    };

    private static string Rows(int n) => n == 1 ? "1 transaction" : $"{n.ToString("N0", CultureInfo.InvariantCulture)} transactions";
}
