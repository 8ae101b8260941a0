namespace Symbolon.Core.Storage;

/// <summary>
/// A vault: its key-derivation parameters, its wrapped data key and its public keys. Nothing here is personal;
/// every personal value lives in <see cref="RecordVersionEntity.Sealed"/>.
/// </summary>
internal sealed class VaultEntity
{
    public Guid Id { get; set; }
    public int FormatVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string KdfAlgorithm { get; set; }
    public int KdfMemoryKiB { get; set; }
    public int KdfIterations { get; set; }
    public int KdfParallelism { get; set; }
    public required byte[] KdfSalt { get; set; }

    /// <summary>The data key sealed under the Argon2id key-encryption key.</summary>
    public required byte[] PassphraseWrappedKey { get; set; }

    /// <summary>The data key sealed under a key derived from the recovery key.</summary>
    public required byte[] RecoveryWrappedKey { get; set; }

    public required byte[] SigningPublicKey { get; set; }
    public required byte[] SigningPrivateKeySealed { get; set; }
    public required byte[] AgreementPublicKey { get; set; }
    public required byte[] AgreementPrivateKeySealed { get; set; }
    public DateTimeOffset? PassphraseChangedAt { get; set; }
    public int FailedUnlockCount { get; set; }
    public DateTimeOffset? LastFailedUnlockAt { get; set; }

    /// <summary>The agreements the person proffers to vendors (roster ids, comma-separated); null means the default set.</summary>
    public string? ProfferedAgreements { get; set; }

    /// <summary>
    /// The person's standing rule for the card: requests that only ask to add (append) to non-profile datatypes
    /// such as notes, receipts and loyalty events are approved without asking. Reading always waits for the person.
    /// </summary>
    public bool CardAutoApproveAppend { get; set; }

    /// <summary>Minutes without the owner after which the vault locks itself; null is the default (30), 0 never.</summary>
    public int? AutoLockMinutes { get; set; }

    /// <summary>
    /// Unattended mode: the data key sealed under the host key (kept outside the database), so that the server can
    /// unlock the vault by itself when it starts. Null in strict mode, the default.
    /// </summary>
    public byte[]? HostWrappedKey { get; set; }
}

/// <summary>The head of a versioned record: its type and current version, or its tombstone.</summary>
internal sealed class RecordEntity
{
    public Guid VaultId { get; set; }
    public Guid Id { get; set; }
    public required string Type { get; set; }
    public int CurrentVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Set when the record is a tombstone; its versions stay until the person purges it.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
}

/// <summary>One immutable version of a record: who changed it, when, and the sealed value.</summary>
internal sealed class RecordVersionEntity
{
    public Guid VaultId { get; set; }
    public Guid RecordId { get; set; }
    public int Version { get; set; }
    public required string Type { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public required string Operation { get; set; }
    public required string ActorKind { get; set; }
    public string? ActorId { get; set; }

    /// <summary>AES-256-GCM of the value's JSON; null for a tombstone version.</summary>
    public byte[]? Sealed { get; set; }
}

/// <summary>A personal access token for the owner API. Only the SHA-256 of the secret is stored.</summary>
internal sealed class AccessTokenEntity
{
    public Guid VaultId { get; set; }
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required byte[] SecretHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>
/// One statement import: append-only. Only counts and the import time are in plaintext; the file name, format and
/// per-account counts are in <see cref="SealedSummary"/>, the transactions in its chunks.
/// </summary>
internal sealed class ImportBatchEntity
{
    public Guid VaultId { get; set; }
    public Guid Id { get; set; }
    public DateTimeOffset ImportedAt { get; set; }
    public int TransactionCount { get; set; }
    public int DuplicateCount { get; set; }
    public int ChunkCount { get; set; }
    public required byte[] SealedSummary { get; set; }
}

/// <summary>Up to a few thousand transactions of one import, compressed and sealed together (see Imports/TransactionChunkCodec).</summary>
internal sealed class TransactionChunkEntity
{
    public Guid VaultId { get; set; }
    public Guid BatchId { get; set; }
    public int Chunk { get; set; }
    public int TransactionCount { get; set; }
    public required byte[] Sealed { get; set; }
}
