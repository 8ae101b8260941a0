using System.Security.Cryptography;

namespace Symbolon.Core.Payments;

/// <summary>
/// ISO 11649 structured creditor references: "RF", two check digits and a body of 1 to 21 letters and digits, checked
/// by ISO 7064 mod 97-10 as an IBAN is. Banks carry it unchanged from the payer's transfer to the payee's statement
/// (camt.053 <c>RmtInf/Strd/CdtrRefInf/Ref</c>), which is what lets a payment be matched to the request it settles.
/// </summary>
internal static class CreditorReference
{
    /// <summary>The longest body a reference carries.</summary>
    public const int MaxBodyLength = 21;

    /// <summary>The longest reference, without spaces: "RF", two check digits and the longest body.</summary>
    public const int MaxLength = 4 + MaxBodyLength;

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>
    /// The reference for <paramref name="body"/> (1 to 21 letters and digits; spaces are dropped and letters
    /// upper-cased): "RF" + its two check digits + the body.
    /// </summary>
    public static string Create(string body)
    {
        var value = Compact(body);
        if (value.Length is 0 or > MaxBodyLength || !value.All(IsAlphanumeric))
        {
            throw new PaymentInputException("reference", $"A creditor reference's body has 1 to {MaxBodyLength} letters A to Z and digits.");
        }

        var check = 98 - Iban.Mod97(value + "RF00");
        return $"RF{check:00}{value}";
    }

    /// <summary>
    /// A new reference whose body is 21 random base-36 characters (about 108 bits) from the system's cryptographic
    /// random number generator, so two requests never share one and nobody can guess another's.
    /// </summary>
    public static string New() => Create(RandomNumberGenerator.GetString(Alphabet, MaxBodyLength));

    /// <summary>Whether <paramref name="reference"/> is a valid RF reference; spaces are allowed and case is ignored.</summary>
    public static bool IsValid(string? reference)
    {
        if (reference is null || reference.Length > 2 * MaxLength)
        {
            return false;
        }

        return IsValidCompact(Compact(reference));
    }

    /// <summary>The reference without spaces and upper-cased; throws a <see cref="PaymentInputException"/> if it is invalid.</summary>
    public static string Normalize(string reference) => IsValid(reference)
        ? Compact(reference)
        : throw new PaymentInputException("reference", "The creditor reference is not a valid RF reference: a character is mistyped or missing.");

    /// <summary>The reference in groups of four, as printed on an invoice ("RF18 5390 0754 7034").</summary>
    public static string Format(string reference) => Iban.Group(Normalize(reference));

    /// <summary>
    /// Every valid RF reference in free text such as a statement line's description, normalized and each once, in the
    /// order found. A reference may be written whole ("RF18539007547034") or in groups of four ("RF18 5390 0754 7034"),
    /// in either case, and be followed by other words. Where grouped words could belong to it, the longest run that
    /// passes the check is taken; a word of four letters that happens to complete a valid reference (1 in 97) is read
    /// into it, so callers match what they get against the references they issued.
    /// </summary>
    public static IReadOnlyList<string> FindIn(string text)
    {
        var found = new List<string>();
        for (var i = text.IndexOf("RF", StringComparison.OrdinalIgnoreCase); i >= 0 && i < text.Length - 1; i = text.IndexOf("RF", i + 2, StringComparison.OrdinalIgnoreCase))
        {
            if (i > 0 && IsAlphanumeric(char.ToUpperInvariant(text[i - 1])))
            {
                continue;
            }

            var first = Word(text, i);
            var candidate = first.Length == 4 ? Grouped(text, i) : IsValidCompact(first) ? first : null;
            if (candidate is not null && !found.Contains(candidate))
            {
                found.Add(candidate);
            }
        }

        return found;
    }

    /// <summary>
    /// The longest valid reference starting with the four characters at <paramref name="start"/> and continuing in
    /// groups of four separated by one space (or line break), the last group one to four characters long.
    /// </summary>
    private static string? Grouped(string text, int start)
    {
        var lengths = new List<int>();
        var compact = Word(text, start);
        var end = start + 4;
        while (end + 1 < text.Length && char.IsWhiteSpace(text[end]) && compact.Length < MaxLength)
        {
            var group = Word(text, end + 1);
            if (group.Length is 0 or > 4 || compact.Length + group.Length > MaxLength)
            {
                break;
            }

            compact += group;
            lengths.Add(compact.Length);
            end += 1 + group.Length;
            if (group.Length < 4)
            {
                break;
            }
        }

        for (var k = lengths.Count - 1; k >= 0; k--)
        {
            if (IsValidCompact(compact[..lengths[k]]))
            {
                return compact[..lengths[k]];
            }
        }

        return null;
    }

    /// <summary>The run of letters and digits at <paramref name="start"/>, upper-cased (at most one character past the longest reference).</summary>
    private static string Word(string text, int start)
    {
        var end = start;
        while (end < text.Length && end - start <= MaxLength && IsAlphanumeric(char.ToUpperInvariant(text[end])))
        {
            end++;
        }

        return text[start..end].ToUpperInvariant();
    }

    private static bool IsValidCompact(string value)
    {
        if (value.Length is < 5 or > MaxLength || !value.StartsWith("RF", StringComparison.Ordinal)
            || !char.IsAsciiDigit(value[2]) || !char.IsAsciiDigit(value[3]) || !value.All(IsAlphanumeric))
        {
            return false;
        }

        // As for an IBAN, check digits run from 02 to 98: 00, 01 and 99 would pass whenever 97, 98 and 02 do.
        var check = ((value[2] - '0') * 10) + (value[3] - '0');
        return check is >= 2 and <= 98 && Iban.Mod97(string.Concat(value.AsSpan(4), value.AsSpan(0, 4))) == 1;
    }

    private static string Compact(string value) => string.Concat(value.Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant();

    private static bool IsAlphanumeric(char c) => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c);
}
