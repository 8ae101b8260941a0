using CoffeeShop;
using CoffeeShop.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Symbolon.Browser.Tests;

/// <summary>The sample coffee shop (samples/CoffeeShop), the real app on a free loopback port with its own SQLite directory.</summary>
public sealed class CoffeeShopSite : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DirectoryInfo _dataDirectory;

    private CoffeeShopSite(WebApplication app, DirectoryInfo dataDirectory, Uri baseUrl)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<CoffeeShopSite> StartAsync(Uri symbolon)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("symbolon-coffeeshop-");
        var log = new CapturedLog("coffeeshop");
        log.Join(symbolon);
        var app = CoffeeShopHost.Build(
            ["--data-dir", dataDirectory.FullName, "--urls", "http://127.0.0.1:0", "--symbolon", symbolon.ToString()],
            builder => log.Attach(builder.Logging));
        return new CoffeeShopSite(app, dataDirectory, await app.StartShopAsync());
    }

    public string Url(string path) => new Uri(BaseUrl, path).ToString();

    /// <summary>The shop's own database, to check what it stored.</summary>
    public ShopDb Database() => Services.GetRequiredService<IDbContextFactory<ShopDb>>().CreateDbContext();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            _dataDirectory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by SQLite is removed with the temp directory later.
        }
    }
}
