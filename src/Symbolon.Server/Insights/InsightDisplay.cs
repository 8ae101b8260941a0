using System.Globalization;
using Symbolon.Contracts.Insights;

namespace Symbolon.Server.Insights;

/// <summary>How the insights pages word categories, changes and cadences.</summary>
internal static class InsightDisplay
{
    public static string Category(string category) =>
        category.Length == 0 ? category : char.ToUpper(category[0], CultureInfo.InvariantCulture) + category[1..];

    /// <summary>"+105.5 %" / "−12 %" / "new" when nothing was spent the period before.</summary>
    public static string Change(decimal? percent, decimal current) => percent switch
    {
        null when current > 0 => "new",
        null => "—",
        > 0 => "+" + percent.Value.ToString("0.#", CultureInfo.InvariantCulture) + " %",
        < 0 => "−" + (-percent.Value).ToString("0.#", CultureInfo.InvariantCulture) + " %",
        _ => "no change",
    };

    public static string Cadence(string cadence) => cadence switch
    {
        Cadences.Weekly => "Weekly",
        Cadences.Monthly => "Monthly",
        Cadences.Yearly => "Yearly",
        _ => cadence,
    };

    /// <summary>"1 transaction changed category", after a rule change or a recategorization.</summary>
    public static string Recategorized(int count) => count switch
    {
        0 => "no transaction changed category",
        1 => "1 transaction changed category",
        _ => $"{count.ToString("N0", CultureInfo.InvariantCulture)} transactions changed category",
    };

    public static string Day(DateOnly day) => day.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    public static string PeriodLabel(InsightPeriod period, string kind) =>
        kind == InsightPeriods.Week ? period.Start.ToString("d MMM", CultureInfo.InvariantCulture) : period.Start.ToString("MMM yy", CultureInfo.InvariantCulture);
}
