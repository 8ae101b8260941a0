using System.Globalization;
using MudBlazor;
using Symbolon.Contracts.Payments;

namespace Symbolon.Server.Payments;

/// <summary>How the web app names, colours and words payees, pledges and payments.</summary>
internal static class PaymentDisplay
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>An amount in EUR as the rest of the app writes money: "EUR 1,234.50".</summary>
    public static string Eur(decimal amount) => "EUR " + amount.ToString("N2", Invariant);

    /// <summary>An amount for a copy button or an input: "1234.50".</summary>
    public static string Plain(decimal amount) => amount.ToString("0.00", Invariant);

    public static string StatusName(string status) => status switch
    {
        PaymentStatuses.Due => "Due",
        PaymentStatuses.Held => "Held",
        PaymentStatuses.Partial => "Paid in part",
        PaymentStatuses.Settled => "Settled",
        PaymentStatuses.Cancelled => "Skipped",
        _ => status,
    };

    public static Color StatusColor(string status) => status switch
    {
        PaymentStatuses.Due => Color.Primary,
        PaymentStatuses.Held => Color.Warning,
        PaymentStatuses.Partial => Color.Info,
        PaymentStatuses.Settled => Color.Success,
        _ => Color.Default,
    };

    public static string SourceName(string source) => source switch
    {
        "vendor" => "From the vendor",
        "qr" => "From a QR code",
        _ => "Added by hand",
    };

    public static string SourceIcon(string source) => source switch
    {
        "vendor" => Icons.Material.Outlined.Handshake,
        "qr" => Icons.Material.Outlined.QrCode2,
        _ => Icons.Material.Outlined.Edit,
    };

    /// <summary>A period as people say it: "December 2026", "Q4 2026", "2026".</summary>
    public static string Period(string period)
    {
        if (DateOnly.TryParseExact(period + "-01", "yyyy-MM-dd", Invariant, DateTimeStyles.None, out var month))
        {
            return month.ToString("MMMM yyyy", Invariant);
        }

        var quarter = period.Split("-Q");
        return quarter.Length == 2 ? $"Q{quarter[1]} {quarter[0]}" : period;
    }

    /// <summary>A month label for a chart axis: "Dec" (with the year in January: "Jan 27").</summary>
    public static string MonthShort(string month) =>
        DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", Invariant, DateTimeStyles.None, out var day)
            ? day.ToString(day.Month == 1 ? "MMM yy" : "MMM", Invariant)
            : month;

    public static string PeriodWord(string period) => period switch
    {
        PledgePeriods.Month => "month",
        PledgePeriods.Quarter => "quarter",
        PledgePeriods.Year => "year",
        _ => period,
    };

    /// <summary>A pledge's terms in words: "EUR 5.00 a month", "EUR 0.50 per visit, at most EUR 10.00 a quarter".</summary>
    public static string Terms(PledgeView pledge)
    {
        if (pledge.Kind == PledgeKinds.Fixed)
        {
            return $"{Eur(pledge.Amount)} a {PeriodWord(pledge.Period)}";
        }

        var unit = Singular(pledge.UsageUnit ?? "visits");
        var cap = pledge.Cap is { } c ? $", at most {Eur(c)} a {PeriodWord(pledge.Period)}" : "";
        return $"{Eur(pledge.Amount)} per {unit}{cap}";
    }

    /// <summary>Where a per-use pledge counts use, in words.</summary>
    public static string UsageSourceName(string? source, string? unit) => source switch
    {
        UsageSources.Visits => "Counts your visits from receipts, loyalty stamps and check-ins.",
        UsageSources.Reported => $"Counts the {unit ?? "use"} they report to your vault.",
        _ => "",
    };

    /// <summary>The suggested amounts of a payee: "EUR 3.00, EUR 5.00 or EUR 10.00 a month".</summary>
    public static string Suggested(IReadOnlyList<decimal> amounts)
    {
        var words = amounts.Select(Eur).ToList();
        return words.Count switch
        {
            0 => "",
            1 => words[0] + " a month",
            _ => string.Join(", ", words.Take(words.Count - 1)) + " or " + words[^1] + " a month",
        };
    }

    /// <summary>An IBAN or reference without its spaces, for pasting into a banking app.</summary>
    public static string Compact(string grouped) => grouped.Replace(" ", "", StringComparison.Ordinal);

    private static string Singular(string unit) =>
        unit.EndsWith('s') && unit.Length > 1 ? unit[..^1] : unit;
}
