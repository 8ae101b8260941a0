using System.Collections.Frozen;
using System.Text;

namespace Symbolon.Core.Payments;

/// <summary>
/// International Bank Account Numbers (ISO 13616): a two-letter country code, two check digits and the national account
/// number (BBAN), whose length each country fixes in the SWIFT IBAN registry. Checked by the registry's length for the
/// country and by the ISO 7064 mod 97-10 check digits, which catch every single mistyped character and nearly every
/// swap of two. Errors name what is wrong and never repeat the number.
/// </summary>
internal static class Iban
{
    /// <summary>The longest IBAN any country issues (ISO 13616 allows 34).</summary>
    public const int MaxLength = 34;

    /// <summary>
    /// Every country of the SWIFT IBAN registry (release 102, June 2026) with its IBAN length and its English name for
    /// messages. Territories that use another country's code (French overseas departments: FR; Jersey, Guernsey and the
    /// Isle of Man: GB; Åland: FI) are not listed separately, as the registry does.
    /// </summary>
    private static readonly FrozenDictionary<string, Country> Countries = new Dictionary<string, Country>(StringComparer.Ordinal)
    {
        ["AD"] = new(24, "Andorra"),
        ["AE"] = new(23, "the United Arab Emirates"),
        ["AL"] = new(28, "Albania"),
        ["AT"] = new(20, "Austria"),
        ["AZ"] = new(28, "Azerbaijan"),
        ["BA"] = new(20, "Bosnia and Herzegovina"),
        ["BE"] = new(16, "Belgium"),
        ["BG"] = new(22, "Bulgaria"),
        ["BH"] = new(22, "Bahrain"),
        ["BI"] = new(27, "Burundi"),
        ["BR"] = new(29, "Brazil"),
        ["BY"] = new(28, "Belarus"),
        ["CH"] = new(21, "Switzerland"),
        ["CR"] = new(22, "Costa Rica"),
        ["CY"] = new(28, "Cyprus"),
        ["CZ"] = new(24, "Czechia"),
        ["DE"] = new(22, "Germany"),
        ["DJ"] = new(27, "Djibouti"),
        ["DK"] = new(18, "Denmark"),
        ["DO"] = new(28, "the Dominican Republic"),
        ["EE"] = new(20, "Estonia"),
        ["EG"] = new(29, "Egypt"),
        ["ES"] = new(24, "Spain"),
        ["FI"] = new(18, "Finland"),
        ["FK"] = new(18, "the Falkland Islands"),
        ["FO"] = new(18, "the Faroe Islands"),
        ["FR"] = new(27, "France"),
        ["GB"] = new(22, "the United Kingdom"),
        ["GE"] = new(22, "Georgia"),
        ["GI"] = new(23, "Gibraltar"),
        ["GL"] = new(18, "Greenland"),
        ["GR"] = new(27, "Greece"),
        ["GT"] = new(28, "Guatemala"),
        ["HN"] = new(28, "Honduras"),
        ["HR"] = new(21, "Croatia"),
        ["HU"] = new(28, "Hungary"),
        ["IE"] = new(22, "Ireland"),
        ["IL"] = new(23, "Israel"),
        ["IQ"] = new(23, "Iraq"),
        ["IS"] = new(26, "Iceland"),
        ["IT"] = new(27, "Italy"),
        ["JO"] = new(30, "Jordan"),
        ["KW"] = new(30, "Kuwait"),
        ["KZ"] = new(20, "Kazakhstan"),
        ["LB"] = new(28, "Lebanon"),
        ["LC"] = new(32, "Saint Lucia"),
        ["LI"] = new(21, "Liechtenstein"),
        ["LT"] = new(20, "Lithuania"),
        ["LU"] = new(20, "Luxembourg"),
        ["LV"] = new(21, "Latvia"),
        ["LY"] = new(25, "Libya"),
        ["MC"] = new(27, "Monaco"),
        ["MD"] = new(24, "Moldova"),
        ["ME"] = new(22, "Montenegro"),
        ["MK"] = new(19, "North Macedonia"),
        ["MN"] = new(20, "Mongolia"),
        ["MR"] = new(27, "Mauritania"),
        ["MT"] = new(31, "Malta"),
        ["MU"] = new(30, "Mauritius"),
        ["NI"] = new(28, "Nicaragua"),
        ["NL"] = new(18, "the Netherlands"),
        ["NO"] = new(15, "Norway"),
        ["OM"] = new(23, "Oman"),
        ["PK"] = new(24, "Pakistan"),
        ["PL"] = new(28, "Poland"),
        ["PS"] = new(29, "Palestine"),
        ["PT"] = new(25, "Portugal"),
        ["QA"] = new(29, "Qatar"),
        ["RO"] = new(24, "Romania"),
        ["RS"] = new(22, "Serbia"),
        ["RU"] = new(33, "Russia"),
        ["SA"] = new(24, "Saudi Arabia"),
        ["SC"] = new(31, "Seychelles"),
        ["SD"] = new(18, "Sudan"),
        ["SE"] = new(24, "Sweden"),
        ["SI"] = new(19, "Slovenia"),
        ["SK"] = new(24, "Slovakia"),
        ["SM"] = new(27, "San Marino"),
        ["SO"] = new(23, "Somalia"),
        ["ST"] = new(25, "Sao Tome and Principe"),
        ["SV"] = new(28, "El Salvador"),
        ["TL"] = new(23, "Timor-Leste"),
        ["TN"] = new(24, "Tunisia"),
        ["TR"] = new(26, "Türkiye"),
        ["UA"] = new(29, "Ukraine"),
        ["VA"] = new(22, "the Vatican City State"),
        ["VG"] = new(24, "the British Virgin Islands"),
        ["XK"] = new(20, "Kosovo"),
        ["YE"] = new(30, "Yemen"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// IBAN country codes inside the geographical scope of the SEPA schemes: the registry's SEPA countries (the EU, the
    /// EEA, Switzerland, the United Kingdom, Gibraltar, Monaco, San Marino, Andorra, the Vatican) and those the EPC admitted
    /// since (Albania and Montenegro in November 2024, Moldova and North Macedonia in March 2025, Serbia in May 2025).
    /// </summary>
    private static readonly FrozenSet<string> SepaCountries = FrozenSet.ToFrozenSet(
    [
        "AD", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GI", "GR", "HR", "HU", "IE", "IS",
        "IT", "LI", "LT", "LU", "LV", "MC", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK", "SM", "VA",
        "AL", "MD", "ME", "MK", "RS",
    ], StringComparer.Ordinal);

    /// <summary>
    /// Normalizes and checks an IBAN as a person types or pastes it: spaces and hyphens are dropped and letters
    /// upper-cased. On failure <paramref name="error"/> is a sentence saying what is wrong, without the number.
    /// </summary>
    public static bool TryNormalize(string? input, out string iban, out string? error)
    {
        iban = string.Empty;
        error = Check(input, out var normalized);
        if (error is null)
        {
            iban = normalized;
        }

        return error is null;
    }

    /// <summary>As <see cref="TryNormalize"/>, throwing a <see cref="PaymentInputException"/> for the field <c>iban</c>.</summary>
    public static string Normalize(string input) =>
        TryNormalize(input, out var iban, out var error) ? iban : throw new PaymentInputException("iban", error!);

    /// <summary>The IBAN in groups of four, as printed on paper ("DE89 3704 0044 0532 0130 00").</summary>
    public static string Format(string iban) => Group(Compact(iban));

    /// <summary>
    /// The IBAN with all but its first four (country and check digits) and last four characters hidden, in groups of
    /// four ("DE89 •••• •••• •••• ••30 00"), for lists and messages that must say which account without showing it.
    /// </summary>
    public static string Mask(string iban)
    {
        var compact = Compact(iban);
        if (compact.Length <= 8)
        {
            return Group(compact);
        }

        return Group(string.Concat(compact.AsSpan(0, 4), new string('\u2022', compact.Length - 8), compact.AsSpan(compact.Length - 4)));
    }

    /// <summary>Whether the IBAN's country is in the scope of the SEPA schemes, so a SEPA credit transfer reaches it.</summary>
    public static bool IsSepa(string iban)
    {
        var compact = Compact(iban);
        return compact.Length >= 2 && SepaCountries.Contains(compact[..2]);
    }

    /// <summary>The length of an IBAN from a registry country code, or null for a code that issues none.</summary>
    public static int? LengthFor(string countryCode) => Countries.TryGetValue(countryCode.ToUpperInvariant(), out var country) ? country.Length : null;

    /// <summary>
    /// ISO 7064 mod 97-10 over the IBAN moved four characters to the left, letters read as 10 to 35. The remainder is
    /// carried digit by digit, so no number ever grows past four digits and no big integer is needed.
    /// </summary>
    internal static int Mod97(ReadOnlySpan<char> text)
    {
        var remainder = 0;
        foreach (var c in text)
        {
            remainder = c is >= '0' and <= '9'
                ? ((remainder * 10) + (c - '0')) % 97
                : ((remainder * 100) + (c - 'A' + 10)) % 97;
        }

        return remainder;
    }

    private static string? Check(string? input, out string iban)
    {
        iban = string.Empty;
        if (string.IsNullOrWhiteSpace(input))
        {
            return "The IBAN is empty.";
        }

        // Note: a pasted value may carry anything; past a few times the longest IBAN it is not one, and is not walked.
        if (input.Length > 3 * MaxLength)
        {
            return $"An IBAN has at most {MaxLength} characters.";
        }

        var builder = new StringBuilder(input.Length);
        foreach (var c in input)
        {
            if (char.IsWhiteSpace(c) || c == '-')
            {
                continue;
            }

            var upper = char.ToUpperInvariant(c);
            if (!char.IsAsciiLetterUpper(upper) && !char.IsAsciiDigit(upper))
            {
                return "An IBAN holds only the letters A to Z and digits.";
            }

            builder.Append(upper);
        }

        var value = builder.ToString();
        if (value.Length < 4 || !char.IsAsciiLetterUpper(value[0]) || !char.IsAsciiLetterUpper(value[1]))
        {
            return "An IBAN starts with a two-letter country code and two check digits.";
        }

        if (!Countries.TryGetValue(value[..2], out var country))
        {
            return "The IBAN does not start with the code of a country that issues IBANs.";
        }

        if (!char.IsAsciiDigit(value[2]) || !char.IsAsciiDigit(value[3]))
        {
            return "The third and fourth characters of an IBAN are its check digits.";
        }

        if (value.Length != country.Length)
        {
            return $"An IBAN from {country.Name} has {country.Length} characters; this one has {value.Length}.";
        }

        // Note: check digits run from 02 to 98; 00, 01 and 99 pass mod 97 whenever 97, 98 and 02 would, so they are
        // refused on their own.
        var checkDigits = ((value[2] - '0') * 10) + (value[3] - '0');
        if (checkDigits is < 2 or > 98 || Mod97(string.Concat(value.AsSpan(4), value.AsSpan(0, 4))) != 1)
        {
            return "The check digits do not match: a character is mistyped.";
        }

        iban = value;
        return null;
    }

    private static string Compact(string iban)
    {
        var builder = new StringBuilder(iban.Length);
        foreach (var c in iban)
        {
            if (!char.IsWhiteSpace(c) && c != '-')
            {
                builder.Append(char.ToUpperInvariant(c));
            }
        }

        return builder.ToString();
    }

    /// <summary>Groups of four separated by single spaces.</summary>
    internal static string Group(string compact)
    {
        var builder = new StringBuilder(compact.Length + (compact.Length / 4));
        for (var i = 0; i < compact.Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                builder.Append(' ');
            }

            builder.Append(compact[i]);
        }

        return builder.ToString();
    }

    private sealed record Country(int Length, string Name);
}

/// <summary>
/// Business Identifier Codes (ISO 9362, the SWIFT code): four letters for the institution, the two letters of its
/// country, two letters or digits for the location and, optionally, three for the branch.
/// </summary>
internal static class Bic
{
    /// <summary>
    /// Normalizes (spaces dropped, upper-cased) and checks a BIC. On failure <paramref name="error"/> says what is wrong,
    /// without the code.
    /// </summary>
    public static bool TryNormalize(string? input, out string bic, out string? error)
    {
        bic = string.Empty;
        error = Check(input, out var normalized);
        if (error is null)
        {
            bic = normalized;
        }

        return error is null;
    }

    /// <summary>As <see cref="TryNormalize"/>, throwing a <see cref="PaymentInputException"/> for the field <c>bic</c>.</summary>
    public static string Normalize(string input) =>
        TryNormalize(input, out var bic, out var error) ? bic : throw new PaymentInputException("bic", error!);

    private static string? Check(string? input, out string bic)
    {
        bic = string.Empty;
        if (string.IsNullOrWhiteSpace(input))
        {
            return "The BIC is empty.";
        }

        if (input.Length > 33)
        {
            return "A BIC has 8 or 11 characters.";
        }

        var value = string.Concat(input.Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant();
        if (!value.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)))
        {
            return "A BIC holds only the letters A to Z and digits.";
        }

        if (value.Length is not (8 or 11))
        {
            return "A BIC has 8 or 11 characters.";
        }

        if (!value.Take(4).All(char.IsAsciiLetterUpper))
        {
            return "A BIC starts with four letters that name the bank.";
        }

        if (!char.IsAsciiLetterUpper(value[4]) || !char.IsAsciiLetterUpper(value[5]))
        {
            return "The fifth and sixth characters of a BIC are the letters of the bank's country.";
        }

        bic = value;
        return null;
    }
}
