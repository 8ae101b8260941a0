using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NSec.Cryptography;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;

namespace Symbolon.Core.Vaults;

/// <summary>What a new vault hands to the person exactly once.</summary>
internal sealed record CreatedVault(Guid VaultId, string RecoveryKey, VaultKeys Keys);

/// <summary>
/// Creates and opens vaults. A random data key encrypts every record; it is stored only wrapped, once under a
/// key derived from the passphrase with Argon2id and once under a key derived from the recovery key.
/// </summary>
internal sealed partial class VaultService(SymbolonDbContext db, TimeProvider time, ILogger<VaultService> logger)
{
    public const int MinimumPassphraseLength = 10;
    public const int FreeAttempts = 3;
    public static readonly TimeSpan MaximumUnlockDelay = TimeSpan.FromMinutes(5);

    private const string PassphraseWrap = "dek/passphrase";
    private const string RecoveryWrap = "dek/recovery";
    private const string HostWrap = "dek/host";
    private const string SigningKeyPurpose = "signing-key/ed25519";
    private const string AgreementKeyPurpose = "agreement-key/x25519";
    private static readonly byte[] RecoveryInfo = "symbolon recovery key v1"u8.ToArray();

    /// <summary>The vault of this data store (self-hosted stores hold one), or null before one is created.</summary>
    public Task<VaultEntity?> FindAsync(CancellationToken ct = default) =>
        db.Vaults.AsNoTracking().OrderBy(v => v.CreatedAt).FirstOrDefaultAsync(ct);

    public async Task<VaultEntity> GetAsync(CancellationToken ct = default) =>
        await FindAsync(ct) ?? throw new VaultNotFoundException();

    public static void CheckPassphrase(string? passphrase)
    {
        if (string.IsNullOrEmpty(passphrase) || passphrase.Length < MinimumPassphraseLength)
        {
            throw new WeakPassphraseException($"Choose a passphrase of at least {MinimumPassphraseLength} characters.");
        }

        if (passphrase.Trim().Length != passphrase.Length)
        {
            throw new WeakPassphraseException("A passphrase cannot start or end with a space.");
        }
    }

    public Task<CreatedVault> CreateAsync(string passphrase, CancellationToken ct = default) => CreateForImportAsync(passphrase, null, null, ct);

    /// <summary>
    /// Creates the vault with new keys; an import from an export gives the id and creation time the vault had before
    /// (its records are sealed anew under the new keys, bound to that id).
    /// </summary>
    public async Task<CreatedVault> CreateForImportAsync(string passphrase, Guid? id, DateTimeOffset? createdAt, CancellationToken ct = default)
    {
        CheckPassphrase(passphrase);
        if (await db.Vaults.AnyAsync(ct))
        {
            throw new VaultAlreadyExistsException();
        }

        var now = createdAt ?? time.GetUtcNow();
        var vaultId = id ?? UuidV7.Create(now);
        var kdf = KdfParameters.Default;
        var salt = RandomNumberGenerator.GetBytes(16);
        var dataKey = GC.AllocateArray<byte>(VaultCrypto.KeySize, pinned: true);
        var recoveryKey = RecoveryKey.Generate();
        try
        {
            RandomNumberGenerator.Fill(dataKey);
            var exportable = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
            using var signing = Key.Create(SignatureAlgorithm.Ed25519, exportable);
            using var agreement = Key.Create(KeyAgreementAlgorithm.X25519, exportable);

            var vault = new VaultEntity
            {
                Id = vaultId,
                FormatVersion = 1,
                CreatedAt = now,
                KdfAlgorithm = kdf.Algorithm,
                KdfMemoryKiB = kdf.MemoryKiB,
                KdfIterations = kdf.Iterations,
                KdfParallelism = kdf.Parallelism,
                KdfSalt = salt,
                PassphraseWrappedKey = WrapWithPassphrase(vaultId, kdf, salt, passphrase, dataKey),
                RecoveryWrappedKey = WrapWithRecoveryKey(vaultId, recoveryKey, dataKey),
                SigningPublicKey = signing.PublicKey.Export(KeyBlobFormat.RawPublicKey),
                SigningPrivateKeySealed = SealPrivateKey(vaultId, dataKey, signing, SigningKeyPurpose),
                AgreementPublicKey = agreement.PublicKey.Export(KeyBlobFormat.RawPublicKey),
                AgreementPrivateKeySealed = SealPrivateKey(vaultId, dataKey, agreement, AgreementKeyPurpose),
            };
            db.Vaults.Add(vault);
            await db.SaveChangesAsync(ct);
            LogVaultCreated(logger, vaultId);
            return new CreatedVault(vaultId, RecoveryKey.Format(recoveryKey), OpenKeys(vault, dataKey));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
            CryptographicOperations.ZeroMemory(recoveryKey);
        }
    }

    /// <summary>Opens the vault with its passphrase. Repeated failures are slowed down (see <see cref="UnlockThrottledException"/>).</summary>
    public async Task<VaultKeys> UnlockAsync(string passphrase, CancellationToken ct = default)
    {
        var vault = await db.Vaults.OrderBy(v => v.CreatedAt).FirstOrDefaultAsync(ct) ?? throw new VaultNotFoundException();
        var failures = await ReserveAttemptAsync(vault.Id, ct);
        byte[] dataKey;
        try
        {
            dataKey = UnwrapWithPassphrase(vault, passphrase);
        }
        catch (WrongPassphraseException)
        {
            LogUnlockFailed(logger, vault.Id, failures);
            throw;
        }

        return await SucceedAsync(vault, dataKey, ct);
    }

    /// <summary>Derives the key-encryption key with the vault's own Argon2id parameters and opens the data key.</summary>
    internal static byte[] UnwrapWithPassphrase(VaultEntity vault, string? passphrase)
    {
        var kdf = new KdfParameters(vault.KdfAlgorithm, vault.KdfMemoryKiB, vault.KdfIterations, vault.KdfParallelism);
        var kek = kdf.DeriveKey(PassphraseBytes(passphrase ?? string.Empty), vault.KdfSalt);
        try
        {
            return VaultCrypto.Open(kek, vault.PassphraseWrappedKey, VaultCrypto.KeyAad(vault.Id, PassphraseWrap));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new WrongPassphraseException();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    /// <summary>Opens the data key with the recovery key.</summary>
    internal static byte[] UnwrapWithRecoveryKey(VaultEntity vault, string recoveryKeyText)
    {
        if (!RecoveryKey.TryParse(recoveryKeyText, out var recoveryKey))
        {
            throw new WrongPassphraseException();
        }

        try
        {
            return VaultCrypto.Open(DeriveRecoveryKek(recoveryKey), vault.RecoveryWrappedKey, VaultCrypto.KeyAad(vault.Id, RecoveryWrap));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new WrongPassphraseException();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(recoveryKey);
        }
    }

    /// <summary>Opens the vault with the recovery key and sets a new passphrase; records are not re-encrypted.</summary>
    public async Task<VaultKeys> RecoverAsync(string recoveryKeyText, string newPassphrase, CancellationToken ct = default)
    {
        CheckPassphrase(newPassphrase);
        var vault = await db.Vaults.OrderBy(v => v.CreatedAt).FirstOrDefaultAsync(ct) ?? throw new VaultNotFoundException();
        var failures = await ReserveAttemptAsync(vault.Id, ct);
        byte[] dataKey;
        try
        {
            dataKey = UnwrapWithRecoveryKey(vault, recoveryKeyText);
        }
        catch (WrongPassphraseException)
        {
            LogUnlockFailed(logger, vault.Id, failures);
            throw;
        }

        Rewrap(vault, newPassphrase, dataKey);
        return await SucceedAsync(vault, dataKey, ct);
    }

    /// <summary>Whether the vault is in unattended mode (its data key is also wrapped by a host key).</summary>
    public Task<bool> IsUnattendedAsync(Guid vaultId, CancellationToken ct = default) =>
        db.Vaults.AsNoTracking().Where(v => v.Id == vaultId).Select(v => v.HostWrappedKey != null).SingleAsync(ct);

    /// <summary>
    /// Unattended mode: wraps the open vault's data key with <paramref name="hostKey"/> as well (replacing an earlier
    /// wrap), so that the server can unlock it when it starts. No record is re-encrypted.
    /// </summary>
    public async Task SetUnattendedAsync(VaultKeys keys, byte[] hostKey, CancellationToken ct = default)
    {
        var vault = await db.Vaults.SingleAsync(v => v.Id == keys.VaultId, ct);
        vault.HostWrappedKey = VaultCrypto.Seal(hostKey, keys.DataKey, VaultCrypto.KeyAad(vault.Id, HostWrap));
        await db.SaveChangesAsync(ct);
        LogModeChanged(logger, vault.Id, "unattended");
    }

    /// <summary>Strict mode: destroys the host-wrapped copy of the data key; only the passphrase and the recovery key open the vault.</summary>
    public async Task SetStrictAsync(Guid vaultId, CancellationToken ct = default)
    {
        var vault = await db.Vaults.SingleAsync(v => v.Id == vaultId, ct);
        if (vault.HostWrappedKey is { } wrapped)
        {
            CryptographicOperations.ZeroMemory(wrapped);
            vault.HostWrappedKey = null;
            await db.SaveChangesAsync(ct);
            LogModeChanged(logger, vault.Id, "strict");
        }
    }

    /// <summary>
    /// Opens the vault with the host key (unattended mode, at server start). Null when the vault is in strict mode;
    /// <see cref="WrongHostKeyException"/> when the key does not open it (another host's key, or the vault was
    /// re-wrapped since). A wrong host key does not count as a failed unlock.
    /// </summary>
    public async Task<VaultKeys?> UnlockWithHostKeyAsync(byte[] hostKey, CancellationToken ct = default)
    {
        var vault = await db.Vaults.OrderBy(v => v.CreatedAt).FirstOrDefaultAsync(ct) ?? throw new VaultNotFoundException();
        if (vault.HostWrappedKey is null)
        {
            return null;
        }

        byte[] dataKey;
        try
        {
            dataKey = VaultCrypto.Open(hostKey, vault.HostWrappedKey, VaultCrypto.KeyAad(vault.Id, HostWrap));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new WrongHostKeyException();
        }

        return await SucceedAsync(vault, dataKey, ct);
    }

    /// <summary>Re-wraps the data key under a new passphrase (new salt); no record is re-encrypted.</summary>
    public async Task ChangePassphraseAsync(string currentPassphrase, string newPassphrase, CancellationToken ct = default)
    {
        CheckPassphrase(newPassphrase);
        using var keys = await UnlockAsync(currentPassphrase, ct);
        var vault = await db.Vaults.SingleAsync(v => v.Id == keys.VaultId, ct);
        var dataKey = keys.DataKey.ToArray();
        try
        {
            Rewrap(vault, newPassphrase, dataKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }

        await db.SaveChangesAsync(ct);
        LogPassphraseChanged(logger, vault.Id);
    }

    private void Rewrap(VaultEntity vault, string newPassphrase, byte[] dataKey)
    {
        var kdf = KdfParameters.Default;
        var salt = RandomNumberGenerator.GetBytes(16);
        vault.KdfAlgorithm = kdf.Algorithm;
        vault.KdfMemoryKiB = Math.Max(kdf.MemoryKiB, vault.KdfMemoryKiB);
        vault.KdfIterations = Math.Max(kdf.Iterations, vault.KdfIterations);
        vault.KdfParallelism = kdf.Parallelism;
        vault.KdfSalt = salt;
        var effective = new KdfParameters(vault.KdfAlgorithm, vault.KdfMemoryKiB, vault.KdfIterations, vault.KdfParallelism);
        vault.PassphraseWrappedKey = WrapWithPassphrase(vault.Id, effective, salt, newPassphrase, dataKey);
        vault.PassphraseChangedAt = time.GetUtcNow();
    }

    /// <summary>
    /// Counts this attempt as a failure before the key derivation runs, or throws <see cref="UnlockThrottledException"/>
    /// when the delay has not passed; success clears the count again. Returns the failures counted, this one included.
    /// </summary>
    /// <remarks>
    /// The check and the count are one conditional UPDATE (a compare-and-swap on the count and time this call read),
    /// so concurrent attempts cannot all pass the check on the same stale copy: of many wrong passphrases sent at once,
    /// exactly as many are tried as the throttle allows, and the rest are refused before any key derivation. The
    /// losers of a race read the row again and check again. On PostgreSQL the UPDATE re-evaluates its condition
    /// against the row a concurrent transaction committed; SQLite runs one writer at a time.
    /// </remarks>
    private async Task<int> ReserveAttemptAsync(Guid vaultId, CancellationToken ct)
    {
        while (true)
        {
            var seen = await db.Vaults.AsNoTracking()
                .Where(v => v.Id == vaultId)
                .Select(v => new { v.FailedUnlockCount, v.LastFailedUnlockAt })
                .SingleAsync(ct);
            var now = time.GetUtcNow();
            var wait = RequiredWait(seen.FailedUnlockCount, seen.LastFailedUnlockAt, now);
            if (wait > TimeSpan.Zero)
            {
                LogUnlockThrottled(logger, vaultId, seen.FailedUnlockCount);
                throw new UnlockThrottledException(wait);
            }

            var failures = seen.FailedUnlockCount + 1;
            var counted = await db.Vaults
                .Where(v => v.Id == vaultId && v.FailedUnlockCount == seen.FailedUnlockCount && v.LastFailedUnlockAt == seen.LastFailedUnlockAt)
                .ExecuteUpdateAsync(set => set.SetProperty(v => v.FailedUnlockCount, failures).SetProperty(v => v.LastFailedUnlockAt, now), ct);
            if (counted == 1)
            {
                return failures;
            }
        }
    }

    /// <summary>After <see cref="FreeAttempts"/> failures each attempt waits 1, 2, 4 ... seconds, at most five minutes.</summary>
    internal static TimeSpan RequiredWait(int failures, DateTimeOffset? lastFailure, DateTimeOffset now)
    {
        if (failures < FreeAttempts || lastFailure is null)
        {
            return TimeSpan.Zero;
        }

        var delay = TimeSpan.FromSeconds(Math.Pow(2, Math.Min(failures - FreeAttempts, 16)));
        if (delay > MaximumUnlockDelay)
        {
            delay = MaximumUnlockDelay;
        }

        var remaining = lastFailure.Value + delay - now;
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    private async Task<VaultKeys> SucceedAsync(VaultEntity vault, byte[] dataKey, CancellationToken ct)
    {
        try
        {
            var keys = OpenKeys(vault, dataKey);

            // Set-based, like the count itself: the tracked copy's count may be stale, and saving it would write the
            // stale number back.
            await db.SaveChangesAsync(ct);
            await db.Vaults.Where(v => v.Id == vault.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(v => v.FailedUnlockCount, 0).SetProperty(v => v.LastFailedUnlockAt, (DateTimeOffset?)null), ct);
            LogVaultUnlocked(logger, vault.Id);
            return keys;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    internal static VaultKeys OpenKeys(VaultEntity vault, ReadOnlySpan<byte> dataKey)
    {
        var signingRaw = VaultCrypto.Open(dataKey, vault.SigningPrivateKeySealed, VaultCrypto.KeyAad(vault.Id, SigningKeyPurpose));
        var agreementRaw = VaultCrypto.Open(dataKey, vault.AgreementPrivateKeySealed, VaultCrypto.KeyAad(vault.Id, AgreementKeyPurpose));
        try
        {
            var signing = Key.Import(SignatureAlgorithm.Ed25519, signingRaw, KeyBlobFormat.RawPrivateKey);
            var agreement = Key.Import(KeyAgreementAlgorithm.X25519, agreementRaw, KeyBlobFormat.RawPrivateKey);
            return new VaultKeys(vault.Id, dataKey, signing, agreement);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(signingRaw);
            CryptographicOperations.ZeroMemory(agreementRaw);
        }
    }

    private static byte[] WrapWithPassphrase(Guid vaultId, KdfParameters kdf, byte[] salt, string passphrase, ReadOnlySpan<byte> dataKey)
    {
        var kek = kdf.DeriveKey(PassphraseBytes(passphrase), salt);
        try
        {
            return VaultCrypto.Seal(kek, dataKey, VaultCrypto.KeyAad(vaultId, PassphraseWrap));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    // Note: the same typed passphrase can arrive composed (NFC) from one keyboard or browser and decomposed (NFD)
    // from another; like RFC 8265's OpaqueString profile, the key is derived from its NFC form so both open the vault.
    private static byte[] PassphraseBytes(string passphrase) => Encoding.UTF8.GetBytes(passphrase.Normalize(NormalizationForm.FormC));

    private static byte[] WrapWithRecoveryKey(Guid vaultId, byte[] recoveryKey, ReadOnlySpan<byte> dataKey) =>
        VaultCrypto.Seal(DeriveRecoveryKek(recoveryKey), dataKey, VaultCrypto.KeyAad(vaultId, RecoveryWrap));

    // The recovery key already has 256 bits of entropy, so HKDF (not Argon2id) separates it from other uses.
    private static byte[] DeriveRecoveryKek(byte[] recoveryKey) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, recoveryKey, VaultCrypto.KeySize, salt: null, info: RecoveryInfo);

    private static byte[] SealPrivateKey(Guid vaultId, ReadOnlySpan<byte> dataKey, Key key, string purpose)
    {
        var raw = key.Export(KeyBlobFormat.RawPrivateKey);
        try
        {
            return VaultCrypto.Seal(dataKey, raw, VaultCrypto.KeyAad(vaultId, purpose));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Vault {VaultId} created")]
    private static partial void LogVaultCreated(ILogger logger, Guid vaultId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vault {VaultId} unlocked")]
    private static partial void LogVaultUnlocked(ILogger logger, Guid vaultId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed unlock attempt {Failures} on vault {VaultId}")]
    private static partial void LogUnlockFailed(ILogger logger, Guid vaultId, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unlock of vault {VaultId} refused after {Failures} failures: slowed down")]
    private static partial void LogUnlockThrottled(ILogger logger, Guid vaultId, int failures);

    [LoggerMessage(Level = LogLevel.Information, Message = "Passphrase of vault {VaultId} changed")]
    private static partial void LogPassphraseChanged(ILogger logger, Guid vaultId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vault {VaultId} is now in {Mode} mode.")]
    private static partial void LogModeChanged(ILogger logger, Guid vaultId, string mode);
}
