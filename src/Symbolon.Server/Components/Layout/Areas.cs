using MudBlazor;

namespace Symbolon.Server.Components.Layout;

/// <summary>One area of the product, as the navigation and the home page name it.</summary>
public sealed record Area(string Title, string Href, string Icon, bool Built, string Summary);

/// <summary>The product's areas, in the order the navigation lists them.</summary>
public static class Areas
{
    public static Area Home { get; } = new("Home", "/", Icons.Material.Outlined.Home, true, "An overview of your vault.");

    public static Area Profile { get; } = new("Profile", "/profile", Icons.Material.Outlined.Badge, true,
        "Your names, addresses and preferences, with the full history of every change.");

    public static Area Relationships { get; } = new("Relationships", "/relationships", Icons.Material.Outlined.Handshake, true,
        "The vendors you deal with, on your terms, seeing only what you grant.");

    public static Area Wallet { get; } = new("Wallet", "/wallet", Icons.Material.Outlined.AccountBalanceWallet, true,
        "One loyalty card for every shop, and your receipts kept by you.");

    public static Area Insights { get; } = new("Insights", "/insights", Icons.Material.Outlined.Insights, true,
        "Bank statements imported and your spending understood, inside your vault.");

    public static Area Requests { get; } = new("Requests", "/requests", Icons.Material.Outlined.FactCheck, true,
        "Ask vendors for a copy of your data, to correct or erase it, or anything else, with the deadline tracked.");

    public static Area Intents { get; } = new("Intents", "/intents", Icons.Material.Outlined.Campaign, true,
        "Say what you want to buy and let vendors come to you, without giving yourself away.");

    public static Area Payments { get; } = new("Payments", "/payments", Icons.Material.Outlined.VolunteerActivism, true,
        "EmanciPay: pay what you choose to the creators and services you value.");

    public static Area Settings { get; } = new("Settings", "/settings", Icons.Material.Outlined.Settings, true,
        "Passphrase, access tokens, export and backup.");

    public static IReadOnlyList<Area> All { get; } = [Home, Profile, Relationships, Wallet, Insights, Requests, Intents, Payments, Settings];
}
