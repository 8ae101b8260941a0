using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Symbolon.Contracts.Statements;

namespace Symbolon.Server.Tests;

/// <summary>Statement imports, profiles and the transaction listing through the owner API.</summary>
public sealed class StatementImportApiTests
{
    private const string Csv = """
        Buchungstag;Verwendungszweck;Beguenstigter/Zahlungspflichtiger;Betrag
        02.01.2025;KARTENZAHLUNG WOMBAT-ROESTEREI;Wombat Kaffee;-3,40
        03.01.2025;Monatsbeitrag;Kletterhalle Nord;-49,00
        05.01.2025;Lohn Dezember;Firma GmbH;2.345,67
        """;

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task A_statement_uploaded_twice_is_added_once_and_listed_with_filters(StorageKind storage)
    {
        using var app = new SymbolonApplicationFactory(storage);
        var (owner, _) = await app.CreateVaultAsync();
        var map = Uri.EscapeDataString("date=Buchungstag,amount=Betrag,description=Verwendungszweck,merchant=Beguenstigter/Zahlungspflichtiger,dateFormat=dd.MM.yyyy,decimal=comma,delimiter=semicolon,account=Giro");

        var first = await PostAsync(owner, $"/owner/api/v1/imports?format=csv&fileName=jan.csv&map={map}", Encoding.UTF8.GetBytes(Csv));
        var second = await PostAsync(owner, $"/owner/api/v1/imports?map={map}", Encoding.UTF8.GetBytes(Csv));

        Assert.Equal((3, 3, 0, "jan.csv"), (first.Parsed, first.Added, first.DuplicatesSkipped, first.FileName));
        Assert.Equal((0, 3), (second.Added, second.DuplicatesSkipped));
        var history = await owner.GetFromJsonAsync<List<ImportSummary>>("/owner/api/v1/imports", SymbolonApplicationFactory.Json);
        Assert.Equal([second.ImportId, first.ImportId], history!.Select(h => h.ImportId));

        var all = await owner.GetFromJsonAsync<TransactionPage>("/owner/api/v1/transactions", SymbolonApplicationFactory.Json);
        Assert.Equal([2345.67m, -49.00m, -3.40m], all!.Items.Select(t => t.Amount));
        var coffee = await owner.GetFromJsonAsync<TransactionPage>("/owner/api/v1/transactions?text=wombat&max=0", SymbolonApplicationFactory.Json);
        var item = Assert.Single(coffee!.Items);
        Assert.Equal((new DateOnly(2025, 1, 2), "Wombat Kaffee", "coffee", "Giro"), (item.Date, item.Merchant, item.Category, item.Account));
        var page = await owner.GetFromJsonAsync<TransactionPage>("/owner/api/v1/transactions?limit=2", SymbolonApplicationFactory.Json);
        var rest = await owner.GetFromJsonAsync<TransactionPage>($"/owner/api/v1/transactions?limit=2&cursor={page!.NextCursor}", SymbolonApplicationFactory.Json);
        Assert.Equal(all.Items, page.Items.Concat(rest!.Items));
        Assert.Null(rest.NextCursor);
    }

    [Fact]
    public async Task A_saved_profile_imports_a_multipart_upload_in_one_step()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        var mapping = new CsvMapping(Date: "Buchungstag", Amount: "Betrag", Description: "Verwendungszweck", DateFormat: "dd.MM.yyyy", DecimalSeparator: ",", ThousandsSeparator: ".", Delimiter: ";", Account: "Giro");
        var put = await owner.PutAsJsonAsync("/owner/api/v1/import-profiles/My%20bank", mapping, SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(Csv)), "file", "statement.csv" },
            { new StringContent("My bank"), "profile" },
        };
        var response = await owner.PostAsync("/owner/api/v1/imports", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = await response.Content.ReadFromJsonAsync<ImportSummary>(SymbolonApplicationFactory.Json);
        Assert.Equal((3, "statement.csv"), (summary!.Added, summary.FileName));
        var profiles = await owner.GetFromJsonAsync<List<ImportProfile>>("/owner/api/v1/import-profiles", SymbolonApplicationFactory.Json);
        Assert.Equal([new ImportProfile("My bank", mapping)], profiles);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync("/owner/api/v1/import-profiles/my%20bank")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync("/owner/api/v1/import-profiles/My%20bank")).StatusCode);
    }

    [Fact]
    public async Task A_broken_statement_is_a_problem_naming_the_line_and_imports_nothing_nor_echoes_or_logs_values()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        var broken = Csv.Replace("-49,00", "PANGOLIN-SECRET", StringComparison.Ordinal);
        var map = Uri.EscapeDataString("date=Buchungstag,amount=Betrag,description=Verwendungszweck,dateFormat=dd.MM.yyyy,decimal=comma,delimiter=semicolon");

        var response = await owner.PostAsync($"/owner/api/v1/imports?map={map}", new ByteArrayContent(Encoding.UTF8.GetBytes(broken)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("SYM2001", text, StringComparison.Ordinal);
        Assert.Contains("Line 3: column 'Betrag' is not an amount", text, StringComparison.Ordinal);
        Assert.DoesNotContain("PANGOLIN", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Kletterhalle", text, StringComparison.Ordinal);
        Assert.Empty((await owner.GetFromJsonAsync<List<ImportSummary>>("/owner/api/v1/imports", SymbolonApplicationFactory.Json))!);
        Assert.DoesNotContain(app.Logs, l => l.Contains("PANGOLIN", StringComparison.Ordinal) || l.Contains("WOMBAT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Statements_larger_than_the_JSON_limit_are_accepted_on_the_import_endpoint_only()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        var large = new StringBuilder("Date,Description,Amount\n");
        for (var i = 0; i < 12_000; i++)
        {
            large.Append(new DateOnly(2024, 1, 1).AddDays(i % 365).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).Append(",CARD PAYMENT STORE ").Append(i).Append(",-").Append(i % 97).Append(".50\n");
        }

        var bytes = Encoding.UTF8.GetBytes(large.ToString());
        Assert.True(bytes.Length > 256 * 1024);

        var summary = await PostAsync(owner, "/owner/api/v1/imports", bytes);
        var profile = await owner.PutAsync("/owner/api/v1/import-profiles/x", new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });

        Assert.Equal(12_000, summary.Added);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, profile.StatusCode);
    }

    [Fact]
    public async Task Locked_vaults_and_anonymous_callers_get_nothing()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        await PostAsync(owner, "/owner/api/v1/imports?format=ofx", Encoding.UTF8.GetBytes("OFXHEADER:100\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>1</BANKACCTFROM><BANKTRANLIST><STMTTRN><DTPOSTED>20250101<TRNAMT>-1.00<FITID>A<NAME>X</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"));

        var anonymous = app.CreateOwnerClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/owner/api/v1/transactions")).StatusCode);
        await owner.PostAsync("/owner/api/v1/vault/lock", null);
        var locked = await owner.GetAsync("/owner/api/v1/transactions");
        Assert.True(locked.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Locked, $"got {locked.StatusCode}");
    }

    private static async Task<ImportSummary> PostAsync(HttpClient owner, string uri, byte[] body)
    {
        var response = await owner.PostAsync(uri, new ByteArrayContent(body));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ImportSummary>(SymbolonApplicationFactory.Json))!;
    }
}
