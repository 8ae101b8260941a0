using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Contracts.Vendor;
using Symbolon.Contracts.Wallet;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests.Wallet;

/// <summary>Receipts, loyalty programmes and check-ins through the vendor API and the owner API, on both providers.</summary>
public sealed class WalletApiTests
{
    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task A_receipt_is_stored_once_shown_in_the_purchase_history_and_read_back_by_its_vendor_only(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        var (owner, _) = await factory.CreateVaultAsync();
        var (_, _, coffeeApi) = await factory.WalletVendorAsync(owner, "Blue Door Coffee");
        var (_, _, bakeryApi) = await factory.WalletVendorAsync(owner, "Corner Bakery");

        var receipt = WalletFlow.Receipt("Flat white kestrel-7781");
        var first = await DataApiTests.SendAsync(coffeeApi, HttpMethod.Post, "/api/v1/receipts", receipt, "sale-42");
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.Created, firstBody);
        var retry = await DataApiTests.SendAsync(coffeeApi, HttpMethod.Post, "/api/v1/receipts", receipt, "sale-42");
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
        await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(coffeeApi, HttpMethod.Post, "/api/v1/receipts", receipt with { ReceiptNumber = "R-1002" }, "sale-42"), HttpStatusCode.UnprocessableEntity, "SYM1406");
        Assert.Equal(1, await CountAsync(factory, "receipt"));

        // The person's purchase history has it at once, attributed to the vendor, line by line.
        var history = (await owner.GetFromJsonAsync<List<WalletReceipt>>("/owner/api/v1/receipts", SymbolonApplicationFactory.Json))!;
        var stored = Assert.Single(history);
        Assert.Equal("Blue Door Coffee", stored.Vendor!.Name);
        Assert.Equal(10.20m, stored.Receipt.Total);
        Assert.Equal(["Flat white kestrel-7781", "Almond croissant"], stored.Receipt.Lines.Select(l => l.Description));
        Assert.Equal(stored.Id, (await owner.GetFromJsonAsync<WalletReceipt>($"/owner/api/v1/receipts/{stored.Id}", SymbolonApplicationFactory.Json))!.Id);
        Assert.Empty((await owner.GetFromJsonAsync<List<WalletReceipt>>($"/owner/api/v1/receipts?from={Uri.EscapeDataString("2026-11-23T00:00:00Z")}", SymbolonApplicationFactory.Json))!);
        Assert.Single((await owner.GetFromJsonAsync<List<WalletReceipt>>($"/owner/api/v1/receipts?relationshipId={stored.Vendor.RelationshipId}", SymbolonApplicationFactory.Json))!);

        // The vendor reads its own receipt back; another vendor with the same grant sees none, nor in its feed.
        var own = (await coffeeApi.GetFromJsonAsync<List<VendorReceipt>>("/api/v1/receipts"))!;
        Assert.Equal(JsonSerializer.Deserialize<VendorReceipt>(firstBody)!.Id, Assert.Single(own).Id);
        var other = await bakeryApi.GetStringAsync("/api/v1/receipts");
        Assert.Equal("[]", other);
        var coffeeFeed = (await coffeeApi.GetFromJsonAsync<ChangeFeedPage>("/api/v1/changes"))!;
        Assert.Equal(Datatypes.Receipts, Assert.Single(coffeeFeed.Changes).Datatype);
        Assert.Empty((await bakeryApi.GetFromJsonAsync<ChangeFeedPage>("/api/v1/changes"))!.Changes);

        var log = await factory.AccessLogAsync();
        Assert.Contains(log, l => l.Action == DataActions.Append && l.Allowed && l.StatusCode == 201 && l.Datatypes == Datatypes.Receipts);
        Assert.Contains(log, l => l.Action == DataActions.Append && !l.Allowed && l.StatusCode == 422 && l.Datatypes == Datatypes.Receipts);
    }

    public static IEnumerable<object[]> BadReceipts() =>
    [
        ["negative quantity", (Func<ReceiptInput, ReceiptInput>)(r => r with { Lines = [r.Lines[0], r.Lines[1] with { Quantity = -1 }] }), "lines[1].quantity"],
        ["zero quantity", (Func<ReceiptInput, ReceiptInput>)(r => r with { Lines = [r.Lines[0] with { Quantity = 0 }, r.Lines[1]] }), "lines[0].quantity"],
        ["line total off", (Func<ReceiptInput, ReceiptInput>)(r => r with { Lines = [r.Lines[0] with { LineTotal = 6.41m }, r.Lines[1]] }), "lines[0].line_total"],
        ["subtotal off", (Func<ReceiptInput, ReceiptInput>)(r => r with { Subtotal = 9.36m, Total = 10.21m }), "subtotal"],
        ["tax total off", (Func<ReceiptInput, ReceiptInput>)(r => r with { TaxTotal = 0.86m, Total = 10.21m }), "tax_total"],
        ["total off", (Func<ReceiptInput, ReceiptInput>)(r => r with { Total = 10.19m }), "total"],
        ["unknown currency", (Func<ReceiptInput, ReceiptInput>)(r => r with { Currency = "XQZ" }), "currency"],
        ["lower-case currency", (Func<ReceiptInput, ReceiptInput>)(r => r with { Currency = "eur" }), "currency"],
        ["sub-cent price", (Func<ReceiptInput, ReceiptInput>)(r => r with { Lines = [r.Lines[0] with { UnitPrice = 3.205m }, r.Lines[1]] }), "lines[0].unit_price"],
        ["yen with cents", (Func<ReceiptInput, ReceiptInput>)(r => r with { Currency = "JPY" }), "lines[0].unit_price"],
        ["negative tax", (Func<ReceiptInput, ReceiptInput>)(r => r with { Lines = [r.Lines[0], r.Lines[1] with { Tax = -0.27m }] }), "lines[1].tax"],
        ["no lines", (Func<ReceiptInput, ReceiptInput>)(r => r with { Lines = [], Subtotal = 0, TaxTotal = 0, Total = 0 }), "lines"],
        ["blank store", (Func<ReceiptInput, ReceiptInput>)(r => r with { StoreName = "  " }), "store_name"],
        ["blank description", (Func<ReceiptInput, ReceiptInput>)(r => r with { Lines = [r.Lines[0], r.Lines[1] with { Description = "" }] }), "lines[1].description"],
    ];

    [Fact]
    public async Task Every_bad_receipt_is_refused_naming_the_field_never_the_value_and_nothing_is_stored()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var (_, _, api) = await factory.WalletVendorAsync(owner, "Blue Door Coffee");

        foreach (var row in BadReceipts())
        {
            var (what, change, field) = ((string)row[0], (Func<ReceiptInput, ReceiptInput>)row[1], (string)row[2]);
            var bad = change(WalletFlow.Receipt("Saffron-9931 bun", number: "Zebra-4410"));
            var response = await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/receipts", bad, "bad-" + what.Replace(' ', '-'));
            var problem = await DataApiTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "SYM1701");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{what}: {problem}");
            Assert.DoesNotContain("Saffron-9931", problem.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("Zebra-4410", problem.ToString(), StringComparison.Ordinal);
        }

        // Too many lines, and a body over the receipt limit, are 413 with the receipt's code; a body over the API's limit too.
        var lines = Enumerable.Range(0, 201).Select(i => new ReceiptLineInput("Sugar sachet", 1, 0.10m, 0, 0.10m)).ToList();
        var tooMany = WalletFlow.Receipt() with { Lines = lines, Subtotal = 20.10m, TaxTotal = 0, Total = 20.10m };
        var manyProblem = await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/receipts", tooMany, null), HttpStatusCode.RequestEntityTooLarge, "SYM1702");
        Assert.True(manyProblem.GetProperty("errors").TryGetProperty("lines", out _));
        var padded = JsonSerializer.Serialize(WalletFlow.Receipt()).Replace("{", "{" + new string(' ', 70 * 1024), StringComparison.Ordinal);
        await DataApiTests.AssertProblemAsync(await api.PostAsync("/api/v1/receipts", new StringContent(padded, Encoding.UTF8, "application/json")), HttpStatusCode.RequestEntityTooLarge, "SYM1702");
        var huge = JsonSerializer.Serialize(WalletFlow.Receipt()).Replace("{", "{" + new string(' ', 300 * 1024), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await api.PostAsync("/api/v1/receipts", new StringContent(huge, Encoding.UTF8, "application/json"))).StatusCode);

        // Nothing half-written: no receipt record, no version, no idempotency entry, no change-log row.
        Assert.Equal(0, await CountAsync(factory, "receipt"));
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
        Assert.Equal(0, await db.RecordVersions.CountAsync(v => v.Type == "receipt"));
        Assert.Equal(0, await db.ChangeLog.CountAsync(c => c.RecordType == "receipt"));
        Assert.Equal(0, await db.IdempotencyKeys.CountAsync());
        Assert.Empty((await owner.GetFromJsonAsync<List<WalletReceipt>>("/owner/api/v1/receipts", SymbolonApplicationFactory.Json))!);

        // A receipt whose prices include VAT adds up without adding the tax again; a correct one is then accepted.
        var included = WalletFlow.Receipt() with { TaxIncluded = true, Total = 9.35m };
        Assert.Equal(HttpStatusCode.Created, (await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/receipts", included, null)).StatusCode);
        var yen = new ReceiptInput("Kissa Tanpopo", new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(9)), "JPY", [new ReceiptLineInput("Coffee", 3, 480, 0, 1440)], 1440, 0, 1440, "cash", TaxIncluded: true);
        Assert.Equal(HttpStatusCode.Created, (await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/receipts", yen, null)).StatusCode);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Stamps_are_earned_and_redeemed_and_concurrent_redemptions_never_overdraw(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        var (owner, _) = await factory.CreateVaultAsync();
        var (_, _, coffeeApi) = await factory.WalletVendorAsync(owner, "Blue Door Coffee");
        var (_, _, booksApi) = await factory.WalletVendorAsync(owner, "Page Turner Books");
        var card = new LoyaltyProgrammeInput("Coffee card", LoyaltyProgrammeKinds.Stamps, "stamps", 10, "A free coffee");

        // The first event must describe the programme.
        var noProgramme = await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(coffeeApi, HttpMethod.Post, "/api/v1/loyalty/events", new LoyaltyEventInput(LoyaltyEventKinds.StampEarned), null), HttpStatusCode.BadRequest, "SYM1704");
        Assert.True(noProgramme.GetProperty("errors").TryGetProperty("programme", out _));

        var earned = await PostEventAsync(coffeeApi, new LoyaltyEventInput(LoyaltyEventKinds.StampEarned, Programme: card), "stamp-1");
        Assert.Equal(1, earned.BalanceAfter);
        Assert.Equal(1, (await PostEventAsync(coffeeApi, new LoyaltyEventInput(LoyaltyEventKinds.StampEarned, Programme: card), "stamp-1")).BalanceAfter);
        Assert.Equal(6, (await PostEventAsync(coffeeApi, new LoyaltyEventInput(LoyaltyEventKinds.StampEarned, 5), "stamp-2")).BalanceAfter);

        // Points kinds do not fit a stamp card; over-redeeming is refused and changes nothing.
        await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(coffeeApi, HttpMethod.Post, "/api/v1/loyalty/events", new LoyaltyEventInput(LoyaltyEventKinds.PointsEarned, 5), null), HttpStatusCode.BadRequest, "SYM1704");
        var over = await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(coffeeApi, HttpMethod.Post, "/api/v1/loyalty/events", new LoyaltyEventInput(LoyaltyEventKinds.StampsRedeemed, 7), "redeem-7"), HttpStatusCode.Conflict, "SYM1703");
        Assert.DoesNotContain("6", over.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        Assert.Equal(6, (await coffeeApi.GetFromJsonAsync<VendorLoyalty>("/api/v1/loyalty"))!.Balance);

        // Six concurrent redemptions of two stamps each against a balance of six: exactly three succeed.
        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => DataApiTests.SendAsync(coffeeApi, HttpMethod.Post, "/api/v1/loyalty/events", new LoyaltyEventInput(LoyaltyEventKinds.StampsRedeemed, 2), $"concurrent-{i}")));
        Assert.Equal(3, attempts.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(3, attempts.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        var loyalty = (await coffeeApi.GetFromJsonAsync<VendorLoyalty>("/api/v1/loyalty"))!;
        Assert.Equal(0, loyalty.Balance);
        Assert.Equal([1, 6, 4, 2, 0], loyalty.Events.Select(e => e.BalanceAfter));
        Assert.Equal("Coffee card", loyalty.Programme!.Name);

        // Ten stamps make a reward due; the reward takes them off the card.
        await PostEventAsync(coffeeApi, new LoyaltyEventInput(LoyaltyEventKinds.StampEarned, 10), null);
        Assert.True((await coffeeApi.GetFromJsonAsync<VendorLoyalty>("/api/v1/loyalty"))!.RewardDue);
        var reward = await PostEventAsync(coffeeApi, new LoyaltyEventInput(LoyaltyEventKinds.RewardIssued, 10), null);
        Assert.Equal("A free coffee", reward.Reward);
        Assert.Equal(0, reward.BalanceAfter);

        // Another vendor has its own programme and sees nothing of this one.
        var points = new LoyaltyProgrammeInput("Reader points", LoyaltyProgrammeKinds.Points, "points");
        await PostEventAsync(booksApi, new LoyaltyEventInput(LoyaltyEventKinds.PointsEarned, 120, points), null);
        var books = await booksApi.GetStringAsync("/api/v1/loyalty");
        Assert.DoesNotContain("Coffee card", books, StringComparison.Ordinal);
        Assert.Equal(120, JsonSerializer.Deserialize<VendorLoyalty>(books)!.Balance);

        // The person sees both programmes in one place.
        var programmes = (await owner.GetFromJsonAsync<List<WalletProgramme>>("/owner/api/v1/loyalty", SymbolonApplicationFactory.Json))!;
        Assert.Equal(["Coffee card", "Reader points"], programmes.Select(p => p.Programme.Name).Order(StringComparer.Ordinal));
        var coffee = programmes.Single(p => p.Programme.Name == "Coffee card");
        Assert.Equal(7, coffee.Events.Count);
        Assert.Equal("Blue Door Coffee", coffee.Vendor!.Name);
    }

    [Fact]
    public async Task A_check_in_is_seen_only_by_the_vendors_it_is_shared_with()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var (_, _, alphaApi) = await factory.WalletVendorAsync(owner, "Alpha Gym");
        var (_, _, betaApi) = await factory.WalletVendorAsync(owner, "Beta Books");
        var (_, _, gammaApi) = await factory.WalletVendorAsync(owner, "Gamma Grocer");
        var relationships = (await owner.GetFromJsonAsync<List<Contracts.Relationships.RelationshipSummary>>("/owner/api/v1/relationships", SymbolonApplicationFactory.Json))!;
        Guid Id(string name) => relationships.Single(r => r.VendorName == name).Id;
        var at = factory.Time.GetUtcNow().AddHours(-2);

        var nobody = await AddCheckInAsync(owner, new CheckInInput("Nobody-place 1101", at));
        await AddCheckInAsync(owner, new CheckInInput("Alpha-only 2202", at, "leg day", [Id("Alpha Gym")]));
        await AddCheckInAsync(owner, new CheckInInput("Group-place 3303", at, SharedWith: [Id("Beta Books"), Id("Gamma Grocer")]));
        var scanned = await DataApiTests.SendAsync(alphaApi, HttpMethod.Post, "/api/v1/checkins", new VendorCheckInInput("Alpha-scan 4404"), "scan-1");
        Assert.Equal(HttpStatusCode.Created, scanned.StatusCode);

        await AssertSeesAsync(alphaApi, ["Alpha-only 2202", "Alpha-scan 4404"]);
        await AssertSeesAsync(betaApi, ["Group-place 3303"]);
        await AssertSeesAsync(gammaApi, ["Group-place 3303"]);

        // The person edits sharing per check-in: the nobody one goes to Gamma, the scanned one is taken back from Alpha.
        var all = (await owner.GetFromJsonAsync<List<CheckIn>>("/owner/api/v1/check-ins", SymbolonApplicationFactory.Json))!;
        var scan = all.Single(c => c.Place == "Alpha-scan 4404");
        Assert.Equal("Alpha Gym", scan.RecordedBy!.Name);
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsJsonAsync($"/owner/api/v1/check-ins/{nobody.Id}/sharing", new CheckInSharing([Id("Gamma Grocer")]))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsJsonAsync($"/owner/api/v1/check-ins/{scan.Id}/sharing", new CheckInSharing([]))).StatusCode);
        await AssertSeesAsync(alphaApi, ["Alpha-only 2202"]);
        await AssertSeesAsync(betaApi, ["Group-place 3303"]);
        await AssertSeesAsync(gammaApi, ["Nobody-place 1101", "Group-place 3303"]);

        // Edit and delete; a relationship that is not the person's is refused by position.
        var edited = await owner.PutAsJsonAsync($"/owner/api/v1/check-ins/{nobody.Id}", new CheckInInput("Renamed-place 5505", at, null, [Id("Gamma Grocer")], nobody.Version + 1));
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        await AssertSeesAsync(gammaApi, ["Renamed-place 5505", "Group-place 3303"]);
        var stale = await owner.PutAsJsonAsync($"/owner/api/v1/check-ins/{nobody.Id}", new CheckInInput("Late-place", at, ExpectedVersion: nobody.Version));
        await DataApiTests.AssertProblemAsync(stale, HttpStatusCode.Conflict, "SYM1202");
        var unknown = await owner.PostAsJsonAsync("/owner/api/v1/check-ins", new CheckInInput("Somewhere", at, SharedWith: [Id("Beta Books"), Guid.NewGuid()]));
        var unknownProblem = await DataApiTests.AssertProblemAsync(unknown, HttpStatusCode.BadRequest, "SYM1705");
        Assert.True(unknownProblem.GetProperty("errors").TryGetProperty("sharedWith[1]", out _));
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/owner/api/v1/check-ins/{nobody.Id}")).StatusCode);
        await AssertSeesAsync(gammaApi, ["Group-place 3303"]);
        await DataApiTests.AssertProblemAsync(await owner.GetAsync($"/owner/api/v1/check-ins/{nobody.Id}"), HttpStatusCode.NotFound, "SYM1706");

        // Check-ins never appear in any vendor's change feed: sharing is inside the envelope.
        foreach (var api in new[] { alphaApi, betaApi, gammaApi })
        {
            Assert.DoesNotContain((await api.GetFromJsonAsync<ChangeFeedPage>("/api/v1/changes"))!.Changes, c => c.Datatype == Datatypes.CheckIns);
        }
    }

    private static readonly (string Method, string Path)[] Endpoints =
    [
        ("POST", "/api/v1/receipts"),
        ("GET", "/api/v1/receipts"),
        ("POST", "/api/v1/loyalty/events"),
        ("GET", "/api/v1/loyalty"),
        ("POST", "/api/v1/checkins"),
        ("GET", "/api/v1/checkins"),
    ];

    [Fact]
    public async Task Every_wallet_endpoint_refuses_no_grant_another_datatype_an_expired_grant_and_a_revoked_token()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var (_, _, notesOnly) = await factory.WalletVendorAsync(owner, "Notes Only", [Datatypes.Notes]);
        var (_, _, readOnly) = await factory.WalletVendorAsync(owner, "Read Only", actions: [DataActions.Read]);
        var (_, _, appendOnly) = await factory.WalletVendorAsync(owner, "Append Only", actions: [DataActions.Append]);
        var (revokedVendor, revokedTokens, revokedApi) = await factory.WalletVendorAsync(owner, "Revoked Radio");
        var (_, _, expiringApi) = await factory.WalletVendorAsync(owner, "Expired Eatery", expiry: "1d");
        var (goodVendor, goodTokens, goodApi) = await factory.WalletVendorAsync(owner, "Still Granted");

        // The vendor revokes its own access token (RFC 7009): the next call with it is refused.
        using (var client = factory.CreateVendorClient(revokedVendor))
        {
            Assert.True((await client.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = revokedTokens.AccessToken }))).IsSuccessStatusCode);
        }

        foreach (var (method, path) in Endpoints)
        {
            var write = method == "POST";
            await DataApiTests.AssertProblemAsync(await Call(notesOnly, method, path), HttpStatusCode.Forbidden, "SYM1403");
            await DataApiTests.AssertProblemAsync(await Call(write ? readOnly : appendOnly, method, path), HttpStatusCode.Forbidden, "SYM1403");
            await DataApiTests.AssertProblemAsync(await Call(revokedApi, method, path), HttpStatusCode.Unauthorized, "SYM1401");
            var allowed = await Call(write ? appendOnly : readOnly, method, path);
            Assert.True(allowed.IsSuccessStatusCode, $"{method} {path}: {allowed.StatusCode} {await allowed.Content.ReadAsStringAsync()}");
        }

        // A day later the one-day grant is over (its tokens with it); the person's revocation of a grant works at once too.
        factory.Time.Advance(TimeSpan.FromHours(25));
        using var refreshedGood = factory.CreateBearerClient(await RefreshAsync(factory, goodVendor, goodTokens));
        foreach (var (method, path) in Endpoints)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Call(expiringApi, method, path)).StatusCode);
            Assert.True((await Call(refreshedGood, method, path)).IsSuccessStatusCode, $"{method} {path}");
        }

        await RevokeGrantsAsync(factory, goodVendor);
        foreach (var (method, path) in Endpoints)
        {
            await DataApiTests.AssertProblemAsync(await Call(refreshedGood, method, path), HttpStatusCode.Unauthorized, "SYM1401");
        }
    }

    private static Task<HttpResponseMessage> Call(HttpClient api, string method, string path)
    {
        object body = path switch
        {
            "/api/v1/receipts" => WalletFlow.Receipt(),
            "/api/v1/loyalty/events" => new LoyaltyEventInput(LoyaltyEventKinds.StampEarned, Programme: new LoyaltyProgrammeInput("Card", LoyaltyProgrammeKinds.Stamps, "stamps")),
            _ => new VendorCheckInInput("Front desk"),
        };
        return method == "GET" ? api.GetAsync(path) : DataApiTests.SendAsync(api, HttpMethod.Post, path, body, null);
    }

    private static async Task<string> RefreshAsync(SymbolonApplicationFactory factory, RegisteredVendor vendor, VendorTokens tokens)
    {
        var response = await factory.TokenRequestAsync(vendor, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.RefreshToken! });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await VendorFlow.ReadTokensAsync(response)).AccessToken;
    }

    /// <summary>Revokes the vendor's grants through the owner side's revocation (the owner's cookie lapsed with the day that passed).</summary>
    internal static async Task RevokeGrantsAsync(SymbolonApplicationFactory factory, RegisteredVendor vendor)
    {
        using var scope = factory.Services.CreateScope();
        var relationships = scope.ServiceProvider.GetRequiredService<RelationshipService>();
        var relationship = (await relationships.FindByClientIdAsync(vendor.ClientId))!;
        var revocation = scope.ServiceProvider.GetRequiredService<GrantRevocation>();
        foreach (var grant in await relationships.ListGrantsAsync(relationship))
        {
            await revocation.RevokeGrantAsync(relationship.VaultId, grant.Id);
        }
    }

    private static async Task<VendorLoyaltyEvent> PostEventAsync(HttpClient api, LoyaltyEventInput input, string? key)
    {
        var response = await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/loyalty/events", input, key);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonSerializer.Deserialize<VendorLoyaltyEvent>(body)!;
    }

    private static async Task<CheckIn> AddCheckInAsync(HttpClient owner, CheckInInput input)
    {
        var response = await owner.PostAsJsonAsync("/owner/api/v1/check-ins", input, SymbolonApplicationFactory.Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CheckIn>(SymbolonApplicationFactory.Json))!;
    }

    private static async Task AssertSeesAsync(HttpClient api, string[] places)
    {
        var seen = (await api.GetFromJsonAsync<List<VendorCheckIn>>("/api/v1/checkins"))!;
        Assert.Equal(places.OrderBy(p => p, StringComparer.Ordinal), seen.Select(c => c.Place).OrderBy(p => p, StringComparer.Ordinal));
    }

    private static async Task<int> CountAsync(SymbolonApplicationFactory factory, string type)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<SymbolonDbContext>().Records.CountAsync(r => r.Type == type);
    }
}
