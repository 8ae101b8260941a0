using Symbolon.Contracts.Vendor;

namespace Symbolon.Core.Requests;

/// <summary>
/// The plaintext half of a request: ids, status and times only, so that a vendor's requests are found in SQL and the
/// daily summary can count overdue requests while the vault is locked. What the request says (its kind, text,
/// purpose, corrected values) and its thread are encrypted records (<see cref="RequestService"/>). <see cref="Id"/> is
/// the id of the <c>request</c> record.
/// </summary>
internal sealed class RequestEntity
{
    public Guid VaultId { get; set; }
    public Guid Id { get; set; }
    public Guid RelationshipId { get; set; }

    /// <summary>One of <see cref="RequestStatuses"/>, never <c>overdue</c> (derived from <see cref="DueAt"/>).</summary>
    public required string Status { get; set; }

    /// <summary>When the person sent it; the vault is the vendor's inbox, so this is also when the vendor received it.</summary>
    public DateTimeOffset SentAt { get; set; }

    public DateTimeOffset? DueAt { get; set; }

    /// <summary>True when the person set the due date themselves rather than taking the rule's.</summary>
    public bool DueSetByPerson { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Neither answered nor closed: the vendor still owes an answer.</summary>
    public bool IsOpen => Status is RequestStatuses.Sent or RequestStatuses.Acknowledged or RequestStatuses.InProgress;

    public bool IsOverdue(DateTimeOffset now) => IsOpen && DueAt is { } due && due < now;
}

/// <summary>The daily summary of a vault's requests: counts and ids, no content.</summary>
internal sealed class RequestSummaryEntity
{
    public Guid VaultId { get; set; }

    /// <summary>The UTC day, <c>yyyy-MM-dd</c>.</summary>
    public required string Day { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public int OpenCount { get; set; }
    public int OverdueCount { get; set; }

    /// <summary>The overdue requests' ids, comma-separated.</summary>
    public required string OverdueIds { get; set; }
}

/// <summary>Settings for requests (configuration section <c>Requests</c>).</summary>
internal sealed class RequestOptions
{
    /// <summary>Days after sending that a service request is due when the person gives no date; null for no due date.</summary>
    public int? ServiceRequestDueDays { get; set; }
}
