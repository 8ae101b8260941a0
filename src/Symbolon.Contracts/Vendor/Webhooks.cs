using System.Text.Json;
using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Vendor;

/// <summary>The webhook event types.</summary>
public static class WebhookEventTypes
{
    /// <summary>A field the vendor may read changed; <c>data</c> names the datatypes and field ids, never values.</summary>
    public const string ProfileUpdated = "profile.updated";

    /// <summary>The person revoked a grant (or ended the relationship); <c>data.grant_id</c> names it.</summary>
    public const string GrantRevoked = "grant.revoked";

    /// <summary>The person wrote to the vendor in the relationship's thread; <c>data.message_id</c> names the message (read it with <c>GET /api/v1/messages</c>).</summary>
    public const string MessageCreated = "message.created";

    /// <summary>The person pushed a corrected value to the vendor; <c>data.update_id</c> is the reference to fetch it once with <c>GET /api/v1/updates/{id}</c>.</summary>
    public const string UpdatePushed = "update.pushed";

    /// <summary>The person sent the vendor a request; <c>data.request_id</c> names it (see <see cref="RequestCreatedData"/>).</summary>
    public const string RequestCreated = "request.created";

    /// <summary>The person replied to or closed a request (see <see cref="RequestUpdatedData"/>).</summary>
    public const string RequestUpdated = "request.updated";

    /// <summary>A write queued while the person was away was applied once they came back (see <see cref="InboxOutcomeData"/>).</summary>
    public const string InboxApplied = "inbox.applied";

    /// <summary>A write queued while the person was away no longer applied when they came back, and was not stored (see <see cref="InboxOutcomeData"/>).</summary>
    public const string InboxRefused = "inbox.refused";

    /// <summary>The person addressed an intent to this relationship (see <see cref="IntentCreatedData"/>).</summary>
    public const string IntentCreated = "intent.created";

    /// <summary>An intent addressed to this relationship closed: accepted elsewhere, withdrawn or expired (see <see cref="IntentClosedData"/>).</summary>
    public const string IntentClosed = "intent.closed";

    /// <summary>The person accepted this vendor's offer on an intent (see <see cref="IntentAcceptedData"/>).</summary>
    public const string IntentAccepted = "intent.accepted";

    /// <summary>A payment the person made to this vendor settled; the signed record is ready to read and countersign (see <see cref="PaymentSettledData"/>).</summary>
    public const string PaymentSettled = "payment.settled";

    /// <summary>Every type the vault sends today.</summary>
    public static IReadOnlyList<string> All { get; } = [ProfileUpdated, GrantRevoked, RequestCreated, RequestUpdated, MessageCreated, UpdatePushed, InboxApplied, InboxRefused, IntentCreated, IntentClosed, IntentAccepted, PaymentSettled];
}

/// <summary>A webhook payload in the Standard Webhooks shape.</summary>
/// <param name="Type">The event type, for example <c>profile.updated</c>.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Data">The event's data.</param>
public sealed record WebhookEvent(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("data")] JsonElement Data);

/// <summary>The data of a <c>profile.updated</c> event.</summary>
/// <param name="Subject">The person's pairwise identifier for this vendor.</param>
/// <param name="Changes">What changed (no values: read them through the API).</param>
public sealed record ProfileUpdatedData(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("changes")] IReadOnlyList<FieldChange> Changes);

/// <summary>The data of a <c>grant.revoked</c> event.</summary>
/// <param name="Subject">The person's pairwise identifier for this vendor.</param>
/// <param name="GrantId">The revoked grant.</param>
/// <param name="RelationshipEnded">True when the person ended the whole relationship.</param>
public sealed record GrantRevokedData(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("grant_id")] string GrantId,
    [property: JsonPropertyName("relationship_ended")] bool RelationshipEnded);
