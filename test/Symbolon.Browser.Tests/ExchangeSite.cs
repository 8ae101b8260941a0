using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Symbolon.Exchange;

namespace Symbolon.Browser.Tests;

/// <summary>The real intent exchange (src/Symbolon.Exchange) on a free loopback port, over its own SQLite file.</summary>
public sealed class ExchangeSite : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DirectoryInfo _dataDirectory;

    private ExchangeSite(WebApplication app, DirectoryInfo dataDirectory, Uri baseUrl)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>The address as a vault stores it (no trailing slash).</summary>
    public string Address => BaseUrl.ToString().TrimEnd('/');

    /// <summary>Starts an exchange; <paramref name="webhooksToLoopback"/> lets it post webhooks to sites on this machine.</summary>
    public static async Task<ExchangeSite> StartAsync(bool webhooksToLoopback = true)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("symbolon-exchange-");
        var log = new CapturedLog("exchange");
        var app = ExchangeHost.Build(
            [
                "--urls=http://127.0.0.1:0",
                "--Exchange:Name=Browser test exchange",
                "--Exchange:Provider=sqlite",
                "--ConnectionStrings:Exchange=Data Source=" + Path.Combine(dataDirectory.FullName, "exchange.db"),
                "--Exchange:PollSeconds=0.2",
                "--Webhooks:AllowPrivateAddresses=" + (webhooksToLoopback ? "true" : "false"),
            ],
            builder => log.Attach(builder.Logging));
        var address = await ExchangeHost.StartAndGetAddressAsync(app);
        return new ExchangeSite(app, dataDirectory, address);
    }

    /// <summary>A client whose base address is the exchange's.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseUrl };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            _dataDirectory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Removed with the temp directory later.
        }
    }
}
