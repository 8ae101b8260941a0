namespace Symbolon.Server.Vault;

/// <summary>
/// Names what signed in from its User-Agent header, as a person recognises it in a list of sessions: "Firefox on
/// Linux", "Safari on iPhone". Only the browser's family and the platform are kept, never the whole header.
/// </summary>
internal static class ClientDescription
{
    private const int MaxHeaderChars = 512;

    public static string Of(string? userAgent)
    {
        var text = userAgent is null ? "" : userAgent.Length > MaxHeaderChars ? userAgent[..MaxHeaderChars] : userAgent;
        var browser =
            Has(text, "Edg/") ? "Edge"
            : Has(text, "OPR/") ? "Opera"
            : Has(text, "Firefox/") ? "Firefox"
            : Has(text, "Chrome/") || Has(text, "Chromium/") ? (Has(text, "HeadlessChrome") ? "Chromium (headless)" : "Chrome")
            : Has(text, "Safari/") ? "Safari"
            : Has(text, "curl/") ? "curl"
            : Has(text, "symbolon") ? "Symbolon CLI"
            : text.Length == 0 ? "Unknown client" : "Other client";
        var platform =
            Has(text, "iPhone") ? "iPhone"
            : Has(text, "iPad") ? "iPad"
            : Has(text, "Android") ? "Android"
            : Has(text, "Windows") ? "Windows"
            : Has(text, "Mac OS X") || Has(text, "Macintosh") ? "macOS"
            : Has(text, "CrOS") ? "ChromeOS"
            : Has(text, "Linux") ? "Linux"
            : null;
        return platform is null ? browser : $"{browser} on {platform}";
    }

    private static bool Has(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);
}
