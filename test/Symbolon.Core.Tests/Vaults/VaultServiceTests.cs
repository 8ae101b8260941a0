using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NSec.Cryptography;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Tests.Infrastructure;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Tests.Vaults;

public class VaultServiceTests
{
    private const string NewPassphrase = "a brand new passphrase";

    [Fact]
    public async Task Create_shows_the_recovery_key_once_and_stores_only_wrapped_keys()
    {
        await using var store = await TestStore.CreateSqliteAsync();

        var created = await store.CreateVaultAsync();
        using var keys = created.Keys;
        var row = await store.VaultRowAsync();

        Assert.Matches(new Regex("^[A-Z2-7]{4}(-[A-Z2-7]{4}){12}$"), created.RecoveryKey);
        Assert.Equal(created.VaultId, row.Id);
        Assert.Equal(created.VaultId, keys.VaultId);
        Assert.Equal(7, row.Id.Version);
        Assert.Equal(TestStore.Start, row.CreatedAt);
        Assert.Equal(1, row.FormatVersion);
        Assert.Equal(16, row.KdfSalt.Length);
        Assert.Equal(VaultCrypto.KeySize + VaultCrypto.Overhead, row.PassphraseWrappedKey.Length);
        Assert.Equal(VaultCrypto.KeySize + VaultCrypto.Overhead, row.RecoveryWrappedKey.Length);
        Assert.Equal(0, row.FailedUnlockCount);
        Assert.Null(row.LastFailedUnlockAt);

        // Nothing in the row is the data key in the clear.
        var dataKey = keys.DataKey.ToArray();
        foreach (var blob in new[] { row.KdfSalt, row.PassphraseWrappedKey, row.RecoveryWrappedKey, row.SigningPrivateKeySealed, row.AgreementPrivateKeySealed })
        {
            Assert.Equal(-1, blob.AsSpan().IndexOf(dataKey.AsSpan(0, 8)));
        }
    }

    [Fact]
    public async Task Stored_key_derivation_parameters_are_64_MiB_3_passes_1_lane()
    {
        await using var store = await TestStore.CreateSqliteAsync();
        using var keys = (await store.CreateVaultAsync()).Keys;

        var row = await store.VaultRowAsync();

        Assert.Equal("argon2id", row.KdfAlgorithm);
        Assert.Equal(64 * 1024, row.KdfMemoryKiB);
        Assert.Equal(3, row.KdfIterations);
        Assert.Equal(1, row.KdfParallelism);
    }

    [Fact]
    public async Task Unlock_with_the_right_passphrase_opens_records_written_before_the_lock()
    {
        await using var store = await TestStore.CreateSqliteAsync();
        var created = await store.CreateVaultAsync();
        var originalDataKey = created.Keys.DataKey.ToArray();
        Guid fieldId;
        using (var session = store.Open())
        {
            fieldId = (await session.Profile.AddAsync(created.Keys, new ProfileFieldInput(ProfileFieldKinds.Email, Text: "ada@example.org"), Actor.Owner)).Id;
        }

        // Locking zeroes the key in memory.
        created.Keys.Dispose();
        Assert.Throws<ObjectDisposedException>(() => created.Keys.DataKey.ToArray());

        using var keys = await store.UnlockAsync();
        using var read = store.Open();
        var field = await read.Profile.GetFieldAsync(keys, fieldId);

        Assert.Equal(originalDataKey, keys.DataKey.ToArray());
        Assert.Equal(created.VaultId, keys.VaultId);
        Assert.Equal("ada@example.org", field.Text);
    }

    [Fact]
    public async Task Unlock_with_a_wrong_passphrase_is_refused_and_counted()
    {
        await using var store = await TestStore.CreateSqliteAsync();
        using var created = (await store.CreateVaultAsync()).Keys;
        store.Time.Advance(TimeSpan.FromMinutes(1));

        await Assert.ThrowsAsync<WrongPassphraseException>(() => store.UnlockAsync("correct horse battery stapler"));

        var row = await store.VaultRowAsync();
        Assert.Equal(1, row.FailedUnlockCount);
        Assert.Equal(TestStore.Start.AddMinutes(1), row.LastFailedUnlockAt);
    }

    [Fact]
    public async Task Unlock_before_any_vault_exists_says_so()
    {
        await using var store = await TestStore.CreateSqliteAsync();

        await Assert.ThrowsAsync<VaultNotFoundException>(() => store.UnlockAsync());
        using var session = store.Open();
        Assert.Null(await session.Vaults.FindAsync());
        await Assert.ThrowsAsync<VaultNotFoundException>(() => session.Vaults.GetAsync());
    }

    [Fact]
    public async Task After_three_failures_attempts_wait_for_the_delay_and_success_resets_the_count()
    {
        await using var store = await TestStore.CreateSqliteAsync();
        using var created = (await store.CreateVaultAsync()).Keys;
        for (var i = 0; i < VaultService.FreeAttempts; i++)
        {
            await Assert.ThrowsAsync<WrongPassphraseException>(() => store.UnlockAsync("not the passphrase " + i));
        }

        // The fourth attempt inside the delay is refused before the passphrase is even tried, the right one included.
        var throttled = await Assert.ThrowsAsync<UnlockThrottledException>(() => store.UnlockAsync());
        Assert.Equal(TimeSpan.FromSeconds(1), throttled.RetryAfter);
        Assert.Equal(3, (await store.VaultRowAsync()).FailedUnlockCount);

        store.Time.Advance(TimeSpan.FromMilliseconds(999));
        throttled = await Assert.ThrowsAsync<UnlockThrottledException>(() => store.UnlockAsync());
        Assert.Equal(TimeSpan.FromMilliseconds(1), throttled.RetryAfter);

        // Past the delay an attempt is allowed again; another failure doubles the delay.
        store.Time.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<WrongPassphraseException>(() => store.UnlockAsync("not the passphrase 4"));
        throttled = await Assert.ThrowsAsync<UnlockThrottledException>(() => store.UnlockAsync());
        Assert.Equal(TimeSpan.FromSeconds(2), throttled.RetryAfter);

        store.Time.Advance(TimeSpan.FromSeconds(2));
        using (var keys = await store.UnlockAsync())
        {
            Assert.Equal(created.DataKey.ToArray(), keys.DataKey.ToArray());
        }

        var row = await store.VaultRowAsync();
        Assert.Equal(0, row.FailedUnlockCount);
        Assert.Null(row.LastFailedUnlockAt);

        // The count starts over: the next failures are free again.
        await Assert.ThrowsAsync<WrongPassphraseException>(() => store.UnlockAsync("not the passphrase 5"));
        await Assert.ThrowsAsync<WrongPassphraseException>(() => store.UnlockAsync("not the passphrase 6"));
        Assert.Equal(2, (await store.VaultRowAsync()).FailedUnlockCount);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(3, 1)]
    [InlineData(4, 2)]
    [InlineData(5, 4)]
    [InlineData(10, 128)]
    [InlineData(11, 256)]
    [InlineData(12, 300)]
    [InlineData(1000, 300)]
    public void The_delay_doubles_after_three_failures_up_to_five_minutes(int failures, int expectedSeconds)
    {
        var last = TestStore.Start;

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), VaultService.RequiredWait(failures, last, last));
        Assert.Equal(TimeSpan.Zero, VaultService.RequiredWait(failures, last, last.AddSeconds(expectedSeconds)));
        Assert.Equal(TimeSpan.Zero, VaultService.RequiredWait(failures, null, last));
    }

    [Fact]
    public async Task Recovery_sets_a_new_passphrase_without_re_encrypting_records()
    {
        await using var store = await TestStore.CreateSqliteAsync();
        var created = await store.CreateVaultAsync();
        var originalDataKey = created.Keys.DataKey.ToArray();
        var fieldId = await AddEmailAsync(store, created.Keys, "ada@example.org");
        await UpdateEmailAsync(store, created.Keys, fieldId, "ada@lovelace.example");
        created.Keys.Dispose();
        var sealedBefore = await store.SealedVersionsAsync();
        var rowBefore = await store.VaultRowAsync();
        store.Time.Advance(TimeSpan.FromDays(3));

        // The person types the key in lower case with spaces.
        var typed = created.RecoveryKey.ToLowerInvariant().Replace('-', ' ');
        using (var session = store.Open())
        using (var recovered = await session.Vaults.RecoverAsync(typed, NewPassphrase))
        {
            Assert.Equal(originalDataKey, recovered.DataKey.ToArray());
        }

        await Assert.ThrowsAsync<WrongPassphraseException>(() => store.UnlockAsync(TestStore.Passphrase));
        store.Time.Advance(TimeSpan.FromSeconds(1));
        using var keys = await store.UnlockAsync(NewPassphrase);
        using var read = store.Open();
        var history = await read.Profile.HistoryAsync(keys, fieldId);
        var rowAfter = await store.VaultRowAsync();

        Assert.Equal(["ada@example.org", "ada@lovelace.example"], history.Versions.Select(v => v.Text));
        AssertSameSealed(sealedBefore, await store.SealedVersionsAsync());
        Assert.NotEqual(rowBefore.KdfSalt, rowAfter.KdfSalt);
        Assert.NotEqual(rowBefore.PassphraseWrappedKey, rowAfter.PassphraseWrappedKey);
        Assert.Equal(rowBefore.RecoveryWrappedKey, rowAfter.RecoveryWrappedKey);
        Assert.Equal(TestStore.Start.AddDays(3), rowAfter.PassphraseChangedAt);
    }

    [Fact]
    public async Task Recovery_refuses_a_wrong_or_malformed_key_and_counts_the_failures()
    {
        await using var store = await TestStore.CreateSqliteAsync();
        var created = await store.CreateVaultAsync();
        created.Keys.Dispose();
        var otherKey = RecoveryKey.Format(RecoveryKey.Generate());
        using var session = store.Open();

        await Assert.ThrowsAsync<WrongPassphraseException>(() => session.Vaults.RecoverAsync(otherKey, NewPassphrase));
        await Assert.ThrowsAsync<WrongPassphraseException>(() => session.Vaults.RecoverAsync("not-a-recovery-key", NewPassphrase));
        await Assert.ThrowsAsync<WrongPassphraseException>(() => session.Vaults.RecoverAsync(created.RecoveryKey[..^5], NewPassphrase));

        // Recovery attempts share the unlock throttle: a guessed recovery key is no cheaper than a guessed passphrase.
        await Assert.ThrowsAsync<UnlockThrottledException>(() => session.Vaults.RecoverAsync(created.RecoveryKey, NewPassphrase));
        await Assert.ThrowsAsync<UnlockThrottledException>(() => store.UnlockAsync());
        await Assert.ThrowsAsync<WeakPassphraseException>(() => session.Vaults.RecoverAsync(created.RecoveryKey, "short"));
        Assert.Equal(3, (await store.VaultRowAsync()).FailedUnlockCount);

        store.Time.Advance(TimeSpan.FromSeconds(1));
        using var recovered = await session.Vaults.RecoverAsync(created.RecoveryKey, NewPassphrase);
        Assert.Equal(created.VaultId, recovered.VaultId);
        Assert.Equal(0, (await store.VaultRowAsync()).FailedUnlockCount);
    }

    [Fact]
    public async Task Change_passphrase_re_wraps_the_data_key_only()
    {
        await using var store = await TestStore.CreateSqliteAsync();
        var created = await store.CreateVaultAsync();
        var originalDataKey = created.Keys.DataKey.ToArray();
        var fieldId = await AddEmailAsync(store, created.Keys, "ada@example.org");
        created.Keys.Dispose();
        var sealedBefore = await store.SealedVersionsAsync();
        var rowBefore = await store.VaultRowAsync();
        store.Time.Advance(TimeSpan.FromHours(1));

        using (var session = store.Open())
        {
            await session.Vaults.ChangePassphraseAsync(TestStore.Passphrase, NewPassphrase);
        }

        var rowAfter = await store.VaultRowAsync();
        AssertSameSealed(sealedBefore, await store.SealedVersionsAsync());
        Assert.NotEqual(rowBefore.KdfSalt, rowAfter.KdfSalt);
        Assert.NotEqual(rowBefore.PassphraseWrappedKey, rowAfter.PassphraseWrappedKey);
        Assert.Equal(rowBefore.RecoveryWrappedKey, rowAfter.RecoveryWrappedKey);
        Assert.Equal(rowBefore.SigningPrivateKeySealed, rowAfter.SigningPrivateKeySealed);
        Assert.Equal(rowBefore.AgreementPrivateKeySealed, rowAfter.AgreementPrivateKeySealed);
        Assert.Equal(TestStore.Start.AddHours(1), rowAfter.PassphraseChangedAt);
        Assert.Equal((64 * 1024, 3, 1), (rowAfter.KdfMemoryKiB, rowAfter.KdfIterations, rowAfter.KdfParallelism));

        await Assert.ThrowsAsync<WrongPassphraseException>(() => store.UnlockAsync(TestStore.Passphrase));
        using var keys = await store.UnlockAsync(NewPassphrase);
        using var read = store.Open();
        Assert.Equal(originalDataKey, keys.DataKey.ToArray());
        Assert.Equal("ada@example.org", (await read.Profile.GetFieldAsync(keys, fieldId)).Text);
    }

    [Fact]
    public async Task Change_passphrase_with_a_wrong_current_passphrase_changes_nothing()
    {
        await using var store = await TestStore.CreateSqliteAsync();
        using var created = (await store.CreateVaultAsync()).Keys;
        var rowBefore = await store.VaultRowAsync();
        using var session = store.Open();

        await Assert.ThrowsAsync<WrongPassphraseException>(() => session.Vaults.ChangePassphraseAsync("not the passphrase", NewPassphrase));
        await Assert.ThrowsAsync<WeakPassphraseException>(() => session.Vaults.ChangePassphraseAsync(TestStore.Passphrase, "too short"));

        var rowAfter = await store.VaultRowAsync();
        Assert.Equal(rowBefore.KdfSalt, rowAfter.KdfSalt);
        Assert.Equal(rowBefore.PassphraseWrappedKey, rowAfter.PassphraseWrappedKey);
        Assert.Null(rowAfter.PassphraseChangedAt);
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("123456789")]
    [InlineData(" leading space passphrase")]
    [InlineData("trailing space passphrase ")]
    public async Task A_weak_passphrase_is_refused_and_no_vault_is_written(string passphrase)
    {
        await using var store = await TestStore.CreateSqliteAsync();

        await Assert.ThrowsAsync<WeakPassphraseException>(() => store.CreateVaultAsync(passphrase));

        Assert.Equal((0, 0, 0, 0), await store.CountRowsAsync());
    }

    [Fact]
    public void Passphrase_rules_accept_ten_characters_and_refuse_null()
    {
        VaultService.CheckPassphrase("0123456789");
        VaultService.CheckPassphrase("pässwörter ünd méhr");
        Assert.Throws<WeakPassphraseException>(() => VaultService.CheckPassphrase(null));
    }

    [Fact]
    public async Task A_passphrase_opens_the_vault_whatever_unicode_form_it_is_typed_in()
    {
        // The same typed text arrives composed (NFC) from one keyboard or browser and decomposed (NFD) from another.
        var composed = "Grüße aus Köln, señor".Normalize(NormalizationForm.FormC);
        var decomposed = composed.Normalize(NormalizationForm.FormD);
        Assert.NotEqual(composed, decomposed);
        await using var store = await TestStore.CreateSqliteAsync();
        using var created = (await store.CreateVaultAsync(decomposed)).Keys;

        using var keys = await store.UnlockAsync(composed);

        Assert.Equal(created.DataKey.ToArray(), keys.DataKey.ToArray());
    }

    [Fact]
    public async Task A_second_vault_in_the_same_store_is_refused()
    {
        await using var store = await TestStore.CreateSqliteAsync();
        using var first = (await store.CreateVaultAsync()).Keys;

        await Assert.ThrowsAsync<VaultAlreadyExistsException>(() => store.CreateVaultAsync("another good passphrase"));

        Assert.Equal(1, (await store.CountRowsAsync()).Vaults);
        Assert.Equal(first.VaultId, (await store.VaultRowAsync()).Id);
    }

    [Fact]
    public async Task A_vault_whose_stored_parameters_were_weakened_is_not_opened()
    {
        await using var store = await TestStore.CreateSqliteAsync();
        using var created = (await store.CreateVaultAsync()).Keys;
        await using (var db = store.NewContext())
        {
            await db.Vaults.ExecuteUpdateAsync(s => s.SetProperty(v => v.KdfIterations, 1));
        }

        await Assert.ThrowsAsync<VaultFormatException>(() => store.UnlockAsync());
    }

    [Fact]
    public async Task The_signing_and_agreement_keys_work_and_match_the_stored_public_keys()
    {
        await using var store = await TestStore.CreateSqliteAsync();
        var created = await store.CreateVaultAsync();
        var row = await store.VaultRowAsync();
        var message = Encoding.UTF8.GetBytes("agreement SD-BASE accepted by coffee-shop");
        var signatureAtCreation = SignatureAlgorithm.Ed25519.Sign(created.Keys.SigningKey, message);
        created.Keys.Dispose();

        using var keys = await store.UnlockAsync();

        Assert.Equal(row.SigningPublicKey, keys.SigningKey.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        Assert.Equal(row.AgreementPublicKey, keys.AgreementKey.PublicKey.Export(KeyBlobFormat.RawPublicKey));

        var storedSigningKey = NSec.Cryptography.PublicKey.Import(SignatureAlgorithm.Ed25519, row.SigningPublicKey, KeyBlobFormat.RawPublicKey);
        var signature = SignatureAlgorithm.Ed25519.Sign(keys.SigningKey, message);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(storedSigningKey, message, signature));
        Assert.True(SignatureAlgorithm.Ed25519.Verify(storedSigningKey, message, signatureAtCreation));
        message[0] ^= 1;
        Assert.False(SignatureAlgorithm.Ed25519.Verify(storedSigningKey, message, signature));

        // A vendor seals to the vault's stored public key; the unlocked vault derives the same secret.
        using var vendor = Key.Create(KeyAgreementAlgorithm.X25519);
        var storedAgreementKey = NSec.Cryptography.PublicKey.Import(KeyAgreementAlgorithm.X25519, row.AgreementPublicKey, KeyBlobFormat.RawPublicKey);
        using var vendorSide = KeyAgreementAlgorithm.X25519.Agree(vendor, storedAgreementKey);
        using var vaultSide = KeyAgreementAlgorithm.X25519.Agree(keys.AgreementKey, vendor.PublicKey);
        Assert.NotNull(vendorSide);
        Assert.NotNull(vaultSide);
        var info = "symbolon test"u8.ToArray();
        Assert.Equal(
            KeyDerivationAlgorithm.HkdfSha256.DeriveBytes(vendorSide, [], info, 32),
            KeyDerivationAlgorithm.HkdfSha256.DeriveBytes(vaultSide, [], info, 32));
    }

    internal static async Task<Guid> AddEmailAsync(TestStore store, VaultKeys keys, string email)
    {
        using var session = store.Open();
        return (await session.Profile.AddAsync(keys, new ProfileFieldInput(ProfileFieldKinds.Email, Text: email), Actor.Owner)).Id;
    }

    private static async Task UpdateEmailAsync(TestStore store, VaultKeys keys, Guid id, string email)
    {
        using var session = store.Open();
        await session.Profile.UpdateAsync(keys, id, new ProfileFieldUpdate(Text: email), Actor.Owner);
    }

    private static void AssertSameSealed(Dictionary<(Guid, int), byte[]?> before, Dictionary<(Guid, int), byte[]?> after)
    {
        Assert.NotEmpty(before);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (key, value) in before)
        {
            Assert.Equal(value, after[key]);
        }
    }
}
