using System.Text.Json;
using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Vendor;

/// <summary>The kinds of request a person sends a vendor (<see cref="VendorRequest.Kind"/>).</summary>
public static class RequestKinds
{
    /// <summary>A copy of all data the vendor holds about the person (GDPR Art. 15).</summary>
    public const string Access = "access";

    /// <summary>Correct the data, with the corrected values taken from the person's vault (GDPR Art. 16).</summary>
    public const string Rectification = "rectification";

    /// <summary>Delete the data the vendor holds about the person (GDPR Art. 17).</summary>
    public const string Erasure = "erasure";

    /// <summary>Stop marketing, or withdraw consent for the purpose named in <see cref="VendorRequest.Purpose"/> (GDPR Art. 7(3), 21).</summary>
    public const string WithdrawConsent = "withdraw_consent";

    /// <summary>Restrict processing of the person's data (GDPR Art. 18).</summary>
    public const string RestrictProcessing = "restrict_processing";

    /// <summary>A free-form service request, with a subject and text (for example "my order arrived broken").</summary>
    public const string Service = "service";

    /// <summary>Every kind.</summary>
    public static IReadOnlyList<string> All { get; } = [Access, Rectification, Erasure, WithdrawConsent, RestrictProcessing, Service];

    /// <summary>True for the data-protection kinds (every kind but <see cref="Service"/>), which are due one month from receipt by default.</summary>
    /// <param name="kind">A kind from <see cref="All"/>.</param>
    public static bool IsDataProtection(string kind) => kind != Service && All.Contains(kind);
}

/// <summary>The statuses of a request. <see cref="Overdue"/> is never stored: it is derived from the due date.</summary>
public static class RequestStatuses
{
    /// <summary>Sent by the person; the vendor has not reacted yet.</summary>
    public const string Sent = "sent";

    /// <summary>The vendor confirmed it received the request.</summary>
    public const string Acknowledged = "acknowledged";

    /// <summary>The vendor is working on it.</summary>
    public const string InProgress = "in_progress";

    /// <summary>The vendor answered it.</summary>
    public const string Answered = "answered";

    /// <summary>The person closed it; nothing more can be added.</summary>
    public const string Closed = "closed";

    /// <summary>Past its due date without an answer (shown to the person; derived, never set).</summary>
    public const string Overdue = "overdue";

    /// <summary>The statuses a vendor may set in a reply.</summary>
    public static IReadOnlyList<string> SetByVendor { get; } = [Acknowledged, InProgress, Answered];
}

/// <summary>A corrected value carried by a rectification request, taken from the person's vault.</summary>
/// <param name="Datatype">The datatype, for example <c>profile.email</c>.</param>
/// <param name="Label">The field's label, for example <c>home</c>.</param>
/// <param name="Value">The corrected value, shaped as <see cref="VendorField.Value"/>.</param>
public sealed record RequestCorrection(
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("label")] string? Label,
    [property: JsonPropertyName("value")] JsonElement Value);

/// <summary>A request as the vendor it is addressed to reads it (<c>GET /api/v1/requests/{id}</c>).</summary>
/// <param name="Id">The request's id for this vendor (pairwise: use it in the request's URLs).</param>
/// <param name="Subject">The person's pairwise identifier for this vendor.</param>
/// <param name="Kind">One of <see cref="RequestKinds"/>.</param>
/// <param name="Status">One of <see cref="RequestStatuses"/> (never <c>overdue</c>; compare <see cref="DueAt"/> yourself).</param>
/// <param name="Title">For a service request, the person's subject line.</param>
/// <param name="Text">What the person wrote, if anything.</param>
/// <param name="Purpose">For <c>withdraw_consent</c>, the purpose the person withdraws consent for.</param>
/// <param name="Corrections">For <c>rectification</c>, the corrected values.</param>
/// <param name="DueAt">When the person expects the answer; null when no due date applies.</param>
/// <param name="CreatedAt">When the person sent it (the vault received it at the same moment).</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="Replies">The thread, oldest first: the vendor's replies and the person's.</param>
public sealed record VendorRequest(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("purpose")] string? Purpose,
    [property: JsonPropertyName("corrections")] IReadOnlyList<RequestCorrection> Corrections,
    [property: JsonPropertyName("due_at")] DateTimeOffset? DueAt,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("replies")] IReadOnlyList<VendorRequestReply> Replies)
{
    /// <summary>
    /// Set by the SDK when the person was away and the vault queued the reply (<c>202 Accepted</c>): the request itself
    /// is sealed in their vault until they are back, so only <see cref="Id"/>, the status the reply sets (empty when it
    /// sets none) and the reply, as sent, are known; <see cref="Subject"/>, <see cref="Kind"/> are empty and the
    /// reply's id is the inbox id. The vault adds the reply when the person unlocks and tells the outcome by an
    /// <c>inbox.applied</c> or <c>inbox.refused</c> webhook (a request the person closed meanwhile refuses it). Null for a
    /// reply that was stored.
    /// </summary>
    [JsonIgnore]
    public QueuedWrite? Queued { get; init; }
}

/// <summary>One reply in a request's thread.</summary>
/// <param name="Id">The reply's id for this vendor.</param>
/// <param name="Author"><c>vendor</c> or <c>person</c>.</param>
/// <param name="Text">The reply's text, if any.</param>
/// <param name="Status">The status the reply set, if it changed it.</param>
/// <param name="Question">True when the reply asks the other party something.</param>
/// <param name="Attachments">Files attached to the reply.</param>
/// <param name="CreatedAt">When it was written.</param>
public sealed record VendorRequestReply(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("author")] string Author,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("question")] bool Question,
    [property: JsonPropertyName("attachments")] IReadOnlyList<VendorAttachment> Attachments,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

/// <summary>An attachment as listed in a reply (the content is stored encrypted in the person's vault).</summary>
/// <param name="Id">The attachment's id for this vendor.</param>
/// <param name="FileName">The file name the vendor gave.</param>
/// <param name="ContentType">The media type, for example <c>application/json</c> or <c>text/csv</c>.</param>
/// <param name="Size">The content's length in bytes.</param>
/// <param name="Sha256">The SHA-256 of the content, lower-case hex, so both parties can show they hold the same file.</param>
public sealed record VendorAttachment(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("file_name")] string FileName,
    [property: JsonPropertyName("content_type")] string ContentType,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("sha256")] string Sha256);

/// <summary>
/// A vendor's reply to a request (<c>POST /api/v1/requests/{id}/replies</c>): a status change, text, a question back
/// to the person, attachments, or any mix of them. At least one of text, status or an attachment is required.
/// </summary>
/// <param name="Text">What the vendor says, up to 4,000 characters.</param>
/// <param name="Status">The new status, one of <see cref="RequestStatuses.SetByVendor"/>; null leaves it as it is.</param>
/// <param name="Question">True when the vendor asks the person something (then <paramref name="Text"/> is required).</param>
/// <param name="Attachments">Up to 5 files, each at most 1 MiB (for example the vendor's export of the person's data).</param>
public sealed record RequestReplyInput(
    [property: JsonPropertyName("text")] string? Text = null,
    [property: JsonPropertyName("status")] string? Status = null,
    [property: JsonPropertyName("question")] bool Question = false,
    [property: JsonPropertyName("attachments")] IReadOnlyList<RequestAttachmentInput>? Attachments = null);

/// <summary>A file attached to a reply.</summary>
/// <param name="FileName">1 to 200 characters, no path separators, for example <c>export.json</c>.</param>
/// <param name="ContentType">One of <c>application/json</c>, <c>text/csv</c>, <c>text/plain</c>, <c>application/pdf</c>, <c>application/xml</c>, <c>application/zip</c>.</param>
/// <param name="Content">The bytes (base64 in JSON), at most 1 MiB.</param>
public sealed record RequestAttachmentInput(
    [property: JsonPropertyName("file_name")] string FileName,
    [property: JsonPropertyName("content_type")] string ContentType,
    [property: JsonPropertyName("content")] byte[] Content);

/// <summary>The data of a <c>request.created</c> event: read the request with <c>GET /api/v1/requests/{request_id}</c>.</summary>
/// <param name="Subject">The person's pairwise identifier for this vendor.</param>
/// <param name="RequestId">The request's id for this vendor.</param>
/// <param name="DueAt">When the person expects the answer, if a due date applies.</param>
public sealed record RequestCreatedData(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("due_at")] DateTimeOffset? DueAt);

/// <summary>The data of a <c>request.updated</c> event: the person replied to or closed a request.</summary>
/// <param name="Subject">The person's pairwise identifier for this vendor.</param>
/// <param name="RequestId">The request's id for this vendor.</param>
/// <param name="Status">The request's status now.</param>
public sealed record RequestUpdatedData(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("status")] string Status);
