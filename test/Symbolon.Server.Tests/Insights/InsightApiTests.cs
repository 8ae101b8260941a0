using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Contracts.Insights;
using Symbolon.Contracts.Statements;
using Symbolon.Contracts.Vault;

namespace Symbolon.Server.Tests.Insights;

/// <summary>Categories and insights through the owner API, on the fixed data set of the core tests.</summary>
public sealed class InsightApiTests(SharedVault shared) : IClassFixture<SharedVault>
{
    internal const string CardMap = "date=Date,amount=Amount,description=Description,merchant=Merchant,currency=Currency,account=Visa";

    internal static async Task ImportCardAsync(HttpClient owner)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Insights", "TestData", "card.csv"));
        var response = await owner.PostAsync($"/owner/api/v1/imports?format=csv&fileName=card.csv&map={Uri.EscapeDataString(CardMap)}", new ByteArrayContent(bytes));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Spend_and_recategorizing_all_like_it_through_the_API_survive_lock_and_unlock(StorageKind storage)
    {
        using var app = new SymbolonApplicationFactory(storage);
        var (owner, _) = await app.CreateVaultAsync();
        await ImportCardAsync(owner);

        var spend = await owner.GetFromJsonAsync<SpendReport>("/owner/api/v1/insights/spend?date=2026-11-23&periods=2&category=coffee", SymbolonApplicationFactory.Json);
        var coffee = Assert.Single(spend!.Groups);
        Assert.Equal(("coffee", 18.70m, 9.10m, 105.5m), (coffee.Key, coffee.Current, coffee.Previous, coffee.ChangePercent));

        var rewe = (await owner.GetFromJsonAsync<TransactionPage>("/owner/api/v1/transactions?merchant=REWE", SymbolonApplicationFactory.Json))!.Items[0];
        var response = await owner.PutAsJsonAsync($"/owner/api/v1/transactions/{rewe.Id}/category", new RecategorizeInput("supermarket", AllLikeIt: true), SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<RecategorizeResult>(SymbolonApplicationFactory.Json);
        Assert.Equal(3, result!.Recategorized);

        await owner.PostAsync("/owner/api/v1/vault/lock", null);
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase))).StatusCode);

        var rules = await owner.GetFromJsonAsync<CategoryRuleList>("/owner/api/v1/category-rules", SymbolonApplicationFactory.Json);
        Assert.Equal((result.Rule!.Id, "supermarket", "REWE"), (rules!.Rules[0].Id, rules.Rules[0].Category, rules.Rules[0].Merchant));
        var categories = await owner.GetFromJsonAsync<List<CategoryCount>>("/owner/api/v1/categories", SymbolonApplicationFactory.Json);
        Assert.Contains(new CategoryCount("supermarket", 3), categories!);
        var visits = await owner.GetFromJsonAsync<VisitReport>("/owner/api/v1/insights/visits?category=coffee", SymbolonApplicationFactory.Json);
        Assert.Equal(["Starbucks", "Blue Door Coffee Berlin"], visits!.Merchants.Select(m => m.Merchant));
        var fees = await owner.GetFromJsonAsync<FeeReport>("/owner/api/v1/insights/fees", SymbolonApplicationFactory.Json);
        Assert.Equal(49.25m, Assert.Single(fees!.Accounts).Total);
        var newest = Assert.Single((await owner.GetFromJsonAsync<FeeReport>("/owner/api/v1/insights/fees?limit=1", SymbolonApplicationFactory.Json))!.Accounts);
        Assert.Equal((49.25m, 1, fees.Accounts[0].TransactionCount), (newest.Total, newest.Transactions.Count, newest.TransactionCount));
        Assert.Equal(fees.Accounts[0].Transactions[0], newest.Transactions[0]);
        var recurring = await owner.GetFromJsonAsync<RecurringReport>("/owner/api/v1/insights/recurring?asOf=2026-11-23", SymbolonApplicationFactory.Json);
        Assert.Equal([("Netflix", true), ("Spotify", false)], recurring!.Payments.Select(p => (p.Merchant, p.PriceIncreasedOn is not null)));
    }

    [Theory]
    [InlineData("/owner/api/v1/insights/spend?period=fortnight", "period")]
    [InlineData("/owner/api/v1/insights/spend?groupBy=vendor", "groupBy")]
    [InlineData("/owner/api/v1/insights/spend?periods=many", "periods")]
    [InlineData("/owner/api/v1/insights/spend?periods=0", "periods")]
    [InlineData("/owner/api/v1/insights/spend?currency=euros", "currency")]
    [InlineData("/owner/api/v1/insights/spend?date=2026-13-01", "date")]
    [InlineData("/owner/api/v1/insights/visits?from=2026-02-01&to=2026-01-01", "to")]
    [InlineData("/owner/api/v1/insights/visits?limit=100000", "limit")]
    [InlineData("/owner/api/v1/insights/fees?from=yesterday", "from")]
    [InlineData("/owner/api/v1/insights/fees?limit=0", "limit")]
    [InlineData("/owner/api/v1/insights/fees?limit=all", "limit")]
    [InlineData("/owner/api/v1/insights/recurring?asOf=soon", "asOf")]
    public async Task Bad_filters_are_problems_naming_the_parameter_never_its_value(string uri, string field)
    {
        var response = await shared.Owner.GetAsync(uri);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("SYM2101", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), body);
        // Values long enough to be told apart from the message's own words are never echoed.
        var value = Uri.UnescapeDataString(uri[(uri.LastIndexOf('=') + 1)..]);
        if (value.Length >= 4)
        {
            Assert.DoesNotContain(value, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bad_rules_orders_and_transaction_ids_are_refused_with_their_codes()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        await ImportCardAsync(owner);

        var secret = new string('x', 30) + "PANGOLIN-SECRET-CATEGORY";
        var invalid = await owner.PostAsJsonAsync("/owner/api/v1/category-rules", new CategoryRuleInput(secret, MinAmount: 5, MaxAmount: 1), SymbolonApplicationFactory.Json);
        await AssertProblemAsync(invalid, HttpStatusCode.BadRequest, "SYM2102", "category", "maxAmount");
        Assert.DoesNotContain("PANGOLIN", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var unknownField = await owner.PostAsync("/owner/api/v1/category-rules", JsonContent("""{"category":"coffee","keywords":["x"],"colour":"red"}"""));
        await AssertProblemAsync(unknownField, HttpStatusCode.BadRequest, "SYM1002");

        var order = await owner.PutAsJsonAsync("/owner/api/v1/category-rules/order", new CategoryRuleOrder([Guid.NewGuid()]), SymbolonApplicationFactory.Json);
        await AssertProblemAsync(order, HttpStatusCode.BadRequest, "SYM2105", "ids");

        var missingRule = await owner.DeleteAsync($"/owner/api/v1/category-rules/{Guid.NewGuid()}");
        await AssertProblemAsync(missingRule, HttpStatusCode.NotFound, "SYM2103");

        foreach (var id in new[] { "nonsense", $"{Guid.NewGuid():N}-0" })
        {
            var missing = await owner.PutAsJsonAsync($"/owner/api/v1/transactions/{id}/category", new RecategorizeInput("coffee"), SymbolonApplicationFactory.Json);
            await AssertProblemAsync(missing, HttpStatusCode.NotFound, "SYM2104");
        }

        var created = await owner.PostAsJsonAsync("/owner/api/v1/category-rules", new CategoryRuleInput("bakery", ["bakery", "bäckerei"]), SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain(app.Logs, l => l.Contains("PANGOLIN", StringComparison.Ordinal) || l.Contains("STARBUCKS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Locked_vaults_and_anonymous_callers_get_no_insights()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        await ImportCardAsync(owner);

        var anonymous = app.CreateOwnerClient();
        foreach (var uri in new[] { "/owner/api/v1/insights/spend", "/owner/api/v1/insights/visits", "/owner/api/v1/insights/fees", "/owner/api/v1/insights/recurring", "/owner/api/v1/category-rules", "/owner/api/v1/categories" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(uri)).StatusCode);
        }

        await owner.PostAsync("/owner/api/v1/vault/lock", null);
        var locked = await owner.GetAsync("/owner/api/v1/insights/spend");
        Assert.True(locked.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Locked, $"got {locked.StatusCode}");
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code, params string[] fields)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        foreach (var field in fields)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), body);
        }
    }
}
