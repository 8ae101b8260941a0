using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Vendor;

/// <summary>
/// The answer to a vendor write made while the person is away (<c>202 Accepted</c>): the write passed every check the
/// vault can make without the person's key (token, grant, schema, size) and waits, sealed to the vault's public key,
/// until they unlock. It is then applied exactly as a live write, once; an <c>inbox.applied</c> or
/// <c>inbox.refused</c> webhook tells the outcome. A retry with the same Idempotency-Key gets the same answer.
/// </summary>
/// <param name="InboxId">The queued write's id, named again by the webhook that tells its outcome.</param>
/// <param name="ReceivedAt">When the vault took it.</param>
public sealed record QueuedWrite(
    [property: JsonPropertyName("inbox_id")] string InboxId,
    [property: JsonPropertyName("received_at")] DateTimeOffset ReceivedAt)
{
    /// <summary>Always <c>queued</c>.</summary>
    [JsonPropertyName("status")]
    public string Status { get; init; } = "queued";
}

/// <summary>The data of an <c>inbox.applied</c> or <c>inbox.refused</c> event.</summary>
/// <param name="Subject">The person's pairwise identifier for this vendor.</param>
/// <param name="InboxId">The queued write (<see cref="QueuedWrite.InboxId"/>).</param>
/// <param name="Status">The status the write got when applied: 201 for a stored write, or the refusal's status.</param>
/// <param name="ResourceId">The stored resource's id for this vendor (a receipt's id, say); null when refused.</param>
/// <param name="Problem">The refusal's problem code (such as <c>SYM1402</c>, the grant was revoked meanwhile); null when applied.</param>
public sealed record InboxOutcomeData(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("inbox_id")] string InboxId,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("resource_id")] string? ResourceId,
    [property: JsonPropertyName("problem")] string? Problem);
