using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Symbolon.Core.Storage;
using Symbolon.Storage.Sqlite;

namespace Symbolon.Core.Tests.Storage;

/// <summary>
/// SQLite runs on a compiled model (<c>Symbolon.Storage.Sqlite/CompiledModel</c>) so that the server does not build
/// the model at every start. It is generated code: when an entity or its configuration changes, these fail until it
/// is generated again (docs/architecture.md, "Storage", says with which command).
/// </summary>
public class CompiledModelTests
{
    [Fact]
    public void The_compiled_model_has_the_tables_and_columns_of_the_configuration()
    {
        using var compiled = Context(compiledModel: true);
        using var built = Context(compiledModel: false);
        var differ = built.GetService<IMigrationsModelDiffer>();

        var differences = differ.GetDifferences(
            compiled.GetService<IDesignTimeModel>().Model.GetRelationalModel(),
            built.GetService<IDesignTimeModel>().Model.GetRelationalModel());

        Assert.Empty(differences.Select(d => d.GetType().Name + " " + Describe(d)));
    }

    [Fact]
    public void The_compiled_model_has_every_entity_property_key_and_index_of_the_configuration()
    {
        using var compiled = Context(compiledModel: true);
        using var built = Context(compiledModel: false);

        var expected = Shape(built.Model);
        var actual = Shape(compiled.Model);
        Assert.Equal([], expected.Except(actual).Take(3));
        Assert.Equal([], actual.Except(expected).Take(3));
    }

    private static SymbolonDbContext Context(bool compiledModel)
    {
        var options = new DbContextOptionsBuilder<SymbolonDbContext>();
        SqliteStorage.Configure(options, Path.Combine(Path.GetTempPath(), "symbolon-compiled-model-check.db"), compiledModel);
        return new SymbolonDbContext(options.Options);
    }

    private static string Describe(MigrationOperation operation) => operation switch
    {
        CreateTableOperation t => t.Name,
        DropTableOperation t => t.Name,
        AddColumnOperation c => $"{c.Table}.{c.Name}",
        DropColumnOperation c => $"{c.Table}.{c.Name}",
        AlterColumnOperation c => $"{c.Table}.{c.Name}",
        CreateIndexOperation i => $"{i.Table}.{i.Name}",
        DropIndexOperation i => $"{i.Table}.{i.Name}",
        _ => "",
    };

    private static List<string> Shape(IModel model) =>
    [
        .. model.GetEntityTypes().SelectMany(entity =>
            entity.GetProperties().Select(p => $"{entity.Name}.{p.Name}: {p.ClrType.Name} null={p.IsNullable} column={p.GetColumnName()} max={p.GetMaxLength()} stored as {(p.GetValueConverter() ?? p.FindTypeMapping()?.Converter)?.ProviderClrType.Name ?? p.ClrType.Name} ({p.GetColumnType() ?? p.FindRelationalTypeMapping()?.StoreType})")
                .Concat(entity.GetKeys().Select(k => $"{entity.Name} key {string.Join(",", k.Properties.Select(p => p.Name))} primary={k.IsPrimaryKey()}"))
                .Concat(entity.GetIndexes().Select(i => $"{entity.Name} index {string.Join(",", i.Properties.Select(p => p.Name))} unique={i.IsUnique} filter={i.GetFilter()}"))
                .Concat(entity.GetForeignKeys().Select(f => $"{entity.Name} fk {string.Join(",", f.Properties.Select(p => p.Name))} -> {f.PrincipalEntityType.Name} delete={f.DeleteBehavior}"))
                .Append($"{entity.Name} table={entity.GetTableName()}"))
            .Order(StringComparer.Ordinal),
    ];
}
