using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace BootShop.Data;

/// <summary>
/// The shop's own database (SQLite, in its data directory): its catalog, its registration at the intent exchange,
/// the intents it saw and what it did about them, its offers, and the orders that followed an acceptance. It never
/// holds anything that says who sent an intent; a customer appears only in an order, and only with what their vault
/// granted for delivery.
/// </summary>
public sealed class ShopDb(DbContextOptions<ShopDb> options) : DbContext(options)
{
    public DbSet<ShopSettings> Settings => Set<ShopSettings>();

    public DbSet<ExchangeRegistration> Exchanges => Set<ExchangeRegistration>();

    public DbSet<Product> Products => Set<Product>();

    public DbSet<StockLine> Stock => Set<StockLine>();

    public DbSet<DeliveryArea> DeliveryAreas => Set<DeliveryArea>();

    public DbSet<SeenIntent> Intents => Set<SeenIntent>();

    public DbSet<ShopOffer> Offers => Set<ShopOffer>();

    public DbSet<Order> Orders => Set<Order>();

    public DbSet<ExchangeWebhook> Webhooks => Set<ExchangeWebhook>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ExchangeRegistration>().HasIndex(e => e.ExchangeUrl).IsUnique();
        modelBuilder.Entity<ExchangeRegistration>().HasIndex(e => e.WebhookKey).IsUnique();
        modelBuilder.Entity<Product>().HasIndex(p => p.Sku).IsUnique();
        modelBuilder.Entity<StockLine>().HasIndex(s => new { s.ProductId, s.Size }).IsUnique();
        modelBuilder.Entity<SeenIntent>().HasIndex(i => i.IntentId).IsUnique();
        modelBuilder.Entity<ShopOffer>().HasIndex(o => o.OfferId).IsUnique();
        modelBuilder.Entity<ShopOffer>().HasIndex(o => o.IntentId);
        modelBuilder.Entity<Order>().HasIndex(o => o.OfferId).IsUnique();
        modelBuilder.Entity<ExchangeWebhook>().HasIndex(w => new { w.ExchangeId, w.MessageId }).IsUnique();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Note: SQLite cannot compare or order DateTimeOffset; as binary (UTC ticks and offset) it can, and expiry sweeps need it.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

/// <summary>The shop's settings: one row, made on first run from the command line's defaults.</summary>
public sealed class ShopSettings
{
    public int Id { get; set; }

    public required string Name { get; set; }

    /// <summary>Where the exchange and vaults reach the shop (its webhook address, its site in offers).</summary>
    public required string PublicUrl { get; set; }

    /// <summary>The intent exchange the shop answers intents at; null when none is configured.</summary>
    public string? ExchangeUrl { get; set; }
}

/// <summary>
/// The shop's registration at an intent exchange. The API key and the webhook secret are shown once by the exchange; a
/// sample keeps them in its own database file (in the data directory, which only the shop's user should read).
/// </summary>
public sealed class ExchangeRegistration
{
    public int Id { get; set; }

    public required string ExchangeUrl { get; set; }

    public string? ExchangeName { get; set; }

    public required string VendorId { get; set; }

    public required string ApiKey { get; set; }

    /// <summary>The <c>whsec_</c> secret the exchange signs webhooks with; null when the shop registered without a webhook address.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>A random part of the webhook address, so that a delivery names the registration whose secret verifies it.</summary>
    public required string WebhookKey { get; set; }

    /// <summary>The webhook address given to the exchange, or null (feed only).</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>What the shop subscribed to, in words (categories and areas).</summary>
    public string? Subscriptions { get; set; }

    /// <summary>Where the feed and the events feed were read up to.</summary>
    public string? FeedCursor { get; set; }

    public string? EventsCursor { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }

    public DateTimeOffset? LastPolledAt { get; set; }

    /// <summary>The last failure talking to the exchange, in a sentence; cleared by the next success.</summary>
    public string? LastError { get; set; }
}

/// <summary>A product of the catalog (seeded from catalog.json on first run).</summary>
public sealed class Product
{
    public int Id { get; set; }

    public required string Sku { get; set; }

    public required string Name { get; set; }

    /// <summary>The intent category it answers (the exchange's slug, <c>shoes</c>).</summary>
    public required string Category { get; set; }

    public required string Brand { get; set; }

    /// <summary><c>new</c> or <c>used</c>.</summary>
    public required string Condition { get; set; }

    /// <summary>The price of one pair in EUR, delivery included.</summary>
    public decimal Price { get; set; }

    /// <summary>Working days from an order to the door.</summary>
    public int DeliveryDays { get; set; }

    /// <summary>Words an intent's title or text may use for it, comma-separated (<c>boots,waterproof,winter</c>).</summary>
    public required string Keywords { get; set; }

    public List<StockLine> Stock { get; set; } = [];
}

/// <summary>How many pairs of one size are in stock.</summary>
public sealed class StockLine
{
    public int Id { get; set; }

    public int ProductId { get; set; }

    public required string Size { get; set; }

    public int Quantity { get; set; }
}

/// <summary>Where the shop delivers: a country, optionally only postal codes starting with a prefix.</summary>
public sealed class DeliveryArea
{
    public int Id { get; set; }

    public required string Country { get; set; }

    public string? PostalPrefix { get; set; }
}

/// <summary>
/// An intent the shop saw, with what it decided. Kept until the intent expires (or, for the signed document, until the
/// offer closes), as the intent agreement (PDC-INTENT) requires: the shop uses it only to decide on an offer and to
/// make it, and deletes it then.
/// </summary>
public sealed class SeenIntent
{
    public int Id { get; set; }

    public required string IntentId { get; set; }

    public required string Title { get; set; }

    public required string Category { get; set; }

    public string? Size { get; set; }

    public int Quantity { get; set; }

    public decimal BudgetMax { get; set; }

    public required string Currency { get; set; }

    public DateOnly? Deadline { get; set; }

    /// <summary>Where, coarse: <c>NL 3511…</c> or <c>pick-up near 52.1, 5.1</c>.</summary>
    public required string Where { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset SeenAt { get; set; }

    /// <summary>How it reached the shop: <c>webhook</c> or <c>feed</c>.</summary>
    public required string Via { get; set; }

    /// <summary>See <see cref="IntentOutcomes"/>.</summary>
    public required string Outcome { get; set; }

    /// <summary>What the shop did, in a sentence ("Offered Leather hiking boots, size 44, at EUR 149.00").</summary>
    public required string Decision { get; set; }

    /// <summary>
    /// The signed intent, kept only while an offer failed for a reason that may pass (the exchange's rate limit, a
    /// network fault), so that "Try again" can make it; null otherwise.
    /// </summary>
    public string? RetryPayload { get; set; }

    public string? RetrySignature { get; set; }
}

public static class IntentOutcomes
{
    public const string Offered = "offered";
    public const string NoMatch = "no match";
    public const string Refused = "refused";
    public const string Failed = "failed";
}

/// <summary>An offer the shop made: what it offered, and where it stands.</summary>
public sealed class ShopOffer
{
    public int Id { get; set; }

    /// <summary>The shop's id in the signed offer (<c>off_…</c>); the acceptance names it.</summary>
    public required string OfferId { get; set; }

    /// <summary>The exchange's id for the relayed offer (<c>xo_…</c>); its events name it.</summary>
    public string? ExchangeOfferId { get; set; }

    public required string IntentId { get; set; }

    /// <summary>The intent's Ed25519 key (base64url), to check the acceptance with after the intent itself is gone.</summary>
    public required string IntentSignKey { get; set; }

    public int ProductId { get; set; }

    public required string Description { get; set; }

    public required string Size { get; set; }

    public int Quantity { get; set; }

    public decimal Amount { get; set; }

    public required string Currency { get; set; }

    public DateOnly DeliveryDate { get; set; }

    public DateTimeOffset MadeAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>See <see cref="OfferStatuses"/>.</summary>
    public required string Status { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Something the shop noticed about the offer after making it (an acceptance that did not verify), in a sentence.</summary>
    public string? Note { get; set; }
}

public static class OfferStatuses
{
    public const string Open = "open";
    public const string Accepted = "accepted";
    public const string Closed = "closed";
}

/// <summary>
/// An order: an offer the person accepted. The shop registered with their vault, redeemed the invitation for what
/// they chose to share, and keeps the delivery name and address it was allowed to see.
/// </summary>
public sealed class Order
{
    public int Id { get; set; }

    public required string OfferId { get; set; }

    public required string IntentId { get; set; }

    public required string Description { get; set; }

    public decimal Amount { get; set; }

    public required string Currency { get; set; }

    public DateOnly DeliveryDate { get; set; }

    public DateTimeOffset AcceptedAt { get; set; }

    /// <summary>The vault's address, from the signed acceptance.</summary>
    public required string VaultUrl { get; set; }

    /// <summary>What the person chose to share, comma-separated datatypes, and the purpose and agreement they chose it under.</summary>
    public required string GrantDatatypes { get; set; }

    public required string GrantPurpose { get; set; }

    public required string GrantAgreement { get; set; }

    /// <summary>
    /// The single-use invitation code, kept only until it is redeemed (so that a vault that was locked can be tried
    /// again); cleared once the shop is connected.
    /// </summary>
    public string? Invitation { get; set; }

    public DateTimeOffset InvitationExpiresAt { get; set; }

    /// <summary>The shop's client at the person's vault (a sample keeps the secret in its own database file).</summary>
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>When the shop accepted the agreement at the vault (so that a retry does not accept it twice).</summary>
    public DateTimeOffset? AgreementAcceptedAt { get; set; }

    /// <summary>The person's pairwise identifier for this shop at their vault.</summary>
    public string? Subject { get; set; }

    public string? DeliveryName { get; set; }

    public string? DeliveryAddress { get; set; }

    /// <summary>See <see cref="OrderStatuses"/>.</summary>
    public required string Status { get; set; }

    /// <summary>What went wrong connecting, in a sentence (never a code or a token).</summary>
    public string? Error { get; set; }

    public DateTimeOffset? ConnectedAt { get; set; }
}

public static class OrderStatuses
{
    public const string Connecting = "connecting";
    public const string Connected = "connected";
    public const string Failed = "failed";
}

/// <summary>A webhook from the exchange that the shop verified; a redelivery of the same message id is dropped.</summary>
public sealed class ExchangeWebhook
{
    public int Id { get; set; }

    public int ExchangeId { get; set; }

    public required string MessageId { get; set; }

    public required string Type { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}
