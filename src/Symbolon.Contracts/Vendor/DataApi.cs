using System.Text.Json;
using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Vendor;

/// <summary>What a vendor may see of the person's profile: granted datatypes only, narrowed as granted.</summary>
/// <param name="Subject">The person's pairwise identifier for this vendor.</param>
/// <param name="Fields">The fields, one per value.</param>
public sealed record VendorProfile(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("fields")] IReadOnlyList<VendorField> Fields);

/// <summary>One value the vendor may see.</summary>
/// <param name="Id">The field's id for this vendor (pairwise: another vendor sees another id).</param>
/// <param name="Datatype">Its datatype, for example <c>profile.email</c>.</param>
/// <param name="Label">Its label, such as <c>home</c>, if any.</param>
/// <param name="Narrowing"><c>full</c>, or the narrowing the person chose.</param>
/// <param name="Value">The value: a string for text datatypes, an object for names and addresses, <c>{"over_18":true}</c> for a narrowed birth date.</param>
/// <param name="Version">The field's version; send it back as <c>expected_version</c> when updating.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record VendorField(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("label")] string? Label,
    [property: JsonPropertyName("narrowing")] string Narrowing,
    [property: JsonPropertyName("value")] JsonElement Value,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// Set by the SDK when the person was away and the vault queued the value (<c>202 Accepted</c>) instead of storing
    /// it: <see cref="Id"/> is then the inbox id, <see cref="Version"/> 0, <see cref="UpdatedAt"/> the time the vault
    /// took it, and the other values the ones sent. The vault stores it when the person unlocks and tells the outcome by
    /// an <c>inbox.applied</c> webhook (naming the field's id) or <c>inbox.refused</c>. Null for a value that was stored.
    /// </summary>
    [JsonIgnore]
    public QueuedWrite? Queued { get; init; }
}

/// <summary>A vendor adds a value (needs <c>append</c> on the datatype).</summary>
/// <param name="Datatype">The datatype, for example <c>profile.email</c> or <c>notes</c>.</param>
/// <param name="Value">The value, shaped as <see cref="VendorField.Value"/>.</param>
/// <param name="Label">An optional label.</param>
public sealed record VendorFieldAppend(
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("value")] JsonElement Value,
    [property: JsonPropertyName("label")] string? Label = null);

/// <summary>A vendor changes a value it can see (needs <c>update</c> on the datatype and a full, not narrowed, grant).</summary>
/// <param name="Value">The new value.</param>
/// <param name="Label">The new label; null keeps the current one.</param>
/// <param name="ExpectedVersion">When set, refused with 409 unless the field is still at this version.</param>
public sealed record VendorFieldUpdate(
    [property: JsonPropertyName("value")] JsonElement Value,
    [property: JsonPropertyName("label")] string? Label = null,
    [property: JsonPropertyName("expected_version")] int? ExpectedVersion = null);

/// <summary>A note a vendor appended, as it reads it back.</summary>
/// <param name="Id">The note's id for this vendor.</param>
/// <param name="Text">The note.</param>
/// <param name="CreatedAt">When it was written.</param>
public sealed record VendorNote(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt)
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

/// <summary>One page of the change feed: changes to datatypes the vendor may read, oldest first. No values.</summary>
/// <param name="Changes">The changes.</param>
/// <param name="NextCursor">Pass as <c>after</c> to get the next page; stays the same when there is nothing new.</param>
/// <param name="HasMore">True when another page is ready now.</param>
public sealed record ChangeFeedPage(
    [property: JsonPropertyName("changes")] IReadOnlyList<FieldChange> Changes,
    [property: JsonPropertyName("next_cursor")] string NextCursor,
    [property: JsonPropertyName("has_more")] bool HasMore);

/// <summary>A change to one field.</summary>
/// <param name="Cursor">This change's cursor.</param>
/// <param name="Datatype">The field's datatype.</param>
/// <param name="FieldId">The field's id for this vendor.</param>
/// <param name="Operation"><c>create</c>, <c>update</c> or <c>delete</c>.</param>
/// <param name="Version">The field's version after the change.</param>
/// <param name="ChangedAt">When it changed.</param>
public sealed record FieldChange(
    [property: JsonPropertyName("cursor")] string Cursor,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("field_id")] string FieldId,
    [property: JsonPropertyName("operation")] string Operation,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("changed_at")] DateTimeOffset ChangedAt);

/// <summary>A note the vendor adds to the person's vault (needs <c>append</c> on <c>notes</c>).</summary>
/// <param name="Text">The note, 1 to 4000 characters.</param>
public sealed record VendorNoteInput(
    [property: JsonPropertyName("text")] string Text);
