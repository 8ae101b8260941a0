using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Export;

/// <summary>
/// Writes the plain JSON export (format <c>symbolon.export</c> version 1, documented in docs/export-format.md):
/// every record with every version, decrypted. The output is deterministic: the same vault always gives the
/// same bytes, so an export after a restore can be compared byte for byte with one taken before the backup.
/// </summary>
internal sealed class VaultExporter(SymbolonDbContext db)
{
    public const string Format = "symbolon.export";
    public const int FormatVersion = 1;

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
        json.WriteEndObject();
        await json.FlushAsync(ct);
    }

    internal static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
