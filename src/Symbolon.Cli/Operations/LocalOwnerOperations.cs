using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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
using Symbolon.Core.Relationships;
using Symbolon.Core.Requests;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Server.Storage;

namespace Symbolon.Cli.Operations;

/// <summary>
/// Owner operations straight on the storage, with the Core services: for when no server runs for the data
/// directory. Every service comes from one container registered as the server registers Core
/// (<see cref="CoreServices.AddSymbolonCore"/> over <see cref="StorageSetup.AddSymbolonStorage"/>), with one scope for
/// the command. The vault's session comes from the container's <see cref="IVaultSessions"/>, opened with the CLI
/// session (SYMBOLON_SESSION) or the passphrase, and is locked, its keys zeroed, when the command ends.
/// </summary>
internal sealed partial class LocalOwnerOperations(CliContext context) : IOwnerOperations
{
    private ServiceProvider? _services;
    private AsyncServiceScope _scope;
    private VaultSession? _session;

    public string Mode => "local";

    public string Location => DescribeStorage(context.Storage);

    private TimeProvider Time => context.Time;

    public static string DescribeStorage(StorageOptions storage) =>
        storage.IsPostgres ? "PostgreSQL (Storage__ConnectionString)" : $"SQLite {storage.SqlitePath}";

    public async Task<CliStatus> GetStatusAsync(CancellationToken ct)
    {
        var vault = await (await GetAsync<VaultService>(ct)).FindAsync(ct);
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
        var created = await (await GetAsync<VaultService>(ct)).CreateAsync(passphrase, ct);
        created.Keys.Dispose();
        return new CreatedVaultResult(created.VaultId, created.RecoveryKey, SignedIn: false);
    }

    public async Task<UnlockResult> UnlockAsync(string passphrase, CancellationToken ct)
    {
        using var keys = await (await GetAsync<VaultService>(ct)).UnlockAsync(passphrase, ct);
        var (secret, expiresAt) = CliSession.Start(context.DataDirectory, keys, Time.GetUtcNow());
        return new UnlockResult(keys.VaultId, expiresAt, secret, null);
    }

    public Task LockAsync(CancellationToken ct) => Task.CompletedTask;

    public async Task ChangePassphraseAsync(string currentPassphrase, string newPassphrase, bool revokeAccessTokens, CancellationToken ct)
    {
        await (await GetAsync<VaultService>(ct)).ChangePassphraseAsync(currentPassphrase, newPassphrase, ct);
        if (revokeAccessTokens)
        {
            var keys = await KeysAsync(ct);
            await (await GetAsync<AccessTokenService>(ct)).RevokeAllAsync(keys.VaultId, ct);
        }
    }

    public async Task RecoverAsync(string recoveryKey, string newPassphrase, CancellationToken ct)
    {
        using var keys = await (await GetAsync<VaultService>(ct)).RecoverAsync(recoveryKey, newPassphrase, ct);
    }

    public async Task EnsureAccessAsync(CancellationToken ct) => await SessionAsync(ct);

    public async Task<ProfileDocument> GetProfileAsync(CancellationToken ct) =>
        await (await GetAsync<ProfileService>(ct)).GetAsync(await KeysAsync(ct), ct);

    public async Task<ProfileField> GetFieldAsync(Guid id, CancellationToken ct) =>
        await (await GetAsync<ProfileService>(ct)).GetFieldAsync(await KeysAsync(ct), id, ct);

    public async Task<ProfileField> AddFieldAsync(ProfileFieldInput input, CancellationToken ct) =>
        await (await GetAsync<ProfileService>(ct)).AddAsync(await KeysAsync(ct), input, Actor.Owner, ct);

    public async Task<ProfileField> UpdateFieldAsync(Guid id, ProfileFieldUpdate update, CancellationToken ct) =>
        await (await GetAsync<ProfileService>(ct)).UpdateAsync(await KeysAsync(ct), id, update, Actor.Owner, ct);

    public async Task RemoveFieldAsync(Guid id, CancellationToken ct) =>
        await (await GetAsync<ProfileService>(ct)).DeleteAsync(await KeysAsync(ct), id, Actor.Owner, ct: ct);

    public async Task<ProfileFieldHistory> GetFieldHistoryAsync(Guid id, CancellationToken ct) =>
        await (await GetAsync<ProfileService>(ct)).HistoryAsync(await KeysAsync(ct), id, ct);

    public async Task<IReadOnlyList<ProfileFieldHistory>> GetHistoryAsync(CancellationToken ct) =>
        await (await GetAsync<ProfileService>(ct)).HistoryAllAsync(await KeysAsync(ct), ct);

    public async Task<string> GetVCardAsync(bool jcard, CancellationToken ct)
    {
        var profile = await GetProfileAsync(ct);
        return jcard ? VCardWriter.ToJCard(profile) : VCardWriter.ToVCard(profile);
    }

    public async Task WriteExportAsync(Stream output, CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        await (await GetAsync<VaultExporter>(ct)).WriteAsync(keys, output, ct);
    }

    public async Task WriteBackupAsync(Stream output, CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        await (await GetAsync<BackupService>(ct)).WriteAsync(keys, output, ct);
    }

    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        return await (await GetAsync<RecordStore>(ct)).PurgeDeletedAsync(keys.VaultId, ct);
    }

    public async Task<OwnerToken> CreateTokenAsync(string name, int? expiresInDays, CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        var lifetime = expiresInDays is { } days ? TimeSpan.FromDays(days) : (TimeSpan?)null;
        return ToContract(await (await GetAsync<AccessTokenService>(ct)).CreateAsync(keys.VaultId, name, lifetime, ct));
    }

    public async Task<IReadOnlyList<OwnerToken>> ListTokensAsync(CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        return [.. (await (await GetAsync<AccessTokenService>(ct)).ListAsync(keys.VaultId, ct)).Select(ToContract)];
    }

    public async Task<AutoLockSetting> GetAutoLockAsync(CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        return await (await GetAsync<AutoLock>(ct)).GetAsync(keys.VaultId, ct);
    }

    public async Task<AutoLockSetting> SetAutoLockAsync(int? minutes, CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        return await (await GetAsync<AutoLock>(ct)).SetAsync(keys.VaultId, minutes, ct);
    }

    public async Task<VaultModeSetting> GetModeAsync(CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        return await (await GetAsync<VaultModeService>(ct)).GetAsync(keys.VaultId, ct);
    }

    public async Task<VaultModeSetting> SetModeAsync(string mode, CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        return await (await GetAsync<VaultModeService>(ct)).SetAsync(keys, mode, ct);
    }

    // The report needs no key (only the envelopes are read); applying the inbox is the server's, on unlock.
    public async Task<Contracts.Inbox.AwayReport> GetAwayReportAsync(CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        return await (await GetAsync<Core.Inbox.SealedInbox>(ct)).ReportAsync(keys.VaultId, ct);
    }

    public async Task MarkAwayReportSeenAsync(CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        await (await GetAsync<Core.Inbox.SealedInbox>(ct)).MarkSeenAsync(keys.VaultId, ct);
    }

    // Browser sign-ins live in the server process that issued their cookies; local mode opens the storage itself.
    public Task<IReadOnlyList<OwnerSignInSession>> ListSignInsAsync(CancellationToken ct) => throw NoSignInsHere();

    public Task EndSignInAsync(Guid id, CancellationToken ct) => throw NoSignInsHere();

    public Task<int> EndOtherSignInsAsync(CancellationToken ct) => throw NoSignInsHere();

    private static CliException NoSignInsHere() => new(
        "Browser sign-ins are held by the running server.",
        "This command opened the vault's storage itself, so there is no browser session to see.",
        hint: "Run it against the server: `symbolon --server URL session list` (or set SYMBOLON_SERVER).");

    public async Task RevokeTokenAsync(Guid id, CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        if (!await (await GetAsync<AccessTokenService>(ct)).RevokeAsync(keys.VaultId, id, ct))
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
        var vaultId = await (await GetAsync<BackupService>(ct)).RestoreAsync(backup, secret, isRecoveryKey, ct);
        var db = await GetAsync<SymbolonDbContext>(ct);
        var records = await db.Records.CountAsync(r => r.VaultId == vaultId, ct);
        var versions = await db.RecordVersions.CountAsync(v => v.VaultId == vaultId, ct);
        return (vaultId, records, versions);
    }

    /// <summary>Creates the vault from a plain export in this (empty) storage and counts its records.</summary>
    public async Task<(CreatedVaultResult Created, int Records)> ImportExportAsync(Stream export, string passphrase, CancellationToken ct)
    {
        var created = await (await GetAsync<ExportImporter>(ct)).ImportAsync(export, passphrase, ct);
        created.Keys.Dispose();
        var records = await (await GetAsync<SymbolonDbContext>(ct)).Records.CountAsync(r => r.VaultId == created.VaultId, ct);
        return (new CreatedVaultResult(created.VaultId, created.RecoveryKey, SignedIn: false), records);
    }

    public async Task<bool> HasVaultAsync(CancellationToken ct) => await (await GetAsync<SymbolonDbContext>(ct)).Vaults.AnyAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _scope.DisposeAsync();

            // The vault sessions go with the container: the command's session is locked, its decrypted data dropped
            // and its keys zeroed.
            await _services.DisposeAsync();
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

    /// <summary>
    /// The command's services: Core registered as the server registers it, over the storage this command names, and
    /// one scope for the whole command, so that everything it does shares one database context. The schema is
    /// brought up to date first.
    /// </summary>
    private async Task<IServiceProvider> ServicesAsync(CancellationToken ct)
    {
        if (_services is null)
        {
            var services = new ServiceCollection();
            services.AddSingleton(Time);
            services.AddSingleton(context.Storage);
            services.AddSingleton(new VaultSessionOptions { StartModulesOnUnlock = false });
            services.AddSymbolonStorage();
            services.AddSymbolonCore();
            var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
            var scope = provider.CreateAsyncScope();
            try
            {
                // Migrates only when a migration is pending (see StorageSetup.MigrateAsync).
                await StorageSetup.MigrateAsync(scope.ServiceProvider.GetRequiredService<SymbolonDbContext>(), ct);
            }
            catch
            {
                await scope.DisposeAsync();
                await provider.DisposeAsync();
                throw;
            }

            (_services, _scope) = (provider, scope);
        }

        return _scope.ServiceProvider;
    }

    private async Task<T> GetAsync<T>(CancellationToken ct)
        where T : notnull => (await ServicesAsync(ct)).GetRequiredService<T>();

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
    private Task<RequestService> RequestsAsync(CancellationToken ct) => GetAsync<RequestService>(ct);

    /// <summary>
    /// Runs <paramref name="work"/> with the relationship views and revocation the server uses, so a local revocation
    /// also revokes the vendor's OpenIddict authorization and tokens, exactly as the server does.
    /// </summary>
    private async Task<T> WithRelationshipsAsync<T>(Func<RelationshipViews, GrantRevocation, Task<T>> work, CancellationToken ct) =>
        await work(await GetAsync<RelationshipViews>(ct), await GetAsync<GrantRevocation>(ct));

    /// <summary>
    /// The vault's session for this command, kept by the same <see cref="IVaultSessions"/> the server keeps its
    /// sessions in (its projection, its query database): opened with the keys of the CLI session when
    /// SYMBOLON_SESSION opens it, else unlocked with the passphrase. It lives as long as the command.
    /// </summary>
    private async Task<VaultSession> SessionAsync(CancellationToken ct)
    {
        if (_session is not null)
        {
            return _session;
        }

        var services = await ServicesAsync(ct);
        var vault = await services.GetRequiredService<VaultService>().GetAsync(ct);
        if (context.Env.Get(EnvironmentVariables.Session) is { } secret)
        {
            var keys = CliSession.TryOpen(context.DataDirectory, vault, secret, Time.GetUtcNow(), out var reason);
            if (keys is not null)
            {
                return _session = services.GetRequiredService<VaultSessions>().Open(keys);
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
        var unlocked = await services.GetRequiredService<IVaultSessions>().UnlockAsync(new VaultCredential.Passphrase(passphrase), ct);
        return _session = unlocked.Session;
    }

    /// <summary>The vault's keys, from the command's session.</summary>
    private async Task<VaultKeys> KeysAsync(CancellationToken ct) => (await SessionAsync(ct)).Keys;

    private static OwnerToken ToContract(IssuedAccessToken t) => new(t.Id, t.Name, t.Secret, t.CreatedAt, t.ExpiresAt, t.LastUsedAt);
}
