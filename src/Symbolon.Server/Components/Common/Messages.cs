using System.Globalization;

namespace Symbolon.Server.Components.Common;

/// <summary>Sentences the web app shows in more than one place, so that they read the same everywhere.</summary>
public static class Messages
{
    public const string WrongPassphrase = "That passphrase does not open this vault.";

    public const string PassphrasesDiffer = "The two passphrases are not the same. Type them again.";

    public static string TooManyAttempts(TimeSpan retryAfter) =>
        $"Too many attempts. Try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture)} seconds.";
}
