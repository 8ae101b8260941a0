using System.CommandLine;
using Spectre.Console;
using Symbolon.Cli.Infrastructure;
using Symbolon.Cli.Operations;
using Symbolon.Core.Backup;

namespace Symbolon.Cli.Commands;

/// <summary><c>export</c>, <c>backup</c>, <c>restore</c> and <c>purge</c>: taking everything out, and putting it back.</summary>
internal static class ExportCommands
{
    public static IEnumerable<Command> Create(CliCommands cli) => [Export(cli), Backup(cli), Restore(cli), Purge(cli)];

    private static Option<bool> ForceOption() => new("--force") { Description = "Replace the file if it exists." };

    private static Command Export(CliCommands cli)
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file (readable by you only) instead of standard output.", HelpName = "FILE" };
        var force = ForceOption();
        var command = new Command("export", "Export the whole vault as plain (unencrypted) JSON: every record with every version, transactions, relationships, grants, agreements, the access log, messages and requests (format symbolon.export v2; `symbolon init --from-export` reads it).") { output, force };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            await operations.EnsureAccessAsync(ct);
            if (result.GetValue(output) is not { } file)
            {
                // Note: standard output is not disposed: it belongs to the process, not to this command.
                var stdout = cli.Env.OpenOutputStream();
                await Display.WithStatusAsync(cli.Env, "Exporting the vault…", () => operations.WriteExportAsync(stdout, ct), show: !cli.Env.IsOutputTerminal);
                await stdout.FlushAsync(ct);
                return ExitCodes.Success;
            }

            await Display.WithStatusAsync(cli.Env, "Exporting the vault…", () => PrivateFile.WriteAsync(file, result.GetValue(force), s => operations.WriteExportAsync(s, ct)));
            cli.Say($"Exported the vault to {file} ({Display.Size(new FileInfo(file).Length)}).");
            cli.Note($"Warning: {file} holds your data unencrypted. Keep it somewhere safe and delete it when you are done; `symbolon backup` makes an encrypted copy.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Backup(CliCommands cli)
    {
        var output = new Option<string>("--output", "-o") { Description = "The backup file to write (readable by you only).", HelpName = "FILE", Required = true };
        var force = ForceOption();
        var command = new Command("backup", "Write an encrypted backup of the whole vault; `symbolon restore` reads it back with the passphrase or the recovery key.") { output, force };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            await operations.EnsureAccessAsync(ct);
            var file = result.GetValue(output)!;
            await Display.WithStatusAsync(cli.Env, "Writing the encrypted backup…", () => PrivateFile.WriteAsync(file, result.GetValue(force), s => operations.WriteBackupAsync(s, ct)));

            // Reading the header back checks that what landed on disk is a backup of this vault.
            BackupHeader header;
            await using (var written = File.OpenRead(file))
            {
                header = BackupService.ReadHeader(written);
            }

            cli.Say($"Wrote an encrypted backup of vault {header.Vault.Id} to {file} ({Display.Size(new FileInfo(file).Length)}).");
            cli.Note($"Restore it into an empty data directory with: symbolon restore {file} --data-dir DIR");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Restore(CliCommands cli)
    {
        var file = new Argument<string>("FILE") { Description = "A backup written by `symbolon backup`." };
        var useRecoveryKey = new Option<bool>("--recovery-key") { Description = "Open the backup with the recovery key instead of the passphrase." };
        var recoveryKeyFile = VaultCommands.RecoveryKeyFileOption();
        var command = new Command(
            "restore",
            "Restore a backup into an empty data directory (this works on the storage directly: no server may be running for it). " +
            "Asks for the passphrase, or the recovery key with --recovery-key.")
        {
            file, useRecoveryKey, recoveryKeyFile,
        };
        cli.SetAction(command, async (context, result, ct) =>
        {
            if (await context.FindServerAsync(ct) is { } server)
            {
                throw new CliException(
                    $"Restore works on the storage directly, but a server is in the way ({server.Source}: {server.Url}).",
                    "Stop the server (and leave out --server and SYMBOLON_SERVER), then restore into an empty data directory.");
            }

            var path = result.GetValue(file)!;
            await using var local = new LocalOwnerOperations(context);
            if (await local.HasVaultAsync(ct))
            {
                throw new CliException(
                    $"A vault already exists in {local.Location}.",
                    "Restore only writes into an empty data directory: choose another one with --data-dir.");
            }

            await using var backup = File.OpenRead(path);
            var header = BackupService.ReadHeader(backup);
            backup.Position = 0;
            cli.Note($"The backup holds vault {header.Vault.Id}, written {Display.Time(header.CreatedAt, context.Time)}.");

            var isRecoveryKey = result.GetValue(useRecoveryKey);
            var secret = isRecoveryKey
                ? context.Secrets.Read(VaultCommands.RecoveryKeySource(result.GetValue(recoveryKeyFile)), "Recovery key")
                : context.Secrets.Read(context.Passphrase, "Passphrase");
            var (vaultId, records, versions) = await Display.WithStatusAsync(cli.Env, "Restoring the backup…", () => local.RestoreAsync(backup, secret, isRecoveryKey, ct));

            cli.Say($"Restored vault {vaultId}: {records} records with {versions} versions, into {local.Location}.");
            if (isRecoveryKey)
            {
                cli.Note("The vault's passphrase is the one it had when the backup was written. If you do not know it any more, set a new one with `symbolon recover`.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Purge(CliCommands cli)
    {
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (needed when there is no terminal)." };
        var command = new Command("purge", "Remove deleted fields and their histories for good.") { yes };
        cli.SetAction(command, async (context, result, ct) =>
        {
            if (!result.GetValue(yes))
            {
                if (!cli.Env.IsInteractive)
                {
                    throw CliException.Usage("Purging removes deleted records and their histories for good.", "Pass --yes to confirm.");
                }

                if (!cli.Env.ErrorConsole.Prompt(new ConfirmationPrompt("Remove deleted fields and their histories for good?") { DefaultValue = false }))
                {
                    cli.Say("Nothing was purged.");
                    return ExitCodes.Success;
                }
            }

            var operations = await context.ConnectAsync(ct);
            var purged = await operations.PurgeAsync(ct);
            cli.Say(purged == 1 ? "Purged 1 deleted record." : $"Purged {purged} deleted records.");
            return ExitCodes.Success;
        });
        return command;
    }
}
