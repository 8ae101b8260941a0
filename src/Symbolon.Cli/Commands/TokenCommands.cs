using System.CommandLine;
using Spectre.Console;
using Symbolon.Cli.Infrastructure;

namespace Symbolon.Cli.Commands;

/// <summary><c>token create | list | revoke</c>: personal access tokens for scripts that use the owner API.</summary>
internal static class TokenCommands
{
    public static Command Create(CliCommands cli) => new("token", "Personal access tokens for the owner API (Authorization: Bearer sym_pat_…).")
    {
        CreateToken(cli), List(cli), Revoke(cli),
    };

    private static Command CreateToken(CliCommands cli)
    {
        var name = new Argument<string>("NAME") { Description = "What the token is for, for example \"backup script\"." };
        var days = new Option<int?>("--days") { Description = "Days until it expires (1 to 365; default 30).", HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print the token as JSON." };
        var command = new Command("create", "Create a token. Its secret is shown only this once.") { name, days, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var token = await operations.CreateTokenAsync(result.GetValue(name)!, result.GetValue(days), ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, token);
                return ExitCodes.Success;
            }

            cli.Say(token.Token!);
            cli.Note($"Created token \"{token.Name}\" ({token.Id}), valid until {Display.Time(token.ExpiresAt, context.Time, "it is revoked")}. Its secret (above) is shown only this once.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliCommands cli)
    {
        var json = new Option<bool>("--json") { Description = "Print the tokens as JSON." };
        var command = new Command("list", "List the live tokens (never their secrets).") { json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var tokens = await operations.ListTokensAsync(ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, tokens);
                return ExitCodes.Success;
            }

            if (tokens.Count == 0)
            {
                cli.Say("There are no live tokens.");
                return ExitCodes.Success;
            }

            if (cli.Env.OutConsole.Profile.Width < Display.WideTableWidth)
            {
                foreach (var token in tokens)
                {
                    cli.Say(token.Name);
                    cli.Say($"  {token.Id}  expires {Display.Time(token.ExpiresAt, context.Time, "never")}  last used {Display.Time(token.LastUsedAt, context.Time, "never")}");
                }

                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Id", "Name", "Created", "Expires", "Last used");
            foreach (var token in tokens)
            {
                table.AddRow(
                    Display.Cell(token.Id.ToString()),
                    Display.Cell(token.Name),
                    Display.Cell(Display.Time(token.CreatedAt, context.Time)),
                    Display.Cell(Display.Time(token.ExpiresAt, context.Time, "never")),
                    Display.Cell(Display.Time(token.LastUsedAt, context.Time, "never")));
            }

            cli.Env.OutConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke(CliCommands cli)
    {
        var id = new Argument<Guid>("ID") { Description = "The token's id (see `symbolon token list`)." };
        var command = new Command("revoke", "Revoke a token; it stops working on its very next use.") { id };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            await operations.RevokeTokenAsync(result.GetValue(id), ct);
            cli.Say($"Revoked token {result.GetValue(id)}.");
            return ExitCodes.Success;
        });
        return command;
    }
}
