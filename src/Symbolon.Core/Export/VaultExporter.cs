using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Records;
using Symbolon.Core.Statements;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Export;

/// <summary>
/// Writes the plain JSON export (format <c>symbolon.export</c> version 2, documented in docs/export-format.md):
/// the vault's settings, every record with every version, the imported transactions, and every other table of the
/// person's (relationships, agreements with their signed bytes, grants with their consent receipts, the access log,
/// messages, pushed updates, requests, ...) as <see cref="ExportTables"/> describes, decrypted. The output is
/// deterministic: the same vault always gives the same bytes, so an export after a restore (or an import of the
/// export, apart from the vault's new public keys) can be compared byte for byte with one taken before.
/// </summary>
internal sealed class VaultExporter(SymbolonDbContext db)
{
    public const string Format = "symbolon.export";
    public const int FormatVersion = 2;

    public async Task WriteAsync(VaultKeys keys, Stream output, CancellationToken ct = default)
    {
        var vault = await db.Vaults.AsNoTracking().SingleAsync(v => v.Id == keys.VaultId, ct);
        var heads = await db.Records.AsNoTracking().Where(r => r.VaultId == keys.VaultId).OrderBy(r => r.Id).ToListAsync(ct);

        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteNumber("formatVersion", FormatVersion);
        json.WriteStartObject("vault");
        json.WriteString("id", vault.Id);
        json.WriteString("createdAt", vault.CreatedAt);
        json.WriteString("signingPublicKey", Base64Url(vault.SigningPublicKey));
        json.WriteString("agreementPublicKey", Base64Url(vault.AgreementPublicKey));
        json.WriteStartObject("settings");
        if (vault.AutoLockMinutes is { } autoLock)
        {
            json.WriteNumber("autoLockMinutes", autoLock);
        }

        if (vault.ProfferedAgreements is { } proffered)
        {
            json.WriteString("profferedAgreements", proffered);
        }

        json.WriteBoolean("cardAutoApproveAppend", vault.CardAutoApproveAppend);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("records");
        foreach (var head in heads)
        {
            // Note: versions are read one record at a time so that a large vault never needs all
            // decrypted values in memory at once.
            var versions = await db.RecordVersions.AsNoTracking()
                .Where(v => v.VaultId == keys.VaultId && v.RecordId == head.Id)
                .OrderBy(v => v.Version)
                .ToListAsync(ct);
            json.WriteStartObject();
            json.WriteString("id", head.Id);
            json.WriteString("type", head.Type);
            json.WriteString("createdAt", head.CreatedAt);
            if (head.DeletedAt is { } deletedAt)
            {
                json.WriteString("deletedAt", deletedAt);
            }

            json.WriteStartArray("versions");
            foreach (var entity in versions)
            {
                var version = RecordStore.Decrypt(keys, entity);
                json.WriteStartObject();
                json.WriteNumber("version", version.Version);
                json.WriteString("changedAt", version.ChangedAt);
                json.WriteString("operation", version.Operation);
                json.WriteStartObject("actor");
                json.WriteString("kind", version.Actor.Kind);
                if (version.Actor.Id is not null)
                {
                    json.WriteString("id", version.Actor.Id);
                }

                json.WriteEndObject();
                if (version.Json is not null)
                {
                    json.WritePropertyName("data");
                    json.WriteRawValue(version.Json, skipInputValidation: false);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(ct);
        }

        json.WriteEndArray();
        await WriteTransactionsAsync(keys, json, ct);
        await WriteTablesAsync(keys, json, ct);
        json.WriteEndObject();
        await json.FlushAsync(ct);
    }

    /// <summary>Each statement import with its summary and its transactions, chunk by chunk, opened.</summary>
    private async Task WriteTransactionsAsync(VaultKeys keys, Utf8JsonWriter json, CancellationToken ct)
    {
        var batches = await db.ImportBatches.AsNoTracking().Where(b => b.VaultId == keys.VaultId).OrderBy(b => b.Id).ToListAsync(ct);
        json.WriteStartArray("transactions");
        foreach (var batch in batches)
        {
            json.WriteStartObject();
            json.WriteString("id", batch.Id);
            json.WriteString("importedAt", batch.ImportedAt);
            json.WriteNumber("transactionCount", batch.TransactionCount);
            json.WriteNumber("duplicateCount", batch.DuplicateCount);
            json.WritePropertyName("summary");
            json.WriteRawValue(keys.Open(batch.SealedSummary, VaultCrypto.ImportSummaryAad(keys.VaultId, batch.Id)), skipInputValidation: false);
            json.WriteStartArray("chunks");
            var chunks = await db.TransactionChunks.AsNoTracking().Where(c => c.VaultId == keys.VaultId && c.BatchId == batch.Id).OrderBy(c => c.Chunk).ToListAsync(ct);
            foreach (var chunk in chunks)
            {
                var columns = TransactionChunkCodec.Decode(keys.Open(chunk.Sealed, VaultCrypto.TransactionChunkAad(keys.VaultId, chunk.BatchId, chunk.Chunk, chunk.TransactionCount)));
                json.WriteStartObject();
                json.WriteNumber("chunk", chunk.Chunk);
                json.WriteStartArray("transactions");
                for (var i = 0; i < columns.Count; i++)
                {
                    json.WriteStartObject();
                    json.WriteString("account", columns.Strings[columns.Account[i]]);
                    json.WriteString("date", DateOnly.FromDayNumber(columns.Days[i]).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    json.WriteNumber("amount", columns.Amounts[i]);
                    json.WriteString("currency", columns.Strings[columns.Currency[i]]);
                    json.WriteString("description", columns.Strings[columns.Description[i]]);
                    if (columns.Merchant[i] >= 0)
                    {
                        json.WriteString("merchant", columns.Strings[columns.Merchant[i]]);
                    }

                    if (columns.Reference[i] >= 0)
                    {
                        json.WriteString("reference", columns.Strings[columns.Reference[i]]);
                    }

                    if (columns.Balance[i] is { } balance)
                    {
                        json.WriteNumber("balance", balance);
                    }

                    json.WriteString("category", columns.Strings[columns.Category[i]]);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
                await json.FlushAsync(ct);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>Every other table of the person's, row by row (see <see cref="ExportTables"/>).</summary>
    private async Task WriteTablesAsync(VaultKeys keys, Utf8JsonWriter json, CancellationToken ct)
    {
        json.WriteStartObject("tables");
        foreach (var type in ExportTables.GenericTables(db.Model))
        {
            var table = Backup.BackupTables.TableOf(type);
            var columns = ExportTables.Columns(type).ToList();
            json.WriteStartArray(table);
            foreach (var row in await ExportTables.RowsAsync(db, type, keys.VaultId, ct))
            {
                json.WriteStartObject();
                foreach (var (property, member) in columns)
                {
                    var column = table + "." + property.Name;
                    if (ExportTables.SealedColumns.TryGetValue(column, out var sealedColumn))
                    {
                        var opened = sealedColumn.Open(keys, row);
                        if (opened is null)
                        {
                            json.WriteNull(member);
                        }
                        else if (sealedColumn.Json)
                        {
                            json.WritePropertyName(member);
                            json.WriteRawValue(opened, skipInputValidation: false);
                        }
                        else
                        {
                            json.WriteString(member, Encoding.UTF8.GetString(opened));
                        }

                        continue;
                    }

                    var value = ExportTables.Value(property, row);
                    if (value is byte[] bytes && ExportTables.TextColumns.Contains(column))
                    {
                        json.WriteString(member, Encoding.UTF8.GetString(bytes));
                    }
                    else
                    {
                        // Serialized apart and written raw: JsonSerializer.Serialize onto the writer ends with a
                        // synchronous Flush, which a response body (the owner API's export) refuses.
                        json.WritePropertyName(member);
                        json.WriteRawValue(JsonSerializer.SerializeToUtf8Bytes(value, property.ClrType), skipInputValidation: true);
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            await json.FlushAsync(ct);
        }

        json.WriteEndObject();
    }

    internal static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
