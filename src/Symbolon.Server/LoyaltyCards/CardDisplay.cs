using System.Globalization;
using Symbolon.Contracts.LoyaltyCards;
using Symbolon.Core.LoyaltyCards;

namespace Symbolon.Server.LoyaltyCards;

/// <summary>How kept loyalty cards are shown: format names, balances, colours.</summary>
internal static class CardDisplay
{
    /// <summary>Catima's default header colour when a card has none.</summary>
    public const string DefaultColor = "#3F51B5";

    /// <summary>Colours offered when adding a card (Material palette, as Catima picks from).</summary>
    public static IReadOnlyList<string> Swatches { get; } = ["#3F51B5", "#009688", "#4CAF50", "#FFC107", "#FF5722", "#E91E63", "#9C27B0", "#607D8B", "#795548", "#212121"];

    public static string FormatName(string? format) => format is null ? "No barcode" : BarcodeRules.DisplayName(format);

    public static string Color(LoyaltyCard card) => card.HeaderColor ?? DefaultColor;

    /// <summary>Black or white, whichever reads better on the card's colour (WCAG relative luminance).</summary>
    public static string TextOn(string color)
    {
        var rgb = int.Parse(color.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        static double Channel(int c)
        {
            var s = c / 255.0;
            return s <= 0.03928 ? s / 12.92 : Math.Pow((s + 0.055) / 1.055, 2.4);
        }

        var luminance = (0.2126 * Channel((rgb >> 16) & 0xFF)) + (0.7152 * Channel((rgb >> 8) & 0xFF)) + (0.0722 * Channel(rgb & 0xFF));
        return luminance > 0.4 ? "#1A1A1A" : "#FFFFFF";
    }

    public static string? Balance(LoyaltyCard card) => card.Balance == 0 && card.BalanceCurrency is null
        ? null
        : card.BalanceCurrency is { } currency
            ? $"{card.Balance.ToString("#,0.00", CultureInfo.CurrentCulture)} {currency}"
            : $"{card.Balance.ToString("#,0.##", CultureInfo.CurrentCulture)} points";

    /// <summary>A card's date as Catima keeps it: a UTC day, the same wherever the person is.</summary>
    public static string Date(DateTimeOffset instant) => instant.UtcDateTime.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    public static bool IsExpired(LoyaltyCard card, DateTimeOffset now) => card.Expiry is { } expiry && expiry < now;

    public static bool IsTwoDimensional(string? format) => format is BarcodeFormats.QrCode or BarcodeFormats.Aztec or BarcodeFormats.DataMatrix or BarcodeFormats.Pdf417;
}
