using Microsoft.EntityFrameworkCore;

namespace PublicRadio.Data;

/// <summary>The station's own database (SQLite): its settings, the vaults it registered with, its listeners, their listening and the payments they made.</summary>
public sealed class RadioDb(DbContextOptions<RadioDb> options) : DbContext(options)
{
    public DbSet<StationSettings> Settings => Set<StationSettings>();

    public DbSet<VaultRegistration> Vaults => Set<VaultRegistration>();

    public DbSet<Listener> Listeners => Set<Listener>();

    public DbSet<ListeningSession> Sessions => Set<ListeningSession>();

    public DbSet<SupporterPayment> Payments => Set<SupporterPayment>();

    public DbSet<WebhookMessage> Webhooks => Set<WebhookMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<VaultRegistration>().HasIndex(v => v.Issuer).IsUnique();
        modelBuilder.Entity<VaultRegistration>().HasIndex(v => v.WebhookKey).IsUnique();
        modelBuilder.Entity<Listener>().HasIndex(l => new { l.VaultId, l.Subject }).IsUnique();
        modelBuilder.Entity<Listener>().HasIndex(l => l.Key).IsUnique();
        modelBuilder.Entity<ListeningSession>().HasIndex(s => s.ListenerId);
        modelBuilder.Entity<SupporterPayment>().HasIndex(p => new { p.VaultId, p.RecordId }).IsUnique();
        modelBuilder.Entity<WebhookMessage>().HasIndex(w => new { w.VaultId, w.MessageId }).IsUnique();
    }
}

/// <summary>The station's settings row: its name and address, and how it can be paid.</summary>
public sealed class StationSettings
{
    public int Id { get; set; }

    /// <summary>The station's name as listeners see it in their vault.</summary>
    public required string Name { get; set; }

    /// <summary>Where vaults send webhooks and listeners return after connecting.</summary>
    public required string PublicUrl { get; set; }

    /// <summary>The account holder's legal name, as the bank knows it.</summary>
    public required string LegalName { get; set; }

    /// <summary>The station's IBAN (the vault checks it with the mod-97 rule).</summary>
    public required string Iban { get; set; }

    /// <summary>Optional BIC.</summary>
    public string? Bic { get; set; }

    /// <summary>What the station offers for free.</summary>
    public required string Offers { get; set; }

    /// <summary>Suggested monthly amounts in EUR, comma separated ("3,5,10").</summary>
    public required string SuggestedAmounts { get; set; }
}

/// <summary>The station's registration with one vault (RFC 7591): its client credentials and webhook secret there.</summary>
public sealed class VaultRegistration
{
    public int Id { get; set; }

    public required string Issuer { get; set; }

    public required string ClientId { get; set; }

    public required string ClientSecret { get; set; }

    public string? WebhookSecret { get; set; }

    /// <summary>The random part of the webhook address the station gave this vault.</summary>
    public required string WebhookKey { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }
}

/// <summary>A listener who connected their vault: known by the vault and their pairwise subject, nothing else.</summary>
public sealed class Listener
{
    public int Id { get; set; }

    /// <summary>The random key in the listener's browser cookie.</summary>
    public Guid Key { get; set; }

    public int VaultId { get; set; }

    public VaultRegistration? Vault { get; set; }

    /// <summary>The listener's pairwise identifier for the station.</summary>
    public required string Subject { get; set; }

    public DateTimeOffset FirstSeen { get; set; }

    public string? AccessToken { get; set; }

    public string? RefreshToken { get; set; }

    public DateTimeOffset? TokenExpiresAt { get; set; }

    public string? GrantedJson { get; set; }

    /// <summary>What the vault said to the last published instructions: <c>pending</c> or <c>approved</c>.</summary>
    public string? InstructionsStatus { get; set; }

    /// <summary>Why the last publication failed, in a sentence.</summary>
    public string? InstructionsError { get; set; }

    public DateTimeOffset? InstructionsPublishedAt { get; set; }

    public DateTimeOffset? PermissionWithdrawnAt { get; set; }
}

/// <summary>A listening session: the listener pressed play, and later stop.</summary>
public sealed class ListeningSession
{
    public int Id { get; set; }

    public Guid Key { get; set; }

    public int ListenerId { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>The hours reported to the listener's vault.</summary>
    public decimal? Hours { get; set; }

    /// <summary>The vault's id for the usage report, once it took it.</summary>
    public Guid? UsageReportId { get; set; }

    /// <summary>Why the usage was not reported, in a sentence.</summary>
    public string? UsageNote { get; set; }
}

/// <summary>A payment a supporter made, as the signed record says, with the station's countersignature.</summary>
public sealed class SupporterPayment
{
    public int Id { get; set; }

    public int VaultId { get; set; }

    public Guid RecordId { get; set; }

    public int? ListenerId { get; set; }

    /// <summary>The supporter's pairwise identifier (from the signed record).</summary>
    public required string Supporter { get; set; }

    /// <summary>The supporter's name, only when they chose to share it.</summary>
    public string? SupporterName { get; set; }

    public decimal Amount { get; set; }

    public required string Currency { get; set; }

    public required string Period { get; set; }

    public required string Reference { get; set; }

    public DateTimeOffset SettledAt { get; set; }

    /// <summary>Base64url of the exact bytes both signatures cover.</summary>
    public required string SignedContent { get; set; }

    public required string PersonSignature { get; set; }

    public string? PayeeSignature { get; set; }

    public DateTimeOffset? CountersignedAt { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>A verified webhook delivery, summarized (webhooks carry ids and amounts, never personal values).</summary>
public sealed class WebhookMessage
{
    public int Id { get; set; }

    public int VaultId { get; set; }

    public required string MessageId { get; set; }

    public required string Type { get; set; }

    public required string Summary { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}
