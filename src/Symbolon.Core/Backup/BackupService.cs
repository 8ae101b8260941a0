using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Backup;

/// <summary>The backup could not be read: damaged, truncated, of another format or opened with the wrong key.</summary>
internal sealed class InvalidBackupException(string message, Exception? inner = null) : SymbolonProblemException(
    ProblemCodes.InvalidBackup, 400, "That backup cannot be read.", message, message, innerException: inner);

/// <summary>
/// Encrypted backups. A backup file holds the vault row (key-derivation parameters and wrapped keys, which are
/// already protected) in a plain header, then every record and version, gzip-compressed and sealed with
/// streaming AES-256-GCM under a key derived from the data key. Restoring needs the passphrase or the recovery
/// key, and copies every sealed value byte for byte, so the restored vault is the same vault.
/// The format is described in docs/export-format.md.
/// </summary>
internal sealed partial class BackupService(SymbolonDbContext db, TimeProvider time, ILogger<BackupService> logger)
{
    private static readonly byte[] Magic = "SYMBOLON-BACKUP1"u8.ToArray();
    private static readonly byte[] KeyInfo = "symbolon backup v1"u8.ToArray();
    private const int MaxHeaderLength = 64 * 1024;
    private const int RestoreBatchSize = 2000;

    public async Task WriteAsync(VaultKeys keys, Stream output, CancellationToken ct = default)
    {
        var vault = await db.Vaults.AsNoTracking().SingleAsync(v => v.Id == keys.VaultId, ct);
        var header = new BackupHeader(1, time.GetUtcNow(), RandomNumberGenerator.GetBytes(32), BackupVault.From(vault));
        var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header, BackupJson.Options);

        output.Write(Magic);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, headerBytes.Length);
        output.Write(length);
        output.Write(headerBytes);

        var backupKey = DeriveBackupKey(keys.DataKey, header.Salt);
        try
        {
            using var sealedStream = new ChunkedAeadWriter(output, backupKey, SHA256.HashData(headerBytes));
            await using (var gzip = new GZipStream(sealedStream, CompressionLevel.Optimal, leaveOpen: true))
            {
                await using var lines = new StreamWriter(gzip, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
                await foreach (var record in db.Records.AsNoTracking().Where(r => r.VaultId == vault.Id).OrderBy(r => r.Id).AsAsyncEnumerable().WithCancellation(ct))
                {
                    await lines.WriteLineAsync(JsonSerializer.Serialize(BackupLine.From(record), BackupJson.Options));
                }

                await foreach (var version in db.RecordVersions.AsNoTracking().Where(v => v.VaultId == vault.Id).OrderBy(v => v.RecordId).ThenBy(v => v.Version).AsAsyncEnumerable().WithCancellation(ct))
                {
                    await lines.WriteLineAsync(JsonSerializer.Serialize(BackupLine.From(version), BackupJson.Options));
                }

                await foreach (var batch in db.ImportBatches.AsNoTracking().Where(b => b.VaultId == vault.Id).OrderBy(b => b.Id).AsAsyncEnumerable().WithCancellation(ct))
                {
                    await lines.WriteLineAsync(JsonSerializer.Serialize(BackupLine.From(batch), BackupJson.Options));
                }

                await foreach (var chunk in db.TransactionChunks.AsNoTracking().Where(c => c.VaultId == vault.Id).OrderBy(c => c.BatchId).ThenBy(c => c.Chunk).AsAsyncEnumerable().WithCancellation(ct))
                {
                    await lines.WriteLineAsync(JsonSerializer.Serialize(BackupLine.From(chunk), BackupJson.Options));
                }
            }

            sealedStream.Finish();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(backupKey);
        }

        await output.FlushAsync(ct);
        LogBackupWritten(logger, vault.Id);
    }

    /// <summary>Reads a backup's header without any key (to show which vault it holds and when it was made).</summary>
    public static BackupHeader ReadHeader(Stream input) => ReadHeader(input, out _);

    /// <summary>
    /// Restores a backup into this (empty) data store, all or nothing. The secret is the vault's passphrase, or its
    /// recovery key when <paramref name="isRecoveryKey"/> is true.
    /// </summary>
    public async Task<Guid> RestoreAsync(Stream input, string secret, bool isRecoveryKey, CancellationToken ct = default)
    {
        if (await db.Vaults.AnyAsync(ct))
        {
            throw new VaultAlreadyExistsException();
        }

        var header = ReadHeader(input, out var headerBytes);
        var vault = header.Vault.ToEntity();
        var dataKey = isRecoveryKey ? VaultService.UnwrapWithRecoveryKey(vault, secret) : VaultService.UnwrapWithPassphrase(vault, secret);
        var backupKey = DeriveBackupKey(dataKey, header.Salt);
        CryptographicOperations.ZeroMemory(dataKey);

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            try
            {
                db.Vaults.Add(vault);
                await db.SaveChangesAsync(ct);
                await using var opened = new ChunkedAeadReader(input, backupKey, SHA256.HashData(headerBytes));
                await using var gzip = new GZipStream(opened, CompressionMode.Decompress);
                using var lines = new StreamReader(gzip, Encoding.UTF8);
                var pending = 0;
                while (await lines.ReadLineAsync(ct) is { } line)
                {
                    var entry = JsonSerializer.Deserialize<BackupLine>(line, BackupJson.Options)
                        ?? throw new InvalidBackupException("The backup holds an empty entry.");
                    if (entry.Record is { } record)
                    {
                        db.Records.Add(record.ToEntity(vault.Id));
                    }
                    else if (entry.Version is { } version)
                    {
                        db.RecordVersions.Add(version.ToEntity(vault.Id));
                    }
                    else if (entry.ImportBatch is { } batch)
                    {
                        db.ImportBatches.Add(batch.ToEntity(vault.Id));
                    }
                    else if (entry.TransactionChunk is { } chunk)
                    {
                        db.TransactionChunks.Add(chunk.ToEntity(vault.Id));
                    }
                    else
                    {
                        throw new InvalidBackupException("The backup holds an entry of an unknown kind.");
                    }

                    if (++pending == RestoreBatchSize)
                    {
                        await db.SaveChangesAsync(ct);
                        db.ChangeTracker.Clear();
                        pending = 0;
                    }
                }

                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            catch (Exception e) when (e is InvalidDataException or JsonException or IOException)
            {
                throw new InvalidBackupException(e is InvalidDataException ? e.Message : "The backup file is damaged.", e);
            }
            finally
            {
                db.ChangeTracker.Clear();
                db.ChangeTracker.AutoDetectChangesEnabled = true;
                CryptographicOperations.ZeroMemory(backupKey);
            }
        });

        LogBackupRestored(logger, vault.Id);
        return vault.Id;
    }

    private static BackupHeader ReadHeader(Stream input, out byte[] headerBytes)
    {
        Span<byte> magic = stackalloc byte[16];
        Span<byte> length = stackalloc byte[4];
        try
        {
            input.ReadExactly(magic);
            if (!magic.SequenceEqual(Magic))
            {
                throw new InvalidBackupException("This is not a Symbolon backup file.");
            }

            input.ReadExactly(length);
            var headerLength = BinaryPrimitives.ReadInt32BigEndian(length);
            if (headerLength is <= 0 or > MaxHeaderLength)
            {
                throw new InvalidBackupException("The backup file's header is damaged.");
            }

            headerBytes = new byte[headerLength];
            input.ReadExactly(headerBytes);
            var header = JsonSerializer.Deserialize<BackupHeader>(headerBytes, BackupJson.Options)
                ?? throw new InvalidBackupException("The backup file's header is empty.");
            if (header.FormatVersion != 1)
            {
                throw new InvalidBackupException($"This backup has format version {header.FormatVersion}; this Symbolon reads version 1.");
            }

            CheckHeader(header);
            return header;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidBackupException("The backup file is truncated.", e);
        }
        catch (JsonException e)
        {
            throw new InvalidBackupException("The backup file's header is damaged.", e);
        }
    }

    // Note: the header is authenticated only when the payload is opened, and by then the restore has already written
    // the vault row; a header that lost a member (a damaged property name parses as a missing one) must be refused
    // here, as a damaged backup, not surface later as a null reference or a database constraint error.
    private static void CheckHeader(BackupHeader header)
    {
        var vault = header.Vault;
        if (header.Salt is not { Length: 32 }
            || vault is null
            || vault.Id == Guid.Empty
            || vault.KdfAlgorithm is null
            || vault.KdfSalt is not { Length: > 0 }
            || vault.PassphraseWrappedKey is not { Length: > 0 }
            || vault.RecoveryWrappedKey is not { Length: > 0 }
            || vault.SigningPublicKey is not { Length: > 0 }
            || vault.SigningPrivateKeySealed is not { Length: > 0 }
            || vault.AgreementPublicKey is not { Length: > 0 }
            || vault.AgreementPrivateKeySealed is not { Length: > 0 })
        {
            throw new InvalidBackupException("The backup file's header is damaged.");
        }

        try
        {
            new KdfParameters(vault.KdfAlgorithm, vault.KdfMemoryKiB, vault.KdfIterations, vault.KdfParallelism).Validate();
        }
        catch (VaultFormatException e)
        {
            throw new InvalidBackupException("The backup file's header is damaged: " + e.Message, e);
        }
    }

    private static byte[] DeriveBackupKey(ReadOnlySpan<byte> dataKey, byte[] salt) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey.ToArray(), VaultCrypto.KeySize, salt, KeyInfo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup of vault {VaultId} written")]
    private static partial void LogBackupWritten(ILogger logger, Guid vaultId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup of vault {VaultId} restored")]
    private static partial void LogBackupRestored(ILogger logger, Guid vaultId);
}
