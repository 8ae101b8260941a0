using System.Diagnostics;
using System.Text.Json;
using Symbolon.Server.Hosting;

namespace Symbolon.Cli.Operations;

/// <summary>The server the CLI talks to, and how it was found.</summary>
/// <param name="Url">The server's base address.</param>
/// <param name="Source">"--server", "SYMBOLON_SERVER", or the server.json file it was found through.</param>
internal sealed record ServerTarget(Uri Url, string Source);

/// <summary>
/// Finds a server running for a data directory: its <c>server.json</c> names a live process whose <c>/healthz</c>
/// answers. A file left behind by a server that was killed is ignored.
/// </summary>
internal static class ServerDiscovery
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(3);
    private static readonly JsonSerializerOptions ReadOptions = new(JsonSerializerDefaults.Web);

    public static async Task<ServerTarget?> FindRunningAsync(string dataDirectory, CancellationToken ct)
    {
        var path = Path.Combine(dataDirectory, ServerInfoFile.FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        ServerInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<ServerInfo>(await File.ReadAllTextAsync(path, ct), ReadOptions);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }

        if (info is null || !IsAlive(info.ProcessId) || !Uri.TryCreate(info.Url, UriKind.Absolute, out var url))
        {
            return null;
        }

        return await IsHealthyAsync(url, ct) ? new ServerTarget(url, path) : null;
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task<bool> IsHealthyAsync(Uri url, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = HealthTimeout };
        try
        {
            using var response = await http.GetAsync(new Uri(url, "/healthz"), ct);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
