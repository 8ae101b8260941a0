using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Symbolon.Cli.Infrastructure;
using Symbolon.Cli.Operations;
using Symbolon.Contracts.Relationships;

namespace Symbolon.Cli.Commands;

/// <summary>
/// <c>relationships list | show | revoke | end</c>, <c>receipts</c> and <c>access-log</c>: the vendors the person relates
/// to, what each may see, the signed consent receipts, and every read and write they made.
/// </summary>
internal static class RelationshipCommands
{
    private static readonly JsonSerializerOptions ReceiptJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static IEnumerable<Command> Create(CliCommands cli) =>
    [
        new Command("relationships", "The vendors you relate to: the agreement each runs under, what each may see, and revoking it.")
        {
            List(cli), Show(cli), Revoke(cli), End(cli),
        },
        Receipts(cli),
        AccessLog(cli),
    ];

    private static Command List(CliCommands cli)
    {
        var json = new Option<bool>("--json") { Description = "Print the relationships as JSON." };
        var command = new Command("list", "List every vendor relationship: agreement, active grants, last access.") { json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var relationships = await operations.ListRelationshipsAsync(ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, relationships);
                return ExitCodes.Success;
            }

            if (relationships.Count == 0)
            {
                cli.Say("No vendor relates to this vault yet.");
                return ExitCodes.Success;
            }

            if (cli.Env.OutConsole.Profile.Width < Display.WideTableWidth)
            {
                foreach (var r in relationships)
                {
                    cli.Say($"{r.VendorName}  ({State(r)})");
                    cli.Say($"  {r.Id}  {r.AgreementId ?? "no agreement"}  {r.ActiveGrants} active grant(s)  last access {Display.Time(r.LastAccessAt, context.Time, "never")}");
                }

                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Id", "Vendor", "Client id", "Agreement", "Active grants", "Since", "Last access", "State");
            foreach (var r in relationships)
            {
                table.AddRow(
                    Display.Cell(r.Id.ToString()),
                    Display.Cell(r.VendorName),
                    Display.Cell(r.ClientId),
                    Display.Cell(r.AgreementId is null ? "none yet" : $"{r.AgreementId} ({r.AgreementTitle})"),
                    Display.Cell(r.ActiveGrants.ToString(CultureInfo.InvariantCulture)),
                    Display.Cell(Display.Time(r.CreatedAt, context.Time)),
                    Display.Cell(Display.Time(r.LastAccessAt, context.Time, "never")),
                    Display.Cell(State(r)));
            }

            cli.Env.OutConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(CliCommands cli)
    {
        var which = new Argument<string>("RELATIONSHIP") { Description = "The relationship's id or the vendor's client id (see `symbolon relationships list`)." };
        var json = new Option<bool>("--json") { Description = "Print the relationship as JSON." };
        var command = new Command("show", "Show one relationship: its agreement and every grant, field by field, with expiry.") { which, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var id = await ResolveAsync(operations, result.GetValue(which)!, ct);
            var detail = await operations.GetRelationshipAsync(id, ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, detail);
                return ExitCodes.Success;
            }

            var r = detail.Relationship;
            Display.Facts(cli.Env.Out,
            [
                ("Vendor", r.VendorName),
                ("Relationship", r.Id.ToString()),
                ("Client id", r.ClientId),
                ("Web site", r.ClientUri ?? "-"),
                ("Privacy policy", detail.PolicyUri ?? "-"),
                ("Agreement", detail.Agreement is { } a ? $"{a.AgreementId}: {a.Title} (accepted {Display.Time(a.AcceptedAt, context.Time)}{(a.CountersignedAt is null ? "" : ", countersigned by the vendor")})" : "none accepted yet"),
                ("Since", Display.Time(r.CreatedAt, context.Time)),
                ("State", State(r)),
                ("Last access", Display.Time(r.LastAccessAt, context.Time, "never")),
            ]);
            if (detail.Grants.Count == 0)
            {
                cli.Say("");
                cli.Say("No grants yet.");
                return ExitCodes.Success;
            }

            foreach (var grant in detail.Grants)
            {
                cli.Say("");
                cli.Say($"Grant {grant.Id}: {grant.Status}, given {Display.Time(grant.CreatedAt, context.Time)}, {Ends(grant, context.Time)}");
                foreach (var field in grant.Fields)
                {
                    cli.Say($"  {field.Datatype,-24}{string.Join(", ", field.Actions)}; {field.NarrowingDescription}; for \"{field.Purpose}\"");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke(CliCommands cli)
    {
        var grant = new Argument<Guid>("GRANT_ID") { Description = "The grant's id (see `symbolon relationships show`)." };
        var command = new Command("revoke", "Revoke a grant: the vendor's access and refresh tokens stop working on their very next use.") { grant };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var revoked = await operations.RevokeGrantAsync(result.GetValue(grant), ct);
            cli.Say($"Revoked grant {revoked.Id} ({string.Join(", ", revoked.Fields.Select(f => f.Datatype))}). The vendor's next request is refused.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command End(CliCommands cli)
    {
        var which = new Argument<string>("RELATIONSHIP") { Description = "The relationship's id or the vendor's client id." };
        var command = new Command("end", "End a relationship: every grant is revoked and the vendor can ask for nothing more.") { which };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var ended = await operations.EndRelationshipAsync(await ResolveAsync(operations, result.GetValue(which)!, ct), ct);
            cli.Say($"Ended the relationship with {ended.Relationship.VendorName}; {ended.Grants.Count} grant(s) revoked. The vendor's next request is refused.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Receipts(CliCommands cli)
    {
        var relationship = new Option<string?>("--relationship", "-r") { Description = "Only this relationship (id or client id).", HelpName = "RELATIONSHIP" };
        var grant = new Option<Guid?>("--grant", "-g") { Description = "Print (or with --output, save) this grant's signed consent receipt.", HelpName = "GRANT_ID" };
        var output = new Option<string?>("--output", "-o") { Description = "With --grant: write the receipt to this file instead of standard output.", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "Overwrite the --output file if it exists." };
        var json = new Option<bool>("--json") { Description = "Without --grant: print the list as JSON." };
        var command = new Command("receipts", "List the consent receipts (one per grant), or fetch one signed receipt with --grant.") { relationship, grant, output, force, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            if (result.GetValue(output) is not null && result.GetValue(grant) is null)
            {
                throw CliException.Usage("--output needs --grant.", "Name the grant whose receipt to save: symbolon receipts --grant GRANT_ID --output receipt.json");
            }

            var operations = await context.ConnectAsync(ct);
            if (result.GetValue(grant) is { } grantId)
            {
                var receipt = await operations.GetReceiptAsync(grantId, ct);
                var text = JsonSerializer.Serialize(receipt, ReceiptJson);
                if (result.GetValue(output) is { } file)
                {
                    await PrivateFile.WriteAsync(file, result.GetValue(force), async stream =>
                    {
                        await using var writer = new StreamWriter(stream);
                        await writer.WriteAsync(text);
                    });
                    cli.Note($"Saved the consent receipt of grant {grantId} to {file}; it verifies with the Ed25519 public key inside it.");
                }
                else
                {
                    cli.Say(text);
                }

                return ExitCodes.Success;
            }

            var relationships = result.GetValue(relationship) is { } which
                ? [(await operations.GetRelationshipAsync(await ResolveAsync(operations, which, ct), ct))]
                : await Task.WhenAll((await operations.ListRelationshipsAsync(ct)).Select(r => operations.GetRelationshipAsync(r.Id, ct)));
            var rows = relationships.SelectMany(d => d.Grants.Select(g => (Relationship: d.Relationship, Grant: g))).OrderByDescending(x => x.Grant.CreatedAt).ToList();
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, rows.Select(x => new { grantId = x.Grant.Id, relationshipId = x.Relationship.Id, vendorName = x.Relationship.VendorName, x.Grant.AgreementId, x.Grant.Purpose, x.Grant.CreatedAt, x.Grant.Status }));
                return ExitCodes.Success;
            }

            if (rows.Count == 0)
            {
                cli.Say("There are no consent receipts yet: no vendor has been granted anything.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Grant (receipt id)", "Vendor", "Agreement", "Purpose", "Given", "State");
            foreach (var (r, g) in rows)
            {
                table.AddRow(
                    Display.Cell(g.Id.ToString()),
                    Display.Cell(r.VendorName),
                    Display.Cell(g.AgreementId),
                    Display.Cell(g.Purpose),
                    Display.Cell(Display.Time(g.CreatedAt, context.Time)),
                    Display.Cell(g.Status));
            }

            cli.Env.OutConsole.Write(table);
            cli.Note("Save one with: symbolon receipts --grant GRANT_ID --output receipt.json");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command AccessLog(CliCommands cli)
    {
        var relationship = new Option<string?>("--relationship", "-r") { Description = "Only this relationship (id or client id).", HelpName = "RELATIONSHIP" };
        var limit = new Option<int>("--limit", "-n") { Description = "How many entries, newest first (1 to 500).", DefaultValueFactory = _ => 50, HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print the page as JSON." };
        var command = new Command("access-log", "Every vendor read and write, allowed or refused: who, what fields, when and for what purpose.") { relationship, limit, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var count = result.GetValue(limit);
            if (count is < 1 or > 500)
            {
                throw CliException.Usage("--limit must be between 1 and 500.");
            }

            var operations = await context.ConnectAsync(ct);
            Guid? relationshipId = result.GetValue(relationship) is { } which ? await ResolveAsync(operations, which, ct) : null;
            var page = await operations.GetAccessLogAsync(relationshipId, count, 0, ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, page);
                return ExitCodes.Success;
            }

            if (page.Entries.Count == 0)
            {
                cli.Say("No vendor has read or written anything yet.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("When", "Vendor", "Action", "Fields", "Purpose", "Result");
            foreach (var e in page.Entries)
            {
                table.AddRow(
                    Display.Cell(Display.Time(e.At, context.Time)),
                    Display.Cell(e.VendorName),
                    Display.Cell(e.Count > 1 ? $"{e.Action} × {e.Count} (last {Display.Time(e.LastAt ?? e.At, context.Time)})" : e.Action),
                    Display.Cell(string.Join(", ", e.Datatypes)),
                    Display.Cell(e.Purpose),
                    Display.Cell(e.Allowed ? $"allowed ({e.StatusCode})" : $"refused ({e.StatusCode})"));
            }

            cli.Env.OutConsole.Write(table);
            if (page.Total > page.Entries.Count)
            {
                cli.Note($"Showing the newest {page.Entries.Count} of {page.Total}; see more with --limit.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A relationship named by its id or by the vendor's client id, which is what vendors tell people.</summary>
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

    private static string State(RelationshipSummary r) => r.EndedAt is { } ended
        ? $"ended {ended.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"
        : r.ActiveGrants > 0 ? "active" : "no active grant";

    private static string Ends(RelationshipGrant grant, TimeProvider time) => grant.Status switch
    {
        GrantStatuses.Revoked => $"revoked {Display.Time(grant.RevokedAt, time)}",
        GrantStatuses.Expired => $"expired {Display.Time(grant.ExpiresAt, time)}",
        _ => grant.ExpiresAt is { } expires ? $"until {Display.Time(expires, time)}" : "until you revoke it",
    };
}
