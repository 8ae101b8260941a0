using System.Globalization;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.Wallet;

/// <summary>How the wallet pages word amounts and loyalty events.</summary>
internal static class WalletDisplay
{
    /// <summary>An amount with its ISO code, in the currency's own number of decimals: "EUR 10.20", "JPY 1,440".</summary>
    public static string Money(decimal amount, string currency)
    {
        var digits = Core.Wallet.Currencies.IsKnown(currency) ? Core.Wallet.Currencies.DigitsOf(currency) : 2;
        return currency + " " + amount.ToString("N" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    public static string Quantity(decimal quantity) => quantity.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>A loyalty event in words: "+1 stamps earned", "−10 stamps for A free coffee".</summary>
    public static string Event(string kind, int amount, string unit, string? reward) => kind switch
    {
        LoyaltyEventKinds.RewardIssued when amount == 0 => $"Reward: {reward}",
        LoyaltyEventKinds.RewardIssued => $"Reward: {reward} ({Signed(amount)} {unit})",
        LoyaltyEventKinds.StampEarned or LoyaltyEventKinds.PointsEarned => $"{Signed(amount)} {unit} earned",
        _ => $"{Signed(amount)} {unit} redeemed",
    };

    public static string Signed(int amount) => amount > 0 ? "+" + amount.ToString(CultureInfo.InvariantCulture) : "−" + (-amount).ToString(CultureInfo.InvariantCulture);
}
