using System.Diagnostics;
using System.Text.Json;
using Symbolon.Cli.Infrastructure;
using Symbolon.Server.Hosting;

namespace Symbolon.Cli.Operations;

/// <summary>The server the CLI talks to, and how it was found.</summary>
/// <param name="Url">The server's base address.</param>
/// <param name="Source">"--server", "SYMBOLON_SERVER", or the server.json file it was found through.</param>
internal sealed record ServerTarget(Uri Url, string Source);

/// <summary>
/// Finds a server running for a data directory: its <c>server.json</c> names a live process whose <c>/healthz</c>
/// answers. A file left behind by a server that was killed (no such process, or nothing listening) is ignored; a
/// server that is there but does not answer in time is an error, never a reason to open the vault beside it.
/// </summary>
internal static class ServerDiscovery
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(15);
    private static readonly JsonSerializerOptions ReadOptions = new(JsonSerializerDefaults.Web);

    public static async Task<ServerTarget?> FindRunningAsync(string dataDirectory, CancellationToken ct, TimeSpan? healthTimeout = null)
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

        return await IsHealthyAsync(url, healthTimeout ?? HealthTimeout, ct) switch
        {
            true => new ServerTarget(url, path),
            false => null,
            null => throw new CliException(
                $"A server for this data directory (process {info.ProcessId}) does not answer at {url}.",
                "Wait for it to finish starting, or stop it; the CLI does not open the vault while a server holds it."),
        };
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

    /// <summary>True when it answers, false when nothing listens there (a stale file), null when it does not answer in time.</summary>
    private static async Task<bool?> IsHealthyAsync(Uri url, TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = timeout };
        try
        {
            using var response = await http.GetAsync(new Uri(url, "/healthz"), ct);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            return false;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
