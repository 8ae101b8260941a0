using System.Globalization;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>
/// EmanciPay in Chromium, nothing faked: a payee added by hand (a mistyped IBAN is named at its field), a monthly
/// budget, a fixed monthly pledge whose payment falls due at once; its QR dialog shows the EPC code and the creditor
/// reference; a camt.053 statement carrying that reference in <c>RmtInf/Strd/CdtrRefInf/Ref</c> is imported on the
/// Insights import page, the payment settles by itself, and the history lists its signed record, downloadable as the
/// same JSON the payee gets. Every page is photographed at 1280 and 390 px.
/// </summary>
public sealed class PaymentTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const string Payee = "Radio Wombat";
    private const string GoodIban = "DE89 3704 0044 0532 0130 00";
    private const string MistypedIban = "DE89 3704 0044 0532 0130 01";

    [Fact]
    public async Task A_pledge_falls_due_is_paid_by_its_QR_reference_settles_from_an_imported_camt_statement_and_leaves_a_signed_record()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await app.RunAsync(nameof(A_pledge_falls_due_is_paid_by_its_QR_reference_settles_from_an_imported_camt_statement_and_leaves_a_signed_record), async () =>
        {
            var page = app.Page;
            await app.CreateVaultAndOpenProfileAsync();

            // Nothing yet: the page says what to do first.
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Areas" }).GetByRole(AriaRole.Link, new() { Name = "Payments" }).ClickAsync();
            await page.WaitForURLAsync("**/payments");
            await app.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("payments-empty")).ToContainTextAsync("Nothing to pay yet");
            await Expect(page.GetByTestId("budget")).ToContainTextAsync("No monthly budget yet");
            await app.ScreenshotAsync("payments-empty");
            await PhoneAsync(app, "payments-empty-phone", "payments-empty");

            // A payee by hand: the mistyped IBAN is named at its field, the right one is kept.
            await page.GetByTestId("payments-tabs").GetByRole(AriaRole.Link, new() { Name = "Payees" }).ClickAsync();
            await page.WaitForURLAsync("**/payments/payees");
            await page.GetByTestId("add-payee-empty").ClickAsync();
            var dialog = app.Dialog;
            await Expect(dialog).ToBeVisibleAsync();
            await WebApp.FillAsync(dialog, "Account holder", Payee);
            await WebApp.FillAsync(dialog, "IBAN", MistypedIban);
            await dialog.GetByTestId("save-payee").ClickAsync();
            await Expect(dialog.GetByText("The check digits do not match: a character is mistyped.")).ToBeVisibleAsync();
            await Expect(dialog.GetByTestId("payee-name-input")).ToHaveAttributeAsync("aria-invalid", "false");
            await Expect(dialog.GetByTestId("payee-iban-input")).ToHaveAttributeAsync("aria-invalid", "true");
            await app.ScreenshotAsync("payments-payee-error", fullPage: false);
            await WebApp.FillAsync(dialog, "IBAN", GoodIban);
            await dialog.GetByTestId("save-payee").ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();
            var payee = page.GetByTestId("payee");
            await Expect(payee).ToHaveCountAsync(1);
            await Expect(payee.GetByTestId("payee-name")).ToHaveTextAsync(Payee);
            await Expect(payee.GetByTestId("payee-iban")).ToHaveTextAsync("DE89 •••• •••• •••• ••30 00");
            await payee.GetByTestId("show-iban").ClickAsync();
            await Expect(payee.GetByTestId("payee-iban")).ToHaveTextAsync(GoodIban);
            await Expect(payee.GetByTestId("payee-source")).ToHaveTextAsync("Added by hand");
            await app.ScreenshotAsync("payments-payees");
            await PhoneAsync(app, "payments-payees-phone", "payee");

            // A budget of EUR 20 a month, scaled.
            await page.GetByTestId("payments-tabs").GetByRole(AriaRole.Link, new() { Name = "Due" }).ClickAsync();
            await page.WaitForURLAsync("**/payments");
            await page.GetByTestId("edit-budget").ClickAsync();
            var budget = app.Dialog;
            await Expect(budget).ToBeVisibleAsync();
            await WebApp.FillAsync(budget, "Budget per month (EUR)", "20");
            await budget.GetByTestId("save-budget").ClickAsync();
            await Expect(budget).ToBeHiddenAsync();
            await Expect(page.GetByTestId("budget")).ToContainTextAsync("of EUR 20.00 this month");
            await Expect(page.GetByTestId("budget")).ToContainTextAsync("scaled down by the same share");

            // A fixed monthly pledge: its first payment is due at once.
            await page.GetByTestId("payments-tabs").GetByRole(AriaRole.Link, new() { Name = "Pledges" }).ClickAsync();
            await page.WaitForURLAsync("**/payments/pledges");
            await page.GetByTestId("new-pledge-empty").ClickAsync();
            var pledge = app.Dialog;
            await Expect(pledge).ToBeVisibleAsync();
            await Expect(pledge.GetByTestId("pledge-payee")).ToContainTextAsync(Payee);
            await WebApp.FillAsync(pledge, "Amount (EUR)", "7.50");
            await Expect(pledge.GetByTestId("pledge-preview")).ToContainTextAsync("EUR 7.50 each month");
            await Expect(pledge).ToContainTextAsync("they learn only a supporter id");
            await pledge.GetByTestId("save-pledge").ClickAsync();
            await Expect(pledge).ToBeHiddenAsync();
            await Expect(page.GetByTestId("pledge-terms")).ToHaveTextAsync("EUR 7.50 a month");
            await app.ScreenshotAsync("payments-pledges");
            await PhoneAsync(app, "payments-pledges-phone", "pledge");

            await page.GetByTestId("payments-tabs").GetByRole(AriaRole.Link, new() { Name = "Due" }).ClickAsync();
            await page.WaitForURLAsync("**/payments");
            var payment = page.GetByTestId("payment");
            await Expect(payment).ToHaveCountAsync(1);
            await Expect(payment.GetByTestId("payment-status")).ToHaveTextAsync("Due");
            await Expect(payment.GetByTestId("payment-amount")).ToHaveTextAsync("EUR 7.50");
            await Expect(page.GetByTestId("budget-committed")).ToHaveTextAsync("EUR 7.50");

            // Nothing paid yet: the check says so.
            await page.GetByTestId("check-statements").ClickAsync();
            await Expect(page.GetByTestId("check-result")).ToContainTextAsync("No new payments found");
            await app.ScreenshotAsync("payments-due");
            await PhoneAsync(app, "payments-due-phone", "payment");

            // The QR code: a real PNG, with the details to copy.
            await payment.GetByTestId("show-qr").ClickAsync();
            var qr = app.Dialog;
            await Expect(qr.GetByTestId("qr-image")).ToBeVisibleAsync();
            Assert.True(await qr.GetByTestId("qr-image").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 100"), "The QR image did not load.");
            await Expect(qr.GetByTestId("qr-iban")).ToHaveTextAsync(GoodIban);
            await Expect(qr.GetByTestId("qr-amount")).ToHaveTextAsync("EUR 7.50");
            var reference = (await qr.GetByTestId("qr-reference").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
            Assert.Matches("^RF[0-9]{2}[0-9A-Z]{1,21}$", reference);
            await Expect(qr.GetByTestId("qr-download")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("/owner/api/v1/payments/.+/qr\\.png$"));
            await app.ScreenshotAsync("payments-qr", fullPage: false);
            await page.SetViewportSizeAsync(390, 844);
            await app.ScreenshotAsync("payments-qr-phone", fullPage: false);
            Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 390, "The QR dialog is wider than a phone.");
            await page.SetViewportSizeAsync(1280, 860);
            await qr.GetByTestId("qr-close").ClickAsync();
            await Expect(qr).ToBeHiddenAsync();

            // The bank's statement carries the reference: importing it settles the payment by itself.
            await app.OpenAsync("/insights/import");
            await page.Locator("input[type=file]").Last.SetInputFilesAsync(new FilePayload { Name = "giro-december.xml", MimeType = "application/xml", Buffer = Camt053(reference, 7.50m) });
            await Expect(page.GetByTestId("import-summary")).ToContainTextAsync("Imported 2 transactions", new() { Timeout = 30_000 });

            await app.OpenAsync("/payments");
            await Expect(page.GetByTestId("payments-empty")).ToContainTextAsync("All paid");
            await Expect(page.GetByTestId("budget")).ToContainTextAsync("Paid EUR 7.50");

            // The history: the month's giving in the chart and the signed record, downloadable.
            await page.GetByTestId("payments-tabs").GetByRole(AriaRole.Link, new() { Name = "History" }).ClickAsync();
            await page.WaitForURLAsync("**/payments/history");
            await Expect(page.GetByTestId("history-chart").Locator("svg")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("history-payee")).ToHaveTextAsync($"{Payee} · EUR 7.50");
            var record = page.GetByTestId("record");
            await Expect(record).ToHaveCountAsync(1);
            await Expect(record).ToContainTextAsync(Payee);
            await Expect(record.GetByTestId("record-amount")).ToHaveTextAsync("EUR 7.50");
            await Expect(record.GetByTestId("record-countersigned")).ToHaveTextAsync("Not yet");
            Assert.Equal(reference, (await record.GetByTestId("record-reference").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal));
            var download = await page.RunAndWaitForDownloadAsync(() => record.GetByTestId("download-record").ClickAsync());
            using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(await download.PathAsync())))
            {
                var content = json.RootElement.GetProperty("content");
                Assert.Equal(reference, content.GetProperty("reference").GetString());
                Assert.Equal(7.50m, content.GetProperty("amount").GetDecimal());
                Assert.Equal("statement", content.GetProperty("evidence").GetProperty("method").GetString());
                Assert.Equal(JsonValueKind.Null, content.GetProperty("supporter_name").ValueKind);
                var signed = Convert.FromBase64String(ToBase64(json.RootElement.GetProperty("signed_content").GetString()!));
                Assert.Equal(reference, JsonDocument.Parse(signed).RootElement.GetProperty("reference").GetString());
            }

            await app.ScreenshotAsync("payments-history");
            await PhoneAsync(app, "payments-history-phone", "record");

            // A second payee from the text of a donation page's QR code, then removed again.
            await page.GetByTestId("payments-tabs").GetByRole(AriaRole.Link, new() { Name = "Payees" }).ClickAsync();
            await page.WaitForURLAsync("**/payments/payees");
            await page.GetByTestId("add-payee").ClickAsync();
            dialog = app.Dialog;
            await dialog.GetByRole(AriaRole.Tab, new() { Name = "QR text" }).ClickAsync();
            await WebApp.FillAsync(dialog, "QR code text", "BCD\n002\n1\nSCT\n\nMuseum Nord\nDE02120300000000202051\nEUR10.00\n\n\nSpende");
            await dialog.GetByTestId("save-payee").ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();
            var fromQr = page.GetByTestId("payee").Filter(new() { HasText = "Museum Nord" });
            await Expect(fromQr.GetByTestId("payee-source")).ToHaveTextAsync("From a QR code");
            await fromQr.GetByTestId("remove-payee").ClickAsync();
            await app.SaveDialogAsync("Remove");
            await Expect(page.GetByTestId("payee")).ToHaveCountAsync(1);
        });
    }

    /// <summary>A camt.053 statement of this month: the payment with its reference in the structured remittance, and a coffee.</summary>
    internal static byte[] Camt053(string reference, decimal amount, string payee = Payee)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var value = amount.ToString("0.00", CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes($"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
              <BkToCstmrStmt>
                <GrpHdr><MsgId>STMT-PAY-1</MsgId><CreDtTm>{today}T20:00:00</CreDtTm></GrpHdr>
                <Stmt>
                  <Id>PAY-1</Id>
                  <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>
                  <Ntry>
                    <Amt Ccy="EUR">{value}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
                    <BookgDt><Dt>{today}</Dt></BookgDt>
                    <AcctSvcrRef>PAY-REF-1</AcctSvcrRef>
                    <NtryDtls><TxDtls>
                      <RltdPties><Cdtr><Nm>{payee}</Nm></Cdtr></RltdPties>
                      <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf>
                    </TxDtls></NtryDtls>
                  </Ntry>
                  <Ntry>
                    <Amt Ccy="EUR">3.20</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
                    <BookgDt><Dt>{today}</Dt></BookgDt>
                    <AcctSvcrRef>PAY-REF-2</AcctSvcrRef>
                    <NtryDtls><TxDtls><RltdPties><Cdtr><Nm>Wombat Kaffee</Nm></Cdtr></RltdPties><RmtInf><Ustrd>Flat white</Ustrd></RmtInf></TxDtls></NtryDtls>
                  </Ntry>
                </Stmt>
              </BkToCstmrStmt>
            </Document>
            """);
    }

    private static string ToBase64(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }

    /// <summary>The page as a 390 px phone shows it on load, as tall as its content; nothing wider than the screen.</summary>
    private async Task PhoneAsync(WebApp app, string name, string ready)
    {
        var phone = await app.Page.Context.NewPageAsync();
        try
        {
            await phone.SetViewportSizeAsync(390, 844);
            await phone.GotoAsync(app.Page.Url);
            await phone.Locator(".sym-app[data-ready='true']").WaitForAsync();
            await phone.GetByTestId(ready).First.WaitForAsync();
            var width = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            Assert.True(width <= 390, $"{name}: the page is {width} px wide on a 390 px phone.");
            var height = await phone.EvaluateAsync<int>("() => document.documentElement.scrollHeight");
            await phone.SetViewportSizeAsync(390, Math.Max(844, height));
            var path = Path.Combine(browser.ScreenshotDirectory, name + ".png");
            await phone.ScreenshotAsync(new PageScreenshotOptions { Path = path, Animations = ScreenshotAnimations.Disabled });
            output.WriteLine($"screenshot: {path}");
        }
        finally
        {
            await phone.CloseAsync();
        }
    }
}
