using System.CommandLine;
using Spectre.Console;
using Symbolon.Cli.Infrastructure;
using Symbolon.Contracts.Vault;
using Symbolon.Cli.Operations;
using Symbolon.Core.Vaults;

namespace Symbolon.Cli.Commands;

/// <summary><c>init</c>, <c>unlock</c>, <c>lock</c>, <c>status</c>, <c>passphrase change</c> and <c>recover</c>.</summary>
internal static class VaultCommands
{
    public const string RecoveryKeyNotice =
        "Your recovery key — store it now. It is shown only this once and is the only way back in if you forget your passphrase.";

    public static IEnumerable<Command> Create(CliCommands cli) => [Init(cli), Unlock(cli), Lock(cli), Status(cli), Passphrase(cli), Recover(cli), AutoLockCommand(cli), ModeCommand(cli)];

    private static Command Init(CliCommands cli)
    {
        var fromExport = new Option<string?>("--from-export")
        {
            Description = "Create the vault from a plain export (`symbolon export`) made on another installation: everything in it comes back, under a new passphrase and new keys. Works on the storage directly: no server may be running for it.",
            HelpName = "FILE",
        };
        var command = new Command("init", "Create the vault: choose a passphrase (at least 10 characters) and store the recovery key it shows once.") { fromExport };
        cli.SetAction(command, async (context, result, ct) =>
        {
            if (result.GetValue(fromExport) is { } exportFile)
            {
                return await InitFromExportAsync(cli, context, exportFile, ct);
            }

            var operations = await context.ConnectAsync(ct);
            if ((await operations.GetStatusAsync(ct)).Vault.Exists)
            {
                throw new CliException("A vault already exists here.", $"There is one in {operations.Location}. Use `symbolon unlock` to open it.");
            }

            var passphrase = context.Secrets.Read(context.Passphrase, "Choose a passphrase", confirm: true, check: VaultService.CheckPassphrase);
            var created = await operations.CreateVaultAsync(passphrase, ct);
            cli.Say($"Created vault {created.VaultId} ({operations.Location}).");
            ShowRecoveryKey(cli.Env, created.RecoveryKey);
            cli.Note(created.SignedIn
                ? $"The vault is unlocked on the server, and this CLI is signed in (token in {CliTokenFile.PathIn(context.DataDirectory)})."
                : "Next: `symbolon unlock` starts a CLI session, so that later commands do not ask for the passphrase.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<int> InitFromExportAsync(CliCommands cli, CliContext context, string exportFile, CancellationToken ct)
    {
        if (await context.FindServerAsync(ct) is { } server)
        {
            throw new CliException(
                $"Creating a vault from an export works on the storage directly, but a server is in the way ({server.Source}: {server.Url}).",
                "Stop the server (and leave out --server and SYMBOLON_SERVER), then run `symbolon init --from-export` on an empty data directory.");
        }

        if (!File.Exists(exportFile))
        {
            throw new CliException($"There is no file {exportFile}.", "Name the file `symbolon export` wrote.");
        }

        await using var local = new LocalOwnerOperations(context);
        if (await local.HasVaultAsync(ct))
        {
            throw new CliException($"A vault already exists in {local.Location}.", "An export is imported into an empty data directory only: choose another one with --data-dir.");
        }

        var passphrase = context.Secrets.Read(context.Passphrase, "Choose a passphrase", confirm: true, check: VaultService.CheckPassphrase);
        await using var input = File.OpenRead(exportFile);
        var (created, records) = await Display.WithStatusAsync(cli.Env, "Importing the export…", () => local.ImportExportAsync(input, passphrase, ct));
        cli.Say($"Created vault {created.VaultId} from {exportFile}: {records} records ({local.Location}).");
        ShowRecoveryKey(cli.Env, created.RecoveryKey);
        cli.Note("Vendors connected to the old installation register again with this one; their history (relationships, grants, agreements, the access log) came along.");
        return ExitCodes.Success;
    }

    private static void ShowRecoveryKey(CliEnvironment env, string recoveryKey)
    {
        var content = new Rows(new Text(recoveryKey, new Style(decoration: Decoration.Bold)), new Text(""), new Text(RecoveryKeyNotice));
        env.OutConsole.Write(new Panel(content) { Header = new PanelHeader(" Recovery key "), Border = BoxBorder.Double, Padding = new Padding(2, 1) });

        if (!env.IsInteractive)
        {
            return;
        }

        // A person at a terminal proves they wrote the key down before it scrolls away.
        var lastGroup = recoveryKey[(recoveryKey.LastIndexOf('-') + 1)..];
        env.ErrorConsole.Prompt(new TextPrompt<string>("Type the last group of the recovery key (the characters after its last dash) to confirm you stored it:")
            .Validate(typed => string.Equals(typed.Trim(), lastGroup, StringComparison.OrdinalIgnoreCase)
                ? ValidationResult.Success()
                : ValidationResult.Error("That is not the last group. Look at the key above, store it, and try again.")));
        env.ErrorConsole.MarkupLine("[green]Thank you.[/] Keep the recovery key apart from your passphrase.");
    }

    private static Command Unlock(CliCommands cli)
    {
        var command = new Command(
            "unlock",
            "Unlock the vault. Locally: start a 12-hour CLI session and print `export SYMBOLON_SESSION=...` for your shell " +
            "(try: eval \"$(symbolon unlock)\"). With a server: unlock it and keep an access token in the data directory.");
        cli.SetAction(command, async (context, _, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var passphrase = context.Secrets.Read(context.Passphrase, "Passphrase");
            var unlocked = await operations.UnlockAsync(passphrase, ct);
            var until = Display.Time(unlocked.ExpiresAt, context.Time);
            if (unlocked.SessionSecret is { } secret)
            {
                cli.Say(OperatingSystem.IsWindows()
                    ? $"$env:{EnvironmentVariables.Session} = \"{secret}\""
                    : $"export {EnvironmentVariables.Session}={secret}");
                cli.Note($"Unlocked vault {unlocked.VaultId}: the CLI session lasts until {until}.");
                cli.Note($"Run the line above in your shell to set {EnvironmentVariables.Session} (or unlock with: eval \"$(symbolon unlock)\"); commands then use the session instead of asking for the passphrase. `symbolon lock` ends it.");
            }
            else
            {
                cli.Say($"Unlocked vault {unlocked.VaultId} on the {operations.Location}.");
                cli.Note($"This CLI's access token is in {unlocked.TokenFile} until {until}. `symbolon lock` locks the vault and deletes it.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Lock(CliCommands cli)
    {
        var command = new Command("lock", "Lock the vault: end the CLI session and delete the CLI's access token; with a server, lock the server's vault too.");
        cli.SetAction(command, async (context, _, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var endedSession = false;
            try
            {
                await operations.LockAsync(ct);
            }
            finally
            {
                // Whatever the server said, nothing that opens the vault stays behind in the data directory.
                endedSession = PrivateFile.Delete(CliSession.PathIn(context.DataDirectory));
                var deletedToken = PrivateFile.Delete(CliTokenFile.PathIn(context.DataDirectory));
                if (endedSession)
                {
                    cli.Note("Ended the CLI session.");
                }

                if (deletedToken)
                {
                    cli.Note("Deleted the CLI's access token.");
                }

                if (context.Env.Get(EnvironmentVariables.Session) is not null)
                {
                    cli.Note($"You may also run: unset {EnvironmentVariables.Session}");
                }
            }

            cli.Say(operations.Mode == "remote" ? $"Locked the vault on the {operations.Location}."
                : endedSession ? "Locked." : "There was no CLI session to end; the vault is locked.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Status(CliCommands cli)
    {
        var json = new Option<bool>("--json") { Description = "Print the status as JSON." };
        var command = new Command("status", "Show whether a vault exists and is unlocked, the mode (local or through a server), where it is stored, its key derivation settings and public keys.") { json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var status = await operations.GetStatusAsync(ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, status);
                return ExitCodes.Success;
            }

            var vault = status.Vault;

            // A server tells a caller without its token only that the vault exists (no id, no keys, not whether it is unlocked).
            var hidden = vault.Exists && vault.VaultId is null;
            var facts = new List<(string, string)>
            {
                ("Vault", !vault.Exists ? "none yet (create one with `symbolon init`)" : hidden ? "exists" : $"exists ({vault.VaultId})"),
                ("Unlocked", !vault.Exists ? "-" : hidden ? "not shown until you sign in (`symbolon unlock`)" : vault.Unlocked ? "yes" : "no"),
                ("Mode", status.Mode == "remote" ? "remote (through the server's owner API)" : "local (the storage is opened directly)"),
                ("Data dir", status.DataDirectory),
                ("Storage", status.Storage),
                ("Access", status.Access),
            };
            if (vault.Exists && !hidden)
            {
                facts.Add(("Created", Display.Time(vault.CreatedAt, context.Time)));
                facts.Add(("KDF", vault.Kdf is null ? "-" : Display.Kdf(vault.Kdf)));
                facts.Add(("Signing key", $"Ed25519 {vault.SigningPublicKey}"));
                facts.Add(("Agreement key", $"X25519 {vault.AgreementPublicKey}"));
            }

            Display.Facts(cli.Env.Out, facts);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command AutoLockCommand(CliCommands cli)
    {
        var idle = new Argument<string?>("IDLE") { Description = "Minutes (1 to 1440), or \"never\"; without it the current setting is shown.", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print the setting as JSON." };
        var command = new Command("autolock", "How long the vault stays unlocked without you (pages, the owner API, the CLI; vendors do not count) before the server locks it.") { idle, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var text = result.GetValue(idle)?.Trim();
            int? minutes = null;
            if (text is not null && !string.Equals(text, "never", StringComparison.OrdinalIgnoreCase))
            {
                minutes = int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                    ? n
                    : throw CliException.Usage("IDLE is a number of minutes or \"never\".", "For example `symbolon autolock 15` or `symbolon autolock never`.");
            }

            var operations = await context.ConnectAsync(ct);
            var setting = text is null ? await operations.GetAutoLockAsync(ct) : await operations.SetAutoLockAsync(minutes, ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, setting);
                return ExitCodes.Success;
            }

            cli.Say(setting.Minutes is { } m
                ? $"The vault locks itself after {m} minute{(m == 1 ? "" : "s")} without you{(setting.IsDefault ? " (the default)" : "")}."
                : "The vault never locks itself; lock it with `symbolon lock` (stopping the server locks it too).");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ModeCommand(CliCommands cli)
    {
        var mode = new Argument<string?>("MODE") { Description = "strict or unattended; without it the current mode is shown.", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print the mode as JSON." };
        var command = new Command("mode", "Strict (the default: the server never holds your key while the vault is locked; vendor writes wait sealed) or unattended (the key is also wrapped by a host key outside the database, so the vault unlocks itself when the server starts).") { mode, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var chosen = result.GetValue(mode)?.Trim().ToLowerInvariant();
            if (chosen is not (null or VaultModes.Strict or VaultModes.Unattended))
            {
                throw CliException.Usage("MODE is strict or unattended.", "For example `symbolon mode unattended`, or `symbolon mode` to see it.");
            }

            var operations = await context.ConnectAsync(ct);
            var setting = chosen is null ? await operations.GetModeAsync(ct) : await operations.SetModeAsync(chosen, ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, setting);
                return ExitCodes.Success;
            }

            cli.Say(setting.Mode == VaultModes.Unattended
                ? $"Unattended: the vault unlocks itself when the server starts, with the host key from {setting.HostKeySource ?? "nowhere the server can find (it would stay locked)"}. Uses of your key while nobody is signed in are shown to you (`symbolon inbox`)."
                : "Strict: the server never holds your key while the vault is locked; vendor writes wait sealed until you unlock.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Passphrase(CliCommands cli)
    {
        var newFile = NewPassphraseFileOption();
        var revokeTokens = new Option<bool>("--revoke-tokens") { Description = "Also revoke every personal access token (scripts and CLI sessions sign in again)." };
        var change = new Command("change", $"Change the passphrase. The current one comes as usual; the new one from {EnvironmentVariables.NewPassphrase}, --new-passphrase-file, or a prompt. Records are not re-encrypted; every other browser is signed out.") { newFile, revokeTokens };
        cli.SetAction(change, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var current = context.Secrets.Read(context.Passphrase, "Current passphrase");
            var next = context.Secrets.Read(NewPassphraseSource(result.GetValue(newFile)), "New passphrase", confirm: true, check: VaultService.CheckPassphrase);
            var revoke = result.GetValue(revokeTokens);
            await operations.ChangePassphraseAsync(current, next, revoke, ct);
            cli.Say(revoke
                ? "Changed the passphrase and revoked every access token. The recovery key stays the same."
                : "Changed the passphrase. The recovery key stays the same.");
            return ExitCodes.Success;
        });
        return new Command("passphrase", "Manage the vault's passphrase.") { change };
    }

    private static Command Recover(CliCommands cli)
    {
        var keyFile = RecoveryKeyFileOption();
        var newFile = NewPassphraseFileOption();
        var command = new Command("recover", $"Forgot the passphrase? Open the vault with its recovery key ({EnvironmentVariables.RecoveryKey}, --recovery-key-file, or a prompt) and set a new passphrase.") { keyFile, newFile };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var recoveryKey = context.Secrets.Read(RecoveryKeySource(result.GetValue(keyFile)), "Recovery key");
            var next = context.Secrets.Read(NewPassphraseSource(result.GetValue(newFile)), "New passphrase", confirm: true, check: VaultService.CheckPassphrase);
            await operations.RecoverAsync(recoveryKey, next, ct);
            cli.Say("Set the new passphrase. The recovery key stays the same; `symbolon unlock` opens the vault with the new passphrase.");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Option<string?> RecoveryKeyFileOption() => new("--recovery-key-file")
    {
        Description = $"Read the recovery key from the first line of this file (or set {EnvironmentVariables.RecoveryKey}; otherwise it is asked for).",
        HelpName = "PATH",
    };

    public static SecretSource RecoveryKeySource(string? file) => new("recovery key", EnvironmentVariables.RecoveryKey, "--recovery-key-file", file);

    private static Option<string?> NewPassphraseFileOption() => new("--new-passphrase-file")
    {
        Description = $"Read the new passphrase from the first line of this file (or set {EnvironmentVariables.NewPassphrase}; otherwise it is asked for twice).",
        HelpName = "PATH",
    };

    private static SecretSource NewPassphraseSource(string? file) => new("new passphrase", EnvironmentVariables.NewPassphrase, "--new-passphrase-file", file);
}
