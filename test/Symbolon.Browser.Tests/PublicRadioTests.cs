using System.Buffers.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NSec.Cryptography;
using PublicRadio.Station;
using Symbolon.Client;
using Symbolon.Contracts.Payments;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>
/// The sample station (samples/PublicRadio, built only on <c>Symbolon.Client</c>) next to the real Symbolon server:
/// the listener connects in the browser, listens, approves the station's bank details and pledges; the payment is
/// settled by an imported camt.053 statement (a second one is marked paid); the station hears of it by a signed webhook,
/// countersigns the record and counts the supporter.
/// </summary>
public sealed class PublicRadioTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task A_listener_connects_listens_pledges_and_pays_and_the_station_countersigns_the_record_and_counts_the_supporter()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await using var radio = await PublicRadioSite.StartAsync(app.Server.BaseUrl);
        await app.RunAsync(nameof(A_listener_connects_listens_pledges_and_pays_and_the_station_countersigns_the_record_and_counts_the_supporter), async () =>
        {
            var page = app.Page;
            await app.CreateVaultAndOpenProfileAsync();
            var dialog = await app.OpenAddDialogAsync("name");
            await WebApp.FillAsync(dialog, "Given name", "Ada");
            await WebApp.FillAsync(dialog, "Family name", "Lovelace");
            await app.SaveDialogAsync("Add");

            // The station's key pair was made at start, readable by its user only.
            var keyFile = Path.Combine(radio.DataDirectory.FullName, StationKeyStore.FileName);
            Assert.True(File.Exists(keyFile));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            }

            // At the station, in the same browser: connect, and consent to both things it asks for.
            await page.GotoAsync(radio.Url("/listen"));
            await Expect(page.GetByTestId("station-name")).ToHaveTextAsync("Radio Aurora");
            await Expect(page.GetByTestId("connect-vault")).ToHaveValueAsync(app.Server.BaseUrl.ToString());
            await page.GetByTestId("connect").ClickAsync();
            await Expect(page.GetByTestId("consent")).ToContainTextAsync("Radio Aurora");
            await Expect(page.GetByTestId($"consent-field-{Datatypes.Usage}")).ToBeVisibleAsync();
            await Expect(page.GetByTestId($"consent-field-{Datatypes.PaymentInstructions}")).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Share selected" }).ClickAsync();
            await page.WaitForURLAsync(radio.Url("/listen"));
            await Expect(page.GetByTestId("instructions-status")).ToContainTextAsync("waiting in your vault for you to approve");

            // A listening session: play, stop; the hours go to the vault as usage.
            await page.GetByTestId("play").ClickAsync();
            await Expect(page.GetByTestId("player-state")).ToContainTextAsync("ON AIR");
            await page.GetByTestId("stop").ClickAsync();
            await Expect(page.GetByTestId("session-usage")).ToHaveTextAsync("Sent");
            await app.ScreenshotAsync("publicradio-listen");
            var listenerId = 0;
            await using (var db = radio.Database())
            {
                var listener = await db.Listeners.SingleAsync();
                listenerId = listener.Id;
                Assert.Equal("pending", listener.InstructionsStatus);
                Assert.NotNull((await db.Sessions.SingleAsync()).UsageReportId);
            }

            var session = (await radio.Services.GetRequiredService<ListenerSessions>().GetAsync(listenerId, CancellationToken.None))!;

            // The station asked to add usage, not to read it back.
            var unread = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.ListUsageAsync());
            Assert.Equal(ProblemCodes.NotGranted, unread.Code);

            // The person approves the station's details and pledges EUR 5 a month, without their name.
            var owner = page.Context.APIRequest;
            var payee = Assert.Single(await GetAsync<List<PayeeView>>(owner, app.Server.Url("/owner/api/v1/payments/payees")));
            Assert.Equal("Radio Aurora e.V.", payee.Pending!.LegalName);
            Assert.Equal("DE89370400440532013000", payee.Pending.Iban.Replace(" ", "", StringComparison.Ordinal));
            Assert.Equal([3m, 5m, 10m], payee.Pending.SuggestedAmounts);
            await PostAsync(owner, app.Server.Url($"/owner/api/v1/payments/payees/{payee.Id}/approve"), new { });
            await PostAsync(owner, app.Server.Url("/owner/api/v1/payments/pledges"), new PledgeInput(payee.Id, PledgeKinds.Fixed, 5m, PledgePeriods.Month));

            // It falls due at once; its QR code carries an RF reference; the person pays it from their bank, and the
            // bank's camt.053 statement, imported into the vault, settles it.
            var due = Assert.Single((await GetAsync<PaymentsOverview>(owner, app.Server.Url("/owner/api/v1/payments"))).Payments);
            Assert.Equal(PaymentStatuses.Due, due.Status);
            var qr = await GetAsync<PaymentQr>(owner, app.Server.Url($"/owner/api/v1/payments/{due.Id}/qr"));
            Assert.StartsWith("RF", qr.Reference, StringComparison.Ordinal);
            Assert.Contains("DE89370400440532013000", qr.Payload, StringComparison.Ordinal);
            var statement = await owner.PostAsync(app.Server.Url("/owner/api/v1/imports?format=camt&fileName=giro.xml"), new APIRequestContextOptions
            {
                DataByte = PaymentTests.Camt053(qr.Reference, 5.00m, "Radio Aurora e.V."),
                Headers = new Dictionary<string, string> { ["Content-Type"] = "application/xml" },
            });
            Assert.True(statement.Ok, $"import: {statement.Status} {await statement.TextAsync()}");

            // The station hears of it, countersigns, and counts one anonymous supporter.
            await WaitForSupportersAsync(page, radio, 1);
            await Expect(page.GetByTestId("supporter-count")).ToHaveTextAsync("1");
            await Expect(page.GetByTestId("payment-amount")).ToHaveTextAsync("EUR 5.00");
            await Expect(page.GetByTestId("payment-supporter")).ToHaveTextAsync(SupporterLedger.Anonymous);
            await Expect(page.GetByTestId("total-this-month")).ToHaveTextAsync("EUR 5.00");
            await Expect(page.Locator("body")).Not.ToContainTextAsync("Lovelace");
            await app.ScreenshotAsync("publicradio-supporters");

            // Both sides hold the same bytes, with both signatures.
            var settled = await GetAsync<PaymentView>(owner, app.Server.Url($"/owner/api/v1/payments/{due.Id}"));
            Assert.Equal(PaymentStatuses.Settled, settled.Status);
            var record = await GetAsync<PaymentRecord>(owner, app.Server.Url($"/owner/api/v1/payments/records/{settled.RecordId}"));
            Assert.NotNull(record.PayeeSignature);
            Assert.Equal(("statement", qr.Reference.Replace(" ", "", StringComparison.Ordinal)), (record.Content.Evidence.Method, record.Content.Reference));
            await using (var db = radio.Database())
            {
                var stored = await db.Payments.SingleAsync();
                Assert.Equal(record.SignedContent, stored.SignedContent);
                Assert.Equal(record.PayeeSignature, stored.PayeeSignature);
                Assert.Null(stored.SupporterName);
            }

            var stationKey = PublicKey.Import(SignatureAlgorithm.Ed25519, radio.Services.GetRequiredService<StationKeyStore>().PublicKey, KeyBlobFormat.RawPublicKey);
            Assert.True(SignatureAlgorithm.Ed25519.Verify(stationKey, Base64Url.DecodeFromChars(record.SignedContent), Base64Url.DecodeFromChars(record.PayeeSignature)));

            // A countersignature by another key is refused, and the station's stays.
            using var otherKey = Key.Create(SignatureAlgorithm.Ed25519);
            var fromVault = await session.GetPaymentRecordAsync(settled.RecordId!.Value);
            var refused = await Assert.ThrowsAsync<SymbolonProblemException>(() =>
                session.CountersignPaymentRecordAsync(fromVault, bytes => SignatureAlgorithm.Ed25519.Sign(otherKey, bytes)));
            Assert.Equal(ProblemCodes.PaymentCountersignatureInvalid, refused.Code);
            Assert.Equal(record.PayeeSignature, (await session.GetPaymentRecordAsync(settled.RecordId.Value)).PayeeSignature);

            // A second pledge, this time with the name: the same supporter, now named.
            await PostAsync(owner, app.Server.Url("/owner/api/v1/payments/pledges"), new PledgeInput(payee.Id, PledgeKinds.Fixed, 10m, PledgePeriods.Quarter, ShareName: true));
            var second = Assert.Single((await GetAsync<PaymentsOverview>(owner, app.Server.Url("/owner/api/v1/payments"))).Payments);
            await PostAsync(owner, app.Server.Url($"/owner/api/v1/payments/{second.Id}/paid"), new MarkPaidInput());
            await WaitForSupportersAsync(page, radio, 2);
            await Expect(page.GetByTestId("supporter-count")).ToHaveTextAsync("1");
            await Expect(page.GetByTestId("payment-count")).ToHaveTextAsync("2");
            await Expect(page.GetByTestId("payment-supporter").Filter(new() { HasText = "Ada Lovelace" })).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("payment-supporter").Filter(new() { HasText = SupporterLedger.Anonymous })).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("total-this-month")).ToHaveTextAsync("EUR 15.00");

            await page.GotoAsync(radio.Url("/webhooks"));
            await Expect(page.GetByTestId("webhook-summary").Filter(new() { HasText = "A supporter's payment settled" })).ToHaveCountAsync(2);
        });
    }

    /// <summary>Webhooks arrive when the vault delivers them; the supporters page is looked at again until it counts the payments.</summary>
    private static async Task WaitForSupportersAsync(IPage page, PublicRadioSite radio, int payments)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            await radio.Services.GetRequiredService<SupporterLedger>().IdleAsync();
            await page.GotoAsync(radio.Url("/supporters"));
            if ((await page.GetByTestId("payment-count").InnerTextAsync()).Trim() == payments.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return;
            }

            await Task.Delay(500);
        }

        await Expect(page.GetByTestId("payment-count")).ToHaveTextAsync(payments.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<T> GetAsync<T>(IAPIRequestContext owner, string url)
    {
        var response = await owner.GetAsync(url);
        Assert.True(response.Ok, $"GET {url}: {response.Status} {await response.TextAsync()}");
        return JsonSerializer.Deserialize<T>(await response.TextAsync(), Json)!;
    }

    private static async Task PostAsync(IAPIRequestContext owner, string url, object body)
    {
        var response = await owner.PostAsync(url, new APIRequestContextOptions
        {
            DataString = JsonSerializer.Serialize(body, body.GetType(), Json),
            Headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
        });
        Assert.True(response.Ok, $"POST {url}: {response.Status} {await response.TextAsync()}");
    }
}
