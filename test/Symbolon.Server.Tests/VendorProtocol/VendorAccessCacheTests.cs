using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>
/// The vendor API remembers what a token check found and the decrypted profile between reads. These tests warm
/// both with a read and then change what they remember through every path that should make them forget.
/// </summary>
public sealed class VendorAccessCacheTests
{
    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task A_profile_change_shows_on_the_vendors_very_next_read(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        var (owner, _) = await factory.CreateVaultAsync();
        var field = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        var vendor = await factory.RegisterVendorAsync();
        await factory.AcceptAgreementAsync(vendor);
        var tokens = await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Email]));
        using var api = factory.CreateBearerClient(tokens.AccessToken);
        Assert.Contains("ada@example.org", await api.GetStringAsync("/api/v1/profile"), StringComparison.Ordinal);

        var updated = await owner.PutAsJsonAsync($"/owner/api/v1/profile/fields/{field.Id}", new ProfileFieldUpdate("home", "ada@lovelace.example"), SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var after = await api.GetStringAsync("/api/v1/profile");
        Assert.Contains("ada@lovelace.example", after, StringComparison.Ordinal);
        Assert.DoesNotContain("ada@example.org", after, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/owner/api/v1/profile/fields/{field.Id}")).StatusCode);
        Assert.DoesNotContain("lovelace", await api.GetStringAsync("/api/v1/profile"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_over_18_answer_turns_true_at_midnight_UTC_of_the_18th_birthday_with_no_write_in_between()
    {
        using var factory = new SymbolonApplicationFactory();
        factory.Time.Advance(new DateTimeOffset(2026, 11, 23, 23, 58, 0, TimeSpan.Zero) - factory.Time.GetUtcNow());
        var (owner, _) = await factory.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.BirthDate, Text: "2008-11-24"));
        var vendor = await factory.RegisterVendorAsync();
        await factory.AcceptAgreementAsync(vendor);
        var tokens = await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.BirthDate]), new ConsentChoices(Narrow: new Dictionary<string, string> { [Datatypes.BirthDate] = Narrowings.Over18 }));
        using var api = factory.CreateBearerClient(tokens.AccessToken);

        using var before = await api.GetAsync("/api/v1/profile");
        var beforeBody = await before.Content.ReadAsStringAsync();
        Assert.Contains("\"over_18\":false", beforeBody, StringComparison.Ordinal);
        Assert.Equal(beforeBody, await api.GetStringAsync("/api/v1/profile"));

        factory.Time.Advance(TimeSpan.FromMinutes(4));
        using var after = await api.GetAsync("/api/v1/profile");
        Assert.Contains("\"over_18\":true", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        Assert.DoesNotContain("2008", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Locking_the_vault_stops_reads_at_once_and_unlocking_serves_them_again()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _, tokens) = await EmailReaderAsync(factory);
        using var api = factory.CreateBearerClient(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/profile")).StatusCode);

        Assert.True((await owner.PostAsync("/owner/api/v1/vault/lock", null)).IsSuccessStatusCode);
        Assert.Equal((HttpStatusCode)423, (await api.GetAsync("/api/v1/profile")).StatusCode);

        using var anonymous = factory.CreateClient();
        Assert.True((await anonymous.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase))).IsSuccessStatusCode);
        Assert.Contains("ada@example.org", await api.GetStringAsync("/api/v1/profile"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task A_reused_refresh_token_kills_the_current_access_token_on_its_next_call(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        var (_, vendor, first) = await EmailReaderAsync(factory);
        var refreshed = await VendorFlow.ReadTokensAsync(await factory.TokenRequestAsync(vendor, Refresh(first.RefreshToken!)));
        using var api = factory.CreateBearerClient(refreshed.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/profile")).StatusCode);

        // Someone replays the first, already used refresh token: OpenIddict revokes the whole chain (RFC 9700 §4.14.2).
        using var replay = await factory.TokenRequestAsync(vendor, Refresh(first.RefreshToken!));
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/profile")).StatusCode);
    }

    [Fact]
    public async Task Revoking_the_access_token_at_the_revocation_endpoint_refuses_its_next_call()
    {
        using var factory = new SymbolonApplicationFactory();
        var (_, vendor, tokens) = await EmailReaderAsync(factory);
        using var api = factory.CreateBearerClient(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/profile")).StatusCode);

        using var client = factory.CreateClient();
        using var revoke = await client.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = tokens.AccessToken,
            ["token_type_hint"] = "access_token",
            ["client_id"] = vendor.ClientId,
            ["client_secret"] = vendor.ClientSecret,
        }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/profile")).StatusCode);
    }

    /// <summary>A vault with one email address and a vendor granted read on it.</summary>
    private static async Task<(HttpClient Owner, RegisteredVendor Vendor, VendorTokens Tokens)> EmailReaderAsync(SymbolonApplicationFactory factory)
    {
        var (owner, _) = await factory.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        var vendor = await factory.RegisterVendorAsync();
        await factory.AcceptAgreementAsync(vendor);
        return (owner, vendor, await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Email])));
    }

    private static Dictionary<string, string> Refresh(string refreshToken) => new()
    {
        ["grant_type"] = "refresh_token",
        ["refresh_token"] = refreshToken,
    };
}
