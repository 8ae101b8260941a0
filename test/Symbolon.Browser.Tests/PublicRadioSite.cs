using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PublicRadio;
using PublicRadio.Data;

namespace Symbolon.Browser.Tests;

/// <summary>The sample station (samples/PublicRadio), the real app on a free loopback port with its own SQLite directory and key pair.</summary>
public sealed class PublicRadioSite : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DirectoryInfo _dataDirectory;

    private PublicRadioSite(WebApplication app, DirectoryInfo dataDirectory, Uri baseUrl)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public DirectoryInfo DataDirectory => _dataDirectory;

    public IServiceProvider Services => _app.Services;

    public static async Task<PublicRadioSite> StartAsync(Uri symbolon)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("symbolon-publicradio-");
        var log = new CapturedLog("publicradio");
        log.Join(symbolon);
        var app = RadioHost.Build(
            ["--data-dir", dataDirectory.FullName, "--urls", "http://127.0.0.1:0", "--symbolon", symbolon.ToString()],
            builder => log.Attach(builder.Logging));
        return new PublicRadioSite(app, dataDirectory, await app.StartStationAsync());
    }

    public string Url(string path) => new Uri(BaseUrl, path).ToString();

    /// <summary>The station's own database, to check what it stored.</summary>
    public RadioDb Database() => Services.GetRequiredService<IDbContextFactory<RadioDb>>().CreateDbContext();

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
