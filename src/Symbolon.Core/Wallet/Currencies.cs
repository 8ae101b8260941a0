using System.Collections.Frozen;
using System.Globalization;

namespace Symbolon.Core.Wallet;

/// <summary>
/// ISO 4217 currency codes in use and their minor-unit digits, from the ICU/CLDR data .NET's globalization reads
/// (every region's currency and the digits its cultures use), not from a hand-kept table. Currencies no region
/// uses (funds, precious metals such as XAU) are not accepted on receipts. Where CLDR and ISO 4217 disagree on
/// digits (IQD: 0 in CLDR, 3 in ISO), CLDR's, which is what the currency's users see printed, wins.
/// </summary>
internal static class Currencies
{
    private static readonly FrozenDictionary<string, int> MinorDigits = Load();

    public static bool IsKnown(string code) => MinorDigits.ContainsKey(code);

    /// <summary>Digits after the decimal point of the currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD).</summary>
    public static int DigitsOf(string code) => MinorDigits[code];

    public static IReadOnlyCollection<string> All => MinorDigits.Keys;

    private static FrozenDictionary<string, int> Load()
    {
        var digits = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            RegionInfo region;
            try
            {
                region = new RegionInfo(culture.Name);
            }
            catch (ArgumentException)
            {
                continue;
            }

            var code = region.ISOCurrencySymbol;
            if (code.Length != 3 || !code.All(char.IsAsciiLetterUpper))
            {
                continue;
            }

            // Cultures sharing a currency can print it differently; the most digits any of them uses is the one
            // that never refuses an amount the currency's users write.
            var used = culture.NumberFormat.CurrencyDecimalDigits;
            digits[code] = digits.TryGetValue(code, out var seen) ? Math.Max(seen, used) : used;
        }

        if (!digits.ContainsKey("EUR") || !digits.ContainsKey("USD"))
        {
            throw new InvalidOperationException("The globalization data lists no currencies; Symbolon needs ICU (InvariantGlobalization off).");
        }

        return digits.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
