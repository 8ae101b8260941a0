using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Symbolon.Core.Card;
using Symbolon.Core.Relationships;
using Symbolon.Core.Requests;

namespace Symbolon.Core.Storage;

/// <summary>The one DbContext. Provider-specific migrations live in Symbolon.Storage.Sqlite and Symbolon.Storage.Postgres.</summary>
internal sealed class SymbolonDbContext(DbContextOptions<SymbolonDbContext> options) : DbContext(options)
{
    /// <summary>What differs between the providers, attached to the options by the provider's setup.</summary>
    public IStorageProvider StorageProvider { get; } = options.FindExtension<StorageProviderExtension>()?.Provider
        ?? throw new InvalidOperationException("The context options name no storage provider: build them with SqliteStorage.Configure or PostgresStorage.Configure.");

    public DbSet<VaultEntity> Vaults => Set<VaultEntity>();
    public DbSet<RecordEntity> Records => Set<RecordEntity>();
    public DbSet<RecordVersionEntity> RecordVersions => Set<RecordVersionEntity>();
    public DbSet<AccessTokenEntity> AccessTokens => Set<AccessTokenEntity>();
    public DbSet<RelationshipEntity> Relationships => Set<RelationshipEntity>();
    public DbSet<AgreementRecordEntity> AgreementRecords => Set<AgreementRecordEntity>();
    public DbSet<GrantEntity> Grants => Set<GrantEntity>();
    public DbSet<AccessLogEntity> AccessLog => Set<AccessLogEntity>();
    public DbSet<ChangeLogEntity> ChangeLog => Set<ChangeLogEntity>();
    public DbSet<WebhookMessageEntity> WebhookMessages => Set<WebhookMessageEntity>();
    public DbSet<OutboxCursorEntity> OutboxCursors => Set<OutboxCursorEntity>();
    public DbSet<IdempotencyEntity> IdempotencyKeys => Set<IdempotencyEntity>();
    public DbSet<Inbox.InboxItemEntity> InboxItems => Set<Inbox.InboxItemEntity>();
    public DbSet<Inbox.InboxRefusalEntity> InboxRefusals => Set<Inbox.InboxRefusalEntity>();
    public DbSet<Inbox.KeyUseEntity> KeyUses => Set<Inbox.KeyUseEntity>();
    public DbSet<ImportBatchEntity> ImportBatches => Set<ImportBatchEntity>();
    public DbSet<TransactionChunkEntity> TransactionChunks => Set<TransactionChunkEntity>();

    public DbSet<CardCodeEntity> CardCodes => Set<CardCodeEntity>();

    public DbSet<CardRequestEntity> CardRequests => Set<CardRequestEntity>();

    public DbSet<Conversations.MessageEntity> Messages => Set<Conversations.MessageEntity>();

    public DbSet<Conversations.PushedUpdateEntity> PushedUpdates => Set<Conversations.PushedUpdateEntity>();

    public DbSet<Conversations.MessageSettingsEntity> MessageSettings => Set<Conversations.MessageSettingsEntity>();
    public DbSet<RequestEntity> Requests => Set<RequestEntity>();

    public DbSet<RequestSummaryEntity> RequestSummaries => Set<RequestSummaryEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<VaultEntity>(vault =>
        {
            vault.ToTable("vaults");
            vault.HasKey(v => v.Id);
            vault.Property(v => v.KdfAlgorithm).HasMaxLength(32);
            vault.Property(v => v.ProfferedAgreements).HasMaxLength(500);
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

        ConfigureRelationships(modelBuilder);
        ConfigureCard(modelBuilder);
        Conversations.ConversationModel.Configure(modelBuilder);
        ConfigureRequests(modelBuilder);

        modelBuilder.Entity<ImportBatchEntity>(batch =>
        {
            batch.ToTable("import_batches");
            batch.HasKey(b => new { b.VaultId, b.Id });
            batch.HasOne<VaultEntity>().WithMany().HasForeignKey(b => b.VaultId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<TransactionChunkEntity>(chunk =>
        {
            chunk.ToTable("transaction_chunks");
            chunk.HasKey(c => new { c.VaultId, c.BatchId, c.Chunk });
            chunk.HasOne<ImportBatchEntity>().WithMany().HasForeignKey(c => new { c.VaultId, c.BatchId }).OnDelete(DeleteBehavior.Cascade);
        });

        // The OAuth server's applications, authorizations, scopes and tokens (OpenIddict's entities).
        modelBuilder.UseOpenIddict();
        modelBuilder.Entity<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>().ToTable("oauth_applications");
        modelBuilder.Entity<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreAuthorization>().ToTable("oauth_authorizations");
        modelBuilder.Entity<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreScope>().ToTable("oauth_scopes");
        modelBuilder.Entity<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreToken>().ToTable("oauth_tokens");

        // Note: SQLite stores DateTimeOffset as text it cannot order or compare, so there every
        // timestamp is stored as a sortable 64-bit number (UTC ticks with offset).
        if (!StorageProvider.ComparesDateTimeOffsets)
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

    private static void ConfigureRequests(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RequestEntity>(request =>
        {
            request.ToTable("requests");
            request.HasKey(r => new { r.VaultId, r.Id });
            request.Property(r => r.Status).HasMaxLength(16);
            request.Ignore(r => r.IsOpen);
            request.HasIndex(r => new { r.VaultId, r.RelationshipId });
            request.HasOne<RelationshipEntity>().WithMany().HasForeignKey(r => new { r.VaultId, r.RelationshipId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<RequestSummaryEntity>(summary =>
        {
            summary.ToTable("request_summaries");
            summary.HasKey(s => new { s.VaultId, s.Day });
            summary.Property(s => s.Day).HasMaxLength(10);
            summary.HasOne<VaultEntity>().WithMany().HasForeignKey(s => s.VaultId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private static void ConfigureCard(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CardCodeEntity>(code =>
        {
            code.ToTable("card_codes");
            code.HasKey(c => new { c.VaultId, c.Id });
            code.Property(c => c.CodeHash).HasMaxLength(32);
            code.Property(c => c.RedeemedBy).HasMaxLength(100);
            code.HasIndex(c => c.CodeHash).IsUnique();
            code.HasIndex(c => new { c.VaultId, c.ExpiresAt });
            code.HasOne<VaultEntity>().WithMany().HasForeignKey(c => c.VaultId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<CardRequestEntity>(request =>
        {
            request.ToTable("card_requests");
            request.HasKey(r => new { r.VaultId, r.Id });
            request.Property(r => r.Status).HasMaxLength(16);
            request.Property(r => r.RequestedDetails).HasMaxLength(AuthorizationDetailsReader.MaximumLength);
            request.Property(r => r.DeviceCodeTokenId).HasMaxLength(100);
            request.Property(r => r.DeviceCodeHash).HasMaxLength(32);
            request.HasIndex(r => r.DeviceCodeHash).IsUnique();
            request.HasIndex(r => new { r.VaultId, r.Status, r.ExpiresAt });
            request.HasOne<RelationshipEntity>().WithMany().HasForeignKey(r => new { r.VaultId, r.RelationshipId }).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private static void ConfigureRelationships(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RelationshipEntity>(relationship =>
        {
            relationship.ToTable("relationships");
            relationship.HasKey(r => new { r.VaultId, r.Id });
            relationship.HasIndex(r => r.ClientId).IsUnique();
            relationship.Property(r => r.ClientId).HasMaxLength(100);
            relationship.Property(r => r.VendorName).HasMaxLength(200);
            relationship.Property(r => r.ClientUri).HasMaxLength(2000);
            relationship.Property(r => r.LogoUri).HasMaxLength(2000);
            relationship.Property(r => r.PolicyUri).HasMaxLength(2000);
            relationship.Property(r => r.TermsUri).HasMaxLength(2000);
            relationship.Property(r => r.WebhookUri).HasMaxLength(2000);
            relationship.Property(r => r.AcceptableAgreements).HasMaxLength(500);
            relationship.Property(r => r.Subject).HasMaxLength(64);
            relationship.HasOne<VaultEntity>().WithMany().HasForeignKey(r => r.VaultId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<AgreementRecordEntity>(agreement =>
        {
            agreement.ToTable("agreement_records");
            agreement.HasKey(a => new { a.VaultId, a.Id });
            agreement.Property(a => a.AgreementId).HasMaxLength(64);
            agreement.Property(a => a.TextSha256).HasMaxLength(64);
            agreement.HasIndex(a => new { a.VaultId, a.RelationshipId });
            agreement.HasOne<RelationshipEntity>().WithMany().HasForeignKey(a => new { a.VaultId, a.RelationshipId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<GrantEntity>(grant =>
        {
            grant.ToTable("grants");
            grant.HasKey(g => new { g.VaultId, g.Id });
            grant.Property(g => g.AuthorizationId).HasMaxLength(100);
            grant.Property(g => g.AgreementId).HasMaxLength(64);
            grant.Property(g => g.Purpose).HasMaxLength(500);
            grant.HasIndex(g => new { g.VaultId, g.RelationshipId });
            grant.HasOne<RelationshipEntity>().WithMany().HasForeignKey(g => new { g.VaultId, g.RelationshipId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<AccessLogEntity>(entry =>
        {
            entry.ToTable("access_log");
            entry.HasKey(a => new { a.VaultId, a.Id });
            entry.Property(a => a.Action).HasMaxLength(16);
            entry.Property(a => a.Datatypes).HasMaxLength(1000);
            entry.Property(a => a.Purpose).HasMaxLength(500);
            entry.Property(a => a.Count).HasDefaultValue(1).ValueGeneratedNever();
            entry.HasIndex(a => new { a.VaultId, a.RelationshipId, a.At });
            entry.HasOne<RelationshipEntity>().WithMany().HasForeignKey(a => new { a.VaultId, a.RelationshipId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ChangeLogEntity>(change =>
        {
            change.ToTable("change_log");
            change.HasKey(c => c.Sequence);
            change.Property(c => c.Sequence).ValueGeneratedOnAdd();
            change.Property(c => c.RecordType).HasMaxLength(128);
            change.Property(c => c.Operation).HasMaxLength(16);
            change.Property(c => c.ActorKind).HasMaxLength(16);
            change.Property(c => c.ActorId).HasMaxLength(200);
            change.HasIndex(c => new { c.VaultId, c.Sequence });
            change.HasOne<VaultEntity>().WithMany().HasForeignKey(c => c.VaultId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<WebhookMessageEntity>(message =>
        {
            message.ToTable("webhook_messages");
            message.HasKey(m => new { m.VaultId, m.Id });
            message.Property(m => m.EventType).HasMaxLength(64);
            message.Property(m => m.LastError).HasMaxLength(200);
            message.HasIndex(m => new { m.DeliveredAt, m.NextAttemptAt });
            message.HasOne<RelationshipEntity>().WithMany().HasForeignKey(m => new { m.VaultId, m.RelationshipId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<OutboxCursorEntity>(cursor =>
        {
            cursor.ToTable("outbox_cursors");
            cursor.HasKey(c => c.VaultId);
            cursor.HasOne<VaultEntity>().WithMany().HasForeignKey(c => c.VaultId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Inbox.InboxItemEntity>(item =>
        {
            item.ToTable("inbox_items");
            item.HasKey(i => i.Sequence);
            item.Property(i => i.Sequence).ValueGeneratedOnAdd();
            item.Property(i => i.Route).HasMaxLength(64);
            item.Property(i => i.Kind).HasMaxLength(64);
            item.Property(i => i.IdempotencyKey).HasMaxLength(255);
            item.Property(i => i.Problem).HasMaxLength(16);
            item.HasIndex(i => new { i.VaultId, i.Id }).IsUnique();
            item.HasIndex(i => new { i.VaultId, i.State, i.RelationshipId });
            item.HasIndex(i => new { i.VaultId, i.RelationshipId, i.IdempotencyKey }).IsUnique();
            item.HasOne<RelationshipEntity>().WithMany().HasForeignKey(i => new { i.VaultId, i.RelationshipId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Inbox.InboxRefusalEntity>(refusal =>
        {
            refusal.ToTable("inbox_refusals");
            refusal.HasKey(r => new { r.VaultId, r.RelationshipId });
            refusal.HasOne<RelationshipEntity>().WithMany().HasForeignKey(r => new { r.VaultId, r.RelationshipId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Inbox.KeyUseEntity>(use =>
        {
            use.ToTable("key_uses");
            use.HasKey(u => new { u.VaultId, u.RelationshipId });
            use.HasOne<RelationshipEntity>().WithMany().HasForeignKey(u => new { u.VaultId, u.RelationshipId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<IdempotencyEntity>(key =>
        {
            key.ToTable("idempotency_keys");
            key.HasKey(k => new { k.VaultId, k.RelationshipId, k.Key });
            key.Property(k => k.Key).HasMaxLength(255);
            key.HasOne<RelationshipEntity>().WithMany().HasForeignKey(k => new { k.VaultId, k.RelationshipId }).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
