using System.CommandLine;
using Spectre.Console;
using Symbolon.Cli.Infrastructure;

namespace Symbolon.Cli.Commands;

/// <summary><c>session list | end</c>: the browsers signed in to the vault, as Settings shows them (tokens: <c>token list</c>).</summary>
internal static class SessionCommands
{
    public static Command Create(CliCommands cli) => new("session", "Browsers signed in to the vault: list them, sign one or all others out. Locking the vault signs them all out.")
    {
        List(cli), End(cli),
    };

    private static Command List(CliCommands cli)
    {
        var json = new Option<bool>("--json") { Description = "Print the sign-ins as JSON." };
        var command = new Command("list", "List the signed-in browsers with their last use.") { json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var signIns = await operations.ListSignInsAsync(ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, signIns);
                return ExitCodes.Success;
            }

            if (signIns.Count == 0)
            {
                cli.Say("No browser is signed in.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Id", "Browser", "Signed in", "Last used");
            foreach (var signIn in signIns)
            {
                table.AddRow(
                    Display.Cell(signIn.Id.ToString()),
                    Display.Cell(signIn.Current ? $"{signIn.Client} (this one)" : signIn.Client),
                    Display.Cell(Display.Time(signIn.SignedInAt, context.Time)),
                    Display.Cell(Display.Time(signIn.LastUsedAt, context.Time)));
            }

            cli.Env.OutConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command End(CliCommands cli)
    {
        var id = new Argument<Guid?>("ID") { Description = "The sign-in's id (see `symbolon session list`).", Arity = ArgumentArity.ZeroOrOne };
        var others = new Option<bool>("--others") { Description = "Sign out every browser (the CLI itself holds no browser sign-in)." };
        var command = new Command("end", "Sign a browser out: its cookie is refused from its next request on.") { id, others };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var chosen = result.GetValue(id);
            if (chosen is null == !result.GetValue(others))
            {
                throw CliException.Usage("Name one sign-in by its ID, or give --others.", "See the ids with `symbolon session list`.");
            }

            var operations = await context.ConnectAsync(ct);
            if (chosen is { } one)
            {
                await operations.EndSignInAsync(one, ct);
                cli.Say($"Signed out {one}.");
            }
            else
            {
                var ended = await operations.EndOtherSignInsAsync(ct);
                cli.Say(ended == 1 ? "Signed out 1 browser." : $"Signed out {ended} browsers.");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
