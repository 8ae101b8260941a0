using Symbolon.Client;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Payments;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>
/// The Payments web app beyond the basic flow, in Chromium against the real server: a related vendor (built on
/// <c>Symbolon.Client</c>) publishes its bank details, which the person approves; it then publishes a changed IBAN, the
/// page warns of the classic fraud and holds the due payment until the person rejects the change; a payee added from a
/// picture of its QR code; a budget that holds what does not fit until released; a payment marked paid in two parts;
/// and a per-use pledge on the hours the vendor reports, with its suggestion.
/// </summary>
public sealed class PaymentManagementTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const string Vendor = "Radio Kestrel e.V.";
    private const string VendorIban = "NL91 ABNA 0417 1643 00";
    private const string ChangedIban = "NL20 INGB 0001 2345 67";
    private const string Library = "Bibliothek Ost";
    private const string LibraryIban = "BE68 5390 0754 7034";

    [Fact]
    public async Task A_vendors_changed_IBAN_holds_its_payment_the_budget_holds_what_does_not_fit_and_payments_are_marked_paid_in_parts()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await using var site = await VendorSite.StartAsync();
        await app.RunAsync(nameof(A_vendors_changed_IBAN_holds_its_payment_the_budget_holds_what_does_not_fit_and_payments_are_marked_paid_in_parts), async () =>
        {
            var page = app.Page;
            await app.CreateVaultAndOpenProfileAsync();

            // The vendor connects, asking to add payment instructions and usage; it publishes its details and 3 hours of use.
            using var http = new HttpClient();
            var vault = await SymbolonVault.DiscoverAsync(http, app.Server.BaseUrl);
            var credentials = await vault.RegisterAsync(new ClientRegistrationRequest("Radio Kestrel", [site.CallbackUri.ToString()], ClientUri: site.BaseUrl.ToString(), Agreements: ["SD-BASE"]));
            var vendor = vault.CreateClient(credentials);
            await vendor.AcceptAgreementAsync("SD-BASE");
            var pending = await vendor.BeginAuthorizationAsync(site.CallbackUri,
            [
                new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.PaymentInstructions, Datatypes.Usage], [DataActions.Append], "So you can support the station", "SD-BASE"),
            ]);
            var granted = site.Expect(vendor, pending);
            await page.GotoAsync(pending.AuthorizationUri.ToString());
            await page.GetByRole(AriaRole.Button, new() { Name = "Share selected" }).ClickAsync();
            await page.WaitForURLAsync(site.CallbackUri + "**");
            var session = await granted.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("pending", (await session.PublishPaymentInstructionsAsync(new PaymentInstructionsInput(Vendor, VendorIban, Offers: "Public radio, all day", SuggestedAmounts: [3m, 5m]))).Status);
            var now = DateTimeOffset.UtcNow;
            await session.ReportUsageAsync(new UsageInput(now.AddHours(-3), now.AddMinutes(-1), 3m, "hours", "Morning show"));

            // The person approves the vendor's details on the payees page.
            await app.OpenAsync("/payments/payees");
            var payee = page.GetByTestId("payee").Filter(new() { HasText = Vendor });
            await Expect(payee.GetByTestId("pending")).ToContainTextAsync("Payment instructions to approve");
            await Expect(payee.GetByTestId("pending-iban")).ToHaveTextAsync(VendorIban);
            await Expect(payee.GetByTestId("payee-source")).ToHaveTextAsync("From the vendor");
            await payee.GetByTestId("approve").ClickAsync();
            await Expect(payee.GetByTestId("pending")).ToHaveCountAsync(0);
            await payee.GetByTestId("show-iban").ClickAsync();
            await Expect(payee.GetByTestId("payee-iban")).ToHaveTextAsync(VendorIban);
            await Expect(payee.GetByTestId("payee-suggested")).ToContainTextAsync("EUR 3.00 or EUR 5.00 a month");

            // A fixed pledge to them: due at once.
            await app.OpenAsync("/payments/pledges");
            await page.GetByTestId("new-pledge-empty").ClickAsync();
            var pledge = app.Dialog;
            await Expect(pledge.GetByTestId("pledge-payee")).ToContainTextAsync(Vendor);
            await WebApp.FillAsync(pledge, "Amount (EUR)", "5");
            await pledge.GetByTestId("save-pledge").ClickAsync();
            await Expect(pledge).ToBeHiddenAsync();
            await app.OpenAsync("/payments");
            var vendorPayment = page.GetByTestId("payment").Filter(new() { HasText = Vendor });
            await Expect(vendorPayment.GetByTestId("payment-status")).ToHaveTextAsync("Due");

            // The vendor publishes another IBAN: the page warns, and the payment is held until the person decides.
            Assert.Equal("pending", (await session.PublishPaymentInstructionsAsync(new PaymentInstructionsInput(Vendor, ChangedIban, Offers: "Public radio, all day", SuggestedAmounts: [3m, 5m]))).Status);
            await app.OpenAsync("/payments");
            await Expect(page.GetByTestId("pending-banner")).ToContainTextAsync("A payee's payment instructions wait for your approval");
            await Expect(vendorPayment.GetByTestId("payment-status")).ToHaveTextAsync("Held");
            await Expect(vendorPayment.GetByTestId("payment-held")).ToContainTextAsync("The payee's IBAN changed.");
            await Expect(vendorPayment.GetByTestId("review-payee")).ToBeVisibleAsync();
            await Expect(vendorPayment.GetByTestId("release")).ToHaveCountAsync(0);
            await Expect(vendorPayment.GetByTestId("show-qr")).ToHaveCountAsync(0);
            await app.ScreenshotAsync("payments-held-iban");

            await vendorPayment.GetByTestId("review-payee").ClickAsync();
            await page.WaitForURLAsync("**/payments/payees");
            await app.WaitForInteractiveAsync();
            await Expect(payee.GetByTestId("iban-changed")).ToContainTextAsync("The IBAN changed");
            await Expect(payee.GetByTestId("pending-iban")).ToHaveTextAsync(ChangedIban);
            await Expect(payee.GetByTestId("approve")).ToHaveTextAsync("I checked: approve the new IBAN");
            await app.ScreenshotAsync("payments-payees-iban-changed");
            await payee.GetByTestId("reject").ClickAsync();
            await Expect(payee.GetByTestId("pending")).ToHaveCountAsync(0);
            await payee.GetByTestId("show-iban").ClickAsync();
            await Expect(payee.GetByTestId("payee-iban")).ToHaveTextAsync(VendorIban);
            await app.OpenAsync("/payments");
            await Expect(vendorPayment.GetByTestId("payment-status")).ToHaveTextAsync("Due");
            await Expect(page.GetByTestId("pending-banner")).ToHaveCountAsync(0);

            // A payee from a picture of the QR code on their donation page.
            await app.OpenAsync("/payments/payees");
            await page.GetByTestId("add-payee").ClickAsync();
            var dialog = app.Dialog;
            await dialog.GetByRole(AriaRole.Tab, new() { Name = "QR image" }).ClickAsync();
            var png = EpcQr.RenderPng(EpcQr.BuildPayload(new EpcTransfer(Library, LibraryIban.Replace(" ", "", StringComparison.Ordinal), null, 10m, "EUR", null, "Spende", null, null)));
            await dialog.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "spende.png", MimeType = "image/png", Buffer = png });
            await Expect(dialog).ToBeHiddenAsync();
            var library = page.GetByTestId("payee").Filter(new() { HasText = Library });
            await Expect(library.GetByTestId("payee-source")).ToHaveTextAsync("From a QR code");
            await library.GetByTestId("show-iban").ClickAsync();
            await Expect(library.GetByTestId("payee-iban")).ToHaveTextAsync(LibraryIban);

            // A budget of EUR 12 that holds what does not fit: EUR 5 is due, a new EUR 10 pledge is held until released.
            await app.OpenAsync("/payments");
            await page.GetByTestId("edit-budget").ClickAsync();
            var budget = app.Dialog;
            await WebApp.FillAsync(budget, "Budget per month (EUR)", "12");
            await budget.GetByRole(AriaRole.Radio, new() { Name = "Hold what does not fit" }).CheckAsync();
            await budget.GetByTestId("save-budget").ClickAsync();
            await Expect(budget).ToBeHiddenAsync();
            await Expect(page.GetByTestId("budget")).ToContainTextAsync("Pledges that do not fit are held");

            await app.OpenAsync("/payments/pledges");
            await page.GetByTestId("new-pledge").ClickAsync();
            pledge = app.Dialog;
            await Expect(pledge.GetByTestId("pledge-payee")).ToContainTextAsync(Library);
            await WebApp.FillAsync(pledge, "Amount (EUR)", "10");
            await pledge.GetByTestId("save-pledge").ClickAsync();
            await Expect(pledge).ToBeHiddenAsync();
            await app.OpenAsync("/payments");
            var libraryPayment = page.GetByTestId("payment").Filter(new() { HasText = Library });
            await Expect(libraryPayment.GetByTestId("payment-status")).ToHaveTextAsync("Held");
            await Expect(libraryPayment.GetByTestId("payment-held")).ToContainTextAsync("Over this month's budget");
            await Expect(libraryPayment.GetByTestId("review-payee")).ToHaveCountAsync(0);
            await Expect(vendorPayment.GetByTestId("payment-status")).ToHaveTextAsync("Due");
            await Expect(page.GetByTestId("budget-committed")).ToHaveTextAsync("EUR 5.00");
            await app.ScreenshotAsync("payments-held-budget");
            await libraryPayment.GetByTestId("release").ClickAsync();
            await Expect(libraryPayment.GetByTestId("payment-status")).ToHaveTextAsync("Due");
            await Expect(page.GetByTestId("budget-committed")).ToHaveTextAsync("EUR 15.00");
            await Expect(page.GetByTestId("budget")).ToContainTextAsync("EUR 3.00 over the budget");

            // Paid in two parts, by hand: first EUR 4, then the rest; it settles and its record is in the history.
            await libraryPayment.GetByTestId("show-qr").ClickAsync();
            var qr = app.Dialog;
            await Expect(qr.GetByTestId("qr-amount")).ToHaveTextAsync("EUR 10.00");
            await qr.GetByTestId("mark-paid-open").ClickAsync();
            await WebApp.FillAsync(qr, "Amount paid (EUR)", "4");
            await qr.GetByTestId("mark-paid").ClickAsync();
            await Expect(qr).ToBeHiddenAsync();
            await Expect(libraryPayment.GetByTestId("payment-status")).ToHaveTextAsync("Paid in part");
            await Expect(libraryPayment.GetByTestId("payment-partial")).ToHaveTextAsync("Paid EUR 4.00 so far; EUR 6.00 left to pay.");
            await Expect(libraryPayment.GetByTestId("payment-amount")).ToHaveTextAsync("EUR 6.00");
            await app.ScreenshotAsync("payments-partial");

            await libraryPayment.GetByTestId("show-qr").ClickAsync();
            qr = app.Dialog;
            await Expect(qr.GetByTestId("qr-amount")).ToHaveTextAsync("EUR 6.00");
            await qr.GetByTestId("mark-paid-open").ClickAsync();
            await Expect(qr.GetByLabel("Amount paid (EUR)", new() { Exact = true })).ToHaveValueAsync("6.00");
            await qr.GetByTestId("mark-paid").ClickAsync();
            await Expect(qr).ToBeHiddenAsync();
            await Expect(libraryPayment).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("budget")).ToContainTextAsync("Paid EUR 10.00");

            await page.GetByTestId("payments-tabs").GetByRole(AriaRole.Link, new() { Name = "History" }).ClickAsync();
            await page.WaitForURLAsync("**/payments/history");
            var record = page.GetByTestId("record").Filter(new() { HasText = Library });
            await Expect(record).ToHaveCountAsync(1);
            await Expect(record.GetByTestId("record-amount")).ToHaveTextAsync("EUR 10.00");

            // A per-use pledge on the hours the vendor reports, capped: its suggestion counts this month's 3 hours.
            await app.OpenAsync("/payments/pledges");
            await page.GetByTestId("new-pledge").ClickAsync();
            pledge = app.Dialog;
            await pledge.GetByTestId("pledge-payee").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = Vendor, Exact = true }).ClickAsync();
            await pledge.GetByRole(AriaRole.Radio, new() { Name = "Per use" }).CheckAsync();
            await WebApp.FillAsync(pledge, "Per use (EUR)", "0.50");
            await pledge.GetByTestId("pledge-source").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "Use they report (hours, articles …)" }).ClickAsync();
            await WebApp.FillAsync(pledge, "Unit", "hours");
            await WebApp.FillAsync(pledge, "At most per month (EUR)", "10");
            await Expect(pledge.GetByTestId("pledge-preview")).ToHaveTextAsync("EUR 0.50 per hour, at most EUR 10.00, paid once each month has ended.");
            await pledge.GetByTestId("save-pledge").ClickAsync();
            await Expect(pledge).ToBeHiddenAsync();
            var perUse = page.GetByTestId("pledge").Filter(new() { HasText = "Per use" });
            await Expect(perUse.GetByTestId("pledge-terms")).ToHaveTextAsync("EUR 0.50 per hour, at most EUR 10.00 a month");
            await Expect(perUse.GetByTestId("pledge-suggestion")).ToContainTextAsync($"3 hours in {Symbolon.Server.Payments.PaymentDisplay.Period(now.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture))} so far");
            await Expect(perUse.GetByTestId("pledge-suggestion")).ToContainTextAsync("your rule says EUR 0.50 per hour: EUR 1.50.");
            await app.ScreenshotAsync("payments-pledges-per-use");
        });
    }
}
