namespace Symbolon.Contracts.Conversations;

/// <summary>The kinds of entry in a relationship's thread.</summary>
public static class ThreadEntryKinds
{
    /// <summary>A message from the vendor or from the person.</summary>
    public const string Message = "message";

    /// <summary>A request the person sent the vendor, or the vendor's answer to one.</summary>
    public const string Request = "request";

    /// <summary>A receipt the vendor pushed into the wallet.</summary>
    public const string Receipt = "receipt";

    /// <summary>Stamps or points the vendor recorded on its loyalty programme.</summary>
    public const string Loyalty = "loyalty";

    /// <summary>The person granted the vendor something (possibly less than it asked: <see cref="ThreadEntry.Narrowed"/>).</summary>
    public const string GrantGiven = "grant.given";

    /// <summary>The person revoked a grant.</summary>
    public const string GrantRevoked = "grant.revoked";

    /// <summary>A grant ran out.</summary>
    public const string GrantExpired = "grant.expired";

    /// <summary>The vendor accepted one of the person's agreements.</summary>
    public const string AgreementAccepted = "agreement.accepted";

    /// <summary>The person pushed a corrected value to the vendor (a one-off disclosure with its own receipt).</summary>
    public const string UpdatePushed = "update.pushed";

    /// <summary>The person ended the relationship.</summary>
    public const string RelationshipEnded = "relationship.ended";

    /// <summary>The person paid the vendor (EmanciPay); the signed record is in the payments area.</summary>
    public const string Payment = "payment";

    /// <summary>The vendor published how it can be paid; the person approves it in the payments area.</summary>
    public const string PaymentInstructions = "payment.instructions";
}

/// <summary>Who an entry of the thread comes from.</summary>
public static class ThreadParties
{
    /// <summary>The vendor.</summary>
    public const string Vendor = "vendor";

    /// <summary>The person.</summary>
    public const string Person = "person";
}

/// <summary>One entry of a relationship's thread, in time order with the others.</summary>
/// <param name="Id">The id of what the entry is about (message, receipt, grant, agreement record, pushed update ...).</param>
/// <param name="Kind">One of <see cref="ThreadEntryKinds"/>.</param>
/// <param name="At">When it happened.</param>
/// <param name="From">Who it comes from: <see cref="ThreadParties.Vendor"/> or <see cref="ThreadParties.Person"/>.</param>
/// <param name="Title">A short line saying what happened.</param>
/// <param name="Text">The message's text, or details in plain words; null when the title says it all.</param>
/// <param name="Marketing">For a vendor's message: the vendor labelled it as marketing.</param>
/// <param name="Muted">For a vendor's message: it arrived while the person had muted the vendor, so nobody was notified.</param>
/// <param name="Unread">For a vendor's message: the person has not opened the thread since it arrived.</param>
/// <param name="Narrowed">For a grant: the person granted less than the vendor asked.</param>
/// <param name="Link">Where the person can see more (a receipt, a request, a consent receipt), if anywhere.</param>
public sealed record ThreadEntry(
    string Id,
    string Kind,
    DateTimeOffset At,
    string From,
    string Title,
    string? Text = null,
    bool Marketing = false,
    bool Muted = false,
    bool Unread = false,
    bool Narrowed = false,
    string? Link = null);

/// <summary>Whether a vendor may message the person, per relationship.</summary>
public static class MessagePermissions
{
    /// <summary>Messages are stored and the person is told (the default).</summary>
    public const string Allowed = "allowed";

    /// <summary>Messages are stored in the thread, but the person is not told.</summary>
    public const string Muted = "muted";

    /// <summary>Messages are refused; the vendor is told so, the person is not.</summary>
    public const string Blocked = "blocked";

    /// <summary>All three, in that order.</summary>
    public static IReadOnlyList<string> All { get; } = [Allowed, Muted, Blocked];
}

/// <summary>The person's choices about messages from one vendor.</summary>
/// <param name="Permission">One of <see cref="MessagePermissions"/>.</param>
/// <param name="NoMarketing">True when the person refuses marketing messages from this vendor.</param>
/// <param name="MarketingForbiddenByAgreement">
/// The agreement that already forbids marketing messages in this relationship (for example <c>SD-BASE-NTP</c>), or
/// null when it does not; read-only.
/// </param>
public sealed record MessageSettings(string Permission, bool NoMarketing, string? MarketingForbiddenByAgreement = null);

/// <summary>A message the person writes to a vendor.</summary>
/// <param name="Text">1 to 4,000 characters.</param>
public sealed record PersonMessageInput(string Text);

/// <summary>A profile field the person pushes to a vendor, once.</summary>
/// <param name="FieldId">The profile field's id (see <c>/owner/api/v1/profile</c>).</param>
public sealed record PushUpdateInput(Guid FieldId);

/// <summary>A value the person pushed to a vendor.</summary>
/// <param name="Id">The pushed update's id.</param>
/// <param name="RelationshipId">The vendor it went to.</param>
/// <param name="Datatype">The datatype of the field, for example <c>profile.phone</c>.</param>
/// <param name="PushedAt">When.</param>
/// <param name="FetchedAt">When the vendor fetched the value (it can do so once), or null while it waits.</param>
public sealed record PushedUpdate(Guid Id, Guid RelationshipId, string Datatype, DateTimeOffset PushedAt, DateTimeOffset? FetchedAt);

/// <summary>Vendor messages the person has not read yet, per relationship (muted vendors are not counted).</summary>
/// <param name="RelationshipId">The relationship.</param>
/// <param name="VendorName">The vendor's name.</param>
/// <param name="Count">How many unread messages.</param>
/// <param name="LatestAt">When the newest arrived.</param>
public sealed record UnreadMessages(Guid RelationshipId, string VendorName, int Count, DateTimeOffset LatestAt);
