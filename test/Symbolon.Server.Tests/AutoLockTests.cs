using System.Net;
using System.Net.Http.Json;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vault;
using static Symbolon.Server.Tests.VaultApiTests;

namespace Symbolon.Server.Tests;

/// <summary>
/// The vault locks itself after the idle time its person chose, counted from their last page, owner API call or CLI
/// command, on the server's clock (a fake one here, moved by minutes).
/// </summary>
public sealed class AutoLockTests : IDisposable
{
    private readonly SymbolonApplicationFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task The_vault_locks_itself_after_the_chosen_idle_time_and_never_when_asked_not_to()
    {
        var (owner, _) = await _app.CreateVaultAsync();

        // The test host's default is "never" (AutoLock:DefaultMinutes=0); the person's choice wins.
        Assert.Equal(new AutoLockSetting(null, IsDefault: true), await owner.GetFromJsonAsync<AutoLockSetting>("/owner/api/v1/vault/auto-lock", SymbolonApplicationFactory.Json));
        var set = await owner.PutAsJsonAsync("/owner/api/v1/vault/auto-lock", new SetAutoLockRequest(5));
        Assert.Equal(new AutoLockSetting(5, IsDefault: false), await set.Content.ReadFromJsonAsync<AutoLockSetting>(SymbolonApplicationFactory.Json));

        // Four minutes, then the owner is back: the five minutes start again.
        await PassAsync(TimeSpan.FromMinutes(4));
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/owner/api/v1/profile")).StatusCode);
        await PassAsync(TimeSpan.FromMinutes(4));
        Assert.True(await UnlockedAsync());

        // Past five minutes without the owner: locked, and the browser must unlock again.
        await PassAsync(TimeSpan.FromMinutes(2));
        await WaitUntilLockedAsync();
        await AssertProblem(await owner.GetAsync("/owner/api/v1/profile"), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);

        // Never: two days pass and it stays unlocked.
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase))).StatusCode);
        var never = await owner.PutAsJsonAsync("/owner/api/v1/vault/auto-lock", new SetAutoLockRequest(null));
        Assert.Equal(new AutoLockSetting(null, IsDefault: false), await never.Content.ReadFromJsonAsync<AutoLockSetting>(SymbolonApplicationFactory.Json));
        await PassAsync(TimeSpan.FromDays(2), step: TimeSpan.FromHours(2));
        await Task.Delay(500);
        Assert.True(await UnlockedAsync());
    }

    [Theory]
    [InlineData("{\"minutes\": 0}")]
    [InlineData("{\"minutes\": 1441}")]
    [InlineData("{\"minutes\": -5}")]
    public async Task An_idle_time_out_of_range_is_refused_naming_the_field(string body)
    {
        var (owner, _) = await _app.CreateVaultAsync();
        var response = await owner.PutAsync("/owner/api/v1/vault/auto-lock", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await AssertProblem(response, HttpStatusCode.BadRequest, ProblemCodes.InvalidValue);
        Assert.True(problem.GetProperty("errors").TryGetProperty("minutes", out _));
    }

    [Fact]
    public async Task The_idle_time_needs_the_owner()
    {
        await _app.CreateVaultAsync();
        var stranger = _app.CreateOwnerClient();
        await AssertProblem(await stranger.GetAsync("/owner/api/v1/vault/auto-lock"), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
        await AssertProblem(await stranger.PutAsJsonAsync("/owner/api/v1/vault/auto-lock", new SetAutoLockRequest(null)), HttpStatusCode.Unauthorized, ProblemCodes.Unauthenticated);
    }

    // Moves the clock in steps the lock check (every 30 s) sees, giving it a moment of real time after each.
    private async Task PassAsync(TimeSpan span, TimeSpan? step = null)
    {
        var each = step ?? TimeSpan.FromSeconds(30);
        for (var passed = TimeSpan.Zero; passed < span; passed += each)
        {
            _app.Time.Advance(each < span - passed ? each : span - passed);
            await Task.Delay(5);
        }
    }

    // Asked inside the server: a status call with the owner's cookie would count as the owner being there.
    private Task<bool> UnlockedAsync() => _app.VaultUnlockedAsync();

    private async Task WaitUntilLockedAsync()
    {
        for (var i = 0; i < 200 && await UnlockedAsync(); i++)
        {
            await Task.Delay(25);
        }

        Assert.False(await UnlockedAsync());
    }
}
