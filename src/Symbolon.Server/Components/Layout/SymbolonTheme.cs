using MudBlazor;

namespace Symbolon.Server.Components.Layout;

/// <summary>The web app's one theme: calm ink-teal with an amber accent, light surfaces, system fonts.</summary>
public static class SymbolonTheme
{
    // Note: no web fonts are loaded on purpose: a self-hosted vault should not call out to a font CDN.
    private static readonly string[] FontStack = ["-apple-system", "BlinkMacSystemFont", "Segoe UI", "Roboto", "Helvetica Neue", "Liberation Sans", "Arial", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#0E5C63",
            PrimaryContrastText = "#FFFFFF",
            Secondary = "#C26A12",
            SecondaryContrastText = "#FFFFFF",
            Tertiary = "#4F46E5",
            Info = "#2563EB",
            Success = "#15803D",
            Warning = "#B45309",
            Error = "#B42318",
            Background = "#F5F7F8",
            BackgroundGray = "#EEF1F3",
            Surface = "#FFFFFF",
            AppbarBackground = "#FFFFFF",
            AppbarText = "#1B2733",
            DrawerBackground = "#FFFFFF",
            DrawerText = "#334155",
            DrawerIcon = "#5B6B7A",
            TextPrimary = "#1B2733",
            TextSecondary = "#5B6B7A",
            LinesDefault = "#E2E8EC",
            LinesInputs = "#B8C2CA",
            Divider = "#E2E8EC",
            TableLines = "#E2E8EC",
            ActionDefault = "#5B6B7A",
        },
        LayoutProperties = new LayoutProperties
        {
            DefaultBorderRadius = "10px",
            DrawerWidthLeft = "248px",
            AppbarHeight = "64px",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = FontStack, LetterSpacing = "normal" },
            H4 = new H4Typography { FontFamily = FontStack, FontSize = "1.75rem", FontWeight = "600", LineHeight = "1.3", LetterSpacing = "-0.01em" },
            H5 = new H5Typography { FontFamily = FontStack, FontSize = "1.35rem", FontWeight = "600", LineHeight = "1.35", LetterSpacing = "normal" },
            H6 = new H6Typography { FontFamily = FontStack, FontSize = "1.05rem", FontWeight = "600", LineHeight = "1.4", LetterSpacing = "normal" },
            Subtitle2 = new Subtitle2Typography { FontFamily = FontStack, FontWeight = "600", LetterSpacing = "normal" },
            Button = new ButtonTypography { FontFamily = FontStack, FontWeight = "600", TextTransform = "none", LetterSpacing = "normal" },
            Overline = new OverlineTypography { FontFamily = FontStack, FontWeight = "600", LetterSpacing = "0.08em" },
        },
    };
}
