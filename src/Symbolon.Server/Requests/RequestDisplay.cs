using MudBlazor;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vendor;
using Symbolon.Server.Components.Common;

namespace Symbolon.Server.Requests;

/// <summary>How the web app names and colours request kinds and statuses.</summary>
internal static class RequestDisplay
{
    public static IReadOnlyList<string> Kinds { get; } = RequestKinds.All;

    public static string KindName(string kind) => Core.Requests.RequestService.KindInWords(kind);

    public static string KindHelp(string kind) => kind switch
    {
        RequestKinds.Access => "A copy of all the data the vendor holds about you (GDPR Art. 15).",
        RequestKinds.Rectification => "The vendor corrects its data using the current values from your profile (Art. 16).",
        RequestKinds.Erasure => "The vendor deletes the data it holds about you (Art. 17).",
        RequestKinds.WithdrawConsent => "The vendor stops marketing to you, or stops using your data for a purpose you name (Art. 7(3), 21).",
        RequestKinds.RestrictProcessing => "The vendor keeps your data but stops using it until the matter is settled (Art. 18).",
        RequestKinds.Service => "Anything else: a broken order, a question, a complaint.",
        _ => "",
    };

    public static string KindIcon(string kind) => kind switch
    {
        RequestKinds.Access => Icons.Material.Outlined.FileDownload,
        RequestKinds.Rectification => Icons.Material.Outlined.EditNote,
        RequestKinds.Erasure => Icons.Material.Outlined.DeleteForever,
        RequestKinds.WithdrawConsent => Icons.Material.Outlined.NotificationsOff,
        RequestKinds.RestrictProcessing => Icons.Material.Outlined.PauseCircle,
        _ => Icons.Material.Outlined.SupportAgent,
    };

    public static string StatusName(string status) => status switch
    {
        RequestStatuses.Sent => "Sent",
        RequestStatuses.Acknowledged => "Acknowledged",
        RequestStatuses.InProgress => "In progress",
        RequestStatuses.Answered => "Answered",
        RequestStatuses.Closed => "Closed",
        RequestStatuses.Overdue => "Overdue",
        _ => status,
    };

    public static Color StatusColor(string status) => status switch
    {
        RequestStatuses.Answered => Color.Success,
        RequestStatuses.Acknowledged or RequestStatuses.InProgress => Color.Info,
        RequestStatuses.Closed => Color.Default,
        _ => Color.Primary,
    };

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes / (1024.0 * 1024):0.#} MiB",
    };

    /// <summary>The last moment of a day the person picked, in their own time zone.</summary>
    public static DateTimeOffset EndOfDay(ViewerTime time, DateTime day)
    {
        var end = day.Date.AddDays(1).AddTicks(-1);
        return new DateTimeOffset(end, time.Zone.GetUtcOffset(end));
    }

    public static string AttachmentUrl(Guid requestId, RequestAttachment attachment) =>
        $"/owner/api/v1/requests/{requestId}/attachments/{attachment.Id}";
}
