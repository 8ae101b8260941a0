using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Symbolon.Server.Hosting;

namespace Symbolon.Cli.Tests;

/// <summary>The real Symbolon server on a free loopback port, for one data directory, in this process.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<RunningServer> StartAsync(string dataDirectory)
    {
        var app = SymbolonHost.Build(
            ["--data-dir", dataDirectory, "--urls", "http://127.0.0.1:0"],
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        return new RunningServer(app, await app.StartAndGetAddressAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
