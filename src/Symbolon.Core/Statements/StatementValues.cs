using System.Globalization;

namespace Symbolon.Core.Statements;

/// <summary>Parsing of amounts in the formats banks write them, shared by the CSV, OFX and camt readers.</summary>
internal static class StatementValues
{
    public const int MaxTextLength = 1000;

    /// <summary>
    /// Reads an amount written with the given decimal and thousands separators, tolerating a leading or trailing
    /// sign, a leading plus, parentheses for negatives and spaces. Returns false for anything else.
    /// </summary>
    public static bool TryParseAmount(ReadOnlySpan<char> text, char decimalSeparator, char? thousandsSeparator, out decimal amount)
    {
        amount = 0;
        text = text.Trim();
        if (text.IsEmpty || text.Length > 64)
        {
            return false;
        }

        var negative = false;
        if (text[0] == '(' && text[^1] == ')')
        {
            negative = true;
            text = text[1..^1].Trim();
        }

        if (text.Length > 0 && (text[^1] == '-' || text[^1] == '+'))
        {
            negative ^= text[^1] == '-';
            text = text[..^1].TrimEnd();
        }

        if (text.Length > 0 && (text[0] == '-' || text[0] == '+'))
        {
            negative ^= text[0] == '-';
            text = text[1..].TrimStart();
        }

        Span<char> buffer = stackalloc char[64];
        var length = 0;
        var digits = 0;
        var seenDecimal = false;
        foreach (var c in text)
        {
            if (c is >= '0' and <= '9')
            {
                buffer[length++] = c;
                digits++;
            }
            else if (c == decimalSeparator && !seenDecimal)
            {
                buffer[length++] = '.';
                seenDecimal = true;
            }
            else if (!seenDecimal && thousandsSeparator is { } t && (c == t || (t == ' ' && c == '\u00A0') || (t == '\'' && c == '\u2019')))
            {
                // A thousands separator is only allowed between digits, before the decimal separator.
                if (digits == 0)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }

        if (digits == 0 || digits > 28)
        {
            return false;
        }

        if (!decimal.TryParse(buffer[..length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount))
        {
            return false;
        }

        // Larger amounts are no bank's statement; refusing them keeps every amount exact in ten-thousandths.
        if (amount >= 1_000_000_000_000m)
        {
            return false;
        }

        if (negative)
        {
            amount = -amount;
        }

        return true;
    }

    /// <summary>Trims a text field, collapses runs of white space (statements pad with them) and caps its length.</summary>
    public static string CleanText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var trimmed = text.AsSpan().Trim();
        var needsWork = trimmed.Length > MaxTextLength;
        for (var i = 1; i < trimmed.Length && !needsWork; i++)
        {
            needsWork = char.IsWhiteSpace(trimmed[i]) && (char.IsWhiteSpace(trimmed[i - 1]) || trimmed[i] != ' ');
        }

        if (!needsWork)
        {
            return trimmed.Length == text.Length ? text : trimmed.ToString();
        }

        var builder = new System.Text.StringBuilder(Math.Min(trimmed.Length, MaxTextLength));
        var lastSpace = false;
        foreach (var c in trimmed)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!lastSpace)
                {
                    builder.Append(' ');
                }

                lastSpace = true;
            }
            else if (!char.IsControl(c))
            {
                builder.Append(c);
                lastSpace = false;
            }

            if (builder.Length >= MaxTextLength)
            {
                break;
            }
        }

        return builder.ToString();
    }

    /// <summary>An ISO 4217-shaped code (three letters), upper-cased, or null.</summary>
    public static string? Currency(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.Length != 3)
        {
            return null;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetter(c))
            {
                return null;
            }
        }

        return text.ToString().ToUpperInvariant();
    }
}
