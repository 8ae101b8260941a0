using System.Globalization;
using System.Text;

namespace Symbolon.Core.Insights;

/// <summary>
/// Normalizes merchant and vendor names so that one shop is one merchant whichever source names it: a card line
/// "SQ *BLUE DOOR COFFEE 0042", a receipt from "Blue Door Coffee GmbH" and a check-in at "Blue Door Coffee" all have
/// the key <c>BLUE DOOR COFFEE</c>. The key is upper case without accents, without payment-processor prefixes, without
/// tokens holding digits (store numbers, terminal ids, dates) and without legal-form suffixes.
/// </summary>
internal static class MerchantNames
{
    // Prefixes card processors put before the shop's name.
    private static readonly string[] Prefixes = ["SQ *", "SQ*", "SUMUP *", "SUMUP*", "PAYPAL *", "PAYPAL*", "ZTL*", "IZ *", "IZ*", "TST*", "TST *", "SP *", "CRV*", "PP*", "GOOGLE *", "UZR*"];

    private static readonly HashSet<string> LegalForms = new(StringComparer.Ordinal)
    {
        "GMBH", "AG", "KG", "OHG", "UG", "LTD", "LIMITED", "INC", "LLC", "PLC", "SA", "SAS", "SARL", "BV", "NV", "SRL", "SPA", "AB", "OY", "CO", "CORP",
    };

    public static string Key(string name)
    {
        var text = StripPrefix(name.Trim().ToUpperInvariant());
        var builder = new StringBuilder(text.Length);
        foreach (var token in Tokens(RemoveAccents(text)))
        {
            if (token.Any(char.IsDigit) || LegalForms.Contains(token))
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(token);
        }

        return builder.Length > 0 ? builder.ToString() : text;
    }

    /// <summary>A name fit to show: the statement's text without processor prefix and numbers, in title case when the statement shouted it.</summary>
    public static string Display(string name)
    {
        var trimmed = string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (trimmed.Any(char.IsLower))
        {
            return trimmed;
        }

        var stripped = StripPrefix(trimmed);
        var kept = Tokens(stripped).Where(t => !t.Any(char.IsDigit)).ToList();
        var text = kept.Count > 0 ? string.Join(' ', kept) : stripped;
        return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(text.ToLowerInvariant());
    }

    /// <summary>
    /// Whether two keys name the same merchant: equal, or one is the other followed by more words (a card line adds
    /// the city: "BLUE DOOR COFFEE BERLIN" is "BLUE DOOR COFFEE").
    /// </summary>
    public static bool Same(string a, string b) =>
        a == b || StartsWithWords(a, b) || StartsWithWords(b, a);

    private static bool StartsWithWords(string longer, string shorter) =>
        shorter.Length > 0 && longer.Length > shorter.Length && longer.StartsWith(shorter, StringComparison.Ordinal) && longer[shorter.Length] == ' ';

    private static string StripPrefix(string upper)
    {
        foreach (var prefix in Prefixes)
        {
            if (upper.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && upper.Length > prefix.Length)
            {
                return upper[prefix.Length..].TrimStart();
            }
        }

        return upper;
    }

    private static IEnumerable<string> Tokens(string text)
    {
        var token = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c == '&' || c == '\'')
            {
                token.Append(c);
            }
            else if (token.Length > 0)
            {
                yield return token.ToString();
                token.Clear();
            }
        }

        if (token.Length > 0)
        {
            yield return token.ToString();
        }
    }

    private static string RemoveAccents(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(c);
            }
        }

        return builder.ToString().Normalize(NormalizationForm.FormC);
    }
}
