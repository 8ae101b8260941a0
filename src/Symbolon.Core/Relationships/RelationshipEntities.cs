namespace Symbolon.Core.Relationships;

/// <summary>
/// A vendor the person relates to. It is created when the vendor registers (RFC 7591) and carries the
/// vendor's metadata, its pairwise identifier for the person and, once accepted, the agreement it runs under.
/// </summary>
internal sealed class RelationshipEntity
{
    public Guid VaultId { get; set; }
    public Guid Id { get; set; }

    /// <summary>The OAuth client id OpenIddict knows the vendor by.</summary>
    public required string ClientId { get; set; }

    public required string VendorName { get; set; }
    public string? ClientUri { get; set; }
    public string? LogoUri { get; set; }
    public string? PolicyUri { get; set; }
    public string? TermsUri { get; set; }
    public string? WebhookUri { get; set; }

    /// <summary>The Standard Webhooks secret, protected with the host's data-protection keys so the outbox can sign while the vault is locked.</summary>
    public string? WebhookSecretProtected { get; set; }

    /// <summary>The vendor's Ed25519 public key (raw 32 bytes) from its registration JWKS, used to check countersignatures.</summary>
    public byte[]? VendorSigningKey { get; set; }

    /// <summary>The agreements the vendor said at registration it accepts (roster ids, comma-separated).</summary>
    public required string AcceptableAgreements { get; set; }

    /// <summary>
    /// The person's identifier as this vendor sees it: random per relationship, so two vendors cannot
    /// link the person by comparing identifiers.
    /// </summary>
    public required string Subject { get; set; }

    /// <summary>Key for this relationship's pairwise field ids and ETags (HMAC-SHA256), random per relationship.</summary>
    public required byte[] PairwiseKey { get; set; }

    /// <summary>The signed agreement the relationship runs under; null until the vendor accepts one.</summary>
    public Guid? AgreementRecordId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Set when the person (or the vendor) ends the relationship; every grant and token ends with it.</summary>
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>An accepted agreement: the record both parties signed, kept exactly as signed.</summary>
internal sealed class AgreementRecordEntity
{
    public Guid VaultId { get; set; }
    public Guid Id { get; set; }
    public Guid RelationshipId { get; set; }
    public required string AgreementId { get; set; }
    public required string TextSha256 { get; set; }

    /// <summary>The canonical JSON that was signed (UTF-8); signatures cover exactly these bytes.</summary>
    public required byte[] SignedContent { get; set; }

    public required byte[] VaultSignature { get; set; }
    public byte[]? VendorSignature { get; set; }
    public DateTimeOffset AcceptedAt { get; set; }
    public DateTimeOffset? CountersignedAt { get; set; }
}

/// <summary>What the person granted a vendor in one consent: datatypes, actions, narrowings, purpose and expiry.</summary>
internal sealed class GrantEntity
{
    public Guid VaultId { get; set; }
    public Guid Id { get; set; }
    public Guid RelationshipId { get; set; }

    /// <summary>The OpenIddict authorization this grant is bound to; revoking the grant revokes it and its tokens.</summary>
    public string? AuthorizationId { get; set; }

    public required string AgreementId { get; set; }
    public required string Purpose { get; set; }

    /// <summary>The authorization_details the vendor asked for (JSON), kept for the receipt.</summary>
    public required string RequestedDetails { get; set; }

    /// <summary>What the person granted (JSON array of <see cref="GrantedDatatype"/>).</summary>
    public required string GrantedDetails { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>The consent receipt (JSON, shaped after ISO/IEC TS 27560) and the vault's signature over it.</summary>
    public required byte[] Receipt { get; set; }

    public required byte[] ReceiptSignature { get; set; }
}

/// <summary>One vendor access, allowed or refused: who, what, when and why. No values.</summary>
internal sealed class AccessLogEntity
{
    public Guid VaultId { get; set; }
    public Guid Id { get; set; }
    public Guid RelationshipId { get; set; }
    public Guid? GrantId { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary><c>read</c>, <c>append</c>, <c>update</c> or <c>changes</c>.</summary>
    public required string Action { get; set; }

    /// <summary>The datatypes touched, comma-separated.</summary>
    public required string Datatypes { get; set; }

    public string? Purpose { get; set; }
    public bool Allowed { get; set; }
    public int StatusCode { get; set; }

    /// <summary>
    /// How many identical calls this line stands for: 1, until <see cref="AccessLogCompaction"/> folds the repeated
    /// reads of one grant in one hour, older than the detail window, into their first line.
    /// </summary>
    public int Count { get; set; } = 1;

    /// <summary>The last of the calls a folded line stands for (null while it stands for one).</summary>
    public DateTimeOffset? LastAt { get; set; }
}

/// <summary>
/// The vault's change log: one row per record version, in commit order. Its sequence is the change-feed
/// cursor and what the webhook outbox fans out from.
/// </summary>
internal sealed class ChangeLogEntity
{
    public long Sequence { get; set; }
    public Guid VaultId { get; set; }
    public Guid RecordId { get; set; }
    public required string RecordType { get; set; }
    public int Version { get; set; }
    public required string Operation { get; set; }
    public required string ActorKind { get; set; }
    public string? ActorId { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}

/// <summary>A webhook message waiting for (or done with) delivery to one vendor. The payload holds no personal values.</summary>
internal sealed class WebhookMessageEntity
{
    public Guid VaultId { get; set; }
    public Guid Id { get; set; }
    public Guid RelationshipId { get; set; }
    public required string EventType { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>Set when the outbox gave up: the message failed for three days (see <c>WebhookDelivery</c>).</summary>
    public DateTimeOffset? FailedAt { get; set; }

    /// <summary>The last failure, as a status code or an exception type; never a response body.</summary>
    public string? LastError { get; set; }
}

/// <summary>How far the outbox has fanned out the change log, per vault.</summary>
internal sealed class OutboxCursorEntity
{
    public Guid VaultId { get; set; }
    public long LastSequence { get; set; }
}

/// <summary>A vendor write already done, so a retry with the same Idempotency-Key returns the same answer.</summary>
internal sealed class IdempotencyEntity
{
    public Guid VaultId { get; set; }
    public Guid RelationshipId { get; set; }
    public required string Key { get; set; }

    /// <summary>SHA-256 of method, path and body; a reuse of the key for a different request is refused.</summary>
    public required byte[] RequestHash { get; set; }

    public int StatusCode { get; set; }

    /// <summary>The response body sealed with the vault's data key (it may hold values).</summary>
    public byte[]? ResponseSealed { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
