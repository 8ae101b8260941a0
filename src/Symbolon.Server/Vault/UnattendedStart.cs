using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Server.Storage;

namespace Symbolon.Server.Vault;

/// <summary>
/// Unattended mode: once the storage is ready, a vault whose data key is also wrapped by the host key is unlocked with
/// it, so that vendors are served while nobody has signed in. Without a usable host key the vault stays locked, as in
/// strict mode, and the log says why.
/// </summary>
internal sealed partial class UnattendedStart(IServiceScopeFactory scopes, StorageInitializer storage, IVaultSessions sessions, HostKeySource hostKeys, ILogger<UnattendedStart> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await storage.Ready.WaitAsync(stoppingToken);
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
                if (!await db.Vaults.AnyAsync(v => v.HostWrappedKey != null, stoppingToken))
                {
                    return;
                }
            }

            (byte[] Key, string Source)? found;
            try
            {
                found = hostKeys.Find(create: false);
            }
            catch (HostKeyUnusableException e)
            {
                LogNoHostKey(e.Detail);
                return;
            }

            if (found is not { } host)
            {
                LogNoHostKey($"no host key was found (the systemd credential {HostKeySource.CredentialName}, {HostKeySource.EnvironmentVariable}, or {hostKeys.FilePath})");
                return;
            }

            try
            {
                var unlocked = await sessions.UnlockAsync(new VaultCredential.HostKey(host.Key), stoppingToken);
                LogUnlocked(unlocked.Session.VaultId, host.Source);
            }
            catch (WrongHostKeyException e)
            {
                LogNoHostKey(e.Message);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(host.Key);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        catch (Exception) when (storage.Ready.IsFaulted)
        {
            // The storage failed to start; that is reported where it happened.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vault {VaultId} unlocked itself (unattended mode, host key from {Source}); vendor calls made while nobody is signed in are counted for its person.")]
    private partial void LogUnlocked(Guid vaultId, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The vault is in unattended mode but stays locked: {Reason}. Unlock it with the passphrase; vendor writes wait in the sealed inbox meanwhile.")]
    private partial void LogNoHostKey(string reason);
}
