using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Vendor;

/// <summary>
/// A message a vendor sends to the person (<c>POST /api/v1/messages</c>). Vendors can message only within a live
/// relationship and only while the person allows it; a message that advertises must say so with
/// <see cref="Marketing"/>, and is refused (<c>SYM2302</c>) where the person's terms keep the relationship free of
/// marketing.
/// </summary>
/// <param name="Text">The message, 1 to 4,000 characters of plain text.</param>
/// <param name="Marketing">True for a message that advertises (offers, news, promotions) rather than serving something the person asked for.</param>
public sealed record VendorMessageInput(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("marketing")] bool Marketing = false);

/// <summary>Who wrote a message in a relationship's thread.</summary>
public static class MessageAuthors
{
    /// <summary>The vendor wrote it.</summary>
    public const string Vendor = "vendor";

    /// <summary>The person wrote it (a reply, or a message of their own).</summary>
    public const string Person = "person";
}

/// <summary>One message of the thread as the vendor sees it: what it sent and what the person wrote to it.</summary>
/// <param name="Id">The message's id for this vendor (pairwise); <c>message.created</c> webhooks name it.</param>
/// <param name="From"><see cref="MessageAuthors.Vendor"/> or <see cref="MessageAuthors.Person"/>.</param>
/// <param name="Text">The message.</param>
/// <param name="Marketing">True when the vendor labelled it as marketing.</param>
/// <param name="SentAt">When the vault stored it.</param>
public sealed record VendorMessage(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("from")] string From,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("marketing")] bool Marketing,
    [property: JsonPropertyName("sent_at")] DateTimeOffset SentAt)
{
    /// <summary>
    /// Set by the SDK when the person was away and the vault queued the write (<c>202 Accepted</c>) instead of
    /// storing it: <see cref="Id"/> is then the inbox id and the other values are the ones sent; the vault applies the
    /// write when the person unlocks and tells the outcome by an <c>inbox.applied</c> or <c>inbox.refused</c> webhook.
    /// Null for a write that was stored.
    /// </summary>
    [JsonIgnore]
    public QueuedWrite? Queued { get; init; }
}

/// <summary>
/// A value the person pushed to the vendor from their vault (a one-off disclosure, for example a new phone number),
/// as the vendor fetches it once with <c>GET /api/v1/updates/{id}</c>. The vendor gets no standing grant from it.
/// </summary>
/// <param name="Id">The update's reference, as the <c>update.pushed</c> webhook named it.</param>
/// <param name="Field">The field with its value, shaped as a read of it would be (pairwise field id, datatype, label, value).</param>
/// <param name="PushedAt">When the person pushed it.</param>
public sealed record VendorPushedUpdate(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("field")] VendorField Field,
    [property: JsonPropertyName("pushed_at")] DateTimeOffset PushedAt);

/// <summary>A pushed update waiting to be fetched (no value; <c>GET /api/v1/updates</c>).</summary>
/// <param name="Id">The update's reference; fetch its value once with <c>GET /api/v1/updates/{id}</c>.</param>
/// <param name="Datatype">The datatype of the pushed field, for example <c>profile.phone</c>.</param>
/// <param name="PushedAt">When the person pushed it.</param>
public sealed record PendingPushedUpdate(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("pushed_at")] DateTimeOffset PushedAt);

/// <summary>The data of a <c>message.created</c> event: the person wrote to the vendor. The text is not in the event; read it with <c>GET /api/v1/messages</c>.</summary>
/// <param name="Subject">The person's pairwise identifier for this vendor.</param>
/// <param name="MessageId">The message's id, as <c>GET /api/v1/messages</c> lists it.</param>
/// <param name="SentAt">When the person sent it.</param>
public sealed record MessageCreatedData(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("message_id")] string MessageId,
    [property: JsonPropertyName("sent_at")] DateTimeOffset SentAt);

/// <summary>
/// The data of an <c>update.pushed</c> event: the person pushed a corrected value to the vendor. The value is not in
/// the event (webhook payloads wait in the outbox unencrypted); fetch it once with <c>GET /api/v1/updates/{update_id}</c>.
/// </summary>
/// <param name="Subject">The person's pairwise identifier for this vendor.</param>
/// <param name="UpdateId">The update's reference.</param>
/// <param name="Datatype">The datatype of the pushed field, for example <c>profile.phone</c>.</param>
/// <param name="FieldId">The field's pairwise id, the same a read grant would show.</param>
/// <param name="PushedAt">When the person pushed it.</param>
public sealed record UpdatePushedData(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("update_id")] string UpdateId,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("field_id")] string FieldId,
    [property: JsonPropertyName("pushed_at")] DateTimeOffset PushedAt);
