using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Contracts.Vault;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Server.Tests;

/// <summary>The unlock throttle under concurrent guessing, on both providers: every attempt tried is counted, and the owner is never shut out for long.</summary>
public sealed class UnlockThrottleTests
{
    private const string UnlockPath = "/owner/api/v1/vault/unlock";

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Concurrent_wrong_passphrases_are_all_counted_and_the_owner_gets_in_after_the_capped_delay(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        await factory.CreateVaultAsync();

        // 24 guesses at the same instant: as many are tried as the throttle allows, each one counted; the rest are
        // refused before any key derivation runs.
        const int Guesses = 24;
        var responses = await Task.WhenAll(Enumerable.Range(0, Guesses).Select(async i =>
        {
            using var client = factory.CreateOwnerClient();
            return await client.PostAsJsonAsync(UnlockPath, new UnlockRequest("not the passphrase " + i));
        }));
        var tried = responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized);
        var refused = responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal((VaultService.FreeAttempts, Guesses - VaultService.FreeAttempts), (tried, refused));
        Assert.Equal(tried, await FailedUnlocksAsync(factory));
        Assert.Equal(tried, factory.Logs.Count(l => l.Contains("Failed unlock attempt", StringComparison.Ordinal)));

        // Guessing on doubles the delay up to its cap of five minutes, never further: even the right passphrase waits
        // meanwhile, and is let in once the delay has passed.
        using var owner = factory.CreateOwnerClient();
        var waits = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            var throttled = await owner.PostAsJsonAsync(UnlockPath, new UnlockRequest(SymbolonApplicationFactory.Passphrase));
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            waits.Add(int.Parse(throttled.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture));
            factory.Time.Advance(TimeSpan.FromSeconds(waits[^1]));
            Assert.Equal(HttpStatusCode.Unauthorized, (await owner.PostAsJsonAsync(UnlockPath, new UnlockRequest("still guessing " + i))).StatusCode);
        }

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300], waits);
        Assert.Equal(VaultService.FreeAttempts + 12, await FailedUnlocksAsync(factory));

        factory.Time.Advance(VaultService.MaximumUnlockDelay);
        var unlocked = await owner.PostAsJsonAsync(UnlockPath, new UnlockRequest(SymbolonApplicationFactory.Passphrase));
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
        Assert.Equal(0, await FailedUnlocksAsync(factory));
    }

    private static async Task<int> FailedUnlocksAsync(SymbolonApplicationFactory factory)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<SymbolonDbContext>().Vaults.AsNoTracking().Select(v => v.FailedUnlockCount).SingleAsync();
    }
}
