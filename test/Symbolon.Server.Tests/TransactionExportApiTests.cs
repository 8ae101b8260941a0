using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Symbolon.Contracts.Statements;

namespace Symbolon.Server.Tests;

/// <summary>The filtered transactions as downloads and totals, through the owner API.</summary>
public sealed class TransactionExportApiTests
{
    private const string Csv = """
        Date,Description,Payee,Amount,Currency
        2025-01-02,CARD PAYMENT,Wombat Coffee,-3.40,EUR
        2025-01-03,=SUM(A1:A2),Climbing Hall,-49.00,EUR
        2025-01-05,Salary December,Employer Ltd,2345.67,EUR
        2025-01-06,CARD PAYMENT,Wombat Coffee,-4.10,GBP
        """;

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task The_filtered_transactions_download_as_csv_and_json_with_totals_per_currency(StorageKind storage)
    {
        using var app = new SymbolonApplicationFactory(storage);
        var (owner, _) = await app.CreateVaultAsync();
        var imported = await owner.PostAsync("/owner/api/v1/imports?fileName=jan.csv&map=merchant%3DPayee", new ByteArrayContent(Encoding.UTF8.GetBytes(Csv)));
        Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync());

        var json = await owner.GetAsync("/owner/api/v1/transactions/export?format=json&text=wombat");
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal("transactions-2026-11-23.json", json.Content.Headers.ContentDisposition?.FileNameStar ?? json.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var items = JsonSerializer.Deserialize<List<TransactionItem>>(await json.Content.ReadAsStringAsync(), SymbolonApplicationFactory.Json)!;
        Assert.Equal([-4.10m, -3.40m], items.Select(i => i.Amount));

        var csv = await owner.GetStringAsync("/owner/api/v1/transactions/export?format=csv&max=0&from=2025-01-01&to=2025-01-04");
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("date,amount,currency,description,merchant,category,account,id", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("2025-01-03,-49.00,EUR,'=SUM(A1:A2),Climbing Hall,uncategorized,default,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("2025-01-02,-3.40,EUR,CARD PAYMENT,Wombat Coffee,coffee,default,", lines[2], StringComparison.Ordinal);

        var totals = await owner.GetFromJsonAsync<TransactionTotalsResponse>("/owner/api/v1/transactions/totals", SymbolonApplicationFactory.Json);
        Assert.Equal((4, new DateOnly(2025, 1, 2), new DateOnly(2025, 1, 6)), (totals!.Count, totals.First, totals.Last));
        Assert.Equal([new TransactionCurrencyTotal("EUR", 3, 2345.67m, -52.40m), new TransactionCurrencyTotal("GBP", 1, 0m, -4.10m)], totals.Currencies);
        var coffee = await owner.GetFromJsonAsync<TransactionTotalsResponse>("/owner/api/v1/transactions/totals?category=coffee", SymbolonApplicationFactory.Json);
        Assert.Equal(2, coffee!.Count);

        var wrong = await owner.GetAsync("/owner/api/v1/transactions/export?format=xlsx");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("SYM1003", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var anonymous = app.CreateOwnerClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/owner/api/v1/transactions/export")).StatusCode);
    }
}
