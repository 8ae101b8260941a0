using MudBlazor;

namespace Symbolon.Server.Profile;

/// <summary>The colour of a history dot: added, changed or deleted.</summary>
public static class HistoryColors
{
    public static Color Of(string operation) => operation switch
    {
        "create" => Color.Success,
        "delete" => Color.Error,
        _ => Color.Primary,
    };
}
