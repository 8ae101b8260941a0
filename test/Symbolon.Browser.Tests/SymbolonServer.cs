using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Symbolon.Server.Hosting;

namespace Symbolon.Browser.Tests;

/// <summary>The real Symbolon server on a free loopback port, with its own temporary data directory (so its own vault).</summary>
public sealed class SymbolonServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DirectoryInfo _dataDirectory;

    private SymbolonServer(WebApplication app, DirectoryInfo dataDirectory, Uri baseUrl)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<SymbolonServer> StartAsync()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("symbolon-browser-");
        var app = SymbolonHost.Build(
            ["--data-dir", dataDirectory.FullName, "--urls", "http://127.0.0.1:0"],
            builder => builder.Logging.SetMinimumLevel(LogLevel.Error));
        return new SymbolonServer(app, dataDirectory, await app.StartAndGetAddressAsync());
    }

    public string Url(string path) => new Uri(BaseUrl, path).ToString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
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
