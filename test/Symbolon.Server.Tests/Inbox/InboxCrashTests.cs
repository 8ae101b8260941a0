using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Symbolon.Contracts.Vault;
using Symbolon.Server.Tests.VendorProtocol;
using Symbolon.Server.Tests.Wallet;

namespace Symbolon.Server.Tests.Inbox;

/// <summary>
/// The server process is killed (SIGKILL) while it applies the inbox; on the next start and unlock every item is
/// applied, and none twice. The items are queued through the test host, then the same data directory is served by
/// <c>Symbolon.Server</c> as a process of its own, which is what gets killed.
/// </summary>
public sealed class InboxCrashTests
{
    private const int Count = 400;

    [Fact]
    public async Task A_server_killed_while_applying_the_inbox_applies_every_item_exactly_once_after_the_next_unlock()
    {
        string dataDirectory;
        using (var factory = new SymbolonApplicationFactory { KeepDataDirectory = true })
        {
            dataDirectory = factory.DataDirectory;
            var (owner, _) = await factory.CreateVaultAsync();
            var (_, _, coffee) = await factory.WalletVendorAsync(owner, "Blue Door Coffee");
            await owner.PostAsync("/owner/api/v1/vault/lock", null);

            // Half with an Idempotency-Key, half without: the items are marked in the write's own transaction either way.
            var next = 0;
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref next); i <= Count; i = Interlocked.Increment(ref next))
                {
                    var response = await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt($"Coffee {i}", number: $"R-{i}"), i % 2 == 0 ? $"sale-{i}" : null);
                    Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                }
            }));
        }

        try
        {
            Assert.Equal(Count, await CountAsync(dataDirectory, "SELECT count(*) FROM inbox_items WHERE State = 0"));

            // Unlock, and kill the process once some items are applied and most are not.
            int appliedAtKill;
            await using (var first = await ServerProcess.StartAsync(dataDirectory))
            {
                await first.UnlockAsync();
                appliedAtKill = await WaitAsync(async () => await CountAsync(dataDirectory, "SELECT count(*) FROM inbox_items WHERE State = 1") is var applied and >= 20 ? applied : null);
                first.Kill();
            }

            var afterKill = await CountAsync(dataDirectory, "SELECT count(*) FROM inbox_items WHERE State = 1");
            Assert.True(afterKill < Count, $"All {Count} items were applied before the kill; the test proves nothing.");
            Assert.Equal(afterKill, await CountAsync(dataDirectory, "SELECT count(*) FROM records WHERE Type = 'receipt'"));

            // Started again and unlocked: the rest is applied; every item once, every receipt once.
            await using (var second = await ServerProcess.StartAsync(dataDirectory))
            {
                await second.UnlockAsync();
                await WaitAsync(async () => await CountAsync(dataDirectory, "SELECT count(*) FROM inbox_items WHERE State = 0") == 0 ? 1 : null, TimeSpan.FromMinutes(3));
            }

            Assert.Equal(Count, await CountAsync(dataDirectory, "SELECT count(*) FROM inbox_items WHERE State = 1"));
            Assert.Equal(Count, await CountAsync(dataDirectory, "SELECT count(*) FROM records WHERE Type = 'receipt'"));
            Assert.True(appliedAtKill > 0);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the temp cleaner.
            }
        }
    }

    private static async Task<int> CountAsync(string dataDirectory, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "symbolon.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<int> WaitAsync(Func<Task<int?>> condition, TimeSpan? timeout = null)
    {
        var until = Stopwatch.GetTimestamp() + (long)((timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            if (await condition() is { } value)
            {
                return value;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("The inbox did not get there in time.");
    }

    /// <summary><c>Symbolon.Server</c> as built, in a process of its own on a free loopback port.</summary>
    internal sealed class ServerProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _http;

        private ServerProcess(Process process, Uri url)
        {
            _process = process;
            _http = new HttpClient { BaseAddress = url };
            Address = url;
        }

        /// <summary>Where the process listens.</summary>
        public Uri Address { get; }

        /// <summary>True while the process runs.</summary>
        public bool IsRunning => !_process.HasExited;

        public static async Task<ServerProcess> StartAsync(string dataDirectory)
        {
            var info = Path.Combine(dataDirectory, "server.json");
            File.Delete(info);
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { ServerDll(), "--data-dir", dataDirectory, "--urls", "http://127.0.0.1:0" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment["AutoLock__DefaultMinutes"] = "0";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            var process = Process.Start(start) ?? throw new InvalidOperationException("The server did not start.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            string? url = null;
            try
            {
                await WaitAsync(() => Task.FromResult((url = File.Exists(info) ? TryRead(info) : null) is null ? (int?)null : 1));
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var server = new ServerProcess(process, new Uri(url!));
            await WaitAsync(async () => await server.ReadyAsync() ? 1 : null);
            return server;
        }

        public async Task UnlockAsync()
        {
            var response = await _http.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase) { SignIn = false }, SymbolonApplicationFactory.Json);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        public void Kill() => _process.Kill();

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
            _http.Dispose();
        }

        private async Task<bool> ReadyAsync()
        {
            try
            {
                return (await _http.GetAsync("/owner/api/v1/vault")).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }

        private static string? TryRead(string path)
        {
            try
            {
                return JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("Url").GetString();
            }
            catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException)
            {
                return null;
            }
        }

        // The server as the solution build leaves it (test.sh builds everything first).
        private static string ServerDll()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Symbolon.slnx")))
                {
                    var dll = Path.Combine(directory.FullName, "src", "Symbolon.Server", "bin", "Release", "net10.0", "Symbolon.Server.dll");
                    return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution in Release first (./test.sh does).", dll);
                }
            }

            throw new DirectoryNotFoundException("The repository root (Symbolon.slnx) was not found above the test assembly.");
        }
    }
}
