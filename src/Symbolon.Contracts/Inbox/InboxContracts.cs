namespace Symbolon.Contracts.Inbox;

/// <summary>Where a write that arrived while the person was away stands (<see cref="AwayItem.State"/>).</summary>
public static class AwayItemStates
{
    /// <summary>Sealed, waiting for the vault to be unlocked.</summary>
    public const string Pending = "pending";

    /// <summary>Applied as a live write would have been.</summary>
    public const string Applied = "applied";

    /// <summary>No longer applied when opened (the grant was revoked meanwhile, the receipt was refused …); nothing was stored.</summary>
    public const string Refused = "refused";

    /// <summary>Its sealed bytes did not open (tampered with, or sealed to another key); kept aside and never applied.</summary>
    public const string Unopenable = "unopenable";
}

/// <summary>What vendors did while the person was away (<c>GET /owner/api/v1/inbox</c>), until the person marks it seen.</summary>
/// <param name="Groups">Every write that arrived, counted per vendor and kind by state.</param>
/// <param name="Items">The writes that need a look (refused, or not opened), and the latest few others; oldest first.</param>
/// <param name="Refused">Vendors whose writes the inbox refused because it was full, with how many.</param>
public sealed record AwayReport(
    IReadOnlyList<AwayGroup> Groups,
    IReadOnlyList<AwayItem> Items,
    IReadOnlyList<AwayRefusal> Refused)
{
    /// <summary>How many writes arrived in all.</summary>
    public int Total => Groups.Sum(g => g.Pending + g.Applied + g.Refused + g.Unopenable);

    /// <summary>How many are still waiting to be applied.</summary>
    public int Pending => Groups.Sum(g => g.Pending);

    /// <summary>Unattended mode: the vendor calls the server answered with your key while nobody was signed in, per vendor.</summary>
    public IReadOnlyList<AwayKeyUse> KeyUses { get; init; } = [];
}

/// <summary>Vendor calls the server served with the vault's key while its person was not signed in (unattended mode).</summary>
/// <param name="RelationshipId">The vendor's relationship.</param>
/// <param name="Vendor">The vendor's name.</param>
/// <param name="Reads">How many reads.</param>
/// <param name="Writes">How many writes.</param>
/// <param name="FirstAt">The first of them.</param>
/// <param name="LastAt">The last of them.</param>
public sealed record AwayKeyUse(
    Guid RelationshipId,
    string Vendor,
    int Reads,
    int Writes,
    DateTimeOffset FirstAt,
    DateTimeOffset LastAt);

/// <summary>The writes of one vendor and kind that arrived while the person was away, by state.</summary>
/// <param name="RelationshipId">The vendor's relationship.</param>
/// <param name="Vendor">The vendor's name.</param>
/// <param name="Kind">What the vendor sent (see <see cref="AwayItem.Kind"/>).</param>
/// <param name="Pending">Still waiting to be applied.</param>
/// <param name="Applied">Applied.</param>
/// <param name="Refused">No longer applied when opened.</param>
/// <param name="Unopenable">Kept aside: their bytes did not open.</param>
public sealed record AwayGroup(
    Guid RelationshipId,
    string Vendor,
    string Kind,
    int Pending,
    int Applied,
    int Refused,
    int Unopenable);

/// <summary>One write that arrived while the person was away: who, what kind, when, and what became of it.</summary>
/// <param name="Id">The item's id (the vendor knows it as its inbox id).</param>
/// <param name="RelationshipId">The vendor's relationship.</param>
/// <param name="Vendor">The vendor's name.</param>
/// <param name="Kind">What the vendor sent: <c>receipts</c>, <c>loyalty</c>, <c>checkins</c>, <c>notes</c> or <c>messages</c>.</param>
/// <param name="ReceivedAt">When it arrived.</param>
/// <param name="State">One of <see cref="AwayItemStates"/>.</param>
/// <param name="SettledAt">When it was applied, refused or found unopenable; null while pending.</param>
/// <param name="Problem">For a refused item, why, in a sentence; otherwise null.</param>
public sealed record AwayItem(
    Guid Id,
    Guid RelationshipId,
    string Vendor,
    string Kind,
    DateTimeOffset ReceivedAt,
    string State,
    DateTimeOffset? SettledAt,
    string? Problem);

/// <summary>A vendor whose writes were turned away because the inbox was full.</summary>
/// <param name="RelationshipId">The vendor's relationship.</param>
/// <param name="Vendor">The vendor's name.</param>
/// <param name="Count">How many writes were turned away.</param>
/// <param name="LastAt">When the last one was.</param>
public sealed record AwayRefusal(
    Guid RelationshipId,
    string Vendor,
    int Count,
    DateTimeOffset LastAt);
