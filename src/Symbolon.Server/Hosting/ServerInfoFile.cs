using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Symbolon.Core.Storage;

namespace Symbolon.Server.Hosting;

/// <summary>What a running server writes to <c>server.json</c> in its data directory.</summary>
public sealed record ServerInfo(string Url, int ProcessId, DateTimeOffset StartedAt);

/// <summary>
/// Writes <c>server.json</c> in the data directory while the server runs, so that the CLI finds it and goes
/// through the owner API instead of opening the database itself. It holds no secret.
/// </summary>
internal sealed partial class ServerInfoFile(IServer server, IHostApplicationLifetime lifetime, StorageOptions storage, TimeProvider time, ILogger<ServerInfoFile> logger) : IHostedService
{
    public const string FileName = "server.json";

    private string FilePath => Path.Combine(storage.ResolvedDataDirectory, FileName);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            if (address is null)
            {
                return;
            }

            var url = address.Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal);
            try
            {
                Directory.CreateDirectory(storage.ResolvedDataDirectory);
                File.WriteAllText(FilePath, JsonSerializer.Serialize(new ServerInfo(url, Environment.ProcessId, time.GetUtcNow())));
            }
            catch (IOException e)
            {
                LogWriteFailed(logger, e.GetType().Name);
            }

            LogReady(logger, url, storage.IsPostgres ? "PostgreSQL" : storage.SqlitePath);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (File.Exists(FilePath) && JsonSerializer.Deserialize<ServerInfo>(File.ReadAllText(FilePath)) is { } info && info.ProcessId == Environment.ProcessId)
            {
                File.Delete(FilePath);
            }
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            LogWriteFailed(logger, e.GetType().Name);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Symbolon is ready at {Url} (vault storage: {Storage}). Open it in your browser.")]
    private static partial void LogReady(ILogger logger, string url, string storage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not maintain server.json in the data directory ({Error})")]
    private static partial void LogWriteFailed(ILogger logger, string error);
}
