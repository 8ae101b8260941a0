using System.Text.Json.Serialization;

namespace Symbolon.Contracts.Vault;

/// <summary>
/// Whether a vault exists and whether it is unlocked. A caller that is not signed in (no session cookie, no access
/// token) learns only <see cref="Exists"/>: the other members are false or null for it.
/// </summary>
/// <param name="Exists">True once a vault has been created in this data store.</param>
/// <param name="Unlocked">True while the vault's keys are in the server's memory (false for a caller not signed in).</param>
/// <param name="VaultId">The vault's id, when it exists.</param>
/// <param name="CreatedAt">When the vault was created.</param>
/// <param name="Kdf">The key-derivation parameters stored with the vault.</param>
/// <param name="SigningPublicKey">The vault's Ed25519 public key, base64url.</param>
/// <param name="AgreementPublicKey">The vault's X25519 public key, base64url.</param>
public sealed record VaultStatus(
    bool Exists,
    bool Unlocked,
    Guid? VaultId,
    DateTimeOffset? CreatedAt,
    KdfDescription? Kdf,
    string? SigningPublicKey,
    string? AgreementPublicKey);

/// <summary>Argon2id parameters.</summary>
/// <param name="Algorithm">Always <c>argon2id</c>.</param>
/// <param name="MemoryKiB">Memory in KiB.</param>
/// <param name="Iterations">Passes over memory.</param>
/// <param name="Parallelism">Lanes.</param>
public sealed record KdfDescription(string Algorithm, int MemoryKiB, int Iterations, int Parallelism);

/// <summary>Creates the vault.</summary>
/// <param name="Passphrase">At least ten characters.</param>
public sealed record CreateVaultRequest(string Passphrase)
{
    /// <summary>Whether to sign this client in with the session cookie, as a browser is (true unless asked otherwise); the CLI and scripts, which go on with an access token, say false.</summary>
    public bool SignIn { get; init; } = true;
}

/// <summary>The one time the recovery key is shown.</summary>
/// <param name="VaultId">The new vault's id.</param>
/// <param name="RecoveryKey">The recovery key. Store it now: it is never shown again.</param>
/// <param name="AccessToken">A session token for the owner API, as after an unlock.</param>
public sealed record CreateVaultResponse(Guid VaultId, string RecoveryKey, OwnerToken AccessToken);

/// <summary>Unlocks the vault.</summary>
/// <param name="Passphrase">The vault's passphrase.</param>
/// <param name="TokenName">When set, a personal access token with this name is returned for scripts and the CLI.</param>
public sealed record UnlockRequest(string Passphrase, string? TokenName = null)
{
    /// <summary>Whether to sign this client in with the session cookie, as a browser is (true unless asked otherwise); the CLI and scripts, which go on with an access token, say false.</summary>
    public bool SignIn { get; init; } = true;
}

/// <summary>Opens the vault with its recovery key and sets a new passphrase.</summary>
/// <param name="RecoveryKey">The recovery key shown when the vault was created.</param>
/// <param name="NewPassphrase">The new passphrase.</param>
public sealed record RecoverRequest(string RecoveryKey, string NewPassphrase)
{
    /// <summary>Whether to sign this client in with the session cookie, as a browser is (true unless asked otherwise); the CLI and scripts, which go on with an access token, say false.</summary>
    public bool SignIn { get; init; } = true;
}

/// <summary>Changes the passphrase. Records are not re-encrypted: only the wrapped data key changes.</summary>
/// <param name="CurrentPassphrase">The passphrase in use.</param>
/// <param name="NewPassphrase">The new passphrase.</param>
public sealed record ChangePassphraseRequest(string CurrentPassphrase, string NewPassphrase)
{
    /// <summary>Also revoke every personal access token (the CLI's and scripts'); browsers other than the caller's are signed out in any case.</summary>
    public bool RevokeAccessTokens { get; init; }
}

/// <summary>Creates a personal access token for the owner API.</summary>
/// <param name="Name">What it is for, for example "backup script".</param>
/// <param name="ExpiresInDays">Days until it expires; null for the default of 30, at most 365.</param>
public sealed record CreateTokenRequest(string Name, int? ExpiresInDays = null);

/// <summary>A personal access token. The secret is shown only when it is created.</summary>
/// <param name="Id">The token's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Token">The bearer secret (<c>sym_pat_...</c>); only in the response that creates it.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it stops working.</param>
/// <param name="LastUsedAt">When it was last used.</param>
public sealed record OwnerToken(Guid Id, string Name, string? Token, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt);

/// <summary>
/// A browser signed in to the vault (a web-app session). It ends when the vault locks, when the passphrase is changed
/// or the vault recovered (the caller's own stays), or when it is ended here.
/// </summary>
/// <param name="Id">The sign-in's id.</param>
/// <param name="Client">What signed in, as its browser tells ("Firefox on Linux").</param>
/// <param name="SignedInAt">When it signed in (unlocked).</param>
/// <param name="LastUsedAt">When it last made a request (to the minute).</param>
/// <param name="Current">Whether it is the one asking.</param>
public sealed record OwnerSignInSession(Guid Id, string Client, DateTimeOffset SignedInAt, DateTimeOffset LastUsedAt, bool Current);

/// <summary>How long the vault stays unlocked without its owner before the server locks it by itself.</summary>
/// <param name="Minutes">Minutes without a page, owner API call or CLI command (vendors do not count); null for never.</param>
/// <param name="IsDefault">Whether this is the default (30 minutes) because none was chosen.</param>
public sealed record AutoLockSetting(int? Minutes, bool IsDefault);

/// <summary>Sets the idle time after which the vault locks itself.</summary>
/// <param name="Minutes">From 1 to 1440, or null for never (written even by serializers that leave nulls out: it is required).</param>
public sealed record SetAutoLockRequest([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Minutes);

/// <summary>How many browsers were signed out.</summary>
/// <param name="Ended">Sign-ins ended.</param>
public sealed record EndedSignIns(int Ended);

/// <summary>The result of an unlock.</summary>
/// <param name="VaultId">The unlocked vault.</param>
/// <param name="AccessToken">The personal access token asked for with <see cref="UnlockRequest.TokenName"/>, if any.</param>
public sealed record UnlockResponse(Guid VaultId, OwnerToken? AccessToken);

/// <summary>The result of purging deleted records.</summary>
/// <param name="Purged">How many deleted records were removed for good.</param>
public sealed record PurgeResponse(int Purged);

/// <summary>How the vault relates while its person is away (<c>GET/PUT /owner/api/v1/vault/mode</c>).</summary>
public static class VaultModes
{
    /// <summary>The default: the server never holds the data key while the vault is locked; vendor writes wait sealed in the inbox.</summary>
    public const string Strict = "strict";

    /// <summary>The data key is also wrapped by a host key kept outside the database: the vault unlocks itself when the server starts and serves vendors while you are away.</summary>
    public const string Unattended = "unattended";
}

/// <summary>The vault's mode and, in unattended mode, where the host key comes from.</summary>
/// <param name="Mode"><see cref="VaultModes.Strict"/> or <see cref="VaultModes.Unattended"/>.</param>
/// <param name="HostKeySource">Where the server finds the host key (a file, an environment variable or a systemd credential); null when it finds none.</param>
public sealed record VaultModeSetting(string Mode, string? HostKeySource);

/// <summary>Switches the vault's mode; unattended needs the vault unlocked. Switching re-wraps the key; strict destroys the host-wrapped copy.</summary>
/// <param name="Mode"><see cref="VaultModes.Strict"/> or <see cref="VaultModes.Unattended"/>.</param>
public sealed record SetVaultModeRequest(string Mode);
