using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Symbolon.Core.Storage;

/// <summary>The one DbContext. Provider-specific migrations live in Symbolon.Storage.Sqlite and Symbolon.Storage.Postgres.</summary>
internal sealed class SymbolonDbContext(DbContextOptions<SymbolonDbContext> options) : DbContext(options)
{
    public DbSet<VaultEntity> Vaults => Set<VaultEntity>();
    public DbSet<RecordEntity> Records => Set<RecordEntity>();
    public DbSet<RecordVersionEntity> RecordVersions => Set<RecordVersionEntity>();
    public DbSet<AccessTokenEntity> AccessTokens => Set<AccessTokenEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<VaultEntity>(vault =>
        {
            vault.ToTable("vaults");
            vault.HasKey(v => v.Id);
            vault.Property(v => v.KdfAlgorithm).HasMaxLength(32);
        });

        modelBuilder.Entity<RecordEntity>(record =>
        {
            record.ToTable("records");
            record.HasKey(r => new { r.VaultId, r.Id });
            record.Property(r => r.Type).HasMaxLength(128);
            record.HasIndex(r => new { r.VaultId, r.Type });
            record.HasOne<VaultEntity>().WithMany().HasForeignKey(r => r.VaultId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<RecordVersionEntity>(version =>
        {
            version.ToTable("record_versions");
            version.HasKey(v => new { v.VaultId, v.RecordId, v.Version });
            version.Property(v => v.Type).HasMaxLength(128);
            version.Property(v => v.Operation).HasMaxLength(16);
            version.Property(v => v.ActorKind).HasMaxLength(16);
            version.Property(v => v.ActorId).HasMaxLength(200);
            version.HasOne<RecordEntity>().WithMany()
                .HasForeignKey(v => new { v.VaultId, v.RecordId })
                .OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<AccessTokenEntity>(token =>
        {
            token.ToTable("access_tokens");
            token.HasKey(t => new { t.VaultId, t.Id });
            token.Property(t => t.Name).HasMaxLength(100);
            token.HasIndex(t => t.SecretHash).IsUnique();
            token.HasOne<VaultEntity>().WithMany().HasForeignKey(t => t.VaultId).OnDelete(DeleteBehavior.Cascade);
        });

        // Note: SQLite stores DateTimeOffset as text it cannot order or compare, so on SQLite every
        // timestamp is stored as a sortable 64-bit number (UTC ticks with offset).
        if (Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite")
        {
            foreach (var entity in modelBuilder.Model.GetEntityTypes())
            {
                foreach (var property in entity.GetProperties())
                {
                    if (property.ClrType == typeof(DateTimeOffset) || property.ClrType == typeof(DateTimeOffset?))
                    {
                        property.SetValueConverter(new DateTimeOffsetToBinaryConverter());
                    }
                }
            }
        }
    }
}
