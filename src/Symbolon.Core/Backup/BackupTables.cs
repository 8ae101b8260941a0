using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Symbolon.Core.Storage;

namespace Symbolon.Core.Backup;

/// <summary>
/// Which tables and columns a backup carries, read from the EF model rather than listed by hand, so that a table added
/// later is carried without anyone remembering to: every entity type of <see cref="SymbolonDbContext"/> is in a
/// backup unless it is named in <see cref="ExcludedTables"/> with its reason, and every column of it unless named in
/// <see cref="ExcludedColumns"/>. Rows are written and read as JSON objects of the model's property names (shadow
/// properties, such as OpenIddict's foreign keys, included), so a backup reads the same on either provider.
/// </summary>
internal static class BackupTables
{
    /// <summary>
    /// Moves the database's own key counters (PostgreSQL identity columns) past rows written with their keys given, as
    /// a restore or an import of an export does; otherwise the next insert would take a key already used. SQLite needs
    /// nothing (its counter follows the largest key).
    /// </summary>
    public static async Task AdvanceKeySequencesAsync(SymbolonDbContext db, IEnumerable<IEntityType> types, CancellationToken ct)
    {
        foreach (var type in types)
        {
            foreach (var key in type.FindPrimaryKey()?.Properties ?? [])
            {
                if (key.ValueGenerated.HasFlag(ValueGenerated.OnAdd) && (key.ClrType == typeof(long) || key.ClrType == typeof(int))
                    && db.StorageProvider.AdvanceKeySequenceSql(TableOf(type), key.GetColumnName()) is { } sql)
                {
                    await db.Database.ExecuteSqlRawAsync(sql, ct);
                }
            }
        }
    }

    /// <summary>Tables a backup leaves out, each with the reason. Empty: every table is carried.</summary>
    public static IReadOnlyDictionary<string, string> ExcludedTables { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Columns a backup leaves out ("table.Property"), each with the reason.</summary>
    public static IReadOnlyDictionary<string, string> ExcludedColumns { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["vaults." + nameof(VaultEntity.HostWrappedKey)] =
            "the data key wrapped under the host key opens only on the host that made it, and a backup must never carry a key that opens the vault without the passphrase; unattended mode is switched on again after a restore",
        ["vaults." + nameof(VaultEntity.FailedUnlockCount)] = "a counter of wrong passphrases on one installation, not data of the person",
        ["vaults." + nameof(VaultEntity.LastFailedUnlockAt)] = "a counter of wrong passphrases on one installation, not data of the person",
    };

    /// <summary>The carried entity types, principals before their dependents (the order a restore inserts them in).</summary>
    public static IReadOnlyList<IEntityType> InInsertOrder(IModel model)
    {
        var ordered = new List<IEntityType>();
        var seen = new HashSet<IEntityType>();
        foreach (var type in model.GetEntityTypes().Where(t => !t.IsOwned()).OrderBy(TableOf, StringComparer.Ordinal))
        {
            Visit(type);
        }

        return [.. ordered.Where(t => !ExcludedTables.ContainsKey(TableOf(t)))];

        void Visit(IEntityType type)
        {
            if (!seen.Add(type))
            {
                return;
            }

            foreach (var key in type.GetForeignKeys())
            {
                if (key.PrincipalEntityType != type)
                {
                    Visit(key.PrincipalEntityType);
                }
            }

            ordered.Add(type);
        }
    }

    /// <summary>The table an entity type is stored in: the name a backup line carries.</summary>
    public static string TableOf(IEntityType type) => type.GetTableName() ?? type.Name;

    /// <summary>The columns of <paramref name="type"/> that a backup carries.</summary>
    public static IEnumerable<IProperty> CarriedProperties(IEntityType type)
    {
        var table = TableOf(type);
        return type.GetProperties().Where(p => !ExcludedColumns.ContainsKey(table + "." + p.Name));
    }

    /// <summary>Writes one row as a JSON object of its carried properties.</summary>
    public static void WriteRow(Utf8JsonWriter json, DbContext db, IEntityType type, object entity, JsonSerializerOptions options)
    {
        json.WriteStartObject();
        foreach (var property in CarriedProperties(type))
        {
            var value = Read(db, property, entity);

            // Note: SQLite gives DateTime values back without a kind; OpenIddict writes them in UTC, and PostgreSQL
            // refuses a DateTime that does not say so, so a backup always states it.
            if (value is DateTime { Kind: DateTimeKind.Unspecified } unspecified)
            {
                value = DateTime.SpecifyKind(unspecified, DateTimeKind.Utc);
            }

            json.WritePropertyName(property.Name);
            JsonSerializer.Serialize(json, value, property.ClrType, options);
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// Adds the row a backup line holds to the context, as an insert. Properties the line lacks keep their default
    /// (a column added after the backup was made); a property the model does not know means a damaged or newer file.
    /// </summary>
    public static object AddRow(DbContext db, IEntityType type, JsonElement row, JsonSerializerOptions options)
    {
        if (row.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidBackupException("The backup holds a damaged row.");
        }

        var entity = Activator.CreateInstance(type.ClrType)
            ?? throw new InvalidBackupException("The backup holds a row this Symbolon cannot create.");
        var shadow = new List<(IProperty Property, object? Value)>();
        foreach (var member in row.EnumerateObject())
        {
            var property = type.FindProperty(member.Name);
            if (property is null || ExcludedColumns.ContainsKey(TableOf(type) + "." + member.Name))
            {
                throw new InvalidBackupException($"The backup's table {TableOf(type)} holds a column this Symbolon does not know ({member.Name}): it was made by a newer version or is damaged.");
            }

            var value = member.Value.Deserialize(property.ClrType, options);
            if (property.IsShadowProperty())
            {
                shadow.Add((property, value));
            }
            else if (property.PropertyInfo is { CanWrite: true } info)
            {
                info.SetValue(entity, value);
            }
            else
            {
                (property.FieldInfo ?? throw new InvalidBackupException($"The column {member.Name} cannot be restored.")).SetValue(entity, value);
            }
        }

        var entry = db.Entry(entity);
        entry.State = EntityState.Added;
        foreach (var (property, value) in shadow)
        {
            entry.Property(property.Name).CurrentValue = value;
        }

        return entity;
    }

    private static object? Read(DbContext db, IProperty property, object entity) =>
        property.IsShadowProperty() ? db.Entry(entity).Property(property.Name).CurrentValue
        : property.PropertyInfo is { } info ? info.GetValue(entity)
        : property.FieldInfo!.GetValue(entity);
}
