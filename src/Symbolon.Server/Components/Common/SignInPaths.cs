namespace Symbolon.Server.Components.Common;

/// <summary>Where the sign-in pages may send the browser afterwards.</summary>
public static class SignInPaths
{
    private static readonly string[] SignInPages = ["/unlock", "/setup", "/recover", "/lock"];

    /// <summary>
    /// The return address if it is a path on this site (never another host: "//evil.example" and "/\evil" are
    /// refused), and not one of the sign-in pages themselves; otherwise the home page.
    /// </summary>
    public static string SafeReturnUrl(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl[0] != '/' || returnUrl.StartsWith("//", StringComparison.Ordinal)
            || returnUrl.StartsWith("/\\", StringComparison.Ordinal) || returnUrl.Any(char.IsControl))
        {
            return "/";
        }

        var path = returnUrl.Split('?', '#')[0];
        return SignInPages.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase)) ? "/" : returnUrl;
    }
}
