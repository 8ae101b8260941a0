using System.Net;
using System.Text.Json;
using Symbolon.Cli.Operations;
using Symbolon.Server.Hosting;

namespace Symbolon.Cli.Tests;

/// <summary><c>symbolon serve</c> runs the whole server in the CLI's process, web app assets included.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Serve_runs_the_server_with_its_static_web_assets_until_cancelled()
    {
        using var stop = new CancellationTokenSource();
        var serving = _cli.RunRawAsync(stop.Token, "serve", "--data-dir", _cli.DataDirectory, "--urls", "http://127.0.0.1:0", "--public-origin", "https://vault.example.org");
        var serverJson = Path.Combine(_cli.DataDirectory, ServerInfoFile.FileName);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!File.Exists(serverJson) && !serving.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.False(serving.IsCompleted, serving.IsCompleted ? (await serving).Describe("serve ended early") : "");
        var info = JsonSerializer.Deserialize<ServerInfo>(await File.ReadAllTextAsync(serverJson))!;
        Assert.Equal(Environment.ProcessId, info.ProcessId);

        using (var http = new HttpClient { BaseAddress = new Uri(info.Url) })
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
            using var css = await http.GetAsync(new Uri("/_content/MudBlazor/MudBlazor.min.css", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, css.StatusCode);
            Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
            Assert.True((await css.Content.ReadAsByteArrayAsync()).Length > 10_000);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/_content/MudBlazor/MudBlazor.min.js", UriKind.Relative))).StatusCode);

            // The issuer is the public origin it was given, not the address it listens on.
            var metadata = JsonDocument.Parse(await http.GetStringAsync(new Uri("/.well-known/oauth-authorization-server", UriKind.Relative)));
            Assert.Equal("https://vault.example.org/", metadata.RootElement.GetProperty("issuer").GetString());
        }

        // The other commands find the server through its server.json.
        Assert.Equal("remote", (await _cli.RunAsync("status", "--json")).Succeeded().Json<CliStatus>().Mode);

        await stop.CancelAsync();
        var result = (await serving).Succeeded();
        Assert.Contains("Starting Symbolon", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(serverJson));
    }

    [Fact]
    public async Task A_server_json_with_nothing_listening_is_stale_and_the_cli_works_locally()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        WriteServerJson($"http://127.0.0.1:{port}");

        Assert.Equal("local", (await _cli.RunAsync("status", "--json")).Succeeded().Json<CliStatus>().Mode);
    }

    [Fact]
    public async Task A_server_that_is_there_but_does_not_answer_is_an_error_not_a_reason_to_open_the_vault_locally()
    {
        // Accepts connections and never answers, as a server too busy to reply would.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        WriteServerJson(url);

        var e = await Assert.ThrowsAsync<Infrastructure.CliException>(() => ServerDiscovery.FindRunningAsync(_cli.DataDirectory, CancellationToken.None, TimeSpan.FromSeconds(1)));
        Assert.Contains($"does not answer at {url}", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_cli.DataDirectory, "symbolon.db")));
    }

    private void WriteServerJson(string url)
    {
        Directory.CreateDirectory(_cli.DataDirectory);
        File.WriteAllText(Path.Combine(_cli.DataDirectory, ServerInfoFile.FileName), JsonSerializer.Serialize(new ServerInfo(url, Environment.ProcessId, DateTimeOffset.UtcNow)));
    }

    public void Dispose() => _cli.Dispose();
}
