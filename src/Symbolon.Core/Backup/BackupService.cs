using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
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
/// already protected) in a plain header, then every row of every table of the model (see <see cref="BackupTables"/>:
/// records, relationships, grants, agreements, the access log, conversations, requests, OpenIddict's clients,
/// authorizations and tokens, ...) and the key files vendors depend on (<see cref="BackupKeyFiles"/>),
/// gzip-compressed and sealed with streaming AES-256-GCM under a key derived from the data key. Restoring needs the
/// passphrase or the recovery key, and copies every sealed value byte for byte, so the restored vault is the same
/// vault and its vendors keep working. Format 1 backups (records and imports only) are still read.
/// The format is described in docs/export-format.md.
/// </summary>
internal sealed partial class BackupService(SymbolonDbContext db, TimeProvider time, ILogger<BackupService> logger, StorageOptions? storage = null)
{
    private static readonly byte[] Magic = "SYMBOLON-BACKUP1"u8.ToArray();
    private static readonly byte[] KeyInfo = "symbolon backup v1"u8.ToArray();
    private const int MaxHeaderLength = 64 * 1024;
    private const int RestoreBatchSize = 2000;

    /// <summary>The format version this Symbolon writes; it reads every version up to it.</summary>
    public const int CurrentFormatVersion = 2;

    public async Task WriteAsync(VaultKeys keys, Stream output, CancellationToken ct = default)
    {
        var vault = await db.Vaults.AsNoTracking().SingleAsync(v => v.Id == keys.VaultId, ct);
        var header = new BackupHeader(CurrentFormatVersion, time.GetUtcNow(), RandomNumberGenerator.GetBytes(32), BackupVault.From(vault));
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
                var buffer = new ArrayBufferWriter<byte>(64 * 1024);
                await using var json = new Utf8JsonWriter(buffer);
                foreach (var type in BackupTables.InInsertOrder(db.Model))
                {
                    var table = BackupTables.TableOf(type);
                    var tracked = type.GetProperties().Any(p => p.IsShadowProperty());
                    await foreach (var entity in RowsOf(type, vault.Id, tracked).WithCancellation(ct))
                    {
                        json.WriteStartObject();
                        json.WriteString("table", table);
                        json.WritePropertyName("row");
                        BackupTables.WriteRow(json, db, type, entity, BackupJson.Options);
                        json.WriteEndObject();
                        await WriteLineAsync(gzip, json, buffer, ct);
                        if (tracked)
                        {
                            db.Entry(entity).State = EntityState.Detached;
                        }
                    }
                }

                if (storage is not null)
                {
                    foreach (var (name, content) in BackupKeyFiles.Read(storage.ResolvedDataDirectory))
                    {
                        json.WriteStartObject();
                        json.WriteString("file", name);
                        json.WriteBase64String("content", content);
                        json.WriteEndObject();
                        await WriteLineAsync(gzip, json, buffer, ct);
                    }
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

    private static async Task WriteLineAsync(Stream output, Utf8JsonWriter json, ArrayBufferWriter<byte> buffer, CancellationToken ct)
    {
        await json.FlushAsync(ct);
        await output.WriteAsync(buffer.WrittenMemory, ct);
        output.WriteByte((byte)'\n');
        buffer.ResetWrittenCount();
        json.Reset();
    }

    /// <summary>
    /// The rows of one table that belong to the vault (tables without a vault column, such as OpenIddict's, hold only
    /// this vault's vendors: a data store holds one vault). Entities with shadow properties are tracked, since only
    /// a tracked entity has their values; the caller detaches each once written.
    /// </summary>
    private IAsyncEnumerable<object> RowsOf(IEntityType type, Guid vaultId, bool tracked) =>
        (IAsyncEnumerable<object>)RowsOfMethod.MakeGenericMethod(type.ClrType).Invoke(this, [type, vaultId, tracked])!;

    private static readonly MethodInfo RowsOfMethod = typeof(BackupService).GetMethod(nameof(RowsOfType), BindingFlags.NonPublic | BindingFlags.Instance)!;

    private IAsyncEnumerable<T> RowsOfType<T>(IEntityType type, Guid vaultId, bool tracked)
        where T : class
    {
        IQueryable<T> rows = tracked ? db.Set<T>() : db.Set<T>().AsNoTracking();
        if (type.ClrType == typeof(VaultEntity))
        {
            rows = rows.Where(v => EF.Property<Guid>(v, nameof(VaultEntity.Id)) == vaultId);
        }
        else if (type.FindProperty(nameof(RecordEntity.VaultId)) is { } vaultColumn && vaultColumn.ClrType == typeof(Guid))
        {
            rows = rows.Where(r => EF.Property<Guid>(r, nameof(RecordEntity.VaultId)) == vaultId);
        }

        return rows.AsAsyncEnumerable();
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

        var keyFiles = new List<(string Name, byte[] Content)>();
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            keyFiles.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            try
            {
                await using var opened = new ChunkedAeadReader(input, backupKey, SHA256.HashData(headerBytes));
                await using var gzip = new GZipStream(opened, CompressionMode.Decompress);
                using var lines = new StreamReader(gzip, Encoding.UTF8);
                if (header.FormatVersion == 1)
                {
                    await RestoreVersion1Async(vault, lines, ct);
                }
                else
                {
                    await RestoreTablesAsync(vault, lines, keyFiles, ct);
                }

                await transaction.CommitAsync(ct);
            }
            catch (Exception e) when (e is InvalidDataException or JsonException or IOException or FormatException)
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

        if (storage is not null && keyFiles.Count > 0)
        {
            BackupKeyFiles.Write(storage.ResolvedDataDirectory, keyFiles);
        }

        LogBackupRestored(logger, vault.Id);
        return vault.Id;
    }

    /// <summary>Format 1 (before 2026-12): record heads and versions, import batches and transaction chunks only.</summary>
    private async Task RestoreVersion1Async(VaultEntity vault, StreamReader lines, CancellationToken ct)
    {
        db.Vaults.Add(vault);
        await db.SaveChangesAsync(ct);
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
    }

    /// <summary>
    /// Format 2: one line per row of every table (see <see cref="BackupTables"/>), principals first, the vault row
    /// before any other, then the key files. The vault row of the payload is the one restored (with the settings the
    /// header does not hold); it must be the vault the header names.
    /// </summary>
    private async Task RestoreTablesAsync(VaultEntity headerVault, StreamReader lines, List<(string Name, byte[] Content)> keyFiles, CancellationToken ct)
    {
        var types = BackupTables.InInsertOrder(db.Model).ToDictionary(BackupTables.TableOf, StringComparer.Ordinal);
        var vaultTable = BackupTables.TableOf(db.Model.FindEntityType(typeof(VaultEntity))!);
        var vaultRestored = false;
        var pending = 0;
        while (await lines.ReadLineAsync(ct) is { } line)
        {
            using var document = JsonDocument.Parse(line);
            var entry = document.RootElement;
            if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("file", out var file))
            {
                var name = file.GetString() ?? "";
                if (!BackupKeyFiles.IsKeyFile(name) || !entry.TryGetProperty("content", out var content))
                {
                    throw new InvalidBackupException("The backup holds a key file this Symbolon does not know: it was made by a newer version or is damaged.");
                }

                keyFiles.Add((name, content.GetBytesFromBase64()));
                continue;
            }

            if (entry.ValueKind != JsonValueKind.Object
                || !entry.TryGetProperty("table", out var tableElement)
                || !entry.TryGetProperty("row", out var row))
            {
                throw new InvalidBackupException("The backup holds an entry of an unknown kind.");
            }

            var table = tableElement.GetString() ?? "";
            if (!types.TryGetValue(table, out var type))
            {
                throw new InvalidBackupException($"The backup holds a table this Symbolon does not know ({table}): it was made by a newer version or is damaged.");
            }

            var entity = BackupTables.AddRow(db, type, row, BackupJson.Options);
            if (table == vaultTable)
            {
                if (vaultRestored || ((VaultEntity)entity).Id != headerVault.Id)
                {
                    throw new InvalidBackupException("The backup's payload holds another vault than its header names.");
                }

                vaultRestored = true;
            }
            else if (!vaultRestored)
            {
                throw new InvalidBackupException("The backup's payload does not start with its vault.");
            }

            if (++pending == RestoreBatchSize)
            {
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                pending = 0;
            }
        }

        if (!vaultRestored)
        {
            throw new InvalidBackupException("The backup's payload holds no vault.");
        }

        await db.SaveChangesAsync(ct);
        await BackupTables.AdvanceKeySequencesAsync(db, types.Values, ct);
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
            if (header.FormatVersion is < 1 or > CurrentFormatVersion)
            {
                throw new InvalidBackupException($"This backup has format version {header.FormatVersion}; this Symbolon reads versions 1 to {CurrentFormatVersion}.");
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
