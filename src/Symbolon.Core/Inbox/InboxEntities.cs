namespace Symbolon.Core.Inbox;

/// <summary>Where an inbox item stands; stored as its number.</summary>
internal enum InboxItemState
{
    /// <summary>Sealed, waiting for the vault to be unlocked.</summary>
    Pending = 0,

    /// <summary>Applied through the live write's code; its sealed bytes are gone.</summary>
    Applied = 1,

    /// <summary>Opened but no longer applied (the grant was revoked meanwhile, the write was refused); its sealed bytes are gone.</summary>
    Refused = 2,

    /// <summary>Its sealed bytes did not open: kept aside as they are, never applied.</summary>
    Unopenable = 3,
}

/// <summary>
/// A vendor write taken while the vault was locked, sealed to the vault's public key: only its envelope (which vendor,
/// which route, when, how large) is in the clear; the request itself opens only with the vault's private key.
/// </summary>
internal sealed class InboxItemEntity
{
    /// <summary>Arrival order, in which items are applied.</summary>
    public long Sequence { get; set; }

    public Guid VaultId { get; set; }

    /// <summary>The item's id, which the vendor knows as its inbox id.</summary>
    public Guid Id { get; set; }

    public Guid RelationshipId { get; set; }

    /// <summary>The grant the vendor's token carried when it wrote.</summary>
    public Guid? GrantId { get; set; }

    /// <summary>The vendor route's name (its endpoint), by which it is applied.</summary>
    public required string Route { get; set; }

    /// <summary>The datatype the write touches, for the person (<c>receipts</c>, <c>notes</c> …).</summary>
    public required string Kind { get; set; }

    public string? IdempotencyKey { get; set; }

    /// <summary>The hash of the request as the idempotency store takes it, so a retry with another body is refused.</summary>
    public byte[]? RequestHash { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>The sealed bytes' length, counted against the inbox's quotas while pending.</summary>
    public int Size { get; set; }

    /// <summary>The sealed request; null once applied or refused.</summary>
    public byte[]? Sealed { get; set; }

    public InboxItemState State { get; set; }

    public DateTimeOffset? SettledAt { get; set; }

    /// <summary>The status applying it gave (201, or the refusal's).</summary>
    public int? Status { get; set; }

    /// <summary>For a refused item, the problem's code.</summary>
    public string? Problem { get; set; }

    /// <summary>When the person marked it seen; the away report shows items not yet seen.</summary>
    public DateTimeOffset? SeenAt { get; set; }
}

/// <summary>How many writes of one vendor the inbox turned away because it was full, since the person last looked.</summary>
internal sealed class InboxRefusalEntity
{
    public Guid VaultId { get; set; }
    public Guid RelationshipId { get; set; }
    public int Count { get; set; }
    public DateTimeOffset LastAt { get; set; }
}

/// <summary>
/// Unattended mode: how many vendor calls the server served with the vault's key while no owner was signed in, per
/// vendor, since the person last looked (reads and writes apart).
/// </summary>
internal sealed class KeyUseEntity
{
    public Guid VaultId { get; set; }
    public Guid RelationshipId { get; set; }
    public int Reads { get; set; }
    public int Writes { get; set; }
    public DateTimeOffset FirstAt { get; set; }
    public DateTimeOffset LastAt { get; set; }
}
