using CoffeeShop.Data;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Symbolon.Client;

namespace CoffeeShop.Shop;

/// <summary>What the command line (or appsettings) says about the shop; the settings page can change it later.</summary>
public sealed class ShopOptions
{
    public const string Section = "CoffeeShop";

    /// <summary>The shop's name as customers see it in their vault.</summary>
    public string Name { get; set; } = "Blue Door Coffee";

    /// <summary>The branch's address, printed on receipts.</summary>
    public string Location { get; set; } = "Prinsengracht 12, Amsterdam";

    /// <summary>Where vaults reach the shop; by default the address it listens on.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The Symbolon vault the "Connect with Symbolon" form suggests (the default of <c>symbolon serve</c>).</summary>
    public string Symbolon { get; set; } = "http://127.0.0.1:5178/";

    /// <summary>Where the shop keeps its SQLite database.</summary>
    public string DataDirectory { get; set; } = "coffeeshop-data";

    /// <summary>
    /// Whether the till contacts vaults on plain http, on this machine or on a private network besides
    /// <see cref="Symbolon"/> (the demo vault, which it always contacts). False: a card may name any address, and a
    /// shop's till should not call into its own network because a card says so.
    /// </summary>
    public bool AllowLocalVaults { get; set; }

    /// <summary>The vault addresses the shop contacts: https on the public internet, and <see cref="Symbolon"/>.</summary>
    public VaultAddressPolicy VaultAddresses() => new()
    {
        AllowHttp = AllowLocalVaults,
        AllowPrivateAddresses = AllowLocalVaults,
        TrustedVaults = Uri.TryCreate(Symbolon, UriKind.Absolute, out var demo) ? [demo] : [],
    };
}

/// <summary>The shop's settings row, made on first use from <see cref="ShopOptions"/>.</summary>
public sealed class ShopSettingsStore(IDbContextFactory<ShopDb> dbs, IOptions<ShopOptions> options, IServer server)
{
    public async Task<ShopSettings> GetAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var settings = await db.Settings.SingleOrDefaultAsync(cancellationToken);
        if (settings is not null)
        {
            return settings;
        }

        settings = new ShopSettings
        {
            Name = options.Value.Name,
            Location = options.Value.Location,
            PublicUrl = WithSlash(options.Value.PublicUrl ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5179/"),
        };
        db.Settings.Add(settings);
        await db.SaveChangesAsync(cancellationToken);
        return settings;
    }

    public async Task SaveAsync(string name, string location, string publicUrl, CancellationToken cancellationToken)
    {
        await GetAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var settings = await db.Settings.SingleAsync(cancellationToken);
        settings.Name = name.Trim();
        settings.Location = location.Trim();
        settings.PublicUrl = WithSlash(publicUrl.Trim());
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string WithSlash(string url) => url.EndsWith('/') ? url : url + "/";
}
