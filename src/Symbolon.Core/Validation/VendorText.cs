namespace Symbolon.Core.Validation;

/// <summary>
/// Text a vendor writes into the vault (its name at registration, messages, replies, notes, receipts, loyalty
/// programmes) is shown to the person in the web app and printed by the CLI into a terminal. Control characters
/// there could drive the terminal (ESC sequences, BEL, C1 controls) and bidirectional overrides could make a text
/// read differently from what it is, so they are refused where the vendor writes; line breaks and tabs are kept in
/// texts of several lines.
/// </summary>
internal static class VendorText
{
    /// <summary>The reason given for a single-line value that holds such a character.</summary>
    public const string SingleLineReason = "No control characters (such as escape or bell) and no bidirectional overrides.";

    /// <summary>The reason given for a text of several lines that holds such a character.</summary>
    public const string MultiLineReason = "No control characters other than line breaks and tabs, and no bidirectional overrides.";

    /// <summary>True when <paramref name="text"/> holds a character a vendor may not write.</summary>
    public static bool HasUnsafeCharacter(string text, bool multiLine = false)
    {
        foreach (var c in text)
        {
            if (IsUnsafe(c) && !(multiLine && c is '\n' or '\r' or '\t'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// C0 and C1 controls and DEL (<see cref="char.IsControl(char)"/>), and the bidirectional embeddings, overrides
    /// and isolates (U+202A to U+202E, U+2066 to U+2069).
    /// </summary>
    public static bool IsUnsafe(char c) => char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';
}
