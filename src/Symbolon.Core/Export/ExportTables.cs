using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Symbolon.Core.Backup;
using Symbolon.Core.Conversations;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Export;

/// <summary>
/// Which tables the plain export carries and how, read from the EF model so that a table added later cannot be
/// forgotten: a table has its own section (<see cref="Sections"/>), is written generically under <c>tables</c>
/// (every table not otherwise named), or is left out with its reason (<see cref="ExcludedTables"/>). Generic rows are
/// JSON objects of the model's properties in camelCase, ordered by primary key; sealed columns are written opened
/// (<see cref="SealedColumns"/>), signed UTF-8 documents as text (<see cref="TextColumns"/>), other bytes in base64.
/// </summary>
internal static class ExportTables
{
    /// <summary>Tables with a section of their own in the export (table → section).</summary>
    public static IReadOnlyDictionary<string, string> Sections { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["vaults"] = "vault",
        ["records"] = "records",
        ["record_versions"] = "records",
        ["import_batches"] = "transactions",
        ["transaction_chunks"] = "transactions",
    };

    /// <summary>Tables the export leaves out, each with its reason (docs/export-format.md repeats them).</summary>
    public static IReadOnlyDictionary<string, string> ExcludedTables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["access_tokens"] = "credentials of this installation (hashes of the owner API's tokens); create new ones where the vault moves",
        ["card_codes"] = "hashes of one-time card pairing codes that expire within minutes",
        ["change_log"] = "this installation's change feed for vendors: one line per record version, which the records section holds in full",
        ["webhook_messages"] = "this installation's webhook delivery queue (payloads hold ids, no values)",
        ["outbox_cursors"] = "how far this installation's webhook outbox has read the change feed",
        ["idempotency_keys"] = "vendors' retry protection on this installation (kept for a day)",
        ["oauth_applications"] = "vendors' OAuth client registrations with this installation (hashed client secrets): vendors register again where the vault moves; the encrypted backup carries them",
        ["oauth_authorizations"] = "OpenIddict's authorizations behind this installation's tokens; the grants section holds what the person granted",
        ["oauth_scopes"] = "OpenIddict's scopes (Symbolon uses none)",
        ["oauth_tokens"] = "vendors' token handles with this installation; they do not move (the encrypted backup carries them)",
    };

    /// <summary>Columns the export leaves out ("table.Property", or "*.Property" for every table), each with its reason.</summary>
    public static IReadOnlyDictionary<string, string> ExcludedColumns { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["*.VaultId"] = "the vault's id, given once in the vault section",
        ["relationships.PairwiseKey"] = "this installation's key for the ids a vendor sees; an import makes a new one",
        ["relationships.WebhookSecretProtected"] = "the webhook secret, protected with this installation's host keys; a vendor registers its webhook again",
        ["inbox_items.Sealed"] = "a vendor write sealed to the vault's key while it was locked; the inbox applies it when the vault unlocks, which an export needs",
        ["inbox_items.RequestHash"] = "a hash for vendors' retries on this installation",
        ["card_requests.DeviceCodeTokenId"] = "the OAuth device code entry of this installation",
        ["card_requests.DeviceCodeHash"] = "a hash of the OAuth device code of this installation",
    };

    /// <summary>Columns that hold UTF-8 documents (signed bytes): written as text, so the export reads and imports byte for byte.</summary>
    public static IReadOnlySet<string> TextColumns { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "agreement_records.SignedContent",
        "grants.Receipt",
        "pushed_updates.Receipt",
    };

    /// <summary>Sealed columns, written opened under another member name.</summary>
    public static IReadOnlyDictionary<string, SealedColumn> SealedColumns { get; } = new Dictionary<string, SealedColumn>(StringComparer.Ordinal)
    {
        ["messages.TextSealed"] = new("text", Json: false,
            (keys, e) => keys.Open(((MessageEntity)e).TextSealed, ConversationService.MessageAad((MessageEntity)e)),
            (keys, e, plain) => ((MessageEntity)e).TextSealed = keys.Seal(plain, ConversationService.MessageAad((MessageEntity)e))),
        ["pushed_updates.ValueSealed"] = new("value", Json: true,
            (keys, e) => ((PushedUpdateEntity)e).ValueSealed is { } sealedValue ? keys.Open(sealedValue, ConversationService.PushAad((PushedUpdateEntity)e)) : null,
            (keys, e, plain) => ((PushedUpdateEntity)e).ValueSealed = keys.Seal(plain, ConversationService.PushAad((PushedUpdateEntity)e))),
    };

    /// <summary>The tables written generically under <c>tables</c>, principals before dependents (the order an import inserts them in).</summary>
    public static IReadOnlyList<IEntityType> GenericTables(IModel model) =>
        [.. BackupTables.InInsertOrder(model).Where(t => !Sections.ContainsKey(BackupTables.TableOf(t)) && !ExcludedTables.ContainsKey(BackupTables.TableOf(t)))];

    /// <summary>The columns of a generic table the export writes, with their member names.</summary>
    public static IEnumerable<(IProperty Property, string Member)> Columns(IEntityType type)
    {
        var table = BackupTables.TableOf(type);
        foreach (var property in type.GetProperties())
        {
            var key = table + "." + property.Name;
            if (ExcludedColumns.ContainsKey(key) || ExcludedColumns.ContainsKey("*." + property.Name))
            {
                continue;
            }

            yield return (property, SealedColumns.TryGetValue(key, out var sealedColumn) ? sealedColumn.Member : JsonNamingPolicy.CamelCase.ConvertName(property.Name));
        }
    }

    /// <summary>Every row of a generic table that belongs to the vault, ordered by primary key.</summary>
    public static async Task<List<object>> RowsAsync(SymbolonDbContext db, IEntityType type, Guid vaultId, CancellationToken ct)
    {
        var rows = await (Task<List<object>>)RowsMethod.MakeGenericMethod(type.ClrType).Invoke(null, [db, vaultId, ct])!;
        var key = type.FindPrimaryKey()!.Properties;
        rows.Sort((a, b) =>
        {
            foreach (var property in key)
            {
                var order = Comparer<object>.Default.Compare(Value(property, a)!, Value(property, b)!);
                if (order != 0)
                {
                    return order;
                }
            }

            return 0;
        });
        return rows;
    }

    /// <summary>A column's value (generic tables have no shadow properties).</summary>
    public static object? Value(IProperty property, object entity) =>
        property.PropertyInfo is { } info ? info.GetValue(entity) : property.FieldInfo!.GetValue(entity);

    /// <summary>Sets a column's value.</summary>
    public static void SetValue(IProperty property, object entity, object? value)
    {
        if (property.PropertyInfo is { CanWrite: true } info)
        {
            info.SetValue(entity, value);
        }
        else
        {
            property.FieldInfo!.SetValue(entity, value);
        }
    }

    private static readonly MethodInfo RowsMethod = typeof(ExportTables).GetMethod(nameof(RowsOfTypeAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static async Task<List<object>> RowsOfTypeAsync<T>(SymbolonDbContext db, Guid vaultId, CancellationToken ct)
        where T : class =>
        [.. await db.Set<T>().AsNoTracking().Where(r => EF.Property<Guid>(r, nameof(RecordEntity.VaultId)) == vaultId).ToListAsync(ct)];
}

/// <summary>How one sealed column is opened for the export and sealed again by an import.</summary>
/// <param name="Member">The member name of the opened value.</param>
/// <param name="Json">Whether the opened bytes are a JSON value (written as is) rather than UTF-8 text.</param>
/// <param name="Open">Opens the column of a row; null when the column is empty.</param>
/// <param name="Seal">Seals the opened bytes into the column of a new row (its other columns already set).</param>
internal sealed record SealedColumn(string Member, bool Json, Func<VaultKeys, object, byte[]?> Open, Action<VaultKeys, object, byte[]> Seal);
