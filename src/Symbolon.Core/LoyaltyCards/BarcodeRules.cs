using Symbolon.Contracts.LoyaltyCards;

namespace Symbolon.Core.LoyaltyCards;

/// <summary>
/// What each barcode format can hold. The browser draws the barcode (bwip-js, which refuses content a format cannot
/// carry); these rules refuse such content when the card is saved instead, with a sentence a person can act on.
/// Messages describe the rule and never repeat the content, which is a card number.
/// </summary>
internal static class BarcodeRules
{
    private const string Code39Characters = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -.$/+%";
    private const string CodabarBody = "0123456789-$:/.+";

    // Note: loyalty card numbers are short; the limits keep a code scannable on a phone screen and well inside what
    // each symbology can hold at its default error correction (QR at level M holds 2,331 bytes, PDF417 about 1,100).
    private const int LinearMax = 80;
    private const int MatrixMax = 1000;
    private const int Pdf417Max = 800;

    /// <summary>The format's name as a person reads it.</summary>
    public static string DisplayName(string format) => format switch
    {
        BarcodeFormats.QrCode => "QR code",
        BarcodeFormats.Code128 => "Code 128",
        BarcodeFormats.Ean13 => "EAN-13",
        BarcodeFormats.Ean8 => "EAN-8",
        BarcodeFormats.UpcA => "UPC-A",
        BarcodeFormats.UpcE => "UPC-E",
        BarcodeFormats.Code39 => "Code 39",
        BarcodeFormats.Code93 => "Code 93",
        BarcodeFormats.Codabar => "Codabar",
        BarcodeFormats.Itf => "ITF (Interleaved 2 of 5)",
        BarcodeFormats.Pdf417 => "PDF417",
        BarcodeFormats.Aztec => "Aztec",
        BarcodeFormats.DataMatrix => "Data Matrix",
        _ => format,
    };

    public static bool IsKnown(string format) => BarcodeFormats.All.Contains(format, StringComparer.Ordinal);

    /// <summary>Null when <paramref name="content"/> fits <paramref name="format"/>, else why not.</summary>
    public static string? Check(string format, string content)
    {
        var name = DisplayName(format);
        return format switch
        {
            BarcodeFormats.QrCode or BarcodeFormats.Aztec or BarcodeFormats.DataMatrix =>
                content.Length > MatrixMax ? $"A {name} here holds at most {MatrixMax} characters." : null,
            BarcodeFormats.Pdf417 =>
                content.Length > Pdf417Max ? $"A PDF417 code here holds at most {Pdf417Max} characters." : null,
            BarcodeFormats.Code128 =>
                content.Length > LinearMax ? $"Code 128 holds at most {LinearMax} characters."
                : content.Any(c => c is < ' ' or > '~') ? "Code 128 holds only letters, digits, spaces and ASCII punctuation (no accents or other characters)." : null,
            BarcodeFormats.Code39 or BarcodeFormats.Code93 =>
                content.Length > LinearMax ? $"{name} holds at most {LinearMax} characters."
                : content.Any(c => !Code39Characters.Contains(c, StringComparison.Ordinal)) ? $"{name} holds only capital letters A–Z, digits, spaces and - . $ / + %." : null,
            BarcodeFormats.Codabar => CheckCodabar(content),
            BarcodeFormats.Itf =>
                !AllDigits(content) || content.Length % 2 != 0 || content.Length > LinearMax ? $"ITF holds an even number of digits (at most {LinearMax}) and nothing else." : null,
            BarcodeFormats.Ean13 => CheckGtin(content, 13, "EAN-13"),
            BarcodeFormats.Ean8 => CheckGtin(content, 8, "EAN-8"),
            BarcodeFormats.UpcA => CheckGtin(content, 12, "UPC-A"),
            BarcodeFormats.UpcE => content.Length > 0 && content[0] is not ('0' or '1') && AllDigits(content)
                ? "A UPC-E number starts with 0 or 1."
                : CheckGtin(content, 8, "UPC-E"),
            _ => $"Unknown barcode format; use one of {string.Join(", ", BarcodeFormats.All)}.",
        };
    }

    /// <summary>
    /// EAN/UPC numbers are digits of a fixed length whose last digit is a check digit (GS1 mod 10). The number may be
    /// given without its check digit, as ZXing and bwip-js both accept and complete it.
    /// </summary>
    private static string? CheckGtin(string content, int length, string name)
    {
        if (!AllDigits(content) || (content.Length != length && content.Length != length - 1))
        {
            return $"{name} is {length} digits (or {length - 1} without the check digit), and nothing else.";
        }

        if (content.Length == length && GtinCheckDigit(content.AsSpan(0, length - 1), upcE: name == "UPC-E") != content[^1] - '0')
        {
            return $"The last digit is the {name} check digit and does not match the others; check the number on the card.";
        }

        return null;
    }

    /// <summary>The GS1 check digit: from the right, digits are weighted 3, 1, 3, 1 …; the check digit tops the sum up to a multiple of ten.</summary>
    internal static int GtinCheckDigit(ReadOnlySpan<char> digits, bool upcE = false)
    {
        if (upcE)
        {
            // A UPC-E number's check digit is that of the UPC-A number it abbreviates.
            return GtinCheckDigit(ExpandUpcE(digits));
        }

        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[digits.Length - 1 - i] - '0';
            sum += i % 2 == 0 ? digit * 3 : digit;
        }

        return (10 - sum % 10) % 10;
    }

    /// <summary>The 11 digits (without check digit) of the UPC-A number that a 7-digit UPC-E body abbreviates.</summary>
    private static string ExpandUpcE(ReadOnlySpan<char> upcE)
    {
        var system = upcE[0];
        var d = upcE[1..7].ToString();
        var manufacturerAndProduct = d[5] switch
        {
            '0' or '1' or '2' => $"{d[0]}{d[1]}{d[5]}0000{d[2]}{d[3]}{d[4]}",
            '3' => $"{d[0]}{d[1]}{d[2]}00000{d[3]}{d[4]}",
            '4' => $"{d[0]}{d[1]}{d[2]}{d[3]}00000{d[4]}",
            _ => $"{d[0]}{d[1]}{d[2]}{d[3]}{d[4]}0000{d[5]}",
        };
        return system + manufacturerAndProduct;
    }

    private static string? CheckCodabar(string content)
    {
        var body = content;
        if (content.Length >= 2 && IsCodabarGuard(content[0]) && IsCodabarGuard(content[^1]))
        {
            body = content[1..^1];
        }

        return body.Length == 0 || body.Length > LinearMax || body.Any(c => !CodabarBody.Contains(c, StringComparison.Ordinal))
            ? "Codabar holds digits and - $ : / . + (optionally between start and stop letters A–D)."
            : null;
    }

    private static bool IsCodabarGuard(char c) => c is 'A' or 'B' or 'C' or 'D';

    private static bool AllDigits(string content) => content.Length > 0 && content.All(char.IsAsciiDigit);
}
