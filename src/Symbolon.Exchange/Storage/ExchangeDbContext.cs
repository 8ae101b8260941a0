using Microsoft.EntityFrameworkCore;

namespace Symbolon.Exchange.Storage;

/// <summary>
/// The exchange's storage: live intents and the sealed offers on them, registered vendors and their subscriptions,
/// vendors' events, the webhook outbox, rate-limit windows and tombstones of closed intents. Times are Unix milliseconds (<c>long</c>), so both providers compare and
/// order them in SQL (SQLite cannot order <see cref="DateTimeOffset"/>). Rows are deleted, never flagged: a withdrawn,
/// accepted or expired intent leaves nothing behind but the vendors' bare events and, until its expiry, a hash of its id.
/// </summary>
internal abstract class ExchangeDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<IntentRow> Intents => Set<IntentRow>();

    public DbSet<OfferRow> Offers => Set<OfferRow>();

    public DbSet<VendorRow> Vendors => Set<VendorRow>();

    public DbSet<SubscriptionRow> Subscriptions => Set<SubscriptionRow>();

    public DbSet<EventRow> Events => Set<EventRow>();

    public DbSet<WebhookMessageRow> WebhookMessages => Set<WebhookMessageRow>();

    public DbSet<RateWindowRow> RateWindows => Set<RateWindowRow>();

    public DbSet<IntentTombstoneRow> IntentTombstones => Set<IntentTombstoneRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<IntentRow>(e =>
        {
            e.ToTable("intents");
            e.HasKey(i => i.Seq);
            e.Property(i => i.Seq).ValueGeneratedOnAdd();
            e.Property(i => i.Id).HasMaxLength(30);
            e.HasIndex(i => i.Id).IsUnique();
            e.HasIndex(i => i.Category);
            e.HasIndex(i => i.ExpiresAt);
            e.Property(i => i.Category).HasMaxLength(40);
            e.Property(i => i.Country).HasMaxLength(2);
            e.Property(i => i.PostalPrefix).HasMaxLength(3);
            e.Property(i => i.SignKey).HasMaxLength(43);
        });
        modelBuilder.Entity<OfferRow>(e =>
        {
            e.ToTable("offers");
            e.HasKey(o => o.Seq);
            e.Property(o => o.Seq).ValueGeneratedOnAdd();
            e.Property(o => o.Id).HasMaxLength(30);
            e.HasIndex(o => o.Id).IsUnique();
            e.HasIndex(o => new { o.IntentId, o.EnvelopeHash }).IsUnique();
            e.HasIndex(o => o.VendorId);
            e.HasOne<IntentRow>().WithMany().HasForeignKey(o => o.IntentId).HasPrincipalKey(i => i.Id).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<VendorRow>().WithMany().HasForeignKey(o => o.VendorId).HasPrincipalKey(v => v.Id).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<VendorRow>(e =>
        {
            e.ToTable("vendors");
            e.HasKey(v => v.Id);
            e.Property(v => v.Id).HasMaxLength(30);
            e.HasIndex(v => v.ApiKeyHash).IsUnique();
            e.HasIndex(v => v.SignKey).IsUnique();
            e.Property(v => v.Name).HasMaxLength(100);
            e.Property(v => v.Site).HasMaxLength(300);
            e.Property(v => v.WebhookUrl).HasMaxLength(300);
            e.Property(v => v.WebhookLeaseOwner).HasMaxLength(40);
        });
        modelBuilder.Entity<SubscriptionRow>(e =>
        {
            e.ToTable("subscriptions");
            e.HasKey(s => s.Seq);
            e.Property(s => s.Seq).ValueGeneratedOnAdd();
            e.HasIndex(s => s.Category);
            e.HasIndex(s => s.VendorId);
            e.Property(s => s.Category).HasMaxLength(40);
            e.Property(s => s.Country).HasMaxLength(2);
            e.Property(s => s.PostalPrefix).HasMaxLength(3);
            e.HasOne<VendorRow>().WithMany().HasForeignKey(s => s.VendorId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<EventRow>(e =>
        {
            e.ToTable("events");
            e.HasKey(v => v.Seq);
            e.Property(v => v.Seq).ValueGeneratedOnAdd();
            e.HasIndex(v => new { v.VendorId, v.Seq });
            e.HasIndex(v => v.At);
            e.HasOne<VendorRow>().WithMany().HasForeignKey(v => v.VendorId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<WebhookMessageRow>(e =>
        {
            e.ToTable("webhook_messages");
            e.HasKey(m => m.Seq);
            e.Property(m => m.Seq).ValueGeneratedOnAdd();
            e.HasIndex(m => m.NextAttemptAt);
            e.HasIndex(m => new { m.VendorId, m.Seq });
            e.HasOne<VendorRow>().WithMany().HasForeignKey(m => m.VendorId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<RateWindowRow>(e =>
        {
            e.ToTable("rate_windows");
            e.HasKey(r => r.Key);
            e.Property(r => r.Key).HasMaxLength(64);
            e.HasIndex(r => r.WindowEnd);
        });
        modelBuilder.Entity<IntentTombstoneRow>(e =>
        {
            e.ToTable("intent_tombstones");
            e.HasKey(t => t.IdHash);
            e.Property(t => t.IdHash).HasMaxLength(64);
            e.HasIndex(t => t.KeepUntil);
        });
    }
}

/// <summary>A live intent: the signed bytes as the vault sent them, and what matching needs in columns.</summary>
internal sealed class IntentRow
{
    public long Seq { get; set; }

    public required string Id { get; set; }

    /// <summary>The signed document's payload (base64url), exactly as posted.</summary>
    public required string Payload { get; set; }

    public required string Signature { get; set; }

    /// <summary>The intent's Ed25519 key (base64url): the key requests about this intent must be signed with.</summary>
    public required string SignKey { get; set; }

    public required string Category { get; set; }

    public required string Country { get; set; }

    public string? PostalPrefix { get; set; }

    /// <summary>The blocklist (<see cref="Intents.IntentBlocklist"/>) as JSON, or null.</summary>
    public string? Blocklist { get; set; }

    public long PublishedAt { get; set; }

    public long ExpiresAt { get; set; }
}

/// <summary>A sealed offer the exchange relays and cannot read.</summary>
internal sealed class OfferRow
{
    public long Seq { get; set; }

    public required string Id { get; set; }

    public required string IntentId { get; set; }

    public required string VendorId { get; set; }

    /// <summary>The <see cref="Intents.SealedEnvelope"/> as JSON.</summary>
    public required string Envelope { get; set; }

    /// <summary>SHA-256 (hex) of the envelope's JSON: the same envelope posted again is the same offer.</summary>
    public required string EnvelopeHash { get; set; }

    public long ReceivedAt { get; set; }
}

/// <summary>A registered vendor. Only a hash of its API key is kept.</summary>
internal sealed class VendorRow
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    public required string Site { get; set; }

    public required string SignKey { get; set; }

    public required string BoxKey { get; set; }

    /// <summary>SHA-256 (hex) of the API key: the key is 256 random bits, so a plain hash cannot be reversed by guessing.</summary>
    public required string ApiKeyHash { get; set; }

    public string? WebhookUrl { get; set; }

    /// <summary>The <c>whsec_</c> secret; kept because every webhook is signed with it.</summary>
    public string? WebhookSecret { get; set; }

    public long CreatedAt { get; set; }

    /// <summary>
    /// Until when one exchange process holds this vendor's webhook queue (Unix ms), or null: the process that set it
    /// (<see cref="WebhookLeaseOwner"/>) is the only one sending the vendor's webhooks, in order, until it lets go or the
    /// lease runs out (a process that died).
    /// </summary>
    public long? WebhookLeaseUntil { get; set; }

    public string? WebhookLeaseOwner { get; set; }
}

internal sealed class SubscriptionRow
{
    public long Seq { get; set; }

    public required string VendorId { get; set; }

    public required string Category { get; set; }

    public string? Country { get; set; }

    public string? PostalPrefix { get; set; }
}

/// <summary>Something for a vendor: an acceptance (with its sealed envelope) or a closing. Kept 30 days.</summary>
internal sealed class EventRow
{
    public long Seq { get; set; }

    public required string VendorId { get; set; }

    public required string Type { get; set; }

    public required string IntentId { get; set; }

    public string? OfferId { get; set; }

    public long At { get; set; }

    /// <summary>The sealed acceptance as JSON, for <c>offer.accepted</c>.</summary>
    public string? Envelope { get; set; }
}

/// <summary>A webhook waiting to be delivered; deleted once the vendor acknowledged it (or it was given up).</summary>
internal sealed class WebhookMessageRow
{
    public long Seq { get; set; }

    public required string VendorId { get; set; }

    public required string MessageId { get; set; }

    public required string Type { get; set; }

    /// <summary>The exact body sent (UTF-8 JSON), so every retry carries the same bytes.</summary>
    public required string Body { get; set; }

    public long CreatedAt { get; set; }

    public long NextAttemptAt { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }
}

/// <summary>
/// A rate limit's fixed window, shared by every exchange process on the database and kept across restarts. The key is
/// the SHA-256 (hex) of what is counted (<c>offer:</c> and a vendor id, <c>register:</c> and a client address), so no
/// client address is stored; the sweep deletes windows that have ended.
/// </summary>
internal sealed class RateWindowRow
{
    public required string Key { get; set; }

    public long WindowStart { get; set; }

    public long WindowEnd { get; set; }

    public int Hits { get; set; }
}

/// <summary>
/// What is left of a withdrawn or accepted intent: the SHA-256 (hex) of its id, until its own expiry, so that the same
/// signed intent posted again (a replayed request, a late retry) is refused rather than published again.
/// </summary>
internal sealed class IntentTombstoneRow
{
    public required string IdHash { get; set; }

    public long KeepUntil { get; set; }
}

/// <summary>The SQLite flavour (its own migrations, <c>Storage/Migrations/Sqlite</c>).</summary>
internal sealed class SqliteExchangeDbContext(DbContextOptions<SqliteExchangeDbContext> options) : ExchangeDbContext(options);

/// <summary>The PostgreSQL flavour (its own migrations, <c>Storage/Migrations/Postgres</c>).</summary>
internal sealed class PostgresExchangeDbContext(DbContextOptions<PostgresExchangeDbContext> options) : ExchangeDbContext(options);
