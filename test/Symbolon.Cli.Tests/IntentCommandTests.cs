using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Symbolon.Cli.Infrastructure;
using Symbolon.Contracts.Intents;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Cli.Tests;

/// <summary><c>intent new | list | show | offers | decline | withdraw | exchanges</c> against a real vendor relationship, in remote and then local mode.</summary>
public sealed class IntentCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task An_intent_is_made_answered_by_a_related_vendor_compared_and_withdrawn_in_remote_then_local_mode()
    {
        var deadline = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(10)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string intentId;
        string vendorId;
        await using (var server = await RunningServer.StartAsync(_cli.DataDirectory))
        {
            _cli.Environment["SYMBOLON_SERVER"] = server.Url.ToString();
            await _cli.InitAsync();
            using var vendor = await VendorOverHttp.RegisterAsync(server.Url, "Harbour Boots");
            var (accessToken, _) = await vendor.GrantAsync(CliHarness.Passphrase, ["profile.email"], "Tell you when your boots arrive");

            // A preview shows what a vendor sees and which signals there are; nothing is stored.
            var preview = (await _cli.RunAsync(
                "intent", "new", "--title", "Winter boots", "--category", "shoes", "--budget", "150", "--currency", "EUR",
                "--country", "NL", "--postal-prefix", "35", "--size", "44", "--deadline", deadline, "--vendor", vendor.ClientId, "--preview")).Succeeded().Stdout;
            Assert.Contains("\"title\": \"Winter boots\"", preview, StringComparison.Ordinal);
            Assert.Contains("bought_in_category_before: not available", preview, StringComparison.Ordinal);
            Assert.Contains("Harbour Boots", preview, StringComparison.Ordinal);
            Assert.Empty((await _cli.RunAsync("intent", "list", "--json")).Succeeded().Json<List<IntentSummary>>());

            var created = (await _cli.RunAsync(
                "intent", "new", "--title", "Winter boots", "--category", "shoes", "--budget", "150", "--currency", "EUR",
                "--country", "NL", "--postal-prefix", "35", "--size", "44", "--deadline", deadline, "--vendor", vendor.ClientId, "--json")).Succeeded().Json<IntentDetail>();
            intentId = created.Summary.Id;
            Assert.Equal("Harbour Boots", Assert.Single(created.Relationships).Name);

            // The vendor reads it and offers, over the vendor API.
            using var api = new HttpClient { BaseAddress = server.Url };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/v1/intents/{intentId}")).StatusCode);
            var offer = new IntentOfferInput(
                [new IntentOfferItem("Boots, size 44", 1, 129m)], 129m, "EUR", DateTimeOffset.UtcNow.AddDays(5),
                DeliveryDate: DateOnly.FromDateTime(DateTime.UtcNow.AddDays(8)), Terms: "Free returns within 30 days.");
            var made = await api.PostAsJsonAsync($"/api/v1/intents/{intentId}/offers", offer);
            Assert.True(made.StatusCode == HttpStatusCode.Created, await made.Content.ReadAsStringAsync());

            var listed = Assert.Single((await _cli.RunAsync("intent", "list", "--json")).Succeeded().Json<List<IntentSummary>>());
            Assert.Equal((intentId, IntentStatuses.Open, 1, 1), (listed.Id, listed.Status, listed.OfferCount, listed.OpenOfferCount));
            var offers = (await _cli.RunAsync("intent", "offers", intentId)).Succeeded().Stdout;
            Assert.Contains("Harbour Boots", offers, StringComparison.Ordinal);
            Assert.Contains("+ price: EUR 129, EUR 21 under your budget", offers, StringComparison.Ordinal);
            Assert.Contains("2 days before your deadline", offers, StringComparison.Ordinal);
            Assert.Contains("Winter boots", (await _cli.RunAsync("intent", "show", intentId)).Succeeded().Stdout, StringComparison.Ordinal);

            var exchanges = (await _cli.RunAsync("intent", "exchanges", "add", "https://exchange.example/", "--json")).Succeeded().Json<IntentExchangeSettings>();
            Assert.Equal(["https://exchange.example"], exchanges.Exchanges);
            (await _cli.RunAsync("intent", "exchanges", "add", "ftp://exchange.example")).Failed();

            // To a vendor they relate to and to an exchange: the preview warns that the two could be linked.
            var linkable = (await _cli.RunAsync(
                "intent", "new", "--title", "Rain jacket", "--category", "clothing", "--budget", "80", "--currency", "EUR",
                "--country", "NL", "--vendor", vendor.ClientId, "--exchange", "https://exchange.example", "--preview")).Succeeded().Stdout;
            Assert.Contains("Warning: " + IntentWarnings.Linkable, linkable, StringComparison.Ordinal);
            Assert.DoesNotContain("Warning:", preview, StringComparison.Ordinal);
            vendorId = vendor.ClientId;
        }

        // No server now: the CLI opens the storage itself.
        _cli.Environment.Remove("SYMBOLON_SERVER");
        Assert.Contains("Winter boots", (await _cli.RunWithPassphraseAsync("intent", "list")).Succeeded().Stdout, StringComparison.Ordinal);
        Assert.Equal(["https://exchange.example"], (await _cli.RunWithPassphraseAsync("intent", "exchanges", "list", "--json")).Succeeded().Json<IntentExchangeSettings>().Exchanges);
        var ranked = (await _cli.RunWithPassphraseAsync("intent", "offers", intentId, "--json")).Succeeded().Json<IntentOfferList>();
        var only = Assert.Single(ranked.Offers);
        Assert.Equal((1, "Harbour Boots", IntentOfferStatuses.Open), (only.Rank, only.VendorName, only.Status));
        (await _cli.RunWithPassphraseAsync("intent", "decline", intentId, only.Id)).Succeeded();
        (await _cli.RunWithPassphraseAsync("intent", "decline", intentId, only.Id)).Failed();
        var withdrawn = (await _cli.RunWithPassphraseAsync("intent", "withdraw", intentId, "--json")).Succeeded().Json<IntentDetail>();
        Assert.Equal(IntentStatuses.Withdrawn, withdrawn.Summary.Status);
        var again = (await _cli.RunWithPassphraseAsync("intent", "withdraw", intentId)).Failed();
        Assert.Contains("closed", again.Stderr, StringComparison.OrdinalIgnoreCase);

        // Mistakes get a clear message naming the field, never echoing it.
        var bad = (await _cli.RunWithPassphraseAsync("intent", "new", "--title", "Coat", "--category", "clothing", "--budget", "80", "--currency", "EUR", "--country", "Narnia")).Failed();
        Assert.Contains("country", bad.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Narnia", bad.Stderr, StringComparison.OrdinalIgnoreCase);
        (await _cli.RunWithPassphraseAsync("intent", "new", "--title", "Coat", "--category", "clothing", "--budget", "lots", "--currency", "EUR", "--country", "NL")).Failed(ExitCodes.Usage);
        var missing = (await _cli.RunWithPassphraseAsync("intent", "show", "int_AAAAAAAAAAAAAAAAAAAAAA")).Failed();
        Assert.Contains("no intent", missing.Stderr, StringComparison.OrdinalIgnoreCase);

        // Made so (here in local mode, where nothing is posted until a server runs), the same warning is printed.
        var sent = (await _cli.RunWithPassphraseAsync(
            "intent", "new", "--title", "Rain jacket", "--category", "clothing", "--budget", "80", "--currency", "EUR",
            "--country", "NL", "--vendor", vendorId, "--exchange", "https://exchange.example")).Succeeded().Stdout;
        Assert.Contains("Warning: " + IntentWarnings.Linkable, sent, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
