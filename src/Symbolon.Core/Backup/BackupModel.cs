using System.Text.Json;
using System.Text.Json.Serialization;
using Symbolon.Core.Storage;

namespace Symbolon.Core.Backup;

internal static class BackupJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>The plain header of a backup file.</summary>
internal sealed record BackupHeader(int FormatVersion, DateTimeOffset CreatedAt, byte[] Salt, BackupVault Vault);

/// <summary>The vault row as it is kept in a backup (failed-unlock counters are not).</summary>
internal sealed record BackupVault(
    Guid Id,
    int FormatVersion,
    DateTimeOffset CreatedAt,
    string KdfAlgorithm,
    int KdfMemoryKiB,
    int KdfIterations,
    int KdfParallelism,
    byte[] KdfSalt,
    byte[] PassphraseWrappedKey,
    byte[] RecoveryWrappedKey,
    byte[] SigningPublicKey,
    byte[] SigningPrivateKeySealed,
    byte[] AgreementPublicKey,
    byte[] AgreementPrivateKeySealed,
    DateTimeOffset? PassphraseChangedAt)
{
    public static BackupVault From(VaultEntity v) => new(
        v.Id, v.FormatVersion, v.CreatedAt, v.KdfAlgorithm, v.KdfMemoryKiB, v.KdfIterations, v.KdfParallelism, v.KdfSalt,
        v.PassphraseWrappedKey, v.RecoveryWrappedKey, v.SigningPublicKey, v.SigningPrivateKeySealed, v.AgreementPublicKey,
        v.AgreementPrivateKeySealed, v.PassphraseChangedAt);

    public VaultEntity ToEntity() => new()
    {
        Id = Id,
        FormatVersion = FormatVersion,
        CreatedAt = CreatedAt,
        KdfAlgorithm = KdfAlgorithm,
        KdfMemoryKiB = KdfMemoryKiB,
        KdfIterations = KdfIterations,
        KdfParallelism = KdfParallelism,
        KdfSalt = KdfSalt,
        PassphraseWrappedKey = PassphraseWrappedKey,
        RecoveryWrappedKey = RecoveryWrappedKey,
        SigningPublicKey = SigningPublicKey,
        SigningPrivateKeySealed = SigningPrivateKeySealed,
        AgreementPublicKey = AgreementPublicKey,
        AgreementPrivateKeySealed = AgreementPrivateKeySealed,
        PassphraseChangedAt = PassphraseChangedAt,
    };
}

/// <summary>One line of the sealed payload: a record head or a record version.</summary>
internal sealed record BackupLine(BackupRecord? Record, BackupVersion? Version, BackupImportBatch? ImportBatch = null, BackupTransactionChunk? TransactionChunk = null)
{
    public static BackupLine From(ImportBatchEntity b) =>
        new(null, null, new BackupImportBatch(b.Id, b.ImportedAt, b.TransactionCount, b.DuplicateCount, b.ChunkCount, b.SealedSummary));

    public static BackupLine From(TransactionChunkEntity c) =>
        new(null, null, null, new BackupTransactionChunk(c.BatchId, c.Chunk, c.TransactionCount, c.Sealed));

    public static BackupLine From(RecordEntity r) => new(new BackupRecord(r.Id, r.Type, r.CurrentVersion, r.CreatedAt, r.UpdatedAt, r.DeletedAt), null);

    public static BackupLine From(RecordVersionEntity v) => new(null, new BackupVersion(v.RecordId, v.Version, v.Type, v.ChangedAt, v.Operation, v.ActorKind, v.ActorId, v.Sealed));
}

internal sealed record BackupRecord(Guid Id, string Type, int CurrentVersion, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? DeletedAt)
{
    public RecordEntity ToEntity(Guid vaultId) => new()
    {
        VaultId = vaultId,
        Id = Id,
        Type = Type,
        CurrentVersion = CurrentVersion,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        DeletedAt = DeletedAt,
    };
}

internal sealed record BackupVersion(Guid RecordId, int Version, string Type, DateTimeOffset ChangedAt, string Operation, string ActorKind, string? ActorId, byte[]? Sealed)
{
    public RecordVersionEntity ToEntity(Guid vaultId) => new()
    {
        VaultId = vaultId,
        RecordId = RecordId,
        Version = Version,
        Type = Type,
        ChangedAt = ChangedAt,
        Operation = Operation,
        ActorKind = ActorKind,
        ActorId = ActorId,
        Sealed = Sealed,
    };
}

/// <summary>An import batch, copied sealed as it is stored (added to backups with statement imports; older backups have none).</summary>
internal sealed record BackupImportBatch(Guid Id, DateTimeOffset ImportedAt, int TransactionCount, int DuplicateCount, int ChunkCount, byte[] SealedSummary)
{
    public ImportBatchEntity ToEntity(Guid vaultId) => new()
    {
        VaultId = vaultId,
        Id = Id,
        ImportedAt = ImportedAt,
        TransactionCount = TransactionCount,
        DuplicateCount = DuplicateCount,
        ChunkCount = ChunkCount,
        SealedSummary = SealedSummary,
    };
}

/// <summary>A sealed chunk of imported transactions, copied byte for byte.</summary>
internal sealed record BackupTransactionChunk(Guid BatchId, int Chunk, int TransactionCount, byte[] Sealed)
{
    public TransactionChunkEntity ToEntity(Guid vaultId) => new()
    {
        VaultId = vaultId,
        BatchId = BatchId,
        Chunk = Chunk,
        TransactionCount = TransactionCount,
        Sealed = Sealed,
    };
}
