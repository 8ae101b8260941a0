using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Relationships;

namespace Symbolon.Core.Conversations;

/// <summary>
/// One message of a relationship's thread. Only metadata is plaintext (ids, who wrote it, times, the marketing
/// label, whether it arrived muted, when it was read); the text is sealed with the vault's data key.
/// </summary>
internal sealed class MessageEntity
{
    public Guid VaultId { get; set; }
    public Guid Id { get; set; }
    public Guid RelationshipId { get; set; }

    /// <summary><c>vendor</c> or <c>person</c>.</summary>
    public required string Author { get; set; }

    public DateTimeOffset SentAt { get; set; }
    public bool Marketing { get; set; }

    /// <summary>The person had muted the vendor when it arrived: stored, but nobody was told.</summary>
    public bool Muted { get; set; }

    /// <summary>When the person opened the thread after it arrived; a person's own messages are read when written.</summary>
    public DateTimeOffset? ReadAt { get; set; }

    /// <summary>The text, sealed (AES-256-GCM) under associated data that binds it to this vault, relationship, message and author.</summary>
    public required byte[] TextSealed { get; set; }
}

/// <summary>
/// A value the person pushed to a vendor once: which field, when, the signed consent receipt of the disclosure, and
/// the value sealed until the vendor fetches it (then wiped: it is handed out once).
/// </summary>
internal sealed class PushedUpdateEntity
{
    public Guid VaultId { get; set; }
    public Guid Id { get; set; }
    public Guid RelationshipId { get; set; }
    public required string Datatype { get; set; }

    /// <summary>The profile field (record id) the value came from.</summary>
    public Guid FieldRecordId { get; set; }

    public DateTimeOffset PushedAt { get; set; }
    public DateTimeOffset? FetchedAt { get; set; }

    /// <summary>The field as the vendor will read it (JSON), sealed; null once fetched.</summary>
    public byte[]? ValueSealed { get; set; }

    /// <summary>The consent receipt of this one-off disclosure (JSON, same shape as a grant's) and the vault's signature over it.</summary>
    public required byte[] Receipt { get; set; }

    public required byte[] ReceiptSignature { get; set; }
}

/// <summary>The person's choices about messages from one vendor; a relationship without a row has the defaults (allowed, marketing per agreement).</summary>
internal sealed class MessageSettingsEntity
{
    public Guid VaultId { get; set; }
    public Guid RelationshipId { get; set; }
    public required string Permission { get; set; }
    public bool NoMarketing { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The conversation tables' mapping, kept with the slice.</summary>
internal static class ConversationModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<MessageEntity>(message =>
        {
            message.ToTable("messages");
            message.HasKey(m => new { m.VaultId, m.Id });
            message.Property(m => m.Author).HasMaxLength(16);
            message.HasIndex(m => new { m.VaultId, m.RelationshipId, m.SentAt });
            message.HasOne<RelationshipEntity>().WithMany().HasForeignKey(m => new { m.VaultId, m.RelationshipId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<PushedUpdateEntity>(update =>
        {
            update.ToTable("pushed_updates");
            update.HasKey(u => new { u.VaultId, u.Id });
            update.Property(u => u.Datatype).HasMaxLength(64);
            update.HasIndex(u => new { u.VaultId, u.RelationshipId });
            update.HasOne<RelationshipEntity>().WithMany().HasForeignKey(u => new { u.VaultId, u.RelationshipId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<MessageSettingsEntity>(settings =>
        {
            settings.ToTable("message_settings");
            settings.HasKey(s => new { s.VaultId, s.RelationshipId });
            settings.Property(s => s.Permission).HasMaxLength(16);
            settings.HasOne<RelationshipEntity>().WithMany().HasForeignKey(s => new { s.VaultId, s.RelationshipId }).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
