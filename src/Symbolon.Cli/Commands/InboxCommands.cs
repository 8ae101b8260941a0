using System.CommandLine;
using Spectre.Console;
using Symbolon.Cli.Infrastructure;

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
            else if (report.Total == 0 && report.Refused.Count == 0 && report.KeyUses.Count == 0)
            {
                cli.Say("Nothing arrived while you were away.");
            }
            else
            {
                if (report.Total > 0)
                {
                    cli.Say(report.Total == 1 ? "1 item arrived while you were away:" : $"{report.Total} items arrived while you were away:");
                    var groups = new Table().AddColumns("Vendor", "Kind", "Pending", "Applied", "Refused", "Not opened");
                    foreach (var group in report.Groups)
                    {
                        groups.AddRow(Display.Cell(group.Vendor), Display.Cell(group.Kind), Display.Cell($"{group.Pending}"), Display.Cell($"{group.Applied}"), Display.Cell($"{group.Refused}"), Display.Cell($"{group.Unopenable}"));
                    }

                    cli.Env.OutConsole.Write(groups);
                    cli.Say("The ones refused or not opened, and the latest:");
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

                foreach (var use in report.KeyUses)
                {
                    cli.Say($"While nobody was signed in, the server used your key for {use.Vendor}: {use.Reads} reads, {use.Writes} writes ({Display.Time(use.FirstAt, context.Time)} to {Display.Time(use.LastAt, context.Time)}).");
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
                    cli.Say(report.Pending > 0 ? "Marked seen; items still being applied stay listed." : "Marked seen.");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
