using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Symbolon.Cli.Infrastructure;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vault;
using Symbolon.Core;
using Symbolon.Core.AccessTokens;
using Symbolon.Core.Backup;
using Symbolon.Core.Export;
using Symbolon.Core.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Requests;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Server.Relationships;
using Symbolon.Server.Storage;

namespace Symbolon.Cli.Operations;

/// <summary>
/// Owner operations straight on the storage, with the Core services: for when no server runs for the data
/// directory. The vault's keys come from the CLI session (SYMBOLON_SESSION) or from the passphrase, and are zeroed
/// when the command ends.
/// </summary>
internal sealed partial class LocalOwnerOperations(CliContext context) : IOwnerOperations
{
    private SymbolonDbContext? _db;
    private VaultKeys? _keys;
    private VaultSession? _session;
    private ServiceProvider? _core;

    public string Mode => "local";

    public string Location => DescribeStorage(context.Storage);

    private TimeProvider Time => context.Time;

    public static string DescribeStorage(StorageOptions storage) =>
        storage.IsPostgres ? "PostgreSQL (Storage__ConnectionString)" : $"SQLite {storage.SqlitePath}";

    public async Task<CliStatus> GetStatusAsync(CancellationToken ct)
    {
        var vault = await (await VaultsAsync(ct)).FindAsync(ct);
        if (vault is null)
        {
            return new CliStatus(Mode, context.DataDirectory, Location, "no vault yet", new VaultStatus(false, false, null, null, null, null, null));
        }

        var (unlocked, access) = DescribeSession(vault);
        return new CliStatus(Mode, context.DataDirectory, Location, access, new VaultStatus(
            true,
            unlocked,
            vault.Id,
            vault.CreatedAt,
            new KdfDescription(vault.KdfAlgorithm, vault.KdfMemoryKiB, vault.KdfIterations, vault.KdfParallelism),
            VaultExporter.Base64Url(vault.SigningPublicKey),
            VaultExporter.Base64Url(vault.AgreementPublicKey)));
    }

    public async Task<CreatedVaultResult> CreateVaultAsync(string passphrase, CancellationToken ct)
    {
        var created = await (await VaultsAsync(ct)).CreateAsync(passphrase, ct);
        created.Keys.Dispose();
        return new CreatedVaultResult(created.VaultId, created.RecoveryKey, SignedIn: false);
    }

    public async Task<UnlockResult> UnlockAsync(string passphrase, CancellationToken ct)
    {
        using var keys = await (await VaultsAsync(ct)).UnlockAsync(passphrase, ct);
        var (secret, expiresAt) = CliSession.Start(context.DataDirectory, keys, Time.GetUtcNow());
        return new UnlockResult(keys.VaultId, expiresAt, secret, null);
    }

    public Task LockAsync(CancellationToken ct) => Task.CompletedTask;

    public async Task ChangePassphraseAsync(string currentPassphrase, string newPassphrase, CancellationToken ct) =>
        await (await VaultsAsync(ct)).ChangePassphraseAsync(currentPassphrase, newPassphrase, ct);

    public async Task RecoverAsync(string recoveryKey, string newPassphrase, CancellationToken ct)
    {
        using var keys = await (await VaultsAsync(ct)).RecoverAsync(recoveryKey, newPassphrase, ct);
    }

    public async Task EnsureAccessAsync(CancellationToken ct) => await KeysAsync(ct);

    public async Task<ProfileDocument> GetProfileAsync(CancellationToken ct) =>
        await (await ProfileAsync(ct)).GetAsync(await KeysAsync(ct), ct);

    public async Task<ProfileField> GetFieldAsync(Guid id, CancellationToken ct) =>
        await (await ProfileAsync(ct)).GetFieldAsync(await KeysAsync(ct), id, ct);

    public async Task<ProfileField> AddFieldAsync(ProfileFieldInput input, CancellationToken ct) =>
        await (await ProfileAsync(ct)).AddAsync(await KeysAsync(ct), input, Actor.Owner, ct);

    public async Task<ProfileField> UpdateFieldAsync(Guid id, ProfileFieldUpdate update, CancellationToken ct) =>
        await (await ProfileAsync(ct)).UpdateAsync(await KeysAsync(ct), id, update, Actor.Owner, ct);

    public async Task RemoveFieldAsync(Guid id, CancellationToken ct) =>
        await (await ProfileAsync(ct)).DeleteAsync(await KeysAsync(ct), id, Actor.Owner, ct: ct);

    public async Task<ProfileFieldHistory> GetFieldHistoryAsync(Guid id, CancellationToken ct) =>
        await (await ProfileAsync(ct)).HistoryAsync(await KeysAsync(ct), id, ct);

    public async Task<IReadOnlyList<ProfileFieldHistory>> GetHistoryAsync(CancellationToken ct) =>
        await (await ProfileAsync(ct)).HistoryAllAsync(await KeysAsync(ct), ct);

    public async Task<string> GetVCardAsync(bool jcard, CancellationToken ct)
    {
        var profile = await GetProfileAsync(ct);
        return jcard ? VCardWriter.ToJCard(profile) : VCardWriter.ToVCard(profile);
    }

    public async Task WriteExportAsync(Stream output, CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        await new VaultExporter(await DbAsync(ct)).WriteAsync(keys, output, ct);
    }

    public async Task WriteBackupAsync(Stream output, CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        await new BackupService(await DbAsync(ct), Time, NullLogger<BackupService>.Instance).WriteAsync(keys, output, ct);
    }

    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        return await new RecordStore(await DbAsync(ct), Time).PurgeDeletedAsync(keys.VaultId, ct);
    }

    public async Task<OwnerToken> CreateTokenAsync(string name, int? expiresInDays, CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        var lifetime = expiresInDays is { } days ? TimeSpan.FromDays(days) : (TimeSpan?)null;
        return ToContract(await new AccessTokenService(await DbAsync(ct), Time).CreateAsync(keys.VaultId, name, lifetime, ct));
    }

    public async Task<IReadOnlyList<OwnerToken>> ListTokensAsync(CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        return [.. (await new AccessTokenService(await DbAsync(ct), Time).ListAsync(keys.VaultId, ct)).Select(ToContract)];
    }

    public async Task RevokeTokenAsync(Guid id, CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        if (!await new AccessTokenService(await DbAsync(ct), Time).RevokeAsync(keys.VaultId, id, ct))
        {
            throw new CliException("There is no live access token with that id.", "See the ids with `symbolon token list`.");
        }
    }

    public async Task<IReadOnlyList<RelationshipSummary>> ListRelationshipsAsync(CancellationToken ct)
    {
        var vaultId = (await KeysAsync(ct)).VaultId;
        return await WithRelationshipsAsync((views, _) => views.ListAsync(vaultId, ct), ct);
    }

    public async Task<RelationshipDetail> GetRelationshipAsync(Guid id, CancellationToken ct)
    {
        var vaultId = (await KeysAsync(ct)).VaultId;
        return await WithRelationshipsAsync((views, _) => views.GetAsync(vaultId, id, ct), ct);
    }

    public async Task<RelationshipGrant> RevokeGrantAsync(Guid grantId, CancellationToken ct)
    {
        var vaultId = (await KeysAsync(ct)).VaultId;
        return await WithRelationshipsAsync(async (views, revocation) =>
        {
            await revocation.RevokeGrantAsync(vaultId, grantId, ct);
            return await views.GetGrantAsync(vaultId, grantId, ct);
        }, ct);
    }

    public async Task<RelationshipDetail> EndRelationshipAsync(Guid id, CancellationToken ct)
    {
        var vaultId = (await KeysAsync(ct)).VaultId;
        return await WithRelationshipsAsync(async (views, revocation) =>
        {
            await revocation.EndRelationshipAsync(vaultId, id, ct);
            return await views.GetAsync(vaultId, id, ct);
        }, ct);
    }

    public async Task<SignedConsentReceipt> GetReceiptAsync(Guid grantId, CancellationToken ct)
    {
        var vaultId = (await KeysAsync(ct)).VaultId;
        return await WithRelationshipsAsync((views, _) => views.ReceiptAsync(vaultId, grantId, ct), ct);
    }

    public async Task<AccessLogPage> GetAccessLogAsync(Guid? relationshipId, int limit, int offset, CancellationToken ct)
    {
        var vaultId = (await KeysAsync(ct)).VaultId;
        return await WithRelationshipsAsync((views, _) => views.AccessLogAsync(vaultId, relationshipId, limit, offset, ct), ct);
    }

    /// <summary>Restores a backup into this (empty) storage and counts what arrived.</summary>
    public async Task<(Guid VaultId, int Records, int Versions)> RestoreAsync(Stream backup, string secret, bool isRecoveryKey, CancellationToken ct)
    {
        var db = await DbAsync(ct);
        var vaultId = await new BackupService(db, Time, NullLogger<BackupService>.Instance).RestoreAsync(backup, secret, isRecoveryKey, ct);
        var records = await db.Records.CountAsync(r => r.VaultId == vaultId, ct);
        var versions = await db.RecordVersions.CountAsync(v => v.VaultId == vaultId, ct);
        return (vaultId, records, versions);
    }

    public async Task<bool> HasVaultAsync(CancellationToken ct) => await (await DbAsync(ct)).Vaults.AnyAsync(ct);

    public async ValueTask DisposeAsync()
    {
        // The session owns the keys: disposing it drops the decrypted data and zeroes them.
        if (_session is not null)
        {
            await _session.CloseAsync();
        }

        _keys?.Dispose();
        if (_core is not null)
        {
            await _core.DisposeAsync();
        }

        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }

    private (bool Unlocked, string Access) DescribeSession(VaultEntity vault)
    {
        var file = CliSession.Read(context.DataDirectory);
        if (context.Env.Get(EnvironmentVariables.Session) is not { } secret)
        {
            return (false, file is null || file.ExpiresAt <= Time.GetUtcNow()
                ? "no CLI session: commands ask for the passphrase (start one with `symbolon unlock`)"
                : $"a CLI session exists until {Display.Time(file.ExpiresAt, Time)}, but {EnvironmentVariables.Session} is not set in this shell");
        }

        using var keys = CliSession.TryOpen(context.DataDirectory, vault, secret, Time.GetUtcNow(), out var reason);
        return keys is null
            ? (false, $"{EnvironmentVariables.Session} is set, but {reason}")
            : (true, $"CLI session until {Display.Time(file!.ExpiresAt, Time)}");
    }

    private async Task<SymbolonDbContext> DbAsync(CancellationToken ct)
    {
        if (_db is null)
        {
            var db = StorageSetup.CreateContext(context.Storage);
            try
            {
                // Migrates only when a migration is pending (see StorageSetup.MigrateAsync).
                await StorageSetup.MigrateAsync(db, ct);
            }
            catch
            {
                await db.DisposeAsync();
                throw;
            }

            _db = db;
        }

        return _db;
    }

    public async Task<IReadOnlyList<RequestSummary>> ListRequestsAsync(Guid? relationshipId, CancellationToken ct)
    {
        var requests = await RequestsAsync(ct);
        var now = Time.GetUtcNow();
        return [.. (await requests.ListAsync(await KeysAsync(ct), relationshipId, ct)).Select(v => requests.ToSummary(v, now)).OrderByDescending(s => s.SentAt)];
    }

    public async Task<RequestDetail> GetRequestAsync(Guid id, CancellationToken ct)
    {
        var requests = await RequestsAsync(ct);
        return requests.ToDetail(await requests.GetAsync(await KeysAsync(ct), id, ct), Time.GetUtcNow());
    }

    public async Task<RequestDetail> CreateRequestAsync(RequestInput input, CancellationToken ct)
    {
        var requests = await RequestsAsync(ct);
        return requests.ToDetail(await requests.CreateAsync(await KeysAsync(ct), input, ct), Time.GetUtcNow());
    }

    /// <summary>
    /// Requests over the same storage; a request made here adds its webhook message to the outbox, which a server
    /// started later (or running on the same database) delivers.
    /// </summary>
    private async Task<RequestService> RequestsAsync(CancellationToken ct)
    {
        var db = await DbAsync(ct);
        return new RequestService(db, new RecordStore(db, Time), await ProfileAsync(ct), Time, new RequestOptions());
    }

    /// <summary>
    /// Runs <paramref name="work"/> with the server's relationship views and revocation over this CLI's storage, so a
    /// local revocation also revokes the vendor's OpenIddict authorization and tokens, exactly as the server does.
    /// </summary>
    private async Task<T> WithRelationshipsAsync<T>(Func<RelationshipViews, GrantRevocation, Task<T>> work, CancellationToken ct)
    {
        await using var services = RelationshipServices.CreateStandalone(await DbAsync(ct), Time);
        await using var scope = services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<RelationshipViews>(), scope.ServiceProvider.GetRequiredService<GrantRevocation>());
    }

    /// <summary>
    /// The vault's session for this command: the same runtime object the server keeps while a vault is unlocked (its
    /// projection, its query database), living as long as the command.
    /// </summary>
    private async Task<VaultSession> SessionAsync(CancellationToken ct) =>
        _session ??= new VaultSession(await KeysAsync(ct), Time.GetUtcNow());

    /// <summary>A Core service, from the same registrations the server uses (<see cref="CoreServices.AddSymbolonCore"/>) over this command's storage.</summary>
    private async Task<T> CoreAsync<T>(CancellationToken ct)
        where T : notnull
    {
        if (_core is null)
        {
            var services = new ServiceCollection();
            services.AddSingleton(Time);
            services.AddSingleton(await DbAsync(ct));
            services.AddSymbolonCore();
            _core = services.BuildServiceProvider();
        }

        // Note: one scope for the command; its context is the command's own.
        return _core.GetRequiredService<T>();
    }

    private async Task<VaultService> VaultsAsync(CancellationToken ct) =>
        new(await DbAsync(ct), Time, NullLogger<VaultService>.Instance);

    private async Task<ProfileService> ProfileAsync(CancellationToken ct) =>
        new(new RecordStore(await DbAsync(ct), Time), Time);

    /// <summary>The vault's keys: from the CLI session when SYMBOLON_SESSION opens it, else from the passphrase.</summary>
    private async Task<VaultKeys> KeysAsync(CancellationToken ct)
    {
        if (_keys is not null)
        {
            return _keys;
        }

        var vaults = await VaultsAsync(ct);
        var vault = await vaults.GetAsync(ct);
        if (context.Env.Get(EnvironmentVariables.Session) is { } secret)
        {
            _keys = CliSession.TryOpen(context.DataDirectory, vault, secret, Time.GetUtcNow(), out var reason);
            if (_keys is not null)
            {
                return _keys;
            }

            if (!context.Secrets.IsAvailable(context.Passphrase))
            {
                throw new CliException(
                    $"The CLI session cannot be used: {reason}.",
                    $"Run `symbolon unlock` to start a new one, or unset {EnvironmentVariables.Session}.");
            }

            context.Env.Error.WriteLine($"Note: the CLI session cannot be used ({reason}); using the passphrase instead.");
        }

        var passphrase = context.Secrets.Read(context.Passphrase, "Passphrase");
        _keys = await vaults.UnlockAsync(passphrase, ct);
        return _keys;
    }

    private static OwnerToken ToContract(IssuedAccessToken t) => new(t.Id, t.Name, t.Secret, t.CreatedAt, t.ExpiresAt, t.LastUsedAt);
}
