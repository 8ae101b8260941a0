using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Cli.Infrastructure;
using Symbolon.Contracts.Payments;
using Symbolon.Contracts.Statements;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Cli.Tests;

/// <summary><c>pay</c>: payees, pledges, the budget, what is due, QR codes, settlement from a camt.053 statement and signed records, locally and through a server.</summary>
public sealed class PayCommandTests : IDisposable
{
    private const string Iban = "DE89 3704 0044 0532 0130 00";
    private const string MistypedIban = "DE89 3704 0044 0532 0130 01";
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Local_mode_pledges_shows_what_is_due_with_a_QR_code_and_settles_it_from_an_imported_camt_statement()
    {
        await _cli.InitAsync();
        Assert.Contains("No payees yet", (await _cli.RunWithPassphraseAsync("pay", "payees")).Succeeded().Stdout, StringComparison.Ordinal);

        // A mistyped IBAN is refused, naming the option and why, never repeating the value.
        var bad = (await _cli.RunWithPassphraseAsync("pay", "payees", "add", "--name", "Radio Wombat", "--iban", MistypedIban)).Failed();
        Assert.Contains("--iban: The check digits do not match", bad.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("0130 01", bad.Stderr, StringComparison.Ordinal);
        Assert.Empty((await _cli.RunWithPassphraseAsync("pay", "payees", "list", "--json")).Succeeded().Json<List<PayeeView>>());

        var payee = (await _cli.RunWithPassphraseAsync("pay", "payees", "add", "--name", "Radio Wombat", "--iban", Iban, "--json")).Succeeded().Json<PayeeView>();
        Assert.Equal(("Radio Wombat", Iban, "manual"), (payee.Name, payee.Iban, payee.Source));

        var budget = (await _cli.RunWithPassphraseAsync("pay", "budget", "set", "--amount", "30", "--rule", "scale", "--json")).Succeeded().Json<BudgetView>();
        Assert.Equal((30m, BudgetRules.Scale), (budget.Amount, budget.Rule));
        (await _cli.RunWithPassphraseAsync("pay", "budget", "set", "--amount", "30", "--rule", "sometimes")).Failed(ExitCodes.Usage);
        var perUseWithoutFlag = (await _cli.RunWithPassphraseAsync("pay", "pledge", "add", "--payee", payee.Id.ToString(), "--amount", "5", "--cap", "20")).Failed(ExitCodes.Usage);
        Assert.Contains("--per-use", perUseWithoutFlag.Stderr, StringComparison.Ordinal);

        var pledge = (await _cli.RunWithPassphraseAsync("pay", "pledge", "add", "--payee", payee.Id.ToString(), "--amount", "5", "--period", "month", "--json")).Succeeded().Json<PledgeView>();
        Assert.Equal((PledgeKinds.Fixed, 5m, PledgePeriods.Month, true), (pledge.Kind, pledge.Amount, pledge.Period, pledge.Active));
        Assert.Contains("EUR 5.00 a month", (await _cli.RunWithPassphraseAsync("pay", "pledge")).Succeeded().Stdout, StringComparison.Ordinal);

        // The month's payment falls due at once, with its creditor reference.
        var overview = (await _cli.RunWithPassphraseAsync("pay", "due", "--json")).Succeeded().Json<PaymentsOverview>();
        var payment = Assert.Single(overview.Payments);
        Assert.Equal((PaymentStatuses.Due, 5m, "Radio Wombat", pledge.Id), (payment.Status, payment.Amount, payment.PayeeName, payment.PledgeId));
        Assert.StartsWith("RF", payment.Reference, StringComparison.Ordinal);
        Assert.Equal(5m, overview.Budget.Committed);
        var table = (await _cli.RunWithPassphraseAsync("pay", "due")).Succeeded().Stdout;
        Assert.Contains("Budget EUR 30.00 a month (scale)", table, StringComparison.Ordinal);
        Assert.Contains(payment.Id.ToString(), table, StringComparison.Ordinal);
        Assert.Contains(payment.Reference, table, StringComparison.Ordinal);

        // The QR code: its EPC text, the transfer in words, and a PNG that is not overwritten without --force.
        var qr = (await _cli.RunWithPassphraseAsync("pay", "qr", payment.Id.ToString(), "--json")).Succeeded().Json<PaymentQr>();
        Assert.StartsWith("BCD\n002\n1\nSCT\n", qr.Payload, StringComparison.Ordinal);
        Assert.Contains("DE89370400440532013000", qr.Payload, StringComparison.Ordinal);
        var png = _cli.PathOf("payment.png");
        var words = (await _cli.RunWithPassphraseAsync("pay", "qr", payment.Id.ToString(), "--png", png)).Succeeded().Stdout;
        Assert.Contains($"Pay EUR 5.00 to Radio Wombat, IBAN {Iban}, reference {payment.Reference}.", words, StringComparison.Ordinal);
        Assert.Contains("\nBCD\n", words.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png).Take(4));
        (await _cli.RunWithPassphraseAsync("pay", "qr", payment.Id.ToString(), "--png", png)).Failed(ExitCodes.Usage);
        Assert.DoesNotContain("█", words, StringComparison.Ordinal);

        // On a terminal the code itself is drawn, for a phone to scan off the screen.
        using (var stdout = new StringWriter())
        using (var stderr = new StringWriter())
        {
            var terminal = new CliEnvironment
            {
                Out = stdout,
                Error = stderr,
                Variables = name => _cli.Environment.TryGetValue(name, out var value) ? value : null,
                IsOutputTerminal = true,
            };
            var code = await CliApp.RunAsync(["pay", "qr", payment.Id.ToString(), "--data-dir", _cli.DataDirectory, "--passphrase-file", _cli.PassphraseFile], terminal);
            Assert.True(code == 0, stderr.ToString());
            Assert.Contains("█", stdout.ToString(), StringComparison.Ordinal);
        }

        // The same code's text adds its payee (here a second one with the same account).
        var scanned = (await _cli.RunWithPassphraseAsync("pay", "payees", "add-qr", "--text", qr.Payload, "--json")).Succeeded().Json<PayeeView>();
        Assert.Equal(("Radio Wombat", Iban, "qr"), (scanned.Name, scanned.Iban, scanned.Source));
        (await _cli.RunWithPassphraseAsync("pay", "payees", "remove", scanned.Id.ToString())).Succeeded();
        var pictured = (await _cli.RunWithPassphraseAsync("pay", "payees", "add-qr", "--image", png, "--json")).Succeeded().Json<PayeeView>();
        Assert.Equal(("Radio Wombat", Iban), (pictured.Name, pictured.Iban));
        (await _cli.RunWithPassphraseAsync("pay", "payees", "remove", pictured.Id.ToString())).Succeeded();
        var notACode = (await _cli.RunWithPassphraseAsync("pay", "payees", "add-qr", "--image", _cli.PassphraseFile)).Failed();
        Assert.Contains("--image:", notACode.Stderr, StringComparison.Ordinal);
        (await _cli.RunWithPassphraseAsync("pay", "payees", "add-qr")).Failed(ExitCodes.Usage);

        // The bank's camt.053 carries the reference in RmtInf/Strd/CdtrRefInf/Ref: the import settles the payment,
        // and a check afterwards finds nothing left to settle.
        var statement = _cli.WriteFile("statement.xml", Camt053(payment.Reference.Replace(" ", "", StringComparison.Ordinal), 5.00m));
        Assert.Equal(1, (await _cli.RunWithPassphraseAsync("import", statement, "--json")).Succeeded().Json<ImportSummary>().Added);
        var check = JsonDocument.Parse((await _cli.RunWithPassphraseAsync("pay", "due", "--check", "--json")).Succeeded().Stdout).RootElement;
        Assert.Empty(check.GetProperty("check").GetProperty("warnings").EnumerateArray());
        Assert.Empty(check.GetProperty("overview").GetProperty("payments").EnumerateArray());
        Assert.Equal(0, check.GetProperty("overview").GetProperty("budget").GetProperty("held").GetDecimal());
        Assert.Contains("Nothing to pay.", (await _cli.RunWithPassphraseAsync("pay", "due", "--check")).Succeeded().Stdout, StringComparison.Ordinal);
        var giving = (await _cli.RunWithPassphraseAsync("transactions", "--json")).Succeeded().Json<List<TransactionItem>>();
        Assert.Equal("giving", Assert.Single(giving).Category);

        // The signed record, saved as the API gives it.
        var record = Assert.Single((await _cli.RunWithPassphraseAsync("pay", "record", "--json")).Succeeded().Json<List<PaymentRecord>>());
        var saved = _cli.PathOf("record.json");
        (await _cli.RunWithPassphraseAsync("pay", "record", record.Content.RecordId, "--out", saved)).Succeeded();
        LocalModeTests.AssertOwnerOnly(saved);
        var file = JsonSerializer.Deserialize<PaymentRecord>(File.ReadAllText(saved))!;
        Assert.Equal(payment.Reference.Replace(" ", "", StringComparison.Ordinal), file.Content.Reference.Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal((5m, "EUR", record.SignedContent, record.PersonSignature), (file.Content.Amount, file.Content.Currency, file.SignedContent, file.PersonSignature));
        Assert.Null(file.Content.SupporterName);
        (await _cli.RunWithPassphraseAsync("pay", "record", record.Content.RecordId, "--out", saved)).Failed(ExitCodes.Usage);
        (await _cli.RunWithPassphraseAsync("pay", "record", "--out", saved)).Failed(ExitCodes.Usage);

        var history = (await _cli.RunWithPassphraseAsync("pay", "history", "--months", "3", "--json")).Succeeded().Json<PaymentHistory>();
        Assert.Equal(3, history.Months.Count);
        Assert.Equal(("Radio Wombat", 5m), (Assert.Single(history.Payees).Name, history.Payees[0].Total));
        Assert.Contains("Radio Wombat", (await _cli.RunWithPassphraseAsync("pay", "history")).Succeeded().Stdout, StringComparison.Ordinal);

        // Settled, the payment cannot be skipped; the pledge ends; the budget goes.
        var skip = (await _cli.RunWithPassphraseAsync("pay", "skip", payment.Id.ToString())).Failed();
        Assert.Contains("settled", skip.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.False((await _cli.RunWithPassphraseAsync("pay", "pledge", "end", pledge.Id.ToString(), "--json")).Succeeded().Json<PledgeView>().Active);
        Assert.Null((await _cli.RunWithPassphraseAsync("pay", "budget", "clear", "--json")).Succeeded().Json<BudgetView>().Amount);
        Assert.Contains("No budget", (await _cli.RunWithPassphraseAsync("pay", "budget")).Succeeded().Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remote_mode_goes_through_the_owner_API_lists_marks_paid_and_keeps_field_errors()
    {
        await using var server = await RunningServer.StartAsync(_cli.DataDirectory);
        await _cli.InitAsync();
        await _cli.SetFieldAsync("name", "--given", "Ada", "--family", "Lovelace");

        var bad = (await _cli.RunAsync("pay", "payees", "add", "--name", "Radio Wombat", "--iban", MistypedIban)).Failed();
        Assert.Contains("--iban: The check digits do not match", bad.Stderr, StringComparison.Ordinal);

        var payee = (await _cli.RunAsync("pay", "payees", "add", "--name", "Radio Wombat", "--iban", Iban, "--bic", "COBADEFFXXX", "--json")).Succeeded().Json<PayeeView>();
        Assert.Equal(payee.Id, Assert.Single((await _cli.RunAsync("pay", "payees", "--json")).Succeeded().Json<List<PayeeView>>()).Id);
        Assert.Contains("COBADEFFXXX", (await _cli.RunAsync("pay", "payees")).Succeeded().Stdout, StringComparison.Ordinal);
        var pledge = (await _cli.RunAsync("pay", "pledge", "add", "--payee", payee.Id.ToString(), "--amount", "12", "--period", "quarter", "--share-name", "--json")).Succeeded().Json<PledgeView>();
        Assert.True(pledge.ShareName);

        var payment = Assert.Single((await _cli.RunAsync("pay", "due", "--json")).Succeeded().Json<PaymentsOverview>().Payments);
        Assert.Equal((12m, PaymentStatuses.Due), (payment.Amount, payment.Status));
        Assert.Matches("^[0-9]{4}-Q[1-4]$", payment.Period);
        Assert.StartsWith("BCD\n", (await _cli.RunAsync("pay", "qr", payment.Id.ToString(), "--json")).Succeeded().Json<PaymentQr>().Payload, StringComparison.Ordinal);
        var png = _cli.PathOf("remote.png");
        (await _cli.RunAsync("pay", "qr", payment.Id.ToString(), "--png", png)).Succeeded();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png).Take(4));
        var pictured = (await _cli.RunAsync("pay", "payees", "add-qr", "--image", png, "--json")).Succeeded().Json<PayeeView>();
        Assert.Equal(("Radio Wombat", Iban, "qr"), (pictured.Name, pictured.Iban, pictured.Source));
        Assert.Equal(2, (await _cli.RunAsync("pay", "payees", "--json")).Succeeded().Json<List<PayeeView>>().Count);

        // Paid by hand in two parts: partial, then settled with a signed record.
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var part = (await _cli.RunAsync("pay", "paid", payment.Id.ToString(), "--amount", "2.50", "--date", today, "--json")).Succeeded().Json<PaymentView>();
        Assert.Equal((PaymentStatuses.Partial, 2.5m), (part.Status, part.Paid));
        Assert.Contains("EUR 9.50 of EUR 12.00", (await _cli.RunAsync("pay", "due")).Succeeded().Stdout, StringComparison.Ordinal);
        (await _cli.RunAsync("pay", "paid", payment.Id.ToString(), "--date", "yesterday")).Failed(ExitCodes.Usage);
        var settled = (await _cli.RunAsync("pay", "paid", payment.Id.ToString())).Succeeded().Stdout;
        Assert.Contains("Settled: EUR 12.00 to Radio Wombat", settled, StringComparison.Ordinal);
        Assert.Empty((await _cli.RunAsync("pay", "due", "--json")).Succeeded().Json<PaymentsOverview>().Payments);

        var record = Assert.Single((await _cli.RunAsync("pay", "record", "list", "--json")).Succeeded().Json<List<PaymentRecord>>());
        Assert.Equal("Radio Wombat", record.Content.PayeeName);
        Assert.Equal("Ada Lovelace", record.Content.SupporterName);
        var printed = JsonSerializer.Deserialize<PaymentRecord>((await _cli.RunAsync("pay", "record", record.Content.RecordId)).Succeeded().Stdout)!;
        Assert.Equal((record.SignedContent, record.PersonSignature), (printed.SignedContent, printed.PersonSignature));
        Assert.Contains("Radio Wombat", (await _cli.RunAsync("pay", "record")).Succeeded().Stdout, StringComparison.Ordinal);

        var missing = (await _cli.RunAsync("pay", "release", Guid.NewGuid().ToString())).Failed();
        Assert.Contains("Error:", missing.Stderr, StringComparison.Ordinal);
        (await _cli.RunAsync("pay", "payees", "remove", payee.Id.ToString())).Succeeded();
        Assert.Contains("ended", (await _cli.RunAsync("pay", "pledge", "list")).Succeeded().Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vendors_payment_instructions_are_approved_and_a_changed_IBAN_rejected_through_the_server()
    {
        await using var server = await RunningServer.StartAsync(_cli.DataDirectory);
        await _cli.InitAsync();
        using var vendor = await VendorOverHttp.RegisterAsync(server.Url, "Radio Wombat");
        var (accessToken, _) = await vendor.GrantAsync(CliHarness.Passphrase, [Datatypes.PaymentInstructions], "Support the station", [DataActions.Append]);
        using var api = new HttpClient { BaseAddress = server.Url };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

        var published = await api.PostAsJsonAsync("/api/v1/payments/instructions", new PaymentInstructionsInput("Radio Wombat e.V.", Iban));
        Assert.True(published.StatusCode == HttpStatusCode.OK, await published.Content.ReadAsStringAsync());
        var waiting = Assert.Single((await _cli.RunAsync("pay", "payees", "--json")).Succeeded().Json<List<PayeeView>>());
        Assert.Equal(("", "vendor", false), (waiting.Iban, waiting.Source, waiting.Pending!.IbanChanged));
        Assert.Contains("instructions to approve", (await _cli.RunAsync("pay", "payees")).Succeeded().Stdout, StringComparison.Ordinal);
        var approved = (await _cli.RunAsync("pay", "payees", "approve", waiting.Id.ToString(), "--json")).Succeeded().Json<PayeeView>();
        Assert.Equal((Iban, (PendingInstructions?)null), (approved.Iban, approved.Pending));

        // Per use, from usage the vendor reports: up to a cap, with what this period comes to so far.
        var perUse = (await _cli.RunAsync(
            "pay", "pledge", "add", "--payee", approved.Id.ToString(), "--amount", "0.50", "--period", "month", "--per-use", "--source", "reported", "--unit", "hours", "--cap", "20", "--json")).Succeeded().Json<PledgeView>();
        Assert.Equal((PledgeKinds.PerUse, UsageSources.Reported, "hours", 20m), (perUse.Kind, perUse.UsageSource, perUse.UsageUnit, perUse.Cap));
        Assert.Contains("EUR 0.50 per hour (reported), at most EUR 20.00 a month", (await _cli.RunAsync("pay", "pledge")).Succeeded().Stdout, StringComparison.Ordinal);
        var noCap = (await _cli.RunAsync("pay", "pledge", "add", "--payee", approved.Id.ToString(), "--amount", "0.50", "--per-use", "--source", "visits")).Failed();
        Assert.Contains("--cap:", noCap.Stderr, StringComparison.Ordinal);

        // A new IBAN is asked about again; rejected, the approved one stays.
        var changed = await api.PostAsJsonAsync("/api/v1/payments/instructions", new PaymentInstructionsInput("Radio Wombat e.V.", "NL91 ABNA 0417 1643 00"));
        Assert.True(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync());
        Assert.Contains("NEW IBAN NL91 ABNA 0417 1643 00", (await _cli.RunAsync("pay", "payees", "list")).Succeeded().Stdout, StringComparison.Ordinal);
        var rejected = (await _cli.RunAsync("pay", "payees", "reject", waiting.Id.ToString(), "--json")).Succeeded().Json<PayeeView>();
        Assert.Equal((Iban, (PendingInstructions?)null), (rejected.Iban, rejected.Pending));
        var nothing = (await _cli.RunAsync("pay", "payees", "approve", waiting.Id.ToString())).Failed();
        Assert.Contains("Nothing to approve.", nothing.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A bank's camt.053 with one payment out, its creditor reference structured as banks send it.</summary>
    private static string Camt053(string reference, decimal amount)
    {
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
              <BkToCstmrStmt>
                <GrpHdr><MsgId>STMT-PAY-1</MsgId><CreDtTm>{today}T20:00:00</CreDtTm></GrpHdr>
                <Stmt>
                  <Id>PAY-1</Id>
                  <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>
                  <Ntry>
                    <Amt Ccy="EUR">{amount.ToString("0.00", CultureInfo.InvariantCulture)}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
                    <BookgDt><Dt>{today}</Dt></BookgDt>
                    <AcctSvcrRef>PAY-0001</AcctSvcrRef>
                    <NtryDtls><TxDtls>
                      <RltdPties><Cdtr><Nm>Radio Wombat</Nm></Cdtr></RltdPties>
                      <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf>
                    </TxDtls></NtryDtls>
                  </Ntry>
                </Stmt>
              </BkToCstmrStmt>
            </Document>
            """;
    }

    public void Dispose() => _cli.Dispose();
}
