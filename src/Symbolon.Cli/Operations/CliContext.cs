using Symbolon.Cli.Infrastructure;
using Symbolon.Core.Storage;

namespace Symbolon.Cli.Operations;

/// <summary>
/// One invocation's settings (data directory, storage, server, where secrets come from) and the operations it
/// runs: remote when a server is named or one is running for the data directory, local otherwise.
/// </summary>
internal sealed class CliContext(CliEnvironment env, StorageOptions storage, string? serverOption, string? passphraseFile) : IAsyncDisposable
{
    private IOwnerOperations? _operations;

    public CliEnvironment Env { get; } = env;

    public StorageOptions Storage { get; } = storage;

    public string DataDirectory => Storage.ResolvedDataDirectory;

    public SecretInput Secrets { get; } = new(env);

    public SecretSource Passphrase { get; } = new("passphrase", EnvironmentVariables.Passphrase, "--passphrase-file", passphraseFile);

    public TimeProvider Time => Env.Time;

    /// <summary>
    /// Storage settings as the server reads them: --data-dir or SYMBOLON_DATA, --storage or Storage__Provider,
    /// --connection-string or Storage__ConnectionString.
    /// </summary>
    public static StorageOptions ResolveStorage(CliEnvironment env, string? dataDirectory, string? provider = null, string? connectionString = null)
    {
        var storage = new StorageOptions
        {
            DataDirectory = dataDirectory ?? env.Get(EnvironmentVariables.DataDirectory),
            Provider = provider ?? env.Get(EnvironmentVariables.StorageProvider) ?? env.Get(EnvironmentVariables.StorageProvider.ToUpperInvariant()) ?? StorageOptions.SqliteProvider,
            ConnectionString = connectionString ?? env.Get(EnvironmentVariables.StorageConnectionString) ?? env.Get(EnvironmentVariables.StorageConnectionString.ToUpperInvariant()),
        };
        try
        {
            storage.Validate();
        }
        catch (InvalidOperationException e)
        {
            throw CliException.Usage("The storage settings are not valid.", e.Message);
        }

        return storage;
    }

    /// <summary>The server named with --server or SYMBOLON_SERVER, else one running for this data directory, else null.</summary>
    public async Task<ServerTarget?> FindServerAsync(CancellationToken ct)
    {
        if (serverOption is not null)
        {
            return new ServerTarget(ParseServer(serverOption, "--server"), "--server");
        }

        if (Env.Get(EnvironmentVariables.Server) is { } fromVariable)
        {
            return new ServerTarget(ParseServer(fromVariable, EnvironmentVariables.Server), EnvironmentVariables.Server);
        }

        return await ServerDiscovery.FindRunningAsync(DataDirectory, ct);
    }

    public async Task<IOwnerOperations> ConnectAsync(CancellationToken ct)
    {
        if (_operations is null)
        {
            var server = await FindServerAsync(ct);
            _operations = server is null ? new LocalOwnerOperations(this) : new RemoteOwnerOperations(this, server);
        }

        return _operations;
    }

    public async ValueTask DisposeAsync()
    {
        if (_operations is not null)
        {
            await _operations.DisposeAsync();
        }
    }

    private static Uri ParseServer(string text, string source)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw CliException.Usage($"{source} must be an http:// or https:// address, for example http://127.0.0.1:5178.");
        }

        return url;
    }
}
