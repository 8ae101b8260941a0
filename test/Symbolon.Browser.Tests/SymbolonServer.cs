using Microsoft.AspNetCore.Builder;
using Symbolon.Server.Hosting;

namespace Symbolon.Browser.Tests;

/// <summary>The real Symbolon server on a free loopback port, with its own temporary data directory (so its own vault).</summary>
public sealed class SymbolonServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DirectoryInfo _dataDirectory;

    private SymbolonServer(WebApplication app, DirectoryInfo dataDirectory, Uri baseUrl, CapturedLog log)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        BaseUrl = baseUrl;
        Log = log;
    }

    public Uri BaseUrl { get; }

    /// <summary>The server's services, for a test that plays a part the web app does not have yet.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The server's warnings and errors, printed when a test fails.</summary>
    public CapturedLog Log { get; }

    /// <summary>Starts a server; <paramref name="settings"/> are extra command-line settings (<c>--Intents:PollInterval=00:00:01</c>).</summary>
    public static async Task<SymbolonServer> StartAsync(params string[] settings)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("symbolon-browser-");
        var log = new CapturedLog("symbolon");
        var app = SymbolonHost.Build(
            ["--data-dir", dataDirectory.FullName, "--urls", "http://127.0.0.1:0", "--Webhooks:AllowPrivateAddresses=true", .. settings],
            builder => log.Attach(builder.Logging));
        var address = await app.StartAndGetAddressAsync();
        log.Join(address);
        return new SymbolonServer(app, dataDirectory, address, log);
    }

    public string Url(string path) => new Uri(BaseUrl, path).ToString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        CapturedLog.Forget(BaseUrl);
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
