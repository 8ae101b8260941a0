using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Symbolon.Contracts.LoyaltyCards;
using Symbolon.Contracts.Problems;

namespace Symbolon.Server.Tests.LoyaltyCards;

/// <summary>The owner API for kept loyalty cards, on both storage providers.</summary>
public sealed class LoyaltyCardApiTests
{
    private const string Cards = "/owner/api/v1/loyalty-cards";

    private static string SampleExport() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "LoyaltyCards", "catima-export.csv"));

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task A_card_is_added_read_changed_and_deleted(StorageKind storage)
    {
        using var app = new SymbolonApplicationFactory(storage);
        var (owner, _) = await app.CreateVaultAsync();

        var created = await owner.PostAsJsonAsync(Cards, new LoyaltyCardInput("City Library", "LIB 20931", BarcodeFormats.Code39, HeaderColor: "#67bf74", Groups: ["Books"]), SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var card = (await created.Content.ReadFromJsonAsync<LoyaltyCard>(SymbolonApplicationFactory.Json))!;
        Assert.Equal($"{Cards}/{card.Id}", created.Headers.Location!.OriginalString);
        Assert.Equal(("City Library", "LIB 20931", "CODE_39", "#67BF74", 1), (card.Store, card.CardNumber, card.BarcodeFormat, card.HeaderColor, card.Version));
        Assert.Equal("LIB 20931", card.BarcodeContent);

        var read = await owner.GetFromJsonAsync<LoyaltyCard>($"{Cards}/{card.Id}", SymbolonApplicationFactory.Json);
        Assert.Equal(card.Id, read!.Id);

        app.Time.Advance(TimeSpan.FromMinutes(5));
        var changed = await owner.PutAsJsonAsync($"{Cards}/{card.Id}", new LoyaltyCardInput("City Library", "LIB 20931", BarcodeFormats.Code39, Note: "Renew in May", ExpectedVersion: 1), SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var stale = await owner.PutAsJsonAsync($"{Cards}/{card.Id}", new LoyaltyCardInput("City Library", "LIB 1", ExpectedVersion: 1), SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);

        var list = await owner.GetFromJsonAsync<List<LoyaltyCard>>(Cards, SymbolonApplicationFactory.Json);
        var only = Assert.Single(list!);
        Assert.Equal((2, "Renew in May", app.Time.GetUtcNow()), (only.Version, only.Note, only.UpdatedAt));

        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"{Cards}/{card.Id}?expectedVersion=2")).StatusCode);
        Assert.Empty((await owner.GetFromJsonAsync<List<LoyaltyCard>>(Cards, SymbolonApplicationFactory.Json))!);
        var gone = await owner.GetAsync($"{Cards}/{card.Id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(ProblemCodes.RecordNotFound, await CodeOf(gone));
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task A_Catima_export_is_imported_and_exported_again_with_the_same_cards(StorageKind storage)
    {
        using var app = new SymbolonApplicationFactory(storage);
        var (owner, _) = await app.CreateVaultAsync();

        var imported = await owner.PostAsync($"{Cards}/import/catima", Csv(SampleExport()));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var result = (await imported.Content.ReadFromJsonAsync<LoyaltyCardImportResult>(SymbolonApplicationFactory.Json))!;
        Assert.Equal(9, result.Imported);
        Assert.Equal("Albert Heijn", result.Cards[0].Store);

        var export = await owner.GetAsync($"{Cards}/export/catima");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", export.Content.Headers.ContentDisposition!.DispositionType);
        var csv = await export.Content.ReadAsStringAsync();
        Assert.StartsWith("2\r\n\r\n_id\r\n", csv, StringComparison.Ordinal);

        // Into a second vault and out again: the same file, so the same cards.
        using var other = new SymbolonApplicationFactory(storage);
        var (otherOwner, _) = await other.CreateVaultAsync();
        Assert.Equal(HttpStatusCode.OK, (await otherOwner.PostAsync($"{Cards}/import/catima", Csv(csv))).StatusCode);
        Assert.Equal(csv, await otherOwner.GetStringAsync($"{Cards}/export/catima"));
        var before = await owner.GetFromJsonAsync<List<LoyaltyCard>>(Cards, SymbolonApplicationFactory.Json);
        var after = await otherOwner.GetFromJsonAsync<List<LoyaltyCard>>(Cards, SymbolonApplicationFactory.Json);
        Assert.Equal(
            before!.Select(c => (c.Store, c.CardNumber, c.BarcodeValue, c.BarcodeFormat, c.Note, c.Expiry, c.Balance, c.BalanceCurrency, c.HeaderColor, c.Starred, c.Archived, string.Join('|', c.Groups))),
            after!.Select(c => (c.Store, c.CardNumber, c.BarcodeValue, c.BarcodeFormat, c.Note, c.Expiry, c.Balance, c.BalanceCurrency, c.HeaderColor, c.Starred, c.Archived, string.Join('|', c.Groups))));

        // The cards are in the vault's own JSON export too.
        var json = await owner.GetStringAsync("/owner/api/v1/export");
        Assert.Equal(9, JsonDocument.Parse(json).RootElement.GetProperty("records").EnumerateArray().Count(r => r.GetProperty("type").GetString() == "loyalty_card"));
    }

    [Fact]
    public async Task Catimas_zip_export_with_its_photos_is_imported_and_a_file_over_the_limit_is_refused_up_front()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();

        // Catima's .zip: catima.csv with a photo per card, together well over the JSON endpoints' 256 KiB.
        using var buffer = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            var photo = new byte[400 * 1024];
            Random.Shared.NextBytes(photo);
            await using (var stream = await zip.CreateEntry("card_2_front.jpg").OpenAsync())
            {
                await stream.WriteAsync(photo);
            }

            await using (var stream = await zip.CreateEntry("catima.csv").OpenAsync())
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(SampleExport()));
            }
        }

        var body = new ByteArrayContent(buffer.ToArray());
        body.Headers.ContentType = new("application/zip");
        var imported = await owner.PostAsync($"{Cards}/import/catima", body);
        Assert.True(imported.StatusCode == HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());
        Assert.Equal(9, (await imported.Content.ReadFromJsonAsync<LoyaltyCardImportResult>(SymbolonApplicationFactory.Json))!.Imported);

        var tooLarge = new ByteArrayContent(new byte[(16 * 1024 * 1024) + 1]);
        tooLarge.Headers.ContentType = new("application/zip");
        var refused = await owner.PostAsync($"{Cards}/import/catima", tooLarge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("at most 16 MiB", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_file_is_a_problem_naming_lines_and_columns_and_imports_nothing()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        var broken = SampleExport()
            .Replace("LIB 20931,,CODE_39", "LIB 20931,,CODE_11", StringComparison.Ordinal)
            .Replace("2620001234563,,EAN_13", "2620001234560,,EAN_13", StringComparison.Ordinal);

        var response = await owner.PostAsync($"{Cards}/import/catima", Csv(broken));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(ProblemCodes.CatimaImportInvalid, problem.GetProperty("code").GetString());
        Assert.Equal(["line 14, barcodetype", "line 9, cardid"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Empty((await owner.GetFromJsonAsync<List<LoyaltyCard>>(Cards, SymbolonApplicationFactory.Json))!);
    }

    [Fact]
    public async Task A_card_number_that_does_not_fit_its_format_is_refused_naming_the_field()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();

        var response = await owner.PostAsJsonAsync(Cards, new LoyaltyCardInput("Grocer", "4006381333932", BarcodeFormats.Ean13), SymbolonApplicationFactory.Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(ProblemCodes.LoyaltyCardInvalid, problem.GetProperty("code").GetString());
        Assert.Contains("check digit", problem.GetProperty("errors").GetProperty("cardNumber")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Card_values_never_appear_in_errors_logs_or_the_database_file()
    {
        const string Secret = "MARMOT-CARD-4417";
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();

        // Refused: a value that no format check can accept, and a Catima row with the same value and a bad type.
        var bodies = new HttpResponseMessage[]
        {
            await owner.PostAsJsonAsync(Cards, new LoyaltyCardInput("Shop", Secret + "é", BarcodeFormats.Code39), SymbolonApplicationFactory.Json),
            await owner.PostAsJsonAsync(Cards, new LoyaltyCardInput("Shop", "1", BarcodeFormats.QrCode, HeaderColor: Secret), SymbolonApplicationFactory.Json),
            await owner.PostAsync($"{Cards}/import/catima", Csv(SampleExport().Replace("PH-55-0193,,DATA_MATRIX", Secret + ",,CODE_11", StringComparison.Ordinal))),
            await owner.PostAsync($"{Cards}/import/catima", Csv("2\r\n\r\n_id\r\n\r\n" + string.Join(',', "_id,store,cardid".Split(',')) + "\r\n1,\"" + Secret)),
        };
        foreach (var response in bodies)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Stored: sealed in the database, never logged.
        await owner.PostAsJsonAsync(Cards, new LoyaltyCardInput("Marmot Market " + Secret, Secret, BarcodeFormats.Code128, Note: "Note " + Secret), SymbolonApplicationFactory.Json);
        Assert.Contains(Secret, await owner.GetStringAsync($"{Cards}/export/catima"), StringComparison.Ordinal);
        await owner.PostAsync("/owner/api/v1/vault/lock", null);

        Assert.DoesNotContain(Secret, string.Join("\n", app.Logs), StringComparison.Ordinal);
        foreach (var (name, bytes) in ConfidentialityTests.ReadStoreFiles(app.DataDirectory))
        {
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Secret)) < 0, $"The card number was found in {name}.");
        }
    }

    [Fact]
    public async Task Cards_need_the_owner_and_an_unlocked_vault()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();

        var anonymous = app.CreateOwnerClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Cards)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"{Cards}/import/catima", Csv(SampleExport()))).StatusCode);

        await owner.PostAsync("/owner/api/v1/vault/lock", null);
        var locked = await owner.GetAsync(Cards);
        Assert.True(locked.StatusCode is HttpStatusCode.Unauthorized or (HttpStatusCode)423, $"A locked vault answered {locked.StatusCode}.");
    }

    private static async Task<string?> CodeOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();
}
