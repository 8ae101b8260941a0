using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NSec.Cryptography;
using Symbolon.Contracts.Profile;
using Symbolon.Core.AccessTokens;
using Symbolon.Core.Backup;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;
using Symbolon.Core.Tests.Infrastructure;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Tests.Storage;

/// <summary>
/// The same storage behaviour on both providers: SQLite (a file in a temp directory) and PostgreSQL (a database of
/// its own on the server named by SYMBOLON_TEST_POSTGRES). Without that variable the PostgreSQL cases fail.
/// </summary>
public class StorageProviderTests
{
    public static TheoryData<StorageKind> Providers => [StorageKind.Sqlite, StorageKind.Postgres];

    public static TheoryData<StorageKind, StorageKind> ProviderPairs => new()
    {
        { StorageKind.Sqlite, StorageKind.Postgres },
        { StorageKind.Postgres, StorageKind.Sqlite },
    };

    [Fact]
    public void A_context_whose_options_name_no_storage_provider_is_refused()
    {
        // Provider differences travel in the options; a context configured past SqliteStorage/PostgresStorage would
        // silently take the wrong locking and timestamp storage, so it is refused at once.
        var options = new DbContextOptionsBuilder<SymbolonDbContext>().UseSqlite("Data Source=:memory:").Options;

        var refused = Assert.Throws<InvalidOperationException>(() => new SymbolonDbContext(options));
        Assert.Contains("SqliteStorage.Configure", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Each_context_carries_its_providers_differences(StorageKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        await using var db = store.NewContext();

        Assert.Equal(kind == StorageKind.Sqlite, db.StorageProvider.HasSingleWriter);
        Assert.Equal(kind == StorageKind.Postgres, db.StorageProvider.ComparesDateTimeOffsets);
        Assert.Equal(kind == StorageKind.Sqlite, db.StorageProvider.RestoreDurabilitySql is not null);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_vaults_serialized_writers_wait_for_each_other_until_commit(StorageKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        var vaultId = Guid.CreateVersion7();
        await using var first = store.NewContext();
        await using var second = store.NewContext();
        await using var held = await first.Database.BeginTransactionAsync();
        await new RecordStore(first, store.Time).SerializeVaultWritesAsync(vaultId);

        // Note: SQLite waits out the first writer inside BEGIN IMMEDIATE, synchronously, hence the thread of its own.
        var waiting = Task.Run(async () =>
        {
            await using var transaction = await second.Database.BeginTransactionAsync();
            await new RecordStore(second, store.Time).SerializeVaultWritesAsync(vaultId);
            await transaction.CommitAsync();
        });

        // Finishing here would mean the lock let the second writer through; waiting longer only costs time.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(waiting.IsCompleted, "the second writer got through while the first held the vault's lock");
        await held.CommitAsync();
        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Migrations_apply_and_match_the_model(StorageKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind, runMigrations: true);
        await using var db = store.NewContext();

        var all = db.Database.GetMigrations().ToList();
        var applied = await db.Database.GetAppliedMigrationsAsync();

        Assert.NotEmpty(all);
        Assert.Equal(all, applied);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes that no migration of this provider covers");
        Assert.Equal((0, 0, 0, 0), await store.CountRowsAsync());

        // Migrating again is a no-op.
        await db.Database.MigrateAsync();
        Assert.Equal(all, await db.Database.GetAppliedMigrationsAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_vault_is_created_unlocked_and_throttled_the_same_way(StorageKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        var created = await store.CreateVaultAsync();
        var dataKey = created.Keys.DataKey.ToArray();
        created.Keys.Dispose();
        store.Time.Advance(TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<WrongPassphraseException>(() => store.UnlockAsync("not the passphrase"));
        var afterFailure = await store.VaultRowAsync();
        using var keys = await store.UnlockAsync();
        var afterSuccess = await store.VaultRowAsync();

        Assert.Equal(dataKey, keys.DataKey.ToArray());
        Assert.Equal(created.VaultId, afterFailure.Id);
        Assert.Equal(TestStore.Start, afterFailure.CreatedAt);
        Assert.Equal((1, TestStore.Start.AddSeconds(10)), (afterFailure.FailedUnlockCount, afterFailure.LastFailedUnlockAt));
        Assert.Equal((0, (DateTimeOffset?)null), (afterSuccess.FailedUnlockCount, afterSuccess.LastFailedUnlockAt));
        Assert.Equal(("argon2id", 65536, 3, 1), (afterSuccess.KdfAlgorithm, afterSuccess.KdfMemoryKiB, afterSuccess.KdfIterations, afterSuccess.KdfParallelism));
        Assert.Equal(keys.SigningKey.PublicKey.Export(KeyBlobFormat.RawPublicKey), afterSuccess.SigningPublicKey);
        await Assert.ThrowsAsync<VaultAlreadyExistsException>(() => store.CreateVaultAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Record_versions_round_trip(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var field = await vault.AddAsync(new ProfileFieldInput(ProfileFieldKinds.Name, "home", Name: new PersonName("Zoë", "Ørsted-Łukasiewicz", Prefix: "Dr.")));
        vault.Store.Time.Advance(TimeSpan.FromMilliseconds(1500));
        await vault.UpdateAsync(field.Id, new ProfileFieldUpdate(Name: new PersonName("Zoë", "Ørsted")), Actor.Vendor("pharmacy"));
        vault.Store.Time.Advance(TimeSpan.FromDays(2));
        await vault.DeleteAsync(field.Id, Actor.Owner, expectedVersion: 2);

        var history = await vault.HistoryAsync(field.Id);

        Assert.True(history.Deleted);
        Assert.Equal(
            [
                (1, "create", "owner", TestStore.Start, "Ørsted-Łukasiewicz"),
                (2, "update", "vendor", TestStore.Start.AddMilliseconds(1500), "Ørsted"),
                (3, "delete", "owner", TestStore.Start.AddMilliseconds(1500).AddDays(2), (string?)null),
            ],
            history.Versions.Select(v => (v.Version, v.Operation, v.Actor.Kind, v.ChangedAt, v.Name?.Family)));
        Assert.Equal("pharmacy", history.Versions[1].Actor.Id);
        Assert.Equal("Dr.", history.Versions[0].Name!.Prefix);
        Assert.Empty((await vault.ProfileAsync()).Fields);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Type_prefixes_are_matched_exactly(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        using var session = vault.Store.Open();
        var wanted = await session.Records.CreateAsync(vault.Keys, "profile.birth_date", Json("1990-04-23"), Actor.Owner);
        await session.Records.CreateAsync(vault.Keys, "profile.birthXdate", Json("wildcard"), Actor.Owner);
        await session.Records.CreateAsync(vault.Keys, "PROFILE.BIRTH_DATE", Json("upper case"), Actor.Owner);
        await session.Records.CreateAsync(vault.Keys, "profile%birth_date", Json("percent"), Actor.Owner);

        var matches = await session.Records.ListAsync(vault.Keys, "profile.birth_date");
        var profile = await session.Records.ListAsync(vault.Keys, "profile.");

        Assert.Equal(["profile.birth_date"], matches.Select(r => r.Type));
        Assert.Equal([wanted.Id], matches.Select(r => r.Id));
        Assert.Equal(["profile.birthXdate", "profile.birth_date"], profile.Select(r => r.Type).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Backup_and_restore_round_trip(StorageKind kind)
    {
        await using var source = await TestVault.CreateAsync(kind);
        await SeedAsync(source);
        var export = await source.ExportAsync();
        var backup = await source.BackupAsync();
        await using var target = await TestStore.CreateAsync(kind);

        await target.RestoreAsync(backup);

        Assert.Equal(await source.Store.CountRowsAsync(), await target.CountRowsAsync());
        using var keys = await target.UnlockAsync();
        Assert.Equal(export, await target.ExportAsync(keys));
    }

    [Theory]
    [MemberData(nameof(ProviderPairs))]
    public async Task A_backup_moves_a_vault_between_providers(StorageKind from, StorageKind to)
    {
        await using var source = await TestVault.CreateAsync(from);
        await SeedAsync(source);
        var export = await source.ExportAsync();
        await using var target = await TestStore.CreateAsync(to);

        await target.RestoreAsync(await source.BackupAsync(), source.Created.RecoveryKey, isRecoveryKey: true);

        Assert.Equal(export, await target.ExportAsync(source.Keys));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_failed_restore_is_rolled_back(StorageKind kind)
    {
        await using var source = await TestVault.CreateAsync(kind);
        await SeedAsync(source);
        var backup = await source.BackupAsync();
        await using var target = await TestStore.CreateAsync(kind);

        // The vault row is written inside the restore's transaction before the damage at the end is found.
        await Assert.ThrowsAsync<InvalidBackupException>(() => target.RestoreAsync(backup[..^1], source.Created.RecoveryKey, isRecoveryKey: true));

        Assert.Equal((0, 0, 0, 0), await target.CountRowsAsync());
        await target.RestoreAsync(backup, source.Created.RecoveryKey, isRecoveryKey: true);
        Assert.Equal(await source.Store.CountRowsAsync(), await target.CountRowsAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Services_only_see_their_own_vaults_rows(StorageKind kind)
    {
        await using var a = await TestVault.CreateAsync(kind);
        var email = await a.AddTextAsync(ProfileFieldKinds.Email, "a1@example.org");
        await a.UpdateAsync(email.Id, new ProfileFieldUpdate(Text: "a2@example.org"));
        a.Store.Time.Advance(TimeSpan.FromMilliseconds(1));
        var phone = await a.AddTextAsync(ProfileFieldKinds.Phone, "+31 20 123 4567");
        a.Store.Time.Advance(TimeSpan.FromMilliseconds(1));
        var aDeleted = await a.AddTextAsync(ProfileFieldKinds.Preference, "vault A, deleted");
        await a.DeleteAsync(aDeleted.Id);
        using (var session = a.Store.Open())
        {
            await new AccessTokenService(session.Db, a.Store.Time).CreateAsync(a.Id, "vault A's script");
        }

        var aExport = await a.ExportAsync();
        var aRows = await a.Store.CountRowsAsync();

        // A second vault in the same database, inserted directly: one of its records even shares an id with A's email.
        using var b = NewKeys(Guid.CreateVersion7(TestStore.Start.AddDays(1)));
        var bName = Guid.CreateVersion7(TestStore.Start.AddDays(1));
        var bDeleted = Guid.CreateVersion7(TestStore.Start.AddDays(1));
        await using (var db = a.Store.NewContext())
        {
            db.Vaults.Add(NewVaultRow(b));
            AddRecord(db, b, email.Id, ProfileFieldKinds.Email, ["b1@example.org", "b2@example.org", "b3@example.org"]);
            AddRecord(db, b, bName, ProfileFieldKinds.Name, ["""{"name":{"given":"Bea"}}"""]);
            AddRecord(db, b, bDeleted, ProfileFieldKinds.Preference, ["vault B, deleted"], deleted: true);
            db.AccessTokens.Add(new AccessTokenEntity { VaultId = b.VaultId, Id = Guid.CreateVersion7(), Name = "vault B's script", SecretHash = RandomNumberGenerator.GetBytes(32), CreatedAt = TestStore.Start });
            await db.SaveChangesAsync();
        }

        using (var session = a.Store.Open())
        {
            Assert.Equal(a.Id, (await session.Vaults.GetAsync()).Id);

            var profile = await session.Profile.GetAsync(a.Keys);
            Assert.Equal(new[] { email.Id, phone.Id }, profile.Fields.Select(f => f.Id));
            var shared = await session.Profile.GetFieldAsync(a.Keys, email.Id);
            Assert.Equal(("a2@example.org", 2), (shared.Text, shared.Version));
            Assert.Equal(["a1@example.org", "a2@example.org"], (await session.Profile.HistoryAsync(a.Keys, email.Id)).Versions.Select(v => v.Text));

            Assert.Null(await session.Records.FindAsync(a.Keys, bName));
            await Assert.ThrowsAsync<RecordNotFoundException>(() => session.Records.HistoryAsync(a.Keys, bName));
            await Assert.ThrowsAsync<RecordNotFoundException>(() => session.Records.UpdateAsync(a.Keys, bName, Json("x"), Actor.Owner));
            await Assert.ThrowsAsync<RecordNotFoundException>(() => session.Records.DeleteAsync(a.Keys, bName, Actor.Owner));
            await Assert.ThrowsAsync<RecordNotFoundException>(() => session.Records.PurgeAsync(a.Id, bDeleted));
            Assert.Equal(2, (await session.Profile.HistoryAllAsync(a.Keys)).Count(h => !h.Deleted));
            Assert.Equal([email.Id, phone.Id, aDeleted.Id], (await session.Records.ListHeadsAsync(a.Id, "profile.")).Select(h => h.Id));
            Assert.Equal(["vault A's script"], (await new AccessTokenService(session.Db, a.Store.Time).ListAsync(a.Id)).Select(t => t.Name));

            // Vault B's keys see only B's rows.
            Assert.Equal(
                [(email.Id, 3, "b3@example.org"), (bName, 1, null)],
                (await session.Records.ListAsync(b, "profile.")).Select(r => (r.Id, r.Version, JsonDocument.Parse(r.Json).RootElement.TryGetProperty("text", out var t) ? t.GetString() : null)).OrderBy(r => r.Item2 == 1));
        }

        Assert.Equal(aExport, await a.ExportAsync());
        using (var session = a.Store.Open())
        {
            // Writing to A's record leaves B's record with the same id alone.
            var updated = await session.Profile.UpdateAsync(a.Keys, email.Id, new ProfileFieldUpdate(Text: "a3@example.org"), Actor.Owner);
            Assert.Equal(3, updated.Version);
            Assert.Equal(1, await session.Records.PurgeDeletedAsync(a.Id));
            Assert.Equal(3, await session.Db.RecordVersions.CountAsync(v => v.VaultId == b.VaultId && v.RecordId == email.Id));
            Assert.True(await session.Db.Records.AnyAsync(r => r.VaultId == b.VaultId && r.Id == bDeleted));
        }

        // A backup of A carries A's rows only (every table: A's access token too, not B's).
        await using var restored = await TestStore.CreateAsync(kind);
        await restored.RestoreAsync(await a.BackupAsync(), a.Created.RecoveryKey, isRecoveryKey: true);
        var restoredRows = await restored.CountRowsAsync();
        Assert.Equal((1, aRows.Records - 1, aRows.Versions - 2 + 1, 1), restoredRows);
        await using var check = restored.NewContext();
        Assert.All(await check.RecordVersions.ToListAsync(), v => Assert.Equal(a.Id, v.VaultId));
        Assert.Equal(["vault A's script"], await check.AccessTokens.Where(t => t.VaultId == a.Id).Select(t => t.Name).ToListAsync());
    }

    private static async Task SeedAsync(TestVault vault)
    {
        var email = await vault.AddTextAsync(ProfileFieldKinds.Email, "ada@example.org", "home");
        await vault.AddAsync(new ProfileFieldInput(ProfileFieldKinds.PostalAddress, Address: new PostalAddress("Keizersgracht 1", "Amsterdam", null, "1015 CJ", "NL")));
        await vault.AddTextAsync(ProfileFieldKinds.BirthDate, "1990-04-23");
        var preference = await vault.AddTextAsync(ProfileFieldKinds.Preference, "geen reclame, ☕ graag");
        vault.Store.Time.Advance(TimeSpan.FromMinutes(1));
        await vault.UpdateAsync(email.Id, new ProfileFieldUpdate("work", "ada@work.example"), Actor.Vendor("bank"));
        await vault.DeleteAsync(preference.Id);
    }

    private static VaultKeys NewKeys(Guid vaultId)
    {
        var exportable = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        return new VaultKeys(vaultId, RandomNumberGenerator.GetBytes(VaultCrypto.KeySize), Key.Create(SignatureAlgorithm.Ed25519, exportable), Key.Create(KeyAgreementAlgorithm.X25519, exportable));
    }

    private static VaultEntity NewVaultRow(VaultKeys keys) => new()
    {
        Id = keys.VaultId,
        FormatVersion = 1,
        CreatedAt = TestStore.Start.AddDays(1),
        KdfAlgorithm = KdfParameters.Argon2id,
        KdfMemoryKiB = KdfParameters.Default.MemoryKiB,
        KdfIterations = KdfParameters.Default.Iterations,
        KdfParallelism = KdfParameters.Default.Parallelism,
        KdfSalt = RandomNumberGenerator.GetBytes(16),
        PassphraseWrappedKey = RandomNumberGenerator.GetBytes(60),
        RecoveryWrappedKey = RandomNumberGenerator.GetBytes(60),
        SigningPublicKey = keys.SigningKey.PublicKey.Export(KeyBlobFormat.RawPublicKey),
        SigningPrivateKeySealed = RandomNumberGenerator.GetBytes(60),
        AgreementPublicKey = keys.AgreementKey.PublicKey.Export(KeyBlobFormat.RawPublicKey),
        AgreementPrivateKeySealed = RandomNumberGenerator.GetBytes(60),
    };

    private static void AddRecord(SymbolonDbContext db, VaultKeys keys, Guid id, string kind, string[] values, bool deleted = false)
    {
        var type = "profile." + kind;
        var at = TestStore.Start.AddDays(1);
        var versions = values.Length + (deleted ? 1 : 0);
        db.Records.Add(new RecordEntity { VaultId = keys.VaultId, Id = id, Type = type, CurrentVersion = versions, CreatedAt = at, UpdatedAt = at, DeletedAt = deleted ? at : null });
        for (var i = 0; i < versions; i++)
        {
            var json = i >= values.Length ? null : values[i].StartsWith('{') ? Encoding.UTF8.GetBytes(values[i]) : Json(values[i]);
            db.RecordVersions.Add(new RecordVersionEntity
            {
                VaultId = keys.VaultId,
                RecordId = id,
                Version = i + 1,
                Type = type,
                ChangedAt = at,
                Operation = i == 0 ? RecordOperations.Create : json is null ? RecordOperations.Delete : RecordOperations.Update,
                ActorKind = Actor.OwnerKind,
                Sealed = json is null ? null : keys.SealRecord(id, type, i + 1, json),
            });
        }
    }

    private static byte[] Json(string text) => JsonSerializer.SerializeToUtf8Bytes(new { text });
}
