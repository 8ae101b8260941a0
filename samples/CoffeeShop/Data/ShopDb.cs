using Microsoft.EntityFrameworkCore;

namespace CoffeeShop.Data;

/// <summary>
/// The shop's own database (SQLite, in its data directory). It knows a customer only by the pairwise identifier the
/// customer's vault gave this shop, and keeps the shop's own rows: sales, the stamp balance it last saw, webhooks.
/// </summary>
public sealed class ShopDb(DbContextOptions<ShopDb> options) : DbContext(options)
{
    public DbSet<ShopSettings> Settings => Set<ShopSettings>();

    public DbSet<VaultRegistration> Vaults => Set<VaultRegistration>();

    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<CounterVisit> Visits => Set<CounterVisit>();

    public DbSet<Sale> Sales => Set<Sale>();

    public DbSet<WebhookMessage> Webhooks => Set<WebhookMessage>();

    public DbSet<DataRequest> Requests => Set<DataRequest>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<VaultRegistration>().HasIndex(v => v.Issuer).IsUnique();
        modelBuilder.Entity<VaultRegistration>().HasIndex(v => v.WebhookKey).IsUnique();
        modelBuilder.Entity<Customer>().HasIndex(c => new { c.VaultId, c.Subject }).IsUnique();
        modelBuilder.Entity<CounterVisit>().HasIndex(v => v.Key).IsUnique();
        modelBuilder.Entity<Sale>().HasIndex(s => s.Key).IsUnique();
        modelBuilder.Entity<Sale>().HasIndex(s => s.CustomerId);
        modelBuilder.Entity<WebhookMessage>().HasIndex(w => new { w.VaultId, w.MessageId }).IsUnique();
        modelBuilder.Entity<DataRequest>().HasIndex(r => new { r.VaultId, r.RequestId }).IsUnique();
    }
}

/// <summary>The shop's settings: one row, made on first run from the command line's defaults.</summary>
public sealed class ShopSettings
{
    public int Id { get; set; }

    public required string Name { get; set; }

    /// <summary>Where the vaults reach the shop (its webhook and OAuth callback), for example <c>http://127.0.0.1:5179/</c>.</summary>
    public required string PublicUrl { get; set; }

    /// <summary>The branch's address, printed on receipts.</summary>
    public required string Location { get; set; }
}

/// <summary>The shop's registration with one vault (RFC 7591), made the first time a card from that vault is scanned.</summary>
public sealed class VaultRegistration
{
    public int Id { get; set; }

    /// <summary>The vault's issuer, as its metadata names it.</summary>
    public required string Issuer { get; set; }

    public required string ClientId { get; set; }

    /// <summary>
    /// The client secret. A sample keeps it in its own database file (in the data directory, which only the shop's
    /// user should read); a real till would keep it in a secret store.
    /// </summary>
    public required string ClientSecret { get; set; }

    /// <summary>The Standard Webhooks secret (<c>whsec_…</c>) this vault signs its webhooks with.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>A random part of the webhook address, so that each vault's webhooks are verified with its own secret.</summary>
    public required string WebhookKey { get; set; }

    /// <summary>The agreement accepted (<c>SD-BASE</c>) and the SHA-256 of the text the shop accepted.</summary>
    public required string Agreement { get; set; }

    public string? AgreementTextSha256 { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }
}

/// <summary>A customer, known only by the pairwise identifier their vault gave this shop.</summary>
public sealed class Customer
{
    public int Id { get; set; }

    public int VaultId { get; set; }

    public VaultRegistration? Vault { get; set; }

    /// <summary>The pairwise subject: the same at every visit, different at every other shop.</summary>
    public required string Subject { get; set; }

    public DateTimeOffset FirstSeen { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    /// <summary>The session's tokens (access, single-use refresh, expiry, and what was granted as JSON).</summary>
    public string? AccessToken { get; set; }

    public string? RefreshToken { get; set; }

    public DateTimeOffset? TokenExpiresAt { get; set; }

    public string? GrantedJson { get; set; }

    /// <summary>
    /// The stamp balance the vault last reported to the shop, with the stamps and redemptions it queued since (while
    /// the customer was away) counted in as sent; the vault's next answer replaces it.
    /// </summary>
    public int StampBalance { get; set; }

    /// <summary>Set when the vault said the customer withdrew permission (a refused call, or a <c>grant.revoked</c> webhook).</summary>
    public DateTimeOffset? PermissionWithdrawnAt { get; set; }
}

/// <summary>One scan of a card at the counter and where its request stands.</summary>
public sealed class CounterVisit
{
    public int Id { get; set; }

    /// <summary>The visit's id in the counter's address.</summary>
    public Guid Key { get; set; }

    public int VaultId { get; set; }

    /// <summary>Pending, approved, declined, expired or failed (see <see cref="VisitStatus"/>).</summary>
    public required string Status { get; set; }

    public int? CustomerId { get; set; }

    public Customer? Customer { get; set; }

    /// <summary>What went wrong, in a sentence for the person at the counter (never a token or a code).</summary>
    public string? Error { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}

public static class VisitStatus
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Declined = "declined";
    public const string Expired = "expired";
    public const string Failed = "failed";
}

/// <summary>A sale rung up at the counter (or a free coffee given for ten stamps) and what the vault said about it.</summary>
public sealed class Sale
{
    public int Id { get; set; }

    /// <summary>The sale's id; the receipt's and the stamp's idempotency keys derive from it, so a retry is stored once.</summary>
    public Guid Key { get; set; }

    public int CustomerId { get; set; }

    public Customer? Customer { get; set; }

    /// <summary><c>sale</c>, or <c>reward</c> for a free coffee.</summary>
    public required string Kind { get; set; }

    public DateTimeOffset At { get; set; }

    public required string ReceiptNumber { get; set; }

    /// <summary>The lines as JSON (<see cref="SaleLine"/>).</summary>
    public required string LinesJson { get; set; }

    public decimal Total { get; set; }

    public required string PaymentMethod { get; set; }

    /// <summary>
    /// The receipt's id in the customer's vault, once pushed; while the customer was away (<see cref="QueuedAt"/> set),
    /// the inbox id their vault queued it under.
    /// </summary>
    public string? ReceiptId { get; set; }

    /// <summary>Whether the stamp (or, for a reward, the redemption) was recorded, or queued while the customer was away.</summary>
    public bool LoyaltyRecorded { get; set; }

    /// <summary>The stamp balance the vault reported after the sale; null when it did not say (no stamp, or queued).</summary>
    public int? StampBalanceAfter { get; set; }

    /// <summary>
    /// When the customer's vault queued part of the sale because the customer was away (their vault locked): it keeps
    /// the receipt and stamps sealed until they open it, and applies them then. Null when everything was stored at once.
    /// </summary>
    public DateTimeOffset? QueuedAt { get; set; }

    /// <summary>Why the vault refused, when it did.</summary>
    public string? Error { get; set; }
}

/// <summary>One line of a sale.</summary>
public sealed record SaleLine(string Item, int Quantity, decimal UnitPrice, decimal LineTotal, decimal Tax);

/// <summary>A webhook the shop received and verified.</summary>
public sealed class WebhookMessage
{
    public int Id { get; set; }

    public int VaultId { get; set; }

    /// <summary>The Standard Webhooks message id; a redelivery of the same message is stored once.</summary>
    public required string MessageId { get; set; }

    public required string Type { get; set; }

    public string? Subject { get; set; }

    public int? CustomerId { get; set; }

    /// <summary>What happened, as the shop describes it ("Email changed", "Permission withdrawn").</summary>
    public required string Summary { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>
/// A request a customer sent the shop from their vault and what the shop did about it. After an erasure the row
/// stays as the shop's proof that it complied, with the customer's subject removed.
/// </summary>
public sealed class DataRequest
{
    public int Id { get; set; }

    public int VaultId { get; set; }

    /// <summary>The request's id as the vault gave it to the shop.</summary>
    public required string RequestId { get; set; }

    /// <summary>The customer's pairwise subject; null once the customer's data was erased.</summary>
    public string? Subject { get; set; }

    public int? CustomerId { get; set; }

    /// <summary>The request's kind (<c>access</c>, <c>erasure</c>, ...).</summary>
    public required string Kind { get; set; }

    /// <summary>Received, answered, needs attention or failed (see <see cref="DataRequestStatus"/>).</summary>
    public required string Status { get; set; }

    /// <summary>What the shop did, in a sentence.</summary>
    public string? Outcome { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public DateTimeOffset? AnsweredAt { get; set; }
}

public static class DataRequestStatus
{
    public const string Received = "received";
    public const string Answered = "answered";
    public const string NeedsAttention = "needs attention";
    public const string Failed = "failed";
}
