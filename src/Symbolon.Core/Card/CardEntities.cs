namespace Symbolon.Core.Card;

/// <summary>
/// One pairing code the person's card showed. Only the SHA-256 of the code is kept, so the table alone lets
/// nobody redeem a code; <see cref="RedeemedAt"/> is set once, by a conditional update, so a code pairs once.
/// </summary>
internal sealed class CardCodeEntity
{
    public Guid VaultId { get; set; }
    public Guid Id { get; set; }

    /// <summary>SHA-256 of the normalized code (see <c>CardCodes.Normalize</c>).</summary>
    public required byte[] CodeHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RedeemedAt { get; set; }

    /// <summary>The OAuth client that redeemed the code; metadata the person sees, never shown to another vendor.</summary>
    public string? RedeemedBy { get; set; }
}

/// <summary>Where an approve-later request stands.</summary>
internal static class CardRequestStatus
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Declined = "declined";
}

/// <summary>
/// A vendor's request made at the counter with a redeemed card code (RFC 8628 device authorization): what it
/// asks for, the OpenIddict device code it polls with, and the person's answer. Plaintext metadata only:
/// the vendor's request (datatypes, actions, its purpose text) and ids, never a personal value.
/// </summary>
internal sealed class CardRequestEntity
{
    public Guid VaultId { get; set; }
    public Guid Id { get; set; }
    public Guid RelationshipId { get; set; }
    public Guid CardCodeId { get; set; }

    /// <summary>The vendor's <c>authorization_details</c> as sent (validated like a pushed request).</summary>
    public required string RequestedDetails { get; set; }

    public required string Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }

    /// <summary>True when a standing rule or an existing grant answered instead of the person.</summary>
    public bool DecidedAutomatically { get; set; }

    /// <summary>The OpenIddict token entry of the device code the vendor polls with.</summary>
    public string? DeviceCodeTokenId { get; set; }

    /// <summary>SHA-256 of the device code, to pace polling (<c>slow_down</c>) before OpenIddict reads the code.</summary>
    public byte[]? DeviceCodeHash { get; set; }

    /// <summary>The polling interval in seconds; RFC 8628 §3.5 adds 5 on every <c>slow_down</c>.</summary>
    public int IntervalSeconds { get; set; }

    public DateTimeOffset? LastPolledAt { get; set; }

    /// <summary>The grant the vendor's tokens are issued under once approved.</summary>
    public Guid? GrantId { get; set; }
}
