using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PublicRadio.Data;
using Symbolon.Client;

namespace PublicRadio.Station;

/// <summary>What the command line (or appsettings) says about the station; the settings page can change it later.</summary>
public sealed class StationOptions
{
    public const string Section = "PublicRadio";

    /// <summary>The station's name as listeners see it in their vault.</summary>
    public string Name { get; set; } = "Radio Aurora";

    /// <summary>The account holder's legal name.</summary>
    public string LegalName { get; set; } = "Radio Aurora e.V.";

    /// <summary>The station's IBAN; by default a well-known test IBAN (valid by the mod-97 rule, no real account).</summary>
    public string Iban { get; set; } = "DE89370400440532013000";

    /// <summary>The station's BIC.</summary>
    public string? Bic { get; set; } = "COBADEFFXXX";

    /// <summary>What the station offers for free.</summary>
    public string Offers { get; set; } = "Independent public radio, 24 hours a day";

    /// <summary>Suggested monthly amounts in EUR, comma separated.</summary>
    public string SuggestedAmounts { get; set; } = "3,5,10";

    /// <summary>Where vaults reach the station; by default the address it listens on.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The Symbolon vault the "Connect with Symbolon" form suggests (the default of <c>symbolon serve</c>).</summary>
    public string Symbolon { get; set; } = "http://127.0.0.1:5178/";

    /// <summary>Where the station keeps its SQLite database and its key pair.</summary>
    public string DataDirectory { get; set; } = "publicradio-data";

    /// <summary>Whether the station contacts vaults on plain http or private addresses besides <see cref="Symbolon"/>.</summary>
    public bool AllowLocalVaults { get; set; }

    /// <summary>The vault addresses the station contacts: https on the public internet, and <see cref="Symbolon"/>.</summary>
    public VaultAddressPolicy VaultAddresses() => new()
    {
        AllowHttp = AllowLocalVaults,
        AllowPrivateAddresses = AllowLocalVaults,
        TrustedVaults = Uri.TryCreate(Symbolon, UriKind.Absolute, out var demo) ? [demo] : [],
    };
}

/// <summary>The station's settings row, made on first use from <see cref="StationOptions"/>.</summary>
public sealed class StationSettingsStore(IDbContextFactory<RadioDb> dbs, IOptions<StationOptions> options, IServer server)
{
    public async Task<StationSettings> GetAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var settings = await db.Settings.SingleOrDefaultAsync(cancellationToken);
        if (settings is not null)
        {
            return settings;
        }

        var o = options.Value;
        settings = new StationSettings
        {
            Name = o.Name,
            LegalName = o.LegalName,
            Iban = o.Iban,
            Bic = string.IsNullOrWhiteSpace(o.Bic) ? null : o.Bic,
            Offers = o.Offers,
            SuggestedAmounts = o.SuggestedAmounts,
            PublicUrl = WithSlash(o.PublicUrl ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? RadioHost.DefaultUrl),
        };
        db.Settings.Add(settings);
        await db.SaveChangesAsync(cancellationToken);
        return settings;
    }

    public async Task SaveAsync(StationSettings changed, CancellationToken cancellationToken)
    {
        await GetAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var settings = await db.Settings.SingleAsync(cancellationToken);
        settings.Name = changed.Name.Trim();
        settings.PublicUrl = WithSlash(changed.PublicUrl.Trim());
        settings.LegalName = changed.LegalName.Trim();
        settings.Iban = changed.Iban.Trim();
        settings.Bic = string.IsNullOrWhiteSpace(changed.Bic) ? null : changed.Bic.Trim();
        settings.Offers = changed.Offers.Trim();
        settings.SuggestedAmounts = changed.SuggestedAmounts.Trim();
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string WithSlash(string url) => url.EndsWith('/') ? url : url + "/";
}
