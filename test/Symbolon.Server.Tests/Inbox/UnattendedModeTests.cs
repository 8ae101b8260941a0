using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Contracts.Inbox;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Server.Tests.VendorProtocol;
using Symbolon.Server.Tests.Wallet;

namespace Symbolon.Server.Tests.Inbox;

/// <summary>
/// Unattended mode: the data key is also wrapped by a host key kept outside the database (here the default file,
/// host.key in the data directory, 0600), so that the vault unlocks itself when the server starts and vendors are
/// served live; every use while nobody is signed in is counted for the person. Strict again destroys that copy.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UnattendedModeTests
{
    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task An_unattended_vault_unlocks_itself_at_start_serves_vendors_shows_each_use_and_strict_destroys_the_host_copy(StorageKind storage)
    {
        string dataDirectory;
        string token;
        var first = new SymbolonApplicationFactory(storage) { KeepDataDirectory = true };
        using (first)
        {
            dataDirectory = first.DataDirectory;
            var (owner, _) = await first.CreateVaultAsync();
            (_, var tokens, _) = await first.WalletVendorAsync(owner, "Blue Door Coffee");
            token = tokens.AccessToken;
            Assert.Equal(VaultModes.Strict, (await owner.GetFromJsonAsync<VaultModeSetting>("/owner/api/v1/vault/mode", SymbolonApplicationFactory.Json))!.Mode);

            var set = await owner.PutAsJsonAsync("/owner/api/v1/vault/mode", new SetVaultModeRequest(VaultModes.Unattended), SymbolonApplicationFactory.Json);
            var mode = (await set.Content.ReadFromJsonAsync<VaultModeSetting>(SymbolonApplicationFactory.Json))!;
            var file = Path.Combine(dataDirectory, HostKeySource.DefaultFileName);
            Assert.Equal((VaultModes.Unattended, $"the file {file}"), (mode.Mode, mode.HostKeySource));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(file).Trim()).Length);
        }

        try
        {
            // A restart with nobody there: the vault opens itself and the shop's receipt is stored at once.
            using (var second = new SymbolonApplicationFactory(first) { KeepDataDirectory = true })
            {
                await WaitUnlockedAsync(second, expected: true);
                Assert.Contains(second.Logs, l => l.Contains("unlocked itself (unattended mode", StringComparison.Ordinal));
                var coffee = second.CreateBearerClient(token);
                var pushed = await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt("Flat white"), "sale-1");
                Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
                Assert.Single((await coffee.GetFromJsonAsync<List<VendorReceipt>>("/api/v1/receipts"))!);

                // The person signs in and sees what the server did with their key meanwhile.
                var owner = second.CreateOwnerClient();
                Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase))).StatusCode);
                var use = Assert.Single((await owner.GetFromJsonAsync<AwayReport>("/owner/api/v1/inbox", SymbolonApplicationFactory.Json))!.KeyUses);
                Assert.Equal(("Blue Door Coffee", 1, 1), (use.Vendor, use.Reads, use.Writes));

                // Signed in now: the next read is not one "while away".
                await coffee.GetAsync("/api/v1/receipts");
                use = Assert.Single((await owner.GetFromJsonAsync<AwayReport>("/owner/api/v1/inbox", SymbolonApplicationFactory.Json))!.KeyUses);
                Assert.Equal(1, use.Reads);

                // Strict again: the host-wrapped copy is gone from the database.
                var strict = await owner.PutAsJsonAsync("/owner/api/v1/vault/mode", new SetVaultModeRequest(VaultModes.Strict), SymbolonApplicationFactory.Json);
                Assert.Equal(VaultModes.Strict, (await strict.Content.ReadFromJsonAsync<VaultModeSetting>(SymbolonApplicationFactory.Json))!.Mode);
                await using var scope = second.Services.CreateAsyncScope();
                Assert.Null((await scope.ServiceProvider.GetRequiredService<SymbolonDbContext>().Vaults.SingleAsync()).HostWrappedKey);
            }

            // The next start leaves it locked; the shop's receipt is queued, and stored once the person is back.
            using (var third = new SymbolonApplicationFactory(first) { KeepDataDirectory = true })
            {
                await WaitUnlockedAsync(third, expected: false);
                var coffee = third.CreateBearerClient(token);
                var pushed = await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt("Espresso", number: "R-2"), "sale-2");
                Assert.Equal(HttpStatusCode.Accepted, pushed.StatusCode);

                // A host key file others can read is refused, with what to do.
                var owner = third.CreateOwnerClient();
                await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase));
                for (var i = 0; i < 400 && (await owner.GetFromJsonAsync<AwayReport>("/owner/api/v1/inbox", SymbolonApplicationFactory.Json))!.Items.Any(x => x.State == AwayItemStates.Pending); i++)
                {
                    await Task.Delay(25);
                }

                Assert.Equal(["Espresso", "Flat white"], (await coffee.GetFromJsonAsync<List<VendorReceipt>>("/api/v1/receipts"))!.Select(r => r.Receipt.Lines[0].Description).Order(StringComparer.Ordinal));
                File.SetUnixFileMode(Path.Combine(dataDirectory, HostKeySource.DefaultFileName), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                var refused = await owner.PutAsJsonAsync("/owner/api/v1/vault/mode", new SetVaultModeRequest(VaultModes.Unattended), SymbolonApplicationFactory.Json);
                var problem = await DataApiTests.AssertProblemAsync(refused, HttpStatusCode.Conflict, ProblemCodes.HostKeyUnusable);
                Assert.Contains("chmod 600", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            // The last host keeps nothing: the data directory and the PostgreSQL database go with it.
            using (new SymbolonApplicationFactory(first))
            {
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    [Fact]
    public async Task A_wrong_host_key_leaves_the_vault_locked_and_says_why()
    {
        string dataDirectory;
        using (var first = new SymbolonApplicationFactory { KeepDataDirectory = true })
        {
            dataDirectory = first.DataDirectory;
            var (owner, _) = await first.CreateVaultAsync();
            await owner.PutAsJsonAsync("/owner/api/v1/vault/mode", new SetVaultModeRequest(VaultModes.Unattended), SymbolonApplicationFactory.Json);
        }

        try
        {
            File.WriteAllText(Path.Combine(dataDirectory, HostKeySource.DefaultFileName), Convert.ToBase64String(new byte[32]) + "\n");
            using var second = new SymbolonApplicationFactory(dataDirectory);
            await WaitUnlockedAsync(second, expected: false);
            for (var i = 0; i < 200 && !second.Logs.Any(l => l.Contains("stays locked", StringComparison.Ordinal)); i++)
            {
                await Task.Delay(25);
            }

            Assert.Contains(second.Logs, l => l.Contains("stays locked: The host key does not open this vault", StringComparison.Ordinal));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
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

    private static async Task WaitUnlockedAsync(SymbolonApplicationFactory factory, bool expected)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await factory.VaultUnlockedAsync() == expected && (expected || i > 20))
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"The vault did not become {(expected ? "unlocked" : "locked")}.");
    }
}
