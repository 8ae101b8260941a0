using BootShop.Data;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Symbolon.Client;

namespace BootShop.Shop;

/// <summary>What the command line (or appsettings) says about the shop; the settings page can change some of it later.</summary>
public sealed class ShopOptions
{
    public const string Section = "BootShop";

    /// <summary>The shop's name as people see it in offers and, after an acceptance, in their vault.</summary>
    public string Name { get; set; } = "Hoog & Droog Shoes";

    /// <summary>Where the exchange and vaults reach the shop; by default the address it listens on.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The intent exchange to answer intents at (the default of <c>dotnet run --project src/Symbolon.Exchange</c>).</summary>
    public string? Exchange { get; set; } = "http://127.0.0.1:5190/";

    /// <summary>Where the shop keeps its SQLite database and its key pair.</summary>
    public string DataDirectory { get; set; } = "bootshop-data";

    /// <summary>How often the shop reads the exchange's feeds, in seconds (webhooks come sooner when the exchange can reach the shop).</summary>
    public double PollSeconds { get; set; } = 15;

    /// <summary>
    /// Whether the shop contacts vaults on plain http, on this machine or on a private network. The vault's address
    /// comes from an acceptance signed by an anonymous intent key: without this, anyone could make the shop call into
    /// its own network. Off by default; on for a demo on one machine.
    /// </summary>
    public bool AllowLocalVaults { get; set; }

    /// <summary>The vault addresses the shop contacts.</summary>
    public VaultAddressPolicy VaultAddresses() => new()
    {
        AllowHttp = AllowLocalVaults,
        AllowPrivateAddresses = AllowLocalVaults,
    };
}

/// <summary>The shop's settings row, made on first use from <see cref="ShopOptions"/>.</summary>
public sealed class ShopSettingsStore(IDbContextFactory<ShopDb> dbs, IOptions<ShopOptions> options, IServer server)
{
    public async Task<ShopSettings> GetAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var settings = await db.Settings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        if (settings is not null)
        {
            return settings;
        }

        settings = new ShopSettings
        {
            Name = options.Value.Name,
            PublicUrl = WithSlash(options.Value.PublicUrl ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? BootShopHost.DefaultUrl),
            ExchangeUrl = string.IsNullOrWhiteSpace(options.Value.Exchange) ? null : WithSlash(options.Value.Exchange.Trim()),
        };
        db.Settings.Add(settings);
        await db.SaveChangesAsync(cancellationToken);
        return settings;
    }

    public async Task SaveAsync(string name, string publicUrl, string? exchangeUrl, CancellationToken cancellationToken)
    {
        await GetAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var settings = await db.Settings.SingleAsync(cancellationToken);
        settings.Name = name.Trim();
        settings.PublicUrl = WithSlash(publicUrl.Trim());
        settings.ExchangeUrl = string.IsNullOrWhiteSpace(exchangeUrl) ? null : WithSlash(exchangeUrl.Trim());
        await db.SaveChangesAsync(cancellationToken);
    }

    public static string WithSlash(string url) => url.EndsWith('/') ? url : url + "/";
}
