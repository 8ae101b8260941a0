using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Backup;
using Symbolon.Core.Problems;
using Symbolon.Core.Relationships;
using Symbolon.Core.Statements;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Export;

/// <summary>The file cannot be imported as a vault; the detail names the section at fault, never a value in it.</summary>
internal sealed class InvalidExportException(string detail, Exception? inner = null) : SymbolonProblemException(
    ProblemCodes.InvalidExport, 400, "That export cannot be imported.", detail, "That export cannot be imported. " + detail, innerException: inner);

/// <summary>
/// Creates a vault from a plain export (<see cref="VaultExporter"/>, format versions 1 and 2): the person's move from
/// one installation to another. The vault keeps its id and creation time but gets new keys (a new passphrase and
/// recovery key), so every sealed value is sealed anew; everything the export holds comes back, and an export of the
/// new vault is byte for byte the original apart from the vault's two public keys. What an export leaves out
/// (<see cref="ExportTables.ExcludedTables"/>) stays behind: vendors register again with the new installation.
/// All or nothing, into an empty data store only.
/// </summary>
internal sealed partial class ExportImporter(SymbolonDbContext db, VaultService vaults, ILogger<ExportImporter> logger)
{
    private const int BatchSize = 2000;

    public async Task<CreatedVault> ImportAsync(Stream input, string passphrase, CancellationToken ct = default)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(input, new JsonDocumentOptions { MaxDepth = 256 }, ct);
        }
        catch (JsonException e)
        {
            throw new InvalidExportException("The file is not JSON (or it is cut short).", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != VaultExporter.Format)
            {
                throw new InvalidExportException($"The file is not a Symbolon export (its \"format\" is not \"{VaultExporter.Format}\").");
            }

            var version = root.TryGetProperty("formatVersion", out var v) && v.TryGetInt32(out var n) ? n : 0;
            if (version is < 1 or > VaultExporter.FormatVersion)
            {
                throw new InvalidExportException($"The export has format version {version}; this Symbolon imports versions 1 to {VaultExporter.FormatVersion}.");
            }

            var vault = Section(root, "vault", JsonValueKind.Object);
            var (id, createdAt) = Read("vault", () => (vault.GetProperty("id").GetGuid(), vault.GetProperty("createdAt").GetDateTimeOffset()));

            CreatedVault? created = null;
            var strategy = db.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                db.ChangeTracker.AutoDetectChangesEnabled = false;
                try
                {
                    created = await vaults.CreateForImportAsync(passphrase, id, createdAt, ct);
                    await ReadSettingsAsync(vault, id, ct);
                    await ReadRecordsAsync(created.Keys, Section(root, "records", JsonValueKind.Array), ct);
                    if (root.TryGetProperty("transactions", out var transactions))
                    {
                        await ReadTransactionsAsync(created.Keys, Checked(transactions, "transactions", JsonValueKind.Array), ct);
                    }

                    if (root.TryGetProperty("tables", out var tables))
                    {
                        await ReadTablesAsync(created.Keys, Checked(tables, "tables", JsonValueKind.Object), ct);
                    }

                    await db.SaveChangesAsync(ct);
                    await transaction.CommitAsync(ct);
                }
                catch
                {
                    created?.Keys.Dispose();
                    created = null;
                    throw;
                }
                finally
                {
                    db.ChangeTracker.Clear();
                    db.ChangeTracker.AutoDetectChangesEnabled = true;
                }
            });

            LogImported(logger, id);
            return created!;
        }
    }

    private async Task ReadSettingsAsync(JsonElement vault, Guid id, CancellationToken ct)
    {
        if (!vault.TryGetProperty("settings", out var settings))
        {
            return;
        }

        var entity = await db.Vaults.SingleAsync(x => x.Id == id, ct);
        Read("vault.settings", () =>
        {
            entity.AutoLockMinutes = settings.TryGetProperty("autoLockMinutes", out var minutes) ? minutes.GetInt32() : null;
            entity.ProfferedAgreements = settings.TryGetProperty("profferedAgreements", out var proffered) ? proffered.GetString() : null;
            entity.CardAutoApproveAppend = settings.TryGetProperty("cardAutoApproveAppend", out var auto) && auto.GetBoolean();
            return 0;
        });
        db.Entry(entity).State = EntityState.Modified;
        await db.SaveChangesAsync(ct);
    }

    private async Task ReadRecordsAsync(VaultKeys keys, JsonElement records, CancellationToken ct)
    {
        var pending = 0;
        foreach (var record in records.EnumerateArray())
        {
            var versions = Read("records", () =>
            {
                var id = record.GetProperty("id").GetGuid();
                var type = record.GetProperty("type").GetString()!;
                var rows = new List<RecordVersionEntity>();
                foreach (var version in record.GetProperty("versions").EnumerateArray())
                {
                    var number = version.GetProperty("version").GetInt32();
                    var actor = version.GetProperty("actor");
                    rows.Add(new RecordVersionEntity
                    {
                        VaultId = keys.VaultId,
                        RecordId = id,
                        Version = number,
                        Type = type,
                        ChangedAt = version.GetProperty("changedAt").GetDateTimeOffset(),
                        Operation = version.GetProperty("operation").GetString()!,
                        ActorKind = actor.GetProperty("kind").GetString()!,
                        ActorId = actor.TryGetProperty("id", out var actorId) ? actorId.GetString() : null,

                        // The data is sealed exactly as the export wrote it, so the next export writes the same bytes.
                        Sealed = version.TryGetProperty("data", out var data) ? keys.SealRecord(id, type, number, Encoding.UTF8.GetBytes(data.GetRawText())) : null,
                    });
                }

                if (rows.Count == 0)
                {
                    throw new InvalidDataException("a record without versions");
                }

                db.Records.Add(new RecordEntity
                {
                    VaultId = keys.VaultId,
                    Id = id,
                    Type = type,
                    CurrentVersion = rows[^1].Version,
                    CreatedAt = record.GetProperty("createdAt").GetDateTimeOffset(),
                    UpdatedAt = rows[^1].ChangedAt,
                    DeletedAt = record.TryGetProperty("deletedAt", out var deletedAt) ? deletedAt.GetDateTimeOffset() : null,
                });
                return rows;
            });
            db.RecordVersions.AddRange(versions);
            pending += versions.Count + 1;
            if (pending >= BatchSize)
            {
                await SaveBatchAsync(ct);
                pending = 0;
            }
        }

        await SaveBatchAsync(ct);
    }

    private async Task ReadTransactionsAsync(VaultKeys keys, JsonElement batches, CancellationToken ct)
    {
        foreach (var batch in batches.EnumerateArray())
        {
            Read("transactions", () =>
            {
                var batchId = batch.GetProperty("id").GetGuid();
                var chunks = batch.GetProperty("chunks");
                db.ImportBatches.Add(new ImportBatchEntity
                {
                    VaultId = keys.VaultId,
                    Id = batchId,
                    ImportedAt = batch.GetProperty("importedAt").GetDateTimeOffset(),
                    TransactionCount = batch.GetProperty("transactionCount").GetInt32(),
                    DuplicateCount = batch.GetProperty("duplicateCount").GetInt32(),
                    ChunkCount = chunks.GetArrayLength(),
                    SealedSummary = keys.Seal(Encoding.UTF8.GetBytes(batch.GetProperty("summary").GetRawText()), VaultCrypto.ImportSummaryAad(keys.VaultId, batchId)),
                });
                foreach (var chunk in chunks.EnumerateArray())
                {
                    var index = chunk.GetProperty("chunk").GetInt32();
                    var lines = chunk.GetProperty("transactions");
                    var builder = new TransactionChunkBuilder(lines.GetArrayLength());
                    foreach (var line in lines.EnumerateArray())
                    {
                        builder.Add(
                            new StatementRow(
                                line.GetProperty("account").GetString()!,
                                DateOnly.ParseExact(line.GetProperty("date").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                                line.GetProperty("amount").GetDecimal(),
                                line.GetProperty("currency").GetString()!,
                                line.GetProperty("description").GetString()!,
                                line.TryGetProperty("merchant", out var merchant) ? merchant.GetString() : null,
                                line.TryGetProperty("reference", out var reference) ? reference.GetString() : null,
                                line.TryGetProperty("balance", out var balance) ? balance.GetDecimal() : null),
                            line.GetProperty("category").GetString()!);
                    }

                    var count = lines.GetArrayLength();
                    db.TransactionChunks.Add(new TransactionChunkEntity
                    {
                        VaultId = keys.VaultId,
                        BatchId = batchId,
                        Chunk = index,
                        TransactionCount = count,
                        Sealed = TransactionChunkCodec.Encode(builder, compressed => keys.Seal(compressed, VaultCrypto.TransactionChunkAad(keys.VaultId, batchId, index, count))),
                    });
                }

                return 0;
            });
            await SaveBatchAsync(ct);
        }
    }

    private async Task ReadTablesAsync(VaultKeys keys, JsonElement tables, CancellationToken ct)
    {
        var types = ExportTables.GenericTables(db.Model).ToDictionary(BackupTables.TableOf, StringComparer.Ordinal);
        var pending = 0;
        foreach (var section in tables.EnumerateObject())
        {
            if (!types.TryGetValue(section.Name, out var type))
            {
                throw new InvalidExportException($"The export holds a table this Symbolon does not know ({section.Name}): it was made by a newer version or is damaged.");
            }

            var columns = ExportTables.Columns(type).ToDictionary(c => c.Member, c => c.Property, StringComparer.Ordinal);
            foreach (var row in Checked(section.Value, "tables." + section.Name, JsonValueKind.Array).EnumerateArray())
            {
                Read("tables." + section.Name, () => AddRow(keys, type, columns, row));
                if (++pending == BatchSize)
                {
                    await SaveBatchAsync(ct);
                    pending = 0;
                }
            }
        }

        await SaveBatchAsync(ct);

        // Rows came with their keys (the sealed inbox's sequence): the next one the database makes must follow them.
        await BackupTables.AdvanceKeySequencesAsync(db, types.Values, ct);
    }

    private int AddRow(VaultKeys keys, IEntityType type, Dictionary<string, IProperty> columns, JsonElement row)
    {
        var table = BackupTables.TableOf(type);
        var entity = Activator.CreateInstance(type.ClrType)!;
        ExportTables.SetValue(type.FindProperty(nameof(RecordEntity.VaultId))!, entity, keys.VaultId);
        if (entity is RelationshipEntity relationship)
        {
            // The key behind the ids this vendor sees is the old installation's and stays there (see ExportTables).
            relationship.PairwiseKey = RandomNumberGenerator.GetBytes(32);
        }

        var sealedValues = new List<(SealedColumn Column, byte[] Plain)>();
        foreach (var member in row.EnumerateObject())
        {
            if (!columns.TryGetValue(member.Name, out var property))
            {
                throw new InvalidDataException($"an unknown column ({member.Name})");
            }

            var column = table + "." + property.Name;
            if (ExportTables.SealedColumns.TryGetValue(column, out var sealedColumn))
            {
                if (member.Value.ValueKind != JsonValueKind.Null)
                {
                    sealedValues.Add((sealedColumn, Encoding.UTF8.GetBytes(sealedColumn.Json ? member.Value.GetRawText() : member.Value.GetString()!)));
                }
            }
            else if (ExportTables.TextColumns.Contains(column))
            {
                ExportTables.SetValue(property, entity, member.Value.ValueKind == JsonValueKind.Null ? null : Encoding.UTF8.GetBytes(member.Value.GetString()!));
            }
            else
            {
                ExportTables.SetValue(property, entity, member.Value.Deserialize(property.ClrType));
            }
        }

        foreach (var (column, plain) in sealedValues)
        {
            column.Seal(keys, entity, plain);
        }

        db.Entry(entity).State = EntityState.Added;
        return 0;
    }

    private async Task SaveBatchAsync(CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    private static JsonElement Section(JsonElement root, string name, JsonValueKind kind) =>
        root.TryGetProperty(name, out var section) ? Checked(section, name, kind) : throw new InvalidExportException($"The export has no \"{name}\" section.");

    private static JsonElement Checked(JsonElement section, string name, JsonValueKind kind) =>
        section.ValueKind == kind ? section : throw new InvalidExportException($"The export's \"{name}\" section is damaged.");

    /// <summary>Runs a read of one section, turning a missing or mistyped member into a problem that names the section.</summary>
    private static T Read<T>(string section, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or JsonException or InvalidDataException or ArgumentException)
        {
            throw new InvalidExportException($"The export's \"{section}\" section is damaged" + (e is InvalidDataException ? $": {e.Message}." : "."), e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Vault {VaultId} created from an export")]
    private static partial void LogImported(ILogger logger, Guid vaultId);
}
