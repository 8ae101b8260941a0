using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Symbolon.Cli.Infrastructure;
using Symbolon.Cli.Operations;
using Symbolon.Server.Hosting;

namespace Symbolon.Cli.Commands;

/// <summary><c>serve</c>: runs the Symbolon server (web app and owner API) in this process.</summary>
internal static class ServeCommand
{
    public static Command Create(CliCommands cli)
    {
        var urls = new Option<string>("--urls") { Description = $"Where to listen (default {SymbolonHost.DefaultUrl}, this computer only).", HelpName = "URL", DefaultValueFactory = _ => SymbolonHost.DefaultUrl };
        var publicOrigin = new Option<string?>("--public-origin")
        {
            Description = "The address people and vendors reach the server at (https://vault.example.org), the OAuth issuer; by default the address it listens on. Needed behind a reverse proxy or when listening on every interface.",
            HelpName = "URL",
        };
        var command = new Command("serve", "Run the Symbolon server for the data directory: the web app and the owner API. While it runs, the other commands go through it. Ctrl+C stops it.") { urls, publicOrigin };
        cli.SetAction(command, async (context, result, ct) =>
        {
            if (await ServerDiscovery.FindRunningAsync(context.DataDirectory, ct) is { } running)
            {
                throw new CliException($"A server already runs for {context.DataDirectory}, at {running.Url}.");
            }

            var url = result.GetValue(urls)!;
            var args = new List<string> { "--data-dir", context.DataDirectory, "--urls", url };
            if (result.GetValue(publicOrigin) is { Length: > 0 } origin)
            {
                args.AddRange(["--public-origin", origin]);
            }

            if (context.Storage.IsPostgres)
            {
                args.AddRange(["--storage", context.Storage.Provider, "--connection-string", context.Storage.ConnectionString!]);
            }

            cli.Note($"Starting Symbolon for {context.DataDirectory} at {url}. Ctrl+C stops it.");

            // Note: the same host as `dotnet run --project src/Symbolon.Server` (SymbolonHost.RunAsync), built here so
            // that the invocation's cancellation can stop it too.
            await using var app = SymbolonHost.Build([.. args]);
            await ((IHost)app).RunAsync(ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
