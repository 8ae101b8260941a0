using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Storage;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests.Relationships;

/// <summary>
/// A flood of registrations does not take over the person's Relationships page: the list is paged (API and web page),
/// a vendor the person never approved is marked unconfirmed with its name shown as its own claim, and registrations
/// nobody used are pruned after 30 days, with expired OAuth tokens.
/// </summary>
public sealed partial class RelationshipListTests
{
    private const string Api = "/owner/api/v1";

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task The_list_is_paged_and_marks_vendors_the_person_never_approved_as_unconfirmed(StorageKind storage)
    {
        using var app = new SymbolonApplicationFactory(storage);
        var (owner, _) = await app.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        var approved = await app.RegisterVendorAsync("Blue Door Coffee");
        await app.AcceptAgreementAsync(approved);
        await app.GrantAsync(owner, approved, VendorFlow.Details([Datatypes.Email]));
        for (var i = 0; i < 60; i++)
        {
            await app.SeedVendorAsync($"Symbolon Security Team {i:D2}", null, []);
        }

        var seen = new List<RelationshipSummary>();
        var offsets = new List<int?>();
        int? offset = 0;
        while (offset is { } at)
        {
            var page = (await owner.GetFromJsonAsync<RelationshipPage>($"{Api}/relationships/pages?limit=25&offset={at}", SymbolonApplicationFactory.Json))!;
            Assert.Equal(61, page.Total);
            Assert.True(page.Relationships.Count <= 25);
            seen.AddRange(page.Relationships);
            offset = page.NextOffset;
            offsets.Add(offset);
        }

        Assert.Equal([25, 50, null], offsets);
        Assert.Equal(61, seen.Select(r => r.Id).Distinct().Count());
        var confirmed = Assert.Single(seen, r => !r.Unconfirmed);
        Assert.Equal(approved.ClientId, confirmed.ClientId);

        // The unpaged list the CLI reads answers as before, with the mark too.
        var all = (await owner.GetFromJsonAsync<List<RelationshipSummary>>($"{Api}/relationships", SymbolonApplicationFactory.Json))!;
        Assert.Equal(61, all.Count);
        Assert.Equal(60, all.Count(r => r.Unconfirmed));

        // The web page shows 50 at a time, the vendor's name quoted as its claim, and the unconfirmed chip.
        var first = await PageAsync(owner, "/relationships");
        Assert.Equal(50, Cards().Count(first));
        Assert.Contains("data-testid=\"relationships-next\"", first, StringComparison.Ordinal);
        Assert.Contains("<q data-testid=\"vendor-name\">Symbolon Security Team 59</q>", first, StringComparison.Ordinal);
        var second = await PageAsync(owner, "/relationships?page=2");
        Assert.Equal(11, Cards().Count(second));
        Assert.Equal(60, Unconfirmed().Count(first) + Unconfirmed().Count(second));
        Assert.DoesNotContain("data-testid=\"relationships-next\"", second, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Registrations_nobody_used_are_pruned_after_30_days_with_expired_tokens_and_used_ones_stay(StorageKind storage)
    {
        using var app = new SymbolonApplicationFactory(storage);
        var (owner, _) = await app.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        var lurker = await app.RegisterVendorAsync("Lurker");
        var regular = await app.RegisterVendorAsync("Regular");
        await app.AcceptAgreementAsync(regular);
        await app.GrantAsync(owner, regular, VendorFlow.Details([Datatypes.Email]));
        Assert.NotEqual(0, await AccessTokensAsync(app, regular));

        app.Time.Advance(TimeSpan.FromDays(20));
        var recent = await app.RegisterVendorAsync("Recent");
        app.Time.Advance(TimeSpan.FromDays(11));

        await SymbolonApplicationFactory.WaitUntilAsync(async () =>
        {
            // The job waits an hour between runs on the fake clock; each poll moves it on.
            app.Time.Advance(TimeSpan.FromMinutes(30));
            return !(await ClientIdsAsync(app)).Contains(lurker.ClientId);
        }, "the unused registration to be pruned");

        var left = await ClientIdsAsync(app);
        Assert.Contains(regular.ClientId, left);
        Assert.Contains(recent.ClientId, left);
        Assert.False(await ApplicationExistsAsync(app, lurker));
        Assert.True(await ApplicationExistsAsync(app, recent));
        Assert.Equal(0, await AccessTokensAsync(app, regular));
    }

    private static async Task<string> PageAsync(HttpClient owner, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await owner.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    // Note: read from the database, since the owner's session does not last the month the clock moves.
    private static async Task<List<string>> ClientIdsAsync(SymbolonApplicationFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SymbolonDbContext>().Relationships.Select(r => r.ClientId).ToListAsync();
    }

    private static async Task<bool> ApplicationExistsAsync(SymbolonApplicationFactory app, RegisteredVendor vendor)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>().FindByClientIdAsync(vendor.ClientId) is not null;
    }

    private static async Task<int> AccessTokensAsync(SymbolonApplicationFactory app, RegisteredVendor vendor)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
        var application = await applications.FindByClientIdAsync(vendor.ClientId) ?? throw new InvalidOperationException("No such client.");
        var count = 0;
        await foreach (var token in tokens.FindByApplicationIdAsync((await applications.GetIdAsync(application))!))
        {
            count += (await tokens.GetTypeAsync(token))?.Contains("access_token", StringComparison.Ordinal) == true ? 1 : 0;
        }

        return count;
    }

    [GeneratedRegex("data-testid=\"relationship-card\"")]
    private static partial Regex Cards();

    [GeneratedRegex("data-unconfirmed=\"true\"")]
    private static partial Regex Unconfirmed();
}
