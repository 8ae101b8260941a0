using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;

namespace Symbolon.Core.Vaults;

/// <summary>The passphrase or recovery key does not open the vault.</summary>
internal sealed class WrongPassphraseException() : SymbolonProblemException(
    ProblemCodes.WrongPassphrase, 401, "That passphrase does not open this vault.",
    "Check the passphrase and try again. After three failed attempts each try waits a little longer.",
    message: "The passphrase does not open this vault.");

/// <summary>Too many failed unlock attempts: the caller must wait before trying again.</summary>
internal sealed class UnlockThrottledException : SymbolonProblemException
{
    public UnlockThrottledException(TimeSpan retryAfter)
        : base(ProblemCodes.UnlockThrottled, 429, "Too many failed attempts.", Describe(retryAfter), message: Describe(retryAfter))
    {
        RetryAfter = retryAfter;
        RetryAfterSeconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
    }

    public TimeSpan RetryAfter { get; }

    private static string Describe(TimeSpan retryAfter) => $"Too many failed attempts. Try again in {Math.Ceiling(retryAfter.TotalSeconds)} seconds.";
}

/// <summary>The vault is locked: its data key is not in memory.</summary>
internal sealed class VaultLockedException() : SymbolonProblemException(
    ProblemCodes.VaultLocked, 423, "The vault is locked.", Text, message: Text)
{
    private const string Text = "The vault is locked. Unlock it with your passphrase first.";
}

/// <summary>No vault exists in this data store yet.</summary>
internal sealed class VaultNotFoundException() : SymbolonProblemException(
    ProblemCodes.VaultNotFound, 404, "There is no vault yet.", Text, message: Text)
{
    private const string Text = "There is no vault here yet. Create one first.";
}

/// <summary>A vault already exists where a new one was asked for.</summary>
internal sealed class VaultAlreadyExistsException() : SymbolonProblemException(
    ProblemCodes.VaultExists, 409, "A vault already exists.", Text, message: Text)
{
    private const string Text = "A vault already exists here.";
}

/// <summary>
/// Stored vault data is malformed or was tampered with. Not a problem the caller can act on: it surfaces as the
/// generic 500 and is logged by type.
/// </summary>
internal sealed class VaultFormatException(string message) : Exception(message);

/// <summary>A passphrase is too weak to protect a vault; the document names the <c>passphrase</c> field.</summary>
internal sealed class WeakPassphraseException(string message) : SymbolonProblemException(
    ProblemCodes.WeakPassphrase, 400, "That passphrase is too weak.", message, message,
    new Dictionary<string, string[]> { ["passphrase"] = [message] });

/// <summary>The host key does not open the vault's host-wrapped data key (unattended mode).</summary>
internal sealed class WrongHostKeyException() : InvalidOperationException("The host key does not open this vault: it is another host's key, or the vault was switched to unattended mode with another key. Unlock with the passphrase and switch to unattended mode again.");
