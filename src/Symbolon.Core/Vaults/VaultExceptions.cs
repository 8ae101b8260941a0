namespace Symbolon.Core.Vaults;

/// <summary>The passphrase or recovery key does not open the vault.</summary>
internal sealed class WrongPassphraseException() : Exception("The passphrase does not open this vault.");

/// <summary>Too many failed unlock attempts: the caller must wait before trying again.</summary>
internal sealed class UnlockThrottledException(TimeSpan retryAfter)
    : Exception($"Too many failed attempts. Try again in {Math.Ceiling(retryAfter.TotalSeconds)} seconds.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>The vault is locked: its data key is not in memory.</summary>
internal sealed class VaultLockedException() : Exception("The vault is locked. Unlock it with your passphrase first.");

/// <summary>No vault exists in this data store yet.</summary>
internal sealed class VaultNotFoundException() : Exception("There is no vault here yet. Create one first.");

/// <summary>A vault already exists where a new one was asked for.</summary>
internal sealed class VaultAlreadyExistsException() : Exception("A vault already exists here.");

/// <summary>Stored vault data is malformed or was tampered with.</summary>
internal sealed class VaultFormatException(string message) : Exception(message);

/// <summary>A passphrase is too weak to protect a vault.</summary>
internal sealed class WeakPassphraseException(string message) : Exception(message);
