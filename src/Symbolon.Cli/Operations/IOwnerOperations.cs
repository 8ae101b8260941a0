using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vault;

namespace Symbolon.Cli.Operations;

/// <summary>
/// Every owner action the CLI offers, done either directly on the storage with the Core services
/// (<see cref="LocalOwnerOperations"/>) or through a running server's owner API (<see cref="RemoteOwnerOperations"/>).
/// Commands are written once, against this interface.
/// </summary>
internal partial interface IOwnerOperations : IAsyncDisposable, IStatementOperations
{
    /// <summary><c>local</c> or <c>remote</c>.</summary>
    string Mode { get; }

    /// <summary>Where the vault is: the database, or the server's address.</summary>
    string Location { get; }

    Task<CliStatus> GetStatusAsync(CancellationToken ct);

    Task<CreatedVaultResult> CreateVaultAsync(string passphrase, CancellationToken ct);

    /// <summary>Local: starts a CLI session. Remote: unlocks the server's vault and keeps an access token.</summary>
    Task<UnlockResult> UnlockAsync(string passphrase, CancellationToken ct);

    /// <summary>Remote: locks the server's vault. Local: nothing beyond what the command does with the session files.</summary>
    Task LockAsync(CancellationToken ct);

    /// <summary>Changes the passphrase; other browsers are signed out, and with <paramref name="revokeAccessTokens"/> every token is revoked.</summary>
    Task ChangePassphraseAsync(string currentPassphrase, string newPassphrase, bool revokeAccessTokens, CancellationToken ct);

    Task RecoverAsync(string recoveryKey, string newPassphrase, CancellationToken ct);

    /// <summary>
    /// Makes sure the vault can be used before a long operation starts: asks for the passphrase now (local) or checks
    /// the sign-in (remote), so that no prompt appears under a progress display.
    /// </summary>
    Task EnsureAccessAsync(CancellationToken ct);

    Task<ProfileDocument> GetProfileAsync(CancellationToken ct);

    Task<ProfileField> GetFieldAsync(Guid id, CancellationToken ct);

    Task<ProfileField> AddFieldAsync(ProfileFieldInput input, CancellationToken ct);

    Task<ProfileField> UpdateFieldAsync(Guid id, ProfileFieldUpdate update, CancellationToken ct);

    Task RemoveFieldAsync(Guid id, CancellationToken ct);

    Task<ProfileFieldHistory> GetFieldHistoryAsync(Guid id, CancellationToken ct);

    Task<IReadOnlyList<ProfileFieldHistory>> GetHistoryAsync(CancellationToken ct);

    /// <summary>The profile as a vCard 4.0, or as a jCard when <paramref name="jcard"/> is true.</summary>
    Task<string> GetVCardAsync(bool jcard, CancellationToken ct);

    Task WriteExportAsync(Stream output, CancellationToken ct);

    Task WriteBackupAsync(Stream output, CancellationToken ct);

    Task<int> PurgeAsync(CancellationToken ct);

    Task<OwnerToken> CreateTokenAsync(string name, int? expiresInDays, CancellationToken ct);

    Task<IReadOnlyList<OwnerToken>> ListTokensAsync(CancellationToken ct);

    Task RevokeTokenAsync(Guid id, CancellationToken ct);

    /// <summary>How long the vault stays unlocked without its owner.</summary>
    Task<AutoLockSetting> GetAutoLockAsync(CancellationToken ct);

    /// <summary>Sets that idle time (null: never).</summary>
    Task<AutoLockSetting> SetAutoLockAsync(int? minutes, CancellationToken ct);

    /// <summary>Strict or unattended, and where the host key comes from.</summary>
    Task<VaultModeSetting> GetModeAsync(CancellationToken ct);

    /// <summary>Switches the mode (unattended wraps the data key with the host key; strict destroys that copy).</summary>
    Task<VaultModeSetting> SetModeAsync(string mode, CancellationToken ct);

    /// <summary>The browsers signed in to the vault (held by the running server).</summary>
    Task<IReadOnlyList<OwnerSignInSession>> ListSignInsAsync(CancellationToken ct);

    /// <summary>What vendors sent while the person was away (the sealed inbox), until marked seen.</summary>
    Task<Contracts.Inbox.AwayReport> GetAwayReportAsync(CancellationToken ct);

    /// <summary>Marks the settled items and the refusal counts seen.</summary>
    Task MarkAwayReportSeenAsync(CancellationToken ct);

    /// <summary>Signs one browser out.</summary>
    Task EndSignInAsync(Guid id, CancellationToken ct);

    /// <summary>Signs every browser out but the caller's (a token holds none, so all of them); returns how many.</summary>
    Task<int> EndOtherSignInsAsync(CancellationToken ct);

    Task<IReadOnlyList<RelationshipSummary>> ListRelationshipsAsync(CancellationToken ct);

    Task<RelationshipDetail> GetRelationshipAsync(Guid id, CancellationToken ct);

    /// <summary>Revokes a grant, its OAuth authorization and its tokens: the vendor's next request is refused.</summary>
    Task<RelationshipGrant> RevokeGrantAsync(Guid grantId, CancellationToken ct);

    /// <summary>Ends a relationship: every grant and token of the vendor stops working.</summary>
    Task<RelationshipDetail> EndRelationshipAsync(Guid id, CancellationToken ct);

    Task<SignedConsentReceipt> GetReceiptAsync(Guid grantId, CancellationToken ct);

    /// <summary>The access log, newest first, across all relationships or for one.</summary>
    Task<AccessLogPage> GetAccessLogAsync(Guid? relationshipId, int limit, int offset, CancellationToken ct);

    /// <summary>Requests sent to vendors, newest first, across all relationships or for one.</summary>
    Task<IReadOnlyList<RequestSummary>> ListRequestsAsync(Guid? relationshipId, CancellationToken ct);

    Task<RequestDetail> GetRequestAsync(Guid id, CancellationToken ct);

    /// <summary>Sends a vendor a typed request; the vendor hears of it by webhook.</summary>
    Task<RequestDetail> CreateRequestAsync(RequestInput input, CancellationToken ct);
}

/// <summary>What <c>symbolon status</c> shows.</summary>
/// <param name="Mode"><c>local</c> or <c>remote</c>.</param>
/// <param name="DataDirectory">The data directory (where the CLI keeps its session and token too).</param>
/// <param name="Storage">Where the vault is stored, or the server that holds it.</param>
/// <param name="Access">How this CLI gets at the vault's data right now.</param>
/// <param name="Vault">The vault's status.</param>
internal sealed record CliStatus(string Mode, string DataDirectory, string Storage, string Access, VaultStatus Vault);

/// <param name="VaultId">The new vault.</param>
/// <param name="RecoveryKey">Its recovery key, shown once.</param>
/// <param name="SignedIn">True when the CLI kept an access token (remote mode).</param>
internal sealed record CreatedVaultResult(Guid VaultId, string RecoveryKey, bool SignedIn);

/// <param name="VaultId">The unlocked vault.</param>
/// <param name="ExpiresAt">When the session or token ends.</param>
/// <param name="SessionSecret">Local mode: the value of SYMBOLON_SESSION that opens the new CLI session.</param>
/// <param name="TokenFile">Remote mode: where the access token was saved.</param>
internal sealed record UnlockResult(Guid VaultId, DateTimeOffset ExpiresAt, string? SessionSecret, string? TokenFile);
