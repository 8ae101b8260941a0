using Symbolon.Contracts.Vendor;

namespace Symbolon.Contracts.Requests;

/// <summary>A request the person sends a vendor they relate to (<c>POST /owner/api/v1/requests</c>).</summary>
/// <param name="RelationshipId">The vendor's relationship (see <c>/owner/api/v1/relationships</c>); it must not have ended.</param>
/// <param name="Kind">One of <see cref="RequestKinds"/>.</param>
/// <param name="Title">For a service request: its subject line, 1 to 200 characters (required there, ignored elsewhere).</param>
/// <param name="Text">What the person writes, up to 4,000 characters (required for a service request).</param>
/// <param name="Purpose">For <c>withdraw_consent</c>: the purpose, up to 200 characters; defaults to direct marketing.</param>
/// <param name="CorrectFields">For <c>rectification</c>: the profile fields whose current values the vendor should use (at least one).</param>
/// <param name="DueAt">
/// The due date. Left out, data-protection requests are due one month after sending and service requests get the
/// vault's configured default (none unless set).
/// </param>
public sealed record RequestInput(
    Guid RelationshipId,
    string Kind,
    string? Title = null,
    string? Text = null,
    string? Purpose = null,
    IReadOnlyList<Guid>? CorrectFields = null,
    DateTimeOffset? DueAt = null);

/// <summary>The vendor a request is addressed to.</summary>
/// <param name="RelationshipId">The relationship's id.</param>
/// <param name="Name">The name the vendor registered.</param>
/// <param name="Ended">True when the relationship has ended (the request stays readable).</param>
public sealed record RequestVendor(Guid RelationshipId, string Name, bool Ended);

/// <summary>A request as listed.</summary>
/// <param name="Id">The request's id.</param>
/// <param name="Vendor">Who it is addressed to.</param>
/// <param name="Kind">One of <see cref="RequestKinds"/>.</param>
/// <param name="Title">A one-line title: the subject line of a service request, or the kind in words.</param>
/// <param name="Status">The stored status (<c>sent</c>, <c>acknowledged</c>, <c>in_progress</c>, <c>answered</c>, <c>closed</c>).</param>
/// <param name="Overdue">True when it is past its due date and neither answered nor closed.</param>
/// <param name="SentAt">When the person sent it.</param>
/// <param name="DueAt">When it is due; null when no due date applies.</param>
/// <param name="DueRule">The rule the due date comes from, in words.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record RequestSummary(
    Guid Id,
    RequestVendor Vendor,
    string Kind,
    string Title,
    string Status,
    bool Overdue,
    DateTimeOffset SentAt,
    DateTimeOffset? DueAt,
    string DueRule,
    DateTimeOffset UpdatedAt);

/// <summary>One request with its whole thread.</summary>
/// <param name="Summary">What the list shows.</param>
/// <param name="Text">What the person wrote.</param>
/// <param name="Purpose">For <c>withdraw_consent</c>, the purpose.</param>
/// <param name="Corrections">For <c>rectification</c>, the corrected values sent.</param>
/// <param name="Replies">The thread, oldest first.</param>
public sealed record RequestDetail(
    RequestSummary Summary,
    string? Text,
    string? Purpose,
    IReadOnlyList<RequestCorrection> Corrections,
    IReadOnlyList<RequestReply> Replies);

/// <summary>One reply in a request's thread.</summary>
/// <param name="Id">The reply's record id.</param>
/// <param name="Author"><c>vendor</c> or <c>person</c>.</param>
/// <param name="Text">The text, if any.</param>
/// <param name="Status">The status the reply set, if it changed it.</param>
/// <param name="Question">True when the reply asks something.</param>
/// <param name="Attachments">Files attached, stored encrypted in the vault.</param>
/// <param name="At">When it was written.</param>
public sealed record RequestReply(Guid Id, string Author, string? Text, string? Status, bool Question, IReadOnlyList<RequestAttachment> Attachments, DateTimeOffset At);

/// <summary>A file a vendor attached; download it from <c>/owner/api/v1/requests/{id}/attachments/{attachmentId}</c>.</summary>
/// <param name="Id">The attachment's record id.</param>
/// <param name="FileName">The file name the vendor gave.</param>
/// <param name="ContentType">Its media type.</param>
/// <param name="Size">Its length in bytes.</param>
/// <param name="Sha256">SHA-256 of the content, lower-case hex.</param>
/// <param name="AttributedTo">The vendor that supplied it (its registered name).</param>
public sealed record RequestAttachment(Guid Id, string FileName, string ContentType, long Size, string Sha256, string AttributedTo);

/// <summary>The person's reply to a request, or closing it.</summary>
/// <param name="Text">What the person writes (for example the answer to the vendor's question), up to 4,000 characters.</param>
/// <param name="Close">True to close the request; nothing more can be added afterwards.</param>
public sealed record OwnerRequestReplyInput(string? Text = null, bool Close = false);

/// <summary>A new due date for one request.</summary>
/// <param name="DueAt">The new due date; null removes it.</param>
public sealed record RequestDueInput(DateTimeOffset? DueAt);

/// <summary>The daily summary of open and overdue requests.</summary>
/// <param name="Day">The UTC day it covers.</param>
/// <param name="Open">Requests neither answered nor closed.</param>
/// <param name="Overdue">Of those, how many are past their due date.</param>
/// <param name="OverdueIds">The overdue requests.</param>
/// <param name="CreatedAt">When it was made.</param>
public sealed record RequestDailySummary(DateOnly Day, int Open, int Overdue, IReadOnlyList<Guid> OverdueIds, DateTimeOffset CreatedAt);
