using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Symbolon.Cli.Infrastructure;
using Symbolon.Cli.Operations;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Cli.Commands;

/// <summary>
/// <c>request new | list | show</c>: typed requests to vendors (a copy of your data, correct it, delete it, stop
/// marketing, restrict processing, or a service request), with their status, due date and the vendor's answers.
/// </summary>
internal static class RequestCommands
{
    public static Command Create(CliCommands cli) =>
        new("request", "Requests to vendors: a copy of your data, correct it, delete it, stop marketing, restrict processing, or a service request.")
        {
            New(cli), List(cli), Show(cli),
        };

    private static Command New(CliCommands cli)
    {
        var vendor = new Argument<string>("VENDOR") { Description = "The relationship's id or the vendor's client id (see `symbolon relationships list`)." };
        var kind = new Argument<string>("KIND") { Description = "access, rectification, erasure, withdraw_consent, restrict_processing or service." };
        kind.AcceptOnlyFromAmong([.. RequestKinds.All]);
        var title = new Option<string?>("--title") { Description = "A service request's subject line (required for service).", HelpName = "TEXT" };
        var text = new Option<string?>("--text") { Description = "What you write to the vendor (required for service).", HelpName = "TEXT" };
        var purpose = new Option<string?>("--purpose") { Description = "withdraw_consent: the purpose (default: direct marketing).", HelpName = "TEXT" };
        var fields = new Option<string[]>("--field") { Description = "rectification: a profile field id whose current value the vendor should use; repeat for several.", HelpName = "FIELD_ID", AllowMultipleArgumentsPerToken = false };
        var due = new Option<string?>("--due") { Description = "The due date (YYYY-MM-DD, end of that day UTC). Default: one month for data-protection requests, none for service.", HelpName = "DATE" };
        var json = new Option<bool>("--json") { Description = "Print the request as JSON." };
        var command = new Command("new", "Send a vendor a request; the vendor is told at once and the due date is tracked.") { vendor, kind, title, text, purpose, fields, due, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var relationshipId = await ResolveAsync(operations, result.GetValue(vendor)!, ct);
            var fieldIds = new List<Guid>();
            foreach (var field in result.GetValue(fields) ?? [])
            {
                fieldIds.Add(Guid.TryParse(field, out var id) ? id : throw CliException.Usage("A --field is not a field id.", "See the ids with `symbolon profile show --ids`."));
            }

            DateTimeOffset? dueAt = null;
            if (result.GetValue(due) is { } dueText)
            {
                dueAt = DateOnly.TryParseExact(dueText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                    ? new DateTimeOffset(day.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero)
                    : throw CliException.Usage("--due is not a date.", "Write it as YYYY-MM-DD, for example 2026-12-31.");
            }

            var input = new RequestInput(relationshipId, result.GetValue(kind)!, result.GetValue(title), result.GetValue(text), result.GetValue(purpose), fieldIds.Count == 0 ? null : fieldIds, dueAt);
            var detail = await operations.CreateRequestAsync(input, ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, detail);
                return ExitCodes.Success;
            }

            var s = detail.Summary;
            cli.Say($"Sent {Core.Requests.RequestService.KindInWords(s.Kind).ToLowerInvariant()} to {s.Vendor.Name}: request {s.Id}.");
            cli.Say(s.DueAt is { } at ? $"Due {Display.Time(at, context.Time)} ({s.DueRule})." : $"{s.DueRule}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliCommands cli)
    {
        var vendor = new Option<string?>("--vendor") { Description = "Only the requests to this relationship (id or client id).", HelpName = "VENDOR" };
        var json = new Option<bool>("--json") { Description = "Print the requests as JSON." };
        var command = new Command("list", "List the requests you sent, newest first, with status, due date and whether they are overdue.") { vendor, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            Guid? relationshipId = result.GetValue(vendor) is { } which ? await ResolveAsync(operations, which, ct) : null;
            var requests = await operations.ListRequestsAsync(relationshipId, ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, requests);
                return ExitCodes.Success;
            }

            if (requests.Count == 0)
            {
                cli.Say("No requests yet. Send one with `symbolon request new VENDOR KIND`.");
                return ExitCodes.Success;
            }

            if (cli.Env.OutConsole.Profile.Width < Display.WideTableWidth)
            {
                foreach (var r in requests)
                {
                    cli.Say($"{r.Title} to {r.Vendor.Name}  ({Status(r)})");
                    cli.Say($"  {r.Id}  sent {Display.Time(r.SentAt, context.Time)}  due {Display.Time(r.DueAt, context.Time, "none")}");
                }

                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Id", "Request", "Vendor", "Status", "Sent", "Due");
            foreach (var r in requests)
            {
                table.AddRow(
                    Display.Cell(r.Id.ToString()),
                    Display.Cell(r.Title),
                    Display.Cell(r.Vendor.Name),
                    Display.Cell(Status(r)),
                    Display.Cell(Display.Time(r.SentAt, context.Time)),
                    Display.Cell(Display.Time(r.DueAt, context.Time, "none")));
            }

            cli.Env.OutConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(CliCommands cli)
    {
        var which = new Argument<string>("REQUEST") { Description = "The request's id (see `symbolon request list`)." };
        var json = new Option<bool>("--json") { Description = "Print the request and its thread as JSON." };
        var command = new Command("show", "Show one request: what you sent, its status and due date, and every answer with its attachments.") { which, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var id = Guid.TryParse(result.GetValue(which), out var parsed) ? parsed : throw CliException.Usage("That is not a request id.", "See the ids with `symbolon request list`.");
            var detail = await operations.GetRequestAsync(id, ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, detail);
                return ExitCodes.Success;
            }

            var s = detail.Summary;
            Display.Facts(cli.Env.Out,
            [
                ("Request", $"{s.Title} ({s.Kind})"),
                ("Id", s.Id.ToString()),
                ("Vendor", s.Vendor.Name + (s.Vendor.Ended ? " (relationship ended)" : "")),
                ("Status", Status(s)),
                ("Sent", Display.Time(s.SentAt, context.Time)),
                ("Due", s.DueAt is { } at ? $"{Display.Time(at, context.Time)} ({s.DueRule})" : s.DueRule),
                ("Purpose", detail.Purpose ?? "-"),
                ("Text", detail.Text ?? "-"),
            ]);
            foreach (var correction in detail.Corrections)
            {
                cli.Say($"  corrected {correction.Datatype}{(correction.Label is { } label ? $" ({label})" : "")}: {correction.Value}");
            }

            cli.Say("");
            if (detail.Replies.Count == 0)
            {
                cli.Say("No answer yet.");
                return ExitCodes.Success;
            }

            foreach (var reply in detail.Replies)
            {
                var who = reply.Author == "vendor" ? s.Vendor.Name : "You";
                cli.Say($"{Display.Time(reply.At, context.Time)}  {who}{(reply.Status is { } st ? $" → {st}" : "")}{(reply.Question ? " (question)" : "")}");
                if (reply.Text is { } text)
                {
                    cli.Say("  " + text);
                }

                foreach (var attachment in reply.Attachments)
                {
                    cli.Say($"  attachment {attachment.FileName} ({attachment.ContentType}, {Display.Size(attachment.Size)}, sha256 {attachment.Sha256}) id {attachment.Id}");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string Status(RequestSummary r) => r.Overdue ? $"{r.Status}, OVERDUE" : r.Status;

    private static async Task<Guid> ResolveAsync(IOwnerOperations operations, string which, CancellationToken ct)
    {
        if (Guid.TryParse(which, out var id))
        {
            return id;
        }

        var match = (await operations.ListRelationshipsAsync(ct)).FirstOrDefault(r => r.ClientId == which)
            ?? throw new CliException("There is no relationship with that id or client id.", "See them with `symbolon relationships list`.");
        return match.Id;
    }
}
