using System.Globalization;

namespace Symbolon.Server.Components.Common;

/// <summary>
/// The time zone of the person's browser, cascaded from the layout. Pages are rendered on the server, whose
/// clock may sit elsewhere, so instants are converted here before they are shown.
/// </summary>
public sealed class ViewerTime(TimeZoneInfo zone)
{
    /// <summary>Until the browser has told its time zone (and during prerendering), the server's.</summary>
    public static ViewerTime ServerLocal { get; } = new(TimeZoneInfo.Local);

    public TimeZoneInfo Zone { get; } = zone;

    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>For example "3 Mar 2026, 14:05".</summary>
    public string Format(DateTimeOffset instant) => ToLocal(instant).ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);

    /// <summary>For example "3 Mar 2026".</summary>
    public string FormatDate(DateTimeOffset instant) => ToLocal(instant).ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>With seconds, for histories where two versions can fall in the same minute.</summary>
    public string FormatPrecise(DateTimeOffset instant) => ToLocal(instant).ToString("d MMM yyyy, HH:mm:ss", CultureInfo.InvariantCulture);

    public static ViewerTime FromIanaId(string? id)
    {
        if (!string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
        {
            return new ViewerTime(zone);
        }

        return ServerLocal;
    }
}
