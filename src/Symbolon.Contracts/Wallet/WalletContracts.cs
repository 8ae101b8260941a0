using Symbolon.Contracts.Vendor;

namespace Symbolon.Contracts.Wallet;

/// <summary>The vendor a wallet item came from.</summary>
/// <param name="RelationshipId">The relationship's id (see <c>/owner/api/v1/relationships</c>).</param>
/// <param name="Name">The name the vendor registered.</param>
public sealed record WalletVendor(Guid RelationshipId, string Name);

/// <summary>A receipt in the person's purchase history.</summary>
/// <param name="Id">The receipt's record id.</param>
/// <param name="Vendor">Who pushed it; null if the vendor's relationship no longer exists.</param>
/// <param name="Receipt">The receipt as the vendor pushed it.</param>
/// <param name="RecordedAt">When the vault stored it.</param>
public sealed record WalletReceipt(Guid Id, WalletVendor? Vendor, ReceiptInput Receipt, DateTimeOffset RecordedAt);

/// <summary>One vendor's loyalty programme as the person sees it.</summary>
/// <param name="Id">The programme's record id.</param>
/// <param name="Vendor">The vendor that runs it.</param>
/// <param name="Programme">The programme as the vendor describes it.</param>
/// <param name="Balance">The balance now.</param>
/// <param name="RewardDue">True when the balance has reached the reward threshold.</param>
/// <param name="UpdatedAt">When the last event happened.</param>
/// <param name="Events">Every event, newest first.</param>
public sealed record WalletProgramme(
    Guid Id,
    WalletVendor? Vendor,
    LoyaltyProgrammeInput Programme,
    int Balance,
    bool RewardDue,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<WalletLoyaltyEvent> Events);

/// <summary>One loyalty event.</summary>
/// <param name="Id">The event's record id.</param>
/// <param name="Kind">One of <see cref="LoyaltyEventKinds"/>.</param>
/// <param name="Amount">Earned (positive) or redeemed (negative).</param>
/// <param name="BalanceAfter">The balance after it.</param>
/// <param name="Reward">The reward given, for a reward event.</param>
/// <param name="Note">The vendor's note.</param>
/// <param name="At">When it happened.</param>
public sealed record WalletLoyaltyEvent(Guid Id, string Kind, int Amount, int BalanceAfter, string? Reward, string? Note, DateTimeOffset At);

/// <summary>A visit the person recorded (or a vendor recorded on scan), and who it is shared with.</summary>
/// <param name="Id">The check-in's record id.</param>
/// <param name="Place">Where.</param>
/// <param name="At">When.</param>
/// <param name="Note">An optional note.</param>
/// <param name="SharedWith">The relationships (vendors) that may read it; empty for nobody.</param>
/// <param name="RecordedBy">The vendor that recorded it on a scan, or null when the person did.</param>
/// <param name="Version">The record's version, for <c>expectedVersion</c>.</param>
public sealed record CheckIn(Guid Id, string Place, DateTimeOffset At, string? Note, IReadOnlyList<WalletVendor> SharedWith, WalletVendor? RecordedBy, int Version);

/// <summary>A check-in the person records, or its new content.</summary>
/// <param name="Place">Where, 1 to 200 characters.</param>
/// <param name="At">When.</param>
/// <param name="Note">Optional, up to 500 characters.</param>
/// <param name="SharedWith">The relationships that may read it; empty (or null) for nobody.</param>
/// <param name="ExpectedVersion">On an update: refused with 409 unless the check-in is still at this version.</param>
public sealed record CheckInInput(string Place, DateTimeOffset At, string? Note = null, IReadOnlyList<Guid>? SharedWith = null, int? ExpectedVersion = null);

/// <summary>Who a check-in is shared with.</summary>
/// <param name="SharedWith">The relationships that may read it; empty for nobody.</param>
public sealed record CheckInSharing(IReadOnlyList<Guid> SharedWith);
