using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Symbolon.Cli.Infrastructure;
using Symbolon.Contracts.Insights;
using Symbolon.Core.Insights;

namespace Symbolon.Cli.Commands;

/// <summary>
/// <c>insights spend | merchants | visits | fees | recurring</c>: the person's own questions about their spending,
/// answered over their imported statements, receipts and check-ins, as tables and bar charts (or JSON).
/// </summary>
internal static class InsightCommands
{
    public static Command Create(CliCommands cli) =>
        new("insights", "Your spending understood: by category and merchant, visits, fees and recurring payments.")
        {
            Spend(cli, "spend", SpendGroupings.Category, "Money spent per category this month (or week), with the change from the one before."),
            Spend(cli, "merchants", SpendGroupings.Merchant, "Money spent per merchant this month (or week), with the change from the one before."),
            Visits(cli),
            Fees(cli),
            Recurring(cli),
        };

    private static Command Spend(CliCommands cli, string name, string groupBy, string description)
    {
        var period = new Option<string>("--period") { Description = "month or week.", DefaultValueFactory = _ => InsightPeriods.Month };
        period.AcceptOnlyFromAmong([.. InsightPeriods.All]);
        var date = new Option<string?>("--date") { Description = "A day in the period to show (yyyy-MM-dd; default today).", HelpName = "DAY" };
        var periods = new Option<int>("--periods") { Description = "How many periods, ending with that one.", DefaultValueFactory = _ => 2 };
        var category = new Option<string?>("--category") { Description = "Only this category (for example coffee).", HelpName = "NAME" };
        var currency = new Option<string?>("--currency") { Description = "The currency (default: the one most transactions have).", HelpName = "CODE" };
        var limit = new Option<int>("--limit") { Description = "At most this many rows.", DefaultValueFactory = _ => 15 };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command(name, description) { period, date, periods, category, currency, limit, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var report = await operations.GetSpendAsync(
                new SpendQuery(groupBy, result.GetValue(period)!, Day(result.GetValue(date), "--date"), result.GetValue(periods), result.GetValue(category), result.GetValue(currency), result.GetValue(limit)), ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, report);
                return ExitCodes.Success;
            }

            var current = report.Periods[^1];
            cli.Say($"Spent {current.Start:d MMM} – {current.End:d MMM yyyy} ({current.Label}): {Money(report.Totals[^1], report.Currency)}"
                + (report.Totals.Count > 1 ? $", {Money(report.Totals[^2], report.Currency)} in {report.Periods[^2].Label}." : "."));
            if (report.Groups.Count == 0)
            {
                cli.Say("Nothing spent in these periods.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumn(groupBy == SpendGroupings.Merchant ? "Merchant" : "Category");
            foreach (var p in report.Periods)
            {
                table.AddColumn(new TableColumn(p.Label).RightAligned());
            }

            table.AddColumn(new TableColumn("Change").RightAligned());
            foreach (var g in report.Groups)
            {
                table.AddRow([Display.Cell(g.Key), .. g.Amounts.Select(a => Display.Cell(Amount(a))), Display.Cell(Change(g.ChangePercent, g.Current))]);
            }

            cli.Env.OutConsole.Write(table);
            Bars(cli, $"{current.Label}, {report.Currency}", report.Groups.Where(g => g.Current > 0).Select(g => (g.Key, g.Current)));
            if (report.OtherCurrencies.Count > 0)
            {
                cli.Say($"Also spent in {string.Join(", ", report.OtherCurrencies)}: ask with --currency.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Visits(CliCommands cli)
    {
        var (from, to) = Range();
        var category = new Option<string?>("--category") { Description = "Only merchants of this category (for example coffee).", HelpName = "NAME" };
        var limit = new Option<int>("--limit") { Description = "At most this many merchants.", DefaultValueFactory = _ => 15 };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("visits", "Which merchants you went to most: card payments, receipts and check-ins, each visit counted once.") { from, to, category, limit, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var report = await operations.GetVisitsAsync(new VisitQuery(Day(result.GetValue(from), "--from"), Day(result.GetValue(to), "--to"), result.GetValue(category), result.GetValue(limit)), ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, report);
                return ExitCodes.Success;
            }

            if (report.Merchants.Count == 0)
            {
                cli.Say("No visits found.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Merchant", "Category").AddColumn(new TableColumn("Visits").RightAligned())
                .AddColumn(new TableColumn("Card").RightAligned()).AddColumn(new TableColumn("Receipts").RightAligned()).AddColumn(new TableColumn("Check-ins").RightAligned())
                .AddColumn(new TableColumn("Matched").RightAligned()).AddColumn("Last visit");
            foreach (var m in report.Merchants)
            {
                table.AddRow(Display.Cell(m.Merchant), Display.Cell(m.Category), Display.Cell(Int(m.Visits)), Display.Cell(Int(m.CardTransactions)), Display.Cell(Int(m.Receipts)),
                    Display.Cell(Int(m.CheckIns)), Display.Cell(Int(m.Merged)), Display.Cell(m.LastVisit.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
            }

            cli.Env.OutConsole.Write(table);
            Bars(cli, "Visits", report.Merchants.Select(m => (m.Merchant, (decimal)m.Visits)));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Fees(CliCommands cli)
    {
        var (from, to) = Range();
        var limit = new Option<int?>("--limit") { Description = "List at most this many charges per account, the newest (the totals count them all); default all." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("fees", "Fees, penalties and interest charged, per account, with the transactions behind them.") { from, to, limit, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var report = await operations.GetFeesAsync(Day(result.GetValue(from), "--from"), Day(result.GetValue(to), "--to"), result.GetValue(limit), ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, report);
                return ExitCodes.Success;
            }

            if (report.Accounts.Count == 0)
            {
                cli.Say("No fees, penalties or interest found.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Account", "Date", "Description", "Kind").AddColumn(new TableColumn("Amount").RightAligned());
            foreach (var a in report.Accounts)
            {
                table.AddRow(Display.Cell(a.Account), Display.Cell(""), Display.Cell($"fees {Amount(a.Fees)} · penalties {Amount(a.Penalties)} · interest {Amount(a.Interest)}"), Display.Cell("total"), Display.Cell(Money(a.Total, a.Currency)));
                foreach (var t in a.Transactions)
                {
                    table.AddRow(Display.Cell(""), Display.Cell(t.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), Display.Cell(t.Description), Display.Cell(t.Kind), Display.Cell(Amount(t.Amount)));
                }

                if (a.TransactionCount > a.Transactions.Count)
                {
                    table.AddRow(Display.Cell(""), Display.Cell(""), Display.Cell($"… and {a.TransactionCount - a.Transactions.Count} older"), Display.Cell(""), Display.Cell(""));
                }
            }

            cli.Env.OutConsole.Write(table);
            Bars(cli, "Charged per account", report.Accounts.Select(a => ($"{a.Account} ({a.Currency})", a.Total)));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Recurring(CliCommands cli)
    {
        var asOf = new Option<string?>("--as-of") { Description = "The day to judge active and next dates by (yyyy-MM-dd; default today).", HelpName = "DAY" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("recurring", "Recurring payments and subscriptions: amount, cadence, next expected date, price increases.") { asOf, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var report = await operations.GetRecurringAsync(Day(result.GetValue(asOf), "--as-of"), ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, report);
                return ExitCodes.Success;
            }

            if (report.Payments.Count == 0)
            {
                cli.Say("No recurring payments found.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Merchant", "Every").AddColumn(new TableColumn("Amount").RightAligned()).AddColumns("Next", "Since", "Note")
                .AddColumn(new TableColumn("A year").RightAligned());
            foreach (var p in report.Payments)
            {
                var note = p.PriceIncreasedOn is { } on ? $"price up from {Amount(p.PreviousAmount ?? 0)} on {on:yyyy-MM-dd}" : p.Active ? "" : "stopped?";
                table.AddRow(Display.Cell(p.Merchant), Display.Cell(p.Cadence), Display.Cell(Money(p.Amount, p.Currency)), Display.Cell(p.NextExpected.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                    Display.Cell(p.First.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), Display.Cell(note), Display.Cell(Money(p.YearlyCost, p.Currency)));
            }

            cli.Env.OutConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static (Option<string?> From, Option<string?> To) Range() =>
        (new Option<string?>("--from") { Description = "First day (yyyy-MM-dd).", HelpName = "DAY" },
         new Option<string?>("--to") { Description = "Last day (yyyy-MM-dd).", HelpName = "DAY" });

    private static void Bars(CliCommands cli, string label, IEnumerable<(string Label, decimal Value)> items)
    {
        var chart = new BarChart().Width(Math.Min(80, Math.Max(40, cli.Env.OutConsole.Profile.Width))).Label(label);
        var colors = new[] { Color.SteelBlue, Color.Green, Color.Orange1, Color.MediumPurple, Color.IndianRed, Color.Gold1 };
        var i = 0;
        foreach (var (name, value) in items.Take(12))
        {
            chart.AddItem(Markup.Escape(name), (double)value, colors[i++ % colors.Length]);
        }

        if (i > 0)
        {
            cli.Env.OutConsole.WriteLine();
            cli.Env.OutConsole.Write(chart);
        }
    }

    private static DateOnly? Day(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw CliException.Usage($"{option} takes a date as yyyy-MM-dd.");
    }

    private static string Money(decimal amount, string currency) => $"{currency} {Amount(amount)}";

    private static string Amount(decimal amount) => amount.ToString("N2", CultureInfo.InvariantCulture);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Change(decimal? percent, decimal current) => percent switch
    {
        null when current > 0 => "new",
        null => "",
        > 0 => "+" + percent.Value.ToString("0.#", CultureInfo.InvariantCulture) + " %",
        _ => percent.Value.ToString("0.#", CultureInfo.InvariantCulture) + " %",
    };
}
