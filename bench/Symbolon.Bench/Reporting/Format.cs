using System.Globalization;

namespace Symbolon.Bench.Reporting;

/// <summary>Numbers as the summary shows them: invariant culture, a few significant digits, units spelled out.</summary>
internal static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Seconds(double seconds) => seconds >= 10
        ? seconds.ToString("0.0", Invariant) + " s"
        : seconds.ToString("0.00", Invariant) + " s";

    public static string Milliseconds(double milliseconds) => milliseconds >= 100
        ? milliseconds.ToString("0", Invariant) + " ms"
        : milliseconds.ToString("0.0", Invariant) + " ms";

    public static string Nanoseconds(double nanoseconds) => nanoseconds >= 100
        ? nanoseconds.ToString("0", Invariant) + " ns"
        : nanoseconds.ToString("0.0", Invariant) + " ns";

    public static string Rate(double perSecond) => perSecond switch
    {
        >= 1e6 => (perSecond / 1e6).ToString("0.00", Invariant) + " M",
        >= 1e3 => (perSecond / 1e3).ToString("0", Invariant) + " k",
        _ => perSecond.ToString("0", Invariant),
    };

    public static string Ratio(double ratio) => ratio.ToString(ratio >= 10 ? "0.0" : "0.00", Invariant) + "×";

    public static string Percent(double share) => (share * 100).ToString("0", Invariant) + " %";

    public static string Megabytes(double bytes) => (bytes / (1024 * 1024)).ToString("0", Invariant) + " MB";

    public static string Bytes(double bytes) => bytes.ToString("0", Invariant) + " B";

    public static string Count(long count) => count.ToString("N0", Invariant);
}
