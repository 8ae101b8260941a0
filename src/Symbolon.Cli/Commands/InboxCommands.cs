using System.CommandLine;
using Spectre.Console;
using Symbolon.Cli.Infrastructure;
using Symbolon.Contracts.Inbox;

namespace Symbolon.Cli.Commands;

/// <summary><c>inbox</c>: what vendors sent while you were away, as the web app's banner shows it.</summary>
internal static class InboxCommands
{
    public static Command Create(CliCommands cli)
    {
        var seen = new Option<bool>("--seen") { Description = "Then mark it seen (items still being applied stay)." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("inbox", "What vendors sent while the vault was locked (queued, sealed to your key), and what became of it once it was unlocked.") { seen, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var report = await operations.GetAwayReportAsync(ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, report);
            }
            else if (report.Items.Count == 0 && report.Refused.Count == 0)
            {
                cli.Say("Nothing arrived while you were away.");
            }
            else
            {
                if (report.Items.Count > 0)
                {
                    cli.Say(report.Items.Count == 1 ? "1 item arrived while you were away:" : $"{report.Items.Count} items arrived while you were away:");
                    var table = new Table().AddColumns("Vendor", "Kind", "Arrived", "State", "Why");
                    foreach (var item in report.Items)
                    {
                        table.AddRow(
                            Display.Cell(item.Vendor),
                            Display.Cell(item.Kind),
                            Display.Cell(Display.Time(item.ReceivedAt, context.Time)),
                            Display.Cell(item.State),
                            Display.Cell(item.Problem ?? ""));
                    }

                    cli.Env.OutConsole.Write(table);
                }

                foreach (var refused in report.Refused)
                {
                    cli.Say($"{refused.Vendor} was turned away {refused.Count} time{(refused.Count == 1 ? "" : "s")} (last {Display.Time(refused.LastAt, context.Time)}): the inbox was full.");
                }
            }

            if (result.GetValue(seen))
            {
                await operations.MarkAwayReportSeenAsync(ct);
                if (!result.GetValue(json))
                {
                    cli.Say(report.Items.Any(i => i.State == AwayItemStates.Pending) ? "Marked seen; items still being applied stay listed." : "Marked seen.");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
