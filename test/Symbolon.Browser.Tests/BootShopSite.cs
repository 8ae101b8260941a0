using BootShop;
using BootShop.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Symbolon.Browser.Tests;

/// <summary>The sample shoe shop (samples/BootShop), the real app on a free loopback port with its own SQLite directory and key file.</summary>
public sealed class BootShopSite : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DirectoryInfo _dataDirectory;

    private BootShopSite(WebApplication app, DirectoryInfo dataDirectory, Uri baseUrl, CapturedLog log)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        BaseUrl = baseUrl;
        Log = log;
    }

    public Uri BaseUrl { get; }

    public CapturedLog Log { get; }

    public IServiceProvider Services => _app.Services;

    public string DataDirectory => _dataDirectory.FullName;

    /// <summary>Starts the shop at <paramref name="exchange"/>; it reads the feeds every half second and may contact vaults on loopback.</summary>
    public static async Task<BootShopSite> StartAsync(Uri exchange)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("symbolon-bootshop-");
        var log = new CapturedLog("bootshop");
        var app = BootShopHost.Build(
            ["--data-dir", dataDirectory.FullName, "--urls", "http://127.0.0.1:0", "--exchange", exchange.ToString(), "--poll-seconds", "0.5", "--allow-local-vaults", "true"],
            builder => log.Attach(builder.Logging));
        return new BootShopSite(app, dataDirectory, await app.StartShopAsync(), log);
    }

    public string Url(string path) => new Uri(BaseUrl, path).ToString();

    /// <summary>The shop's own database, to check what it stored.</summary>
    public ShopDb Database() => Services.GetRequiredService<IDbContextFactory<ShopDb>>().CreateDbContext();

    /// <summary>Waits until the shop's database shows something (the shop works on its own, in the background).</summary>
    public async Task<T> WaitForAsync<T>(Func<ShopDb, Task<T?>> probe, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            await using (var db = Database())
            {
                if (await probe(db) is { } found)
                {
                    return found;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The shop did not get there in time. Its log:" + Environment.NewLine + string.Join(Environment.NewLine, Log.Lines));
            }

            await Task.Delay(100);
        }
    }

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
