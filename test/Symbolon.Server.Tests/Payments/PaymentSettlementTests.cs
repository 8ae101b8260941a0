using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NSec.Cryptography;
using Symbolon.Contracts.Payments;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Server.Tests.VendorProtocol;
using Symbolon.Server.Tests.Wallet;

namespace Symbolon.Server.Tests.Payments;

/// <summary>
/// EmanciPay end to end: a vendor's instructions approved, a pledge falling due, its EPC QR code, a camt.053 generated
/// here settling it, the signed record both sides keep, the payment.settled webhook; partial and double payments;
/// marking paid by hand; the budget's rules; a changed IBAN; reported usage.
/// </summary>
public sealed class PaymentSettlementTests
{
    private static readonly DateOnly Today = new(2026, 11, 23);

    public static TheoryData<StorageKind> Providers => [StorageKind.Sqlite, StorageKind.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_pledge_to_a_vendor_is_paid_by_qr_settled_by_a_camt_statement_and_its_record_is_countersigned(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (owner, _) = await factory.CreateVaultAsync();
        using var radio = await factory.PayeeVendorAsync(owner, "Kestrel Radio", receiver.UrlFor("radio"));
        using var other = await factory.PayeeVendorAsync(owner, "Other Station");

        // The station publishes how it can be paid; the person approves it.
        var instructions = new PaymentInstructionsInput("Kestrel Radio Foundation", PaymentsFlow.RadioIban, "ABNANL2A", "https://wallet.example/kestrel", "Free radio, 24/7", [10m, 5m]);
        Assert.Equal("pending", (await PaymentsFlow.PublishAsync(radio.Api, instructions)).Status);
        var payee = Assert.Single((await owner.GetFromJsonAsync<List<PayeeView>>($"{PaymentsFlow.Api}/payees", PaymentsFlow.Json))!);
        Assert.Equal(("", "NL91 ABNA 0417 1643 00", false), (payee.Iban, payee.Pending!.Iban, payee.Pending.IbanChanged));
        Assert.Equal(1, (await PaymentsFlow.OverviewAsync(owner)).PendingApprovals);
        await PaymentsFlow.AssertFieldErrorAsync(await owner.PostAsJsonAsync($"{PaymentsFlow.Api}/pledges", new PledgeInput(payee.Id, PledgeKinds.Fixed, 10, PledgePeriods.Month), PaymentsFlow.Json), "payee_id");
        var approved = await owner.PostAsync($"{PaymentsFlow.Api}/payees/{payee.Id}/approve", null);
        payee = (await approved.Content.ReadFromJsonAsync<PayeeView>(PaymentsFlow.Json))!;
        Assert.Equal(("Kestrel Radio Foundation", "NL91 ABNA 0417 1643 00", radio.RelationshipId), (payee.Name, payee.Iban, payee.RelationshipId));
        Assert.Equal([5m, 10m], payee.SuggestedAmounts);
        Assert.Null(payee.Pending);
        Assert.Equal("approved", (await PaymentsFlow.PublishAsync(radio.Api, instructions)).Status);

        // A fixed pledge falls due for this month at once, with an RF reference and its QR code.
        await PaymentsFlow.PledgeAsync(owner, new PledgeInput(payee.Id, PledgeKinds.Fixed, 10, PledgePeriods.Month));
        var due = await PaymentsFlow.OpenPaymentOfAsync(owner, payee.Id);
        Assert.Equal(("2026-11", 10m, PaymentStatuses.Due, 0m), (due.Period, due.Amount, due.Status, due.Paid));
        Assert.StartsWith("RF", due.Reference, StringComparison.Ordinal);
        var reference = due.Reference.Replace(" ", "", StringComparison.Ordinal);
        var qr = await PaymentsFlow.QrAsync(owner, due.Id);
        Assert.StartsWith("BCD\n002\n", qr.Payload, StringComparison.Ordinal);
        Assert.Contains("\n" + reference, qr.Payload, StringComparison.Ordinal);
        Assert.Equal(due.Reference, qr.Reference);
        Assert.Contains(PaymentsFlow.RadioIban, qr.Payload, StringComparison.Ordinal);
        Assert.Contains("EUR10", qr.Payload, StringComparison.Ordinal);
        var png = await owner.GetAsync($"{PaymentsFlow.Api}/{due.Id}/qr.png");
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await png.Content.ReadAsByteArrayAsync())[..4]);

        // The person's bank statement carries the reference: the import settles the payment and files the line as giving.
        var camt = PaymentsFlow.Camt053("STMT-1", new CamtLine(null, 3.40m, Today), new CamtLine(reference, 10.00m, Today));
        Assert.Equal(2, (await PaymentsFlow.ImportCamtAsync(owner, camt)).Added);
        var settled = await PaymentsFlow.PaymentAsync(owner, due.Id);
        Assert.Equal((PaymentStatuses.Settled, 10m), (settled.Status, settled.Paid));
        var evidence = Assert.Single(settled.Settlements);
        Assert.Equal(("statement", Today, 10m), (evidence.Method, evidence.Date, evidence.Amount));
        Assert.NotNull(settled.RecordId);
        Assert.Equal(["giving"], await PaymentsFlow.CategoriesOfLinesWithAsync(owner, reference));
        Assert.DoesNotContain("giving", await PaymentsFlow.CategoriesOfLinesWithAsync(owner, "Thank you"));
        Assert.Empty((await PaymentsFlow.OverviewAsync(owner)).Payments);
        var history = await owner.GetFromJsonAsync<PaymentHistory>($"{PaymentsFlow.Api}/history?months=3", PaymentsFlow.Json);
        Assert.Equal(10m, Assert.Single(history!.Payees).Total);

        // The station hears of it by webhook, with the record's id and the amount only.
        ReceivedWebhook hook;
        do
        {
            hook = await receiver.NextAsync("radio");
        }
        while (JsonDocument.Parse(hook.Body).RootElement.GetProperty("type").GetString() != WebhookEventTypes.PaymentSettled);
        var data = JsonDocument.Parse(hook.Body).RootElement.GetProperty("data").Deserialize<PaymentSettledData>()!;
        Assert.Equal(new PaymentSettledData(settled.RecordId!.Value, 10m, "EUR", "2026-11") { Subject = data.Subject }, data);
        Assert.False(string.IsNullOrEmpty(data.Subject));
        Assert.DoesNotContain(PaymentsFlow.RadioIban, hook.Body, StringComparison.Ordinal);

        // The station reads the record; the vault's signature verifies with the vault's key (the one on the agreement too).
        var record = (await radio.Api.GetFromJsonAsync<PaymentRecord>($"/api/v1/payments/records/{data.RecordId}"))!;
        var signed = Base64Url.DecodeFromChars(record.SignedContent);
        using var credentials = factory.CreateVendorClient(radio.Vendor);
        var agreement = (await credentials.GetFromJsonAsync<AgreementRecord>("/api/v1/agreements/current"))!;
        Assert.Equal(agreement.Content.PersonKey, record.Content.PersonKey);
        var vaultKey = PublicKey.Import(SignatureAlgorithm.Ed25519, Base64Url.DecodeFromChars(agreement.Content.PersonKey), KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(vaultKey, signed, Base64Url.DecodeFromChars(record.PersonSignature)));
        Assert.Equal(record.Content, JsonSerializer.Deserialize<PaymentRecordContent>(signed));
        Assert.Equal((radio.Vendor.ClientId, 10m, "EUR", reference, "2026-11", "sepa", "statement"), (record.Content.Payee, record.Content.Amount, record.Content.Currency, record.Content.Reference, record.Content.Period, record.Content.Rail, record.Content.Evidence.Method));
        Assert.Null(record.Content.SupporterName);
        Assert.Equal(data.Subject, record.Content.Supporter);
        Assert.Null(record.PayeeSignature);
        Assert.Single((await radio.Api.GetFromJsonAsync<List<PaymentRecord>>("/api/v1/payments/records"))!);

        // Another vendor sees neither the record nor the list; a forged countersignature is refused and stores nothing.
        await DataApiTests.AssertProblemAsync(await other.Api.GetAsync($"/api/v1/payments/records/{data.RecordId}"), HttpStatusCode.NotFound, ProblemCodes.PaymentNotFound);
        Assert.Empty((await other.Api.GetFromJsonAsync<List<PaymentRecord>>("/api/v1/payments/records"))!);
        using var forger = Key.Create(SignatureAlgorithm.Ed25519);
        var forged = new PaymentCountersignature(Base64Url.EncodeToString(SignatureAlgorithm.Ed25519.Sign(forger, signed)));
        await DataApiTests.AssertProblemAsync(await radio.Api.PutAsJsonAsync($"/api/v1/payments/records/{data.RecordId}/countersignature", forged), HttpStatusCode.BadRequest, ProblemCodes.PaymentCountersignatureInvalid);
        await DataApiTests.AssertProblemAsync(await radio.Api.PutAsJsonAsync($"/api/v1/payments/records/{data.RecordId}/countersignature", new PaymentCountersignature("not base64!")), HttpStatusCode.BadRequest, ProblemCodes.PaymentCountersignatureInvalid);
        var ownSignatureOnOther = new PaymentCountersignature(Base64Url.EncodeToString(SignatureAlgorithm.Ed25519.Sign(other.SigningKey, signed)));
        await DataApiTests.AssertProblemAsync(await other.Api.PutAsJsonAsync($"/api/v1/payments/records/{data.RecordId}/countersignature", ownSignatureOnOther), HttpStatusCode.NotFound, ProblemCodes.PaymentNotFound);
        Assert.Null((await owner.GetFromJsonAsync<PaymentRecord>($"{PaymentsFlow.Api}/records/{data.RecordId}", PaymentsFlow.Json))!.PayeeSignature);

        // The station countersigns with its registered key: both sides download the same bytes and both signatures.
        var signature = Base64Url.EncodeToString(SignatureAlgorithm.Ed25519.Sign(radio.SigningKey, signed));
        var countersigned = await radio.Api.PutAsJsonAsync($"/api/v1/payments/records/{data.RecordId}/countersignature", new PaymentCountersignature(signature));
        Assert.True(countersigned.StatusCode == HttpStatusCode.OK, await countersigned.Content.ReadAsStringAsync());
        var ownerCopy = (await owner.GetFromJsonAsync<PaymentRecord>($"{PaymentsFlow.Api}/records/{data.RecordId}", PaymentsFlow.Json))!;
        var vendorCopy = (await radio.Api.GetFromJsonAsync<PaymentRecord>($"/api/v1/payments/records/{data.RecordId}"))!;
        Assert.Equal((record.SignedContent, record.PersonSignature, signature), (ownerCopy.SignedContent, ownerCopy.PersonSignature, ownerCopy.PayeeSignature));
        Assert.Equal((ownerCopy.SignedContent, ownerCopy.PersonSignature, ownerCopy.PayeeSignature), (vendorCopy.SignedContent, vendorCopy.PersonSignature, vendorCopy.PayeeSignature));
        Assert.Single((await owner.GetFromJsonAsync<List<PaymentRecord>>($"{PaymentsFlow.Api}/records", PaymentsFlow.Json))!);

        // The same statement imported again changes nothing; the record stays one.
        await PaymentsFlow.ImportCamtAsync(owner, camt, "again.xml");
        Assert.Null((await PaymentsFlow.PaymentAsync(owner, due.Id)).Warning);
        Assert.Single((await owner.GetFromJsonAsync<List<PaymentRecord>>($"{PaymentsFlow.Api}/records", PaymentsFlow.Json))!);

        var log = await factory.AccessLogAsync();
        Assert.Contains(log, l => l.RelationshipId == radio.RelationshipId && l.Allowed && l.Datatypes == "payments.records" && l.Action == "countersign");
        Assert.Contains(log, l => l.RelationshipId == radio.RelationshipId && !l.Allowed && l.StatusCode == 400 && l.Action == "countersign");
        Assert.Contains(log, l => l.RelationshipId == other.RelationshipId && !l.Allowed && l.StatusCode == 404);
    }

    [Fact]
    public async Task A_partial_payment_shows_what_is_missing_a_second_line_settles_it_a_third_is_paid_twice_and_mark_paid_settles_by_hand()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var shelter = await PaymentsFlow.AddPayeeAsync(owner, "Harbour Shelter", PaymentsFlow.ShelterIban);
        var library = await PaymentsFlow.AddPayeeAsync(owner, "City Library", PaymentsFlow.LibraryIban);
        await PaymentsFlow.PledgeAsync(owner, new PledgeInput(shelter.Id, PledgeKinds.Fixed, 20, PledgePeriods.Month));
        await PaymentsFlow.PledgeAsync(owner, new PledgeInput(library.Id, PledgeKinds.Fixed, 5, PledgePeriods.Year));
        var shelterDue = await PaymentsFlow.OpenPaymentOfAsync(owner, shelter.Id);
        var libraryDue = await PaymentsFlow.OpenPaymentOfAsync(owner, library.Id);
        Assert.NotEqual(shelterDue.Reference, libraryDue.Reference);
        var shelterReference = shelterDue.Reference.Replace(" ", "", StringComparison.Ordinal);

        // 12 of 20 paid (the reference written in groups of four, as a bank app may put it): partial, 8 left, and it
        // cannot be cancelled any more.
        await PaymentsFlow.ImportCamtAsync(owner, PaymentsFlow.Camt053("P-1", new CamtLine(shelterDue.Reference, 12m, Today)), "p1.xml");
        var partial = await PaymentsFlow.PaymentAsync(owner, shelterDue.Id);
        Assert.Equal((PaymentStatuses.Partial, 12m, (Guid?)null), (partial.Status, partial.Paid, partial.RecordId));
        Assert.Contains((await PaymentsFlow.OverviewAsync(owner)).Payments, p => p.Id == shelterDue.Id && p.Status == PaymentStatuses.Partial);
        var rest = await PaymentsFlow.QrAsync(owner, shelterDue.Id);
        Assert.Equal(8m, rest.Amount);
        Assert.Contains("EUR8", rest.Payload, StringComparison.Ordinal);
        await DataApiTests.AssertProblemAsync(await owner.PostAsync($"{PaymentsFlow.Api}/{shelterDue.Id}/cancel", null), HttpStatusCode.Conflict, ProblemCodes.PaymentHeld);

        // A line in another currency, and money coming in, carrying the reference, do not count.
        await PaymentsFlow.ImportCamtAsync(owner, PaymentsFlow.Camt053("P-X", new CamtLine(shelterDue.Reference, 8m, Today, "USD"), new CamtLine(shelterDue.Reference, 8m, Today, Debit: false)), "px.xml");
        Assert.Equal((PaymentStatuses.Partial, 12m), ((await PaymentsFlow.PaymentAsync(owner, shelterDue.Id)).Status, (await PaymentsFlow.PaymentAsync(owner, shelterDue.Id)).Paid));

        // The rest, on another statement: settled, one record.
        await PaymentsFlow.ImportCamtAsync(owner, PaymentsFlow.Camt053("P-2", new CamtLine(shelterReference, 8m, Today)), "p2.xml");
        var paid = await PaymentsFlow.PaymentAsync(owner, shelterDue.Id);
        Assert.Equal((PaymentStatuses.Settled, 20m, 2), (paid.Status, paid.Paid, paid.Settlements.Count));
        Assert.Null(paid.Warning);
        Assert.Equal(["giving"], await PaymentsFlow.CategoriesOfLinesWithAsync(owner, shelterReference));
        var spaced = await PaymentsFlow.CategoriesOfLinesWithAsync(owner, shelterDue.Reference);
        Assert.Equal(3, spaced.Count);
        Assert.Equal(1, spaced.Count(c => c == "giving"));

        // The same reference on a third statement's line: "Paid twice", still one record; the check endpoint says so too.
        await PaymentsFlow.ImportCamtAsync(owner, PaymentsFlow.Camt053("P-3", new CamtLine(shelterReference, 8m, Today)), "p3.xml");
        var twice = await PaymentsFlow.PaymentAsync(owner, shelterDue.Id);
        Assert.Equal(PaymentStatuses.Settled, twice.Status);
        Assert.StartsWith("Paid twice", twice.Warning, StringComparison.Ordinal);
        Assert.Equal(paid.RecordId, twice.RecordId);
        var records = (await owner.GetFromJsonAsync<List<PaymentRecord>>($"{PaymentsFlow.Api}/records", PaymentsFlow.Json))!;
        Assert.Single(records, r => r.Content.Reference == shelterReference);
        Assert.Equal(20m, Assert.Single(records).Content.Amount);
        var check = (await (await owner.PostAsync($"{PaymentsFlow.Api}/check", null)).Content.ReadFromJsonAsync<SettlementCheck>(PaymentsFlow.Json))!;
        Assert.Equal((0, 0), (check.Settled, check.Partial));
        Assert.Single((await owner.GetFromJsonAsync<List<PaymentRecord>>($"{PaymentsFlow.Api}/records", PaymentsFlow.Json))!);

        // One line paying more than was due settles the payment and says by how much, not "twice".
        var tip = await PaymentsFlow.AddPayeeAsync(owner, "Tern Tips", PaymentsFlow.NewRadioIban);
        await PaymentsFlow.PledgeAsync(owner, new PledgeInput(tip.Id, PledgeKinds.Fixed, 3, PledgePeriods.Month));
        var tipDue = await PaymentsFlow.OpenPaymentOfAsync(owner, tip.Id);
        await PaymentsFlow.ImportCamtAsync(owner, PaymentsFlow.Camt053("P-4", new CamtLine(tipDue.Reference.Replace(" ", "", StringComparison.Ordinal), 4.50m, Today)), "p4.xml");
        var overpaid = await PaymentsFlow.PaymentAsync(owner, tipDue.Id);
        Assert.Equal((PaymentStatuses.Settled, 4.50m, "Paid EUR 4.50 for EUR 3.00 due."), (overpaid.Status, overpaid.Paid, overpaid.Warning));

        // Marked paid by hand: settled with a record of its own; again is 409 SYM2904.
        var marked = await owner.PostAsJsonAsync($"{PaymentsFlow.Api}/{libraryDue.Id}/paid", new MarkPaidInput(Today.AddDays(-1)), PaymentsFlow.Json);
        Assert.True(marked.StatusCode == HttpStatusCode.OK, await marked.Content.ReadAsStringAsync());
        var byHand = (await marked.Content.ReadFromJsonAsync<PaymentView>(PaymentsFlow.Json))!;
        Assert.Equal((PaymentStatuses.Settled, 5m), (byHand.Status, byHand.Paid));
        var handRecord = (await owner.GetFromJsonAsync<PaymentRecord>($"{PaymentsFlow.Api}/records/{byHand.RecordId}", PaymentsFlow.Json))!;
        Assert.Equal(("manual", Today.AddDays(-1), 5m, "City Library"), (handRecord.Content.Evidence.Method, handRecord.Content.Evidence.Date, handRecord.Content.Amount, handRecord.Content.PayeeName));
        await DataApiTests.AssertProblemAsync(await owner.PostAsync($"{PaymentsFlow.Api}/{libraryDue.Id}/paid", null), HttpStatusCode.Conflict, ProblemCodes.PaymentNotOpen);
        await DataApiTests.AssertProblemAsync(await owner.GetAsync($"{PaymentsFlow.Api}/{libraryDue.Id}/qr"), HttpStatusCode.Conflict, ProblemCodes.PaymentNotOpen);
        await DataApiTests.AssertProblemAsync(await owner.PostAsync($"{PaymentsFlow.Api}/{libraryDue.Id}/cancel", null), HttpStatusCode.Conflict, ProblemCodes.PaymentNotOpen);
        Assert.Equal(3, (await owner.GetFromJsonAsync<List<PaymentRecord>>($"{PaymentsFlow.Api}/records", PaymentsFlow.Json))!.Count);
        Assert.Equal(3, (await owner.GetFromJsonAsync<List<PaymentView>>($"{PaymentsFlow.Api}/all?status=settled", PaymentsFlow.Json))!.Count);

        // The giving so far is in the history and counts against this month's budget.
        var budget = (await owner.GetFromJsonAsync<BudgetView>($"{PaymentsFlow.Api}/budget", PaymentsFlow.Json))!;
        Assert.Equal((28m, 28m), (budget.Committed, budget.Paid));
    }

    [Fact]
    public async Task The_budget_refuses_a_pledge_over_it_scales_or_holds_what_does_not_fit_and_a_held_payment_is_released()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var a = await PaymentsFlow.AddPayeeAsync(owner, "Avocet Podcast", PaymentsFlow.ShelterIban);
        var b = await PaymentsFlow.AddPayeeAsync(owner, "Bittern Wiki", PaymentsFlow.LibraryIban);
        var c = await PaymentsFlow.AddPayeeAsync(owner, "Curlew Code", PaymentsFlow.RadioIban);
        var d = await PaymentsFlow.AddPayeeAsync(owner, "Dotterel News", PaymentsFlow.NewRadioIban);

        await PaymentsFlow.AssertFieldErrorAsync(await owner.PutAsJsonAsync($"{PaymentsFlow.Api}/budget", new BudgetInput(0.5m, "squeeze"), PaymentsFlow.Json), "rule");
        await PaymentsFlow.AssertFieldErrorAsync(await owner.PutAsJsonAsync($"{PaymentsFlow.Api}/budget", new BudgetInput(0.5m, BudgetRules.Scale), PaymentsFlow.Json), "amount");

        // Scale: two pledges of 20 and 15 that fall due together shrink to fit 25.
        await owner.PutAsJsonAsync($"{PaymentsFlow.Api}/budget", new BudgetInput(25, BudgetRules.Scale), PaymentsFlow.Json);
        await PaymentsFlow.PledgeAsync(owner, new PledgeInput(a.Id, PledgeKinds.Fixed, 20, PledgePeriods.Month));
        await PaymentsFlow.PledgeAsync(owner, new PledgeInput(b.Id, PledgeKinds.Fixed, 15, PledgePeriods.Month));
        var scaled = (await PaymentsFlow.OverviewAsync(owner)).Payments;
        Assert.Equal(2, scaled.Count);
        Assert.All(scaled, p => Assert.Equal(PaymentStatuses.Due, p.Status));
        Assert.InRange(scaled.Sum(p => p.Amount), 24.90m, 25m);
        Assert.True(scaled.Single(p => p.PayeeId == a.Id).Amount is > 14m and < 20m);
        Assert.Equal(20m, scaled.Single(p => p.PayeeId == a.Id).Pledged);
        Assert.Contains("scaled", scaled[0].Basis, StringComparison.Ordinal);

        // Hold: a fixed pledge larger than the whole budget is refused; of two that fall due together, the one that
        // does not fit is held, its QR refused until the person releases it.
        await owner.PutAsJsonAsync($"{PaymentsFlow.Api}/budget", new BudgetInput(40, BudgetRules.Hold), PaymentsFlow.Json);
        await PaymentsFlow.AssertFieldErrorAsync(await owner.PostAsJsonAsync($"{PaymentsFlow.Api}/pledges", new PledgeInput(c.Id, PledgeKinds.Fixed, 40.01m, PledgePeriods.Month), PaymentsFlow.Json), "amount", PaymentsFlow.RadioIban);
        await PaymentsFlow.PledgeAsync(owner, new PledgeInput(c.Id, PledgeKinds.Fixed, 10, PledgePeriods.Month));
        await PaymentsFlow.PledgeAsync(owner, new PledgeInput(d.Id, PledgeKinds.Fixed, 8, PledgePeriods.Month));
        var overview = await PaymentsFlow.OverviewAsync(owner);
        var fits = overview.Payments.Single(p => p.PayeeId == c.Id);
        var held = overview.Payments.Single(p => p.PayeeId == d.Id);
        Assert.Equal((PaymentStatuses.Due, 10m), (fits.Status, fits.Amount));
        Assert.Equal((PaymentStatuses.Held, 8m), (held.Status, held.Amount));
        Assert.Contains("budget", held.HeldReason, StringComparison.Ordinal);
        Assert.Equal(8m, overview.Budget.Held);
        Assert.True(overview.Budget.Committed <= 40m, overview.Budget.Committed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await DataApiTests.AssertProblemAsync(await owner.GetAsync($"{PaymentsFlow.Api}/{held.Id}/qr"), HttpStatusCode.Conflict, ProblemCodes.PaymentHeld);
        await DataApiTests.AssertProblemAsync(await owner.GetAsync($"{PaymentsFlow.Api}/{held.Id}/qr.png"), HttpStatusCode.Conflict, ProblemCodes.PaymentHeld);
        await DataApiTests.AssertProblemAsync(await owner.PostAsync($"{PaymentsFlow.Api}/{held.Id}/paid", null), HttpStatusCode.Conflict, ProblemCodes.PaymentHeld);

        var released = await owner.PostAsync($"{PaymentsFlow.Api}/{held.Id}/release", null);
        Assert.Equal(PaymentStatuses.Due, (await released.Content.ReadFromJsonAsync<PaymentView>(PaymentsFlow.Json))!.Status);
        Assert.Equal(8m, (await PaymentsFlow.QrAsync(owner, held.Id)).Amount);

        // Another refresh makes nothing due twice; clearing the budget keeps what was made due.
        Assert.Equal(4, (await PaymentsFlow.OverviewAsync(owner)).Payments.Count);
        Assert.Null((await (await owner.DeleteAsync($"{PaymentsFlow.Api}/budget")).Content.ReadFromJsonAsync<BudgetView>(PaymentsFlow.Json))!.Amount);
        Assert.Equal(4, (await PaymentsFlow.OverviewAsync(owner)).Payments.Count);
    }

    [Fact]
    public async Task A_changed_iban_holds_open_payments_until_approved_rejecting_keeps_the_approved_iban_and_usage_suggests_an_amount()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        using var radio = await factory.PayeeVendorAsync(owner, "Kestrel Radio");
        await PaymentsFlow.PublishAsync(radio.Api, new PaymentInstructionsInput("Kestrel Radio Foundation", PaymentsFlow.RadioIban));
        var payee = Assert.Single((await owner.GetFromJsonAsync<List<PayeeView>>($"{PaymentsFlow.Api}/payees", PaymentsFlow.Json))!);
        (await owner.PostAsync($"{PaymentsFlow.Api}/payees/{payee.Id}/approve", null)).EnsureSuccessStatusCode();
        await PaymentsFlow.PledgeAsync(owner, new PledgeInput(payee.Id, PledgeKinds.Fixed, 10, PledgePeriods.Month));
        var due = await PaymentsFlow.OpenPaymentOfAsync(owner, payee.Id);

        // A second payment paid in part, and a third held over the budget.
        var quarterly = await PaymentsFlow.PledgeAsync(owner, new PledgeInput(payee.Id, PledgeKinds.Fixed, 6, PledgePeriods.Quarter));
        var partial = (await PaymentsFlow.OverviewAsync(owner)).Payments.Single(p => p.PledgeId == quarterly.Id);
        (await owner.PostAsJsonAsync($"{PaymentsFlow.Api}/{partial.Id}/paid", new MarkPaidInput(Amount: 2), PaymentsFlow.Json)).EnsureSuccessStatusCode();
        Assert.Equal(PaymentStatuses.Partial, (await PaymentsFlow.PaymentAsync(owner, partial.Id)).Status);
        (await owner.PutAsJsonAsync($"{PaymentsFlow.Api}/budget", new BudgetInput(12, BudgetRules.Hold), PaymentsFlow.Json)).EnsureSuccessStatusCode();
        var yearly = await PaymentsFlow.PledgeAsync(owner, new PledgeInput(payee.Id, PledgeKinds.Fixed, 5, PledgePeriods.Year));
        var overBudget = (await PaymentsFlow.OverviewAsync(owner)).Payments.Single(p => p.PledgeId == yearly.Id);
        Assert.Equal(PaymentStatuses.Held, overBudget.Status);

        // The station publishes another IBAN: the open payments are held, the reason names the IBAN change, no QR is made.
        Assert.Equal("pending", (await PaymentsFlow.PublishAsync(radio.Api, new PaymentInstructionsInput("Kestrel Radio Foundation", PaymentsFlow.NewRadioIban))).Status);
        foreach (var id in new[] { due.Id, partial.Id })
        {
            var held = await PaymentsFlow.PaymentAsync(owner, id);
            Assert.Equal(PaymentStatuses.Held, held.Status);
            Assert.Contains("IBAN", held.HeldReason, StringComparison.Ordinal);
            var refused = await DataApiTests.AssertProblemAsync(await owner.GetAsync($"{PaymentsFlow.Api}/{id}/qr"), HttpStatusCode.Conflict, ProblemCodes.PaymentHeld);
            Assert.Contains("IBAN", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
            await DataApiTests.AssertProblemAsync(await owner.PostAsync($"{PaymentsFlow.Api}/{id}/release", null), HttpStatusCode.Conflict, ProblemCodes.PaymentHeld);
            await DataApiTests.AssertProblemAsync(await owner.PostAsync($"{PaymentsFlow.Api}/{id}/paid", null), HttpStatusCode.Conflict, ProblemCodes.PaymentHeld);
        }

        var pending = Assert.Single((await owner.GetFromJsonAsync<List<PayeeView>>($"{PaymentsFlow.Api}/payees", PaymentsFlow.Json))!).Pending!;
        Assert.True(pending.IbanChanged);

        // The one held over the budget stays held for the budget, and cannot be released before the IBAN is decided.
        Assert.Contains("budget", (await PaymentsFlow.PaymentAsync(owner, overBudget.Id)).HeldReason, StringComparison.Ordinal);
        var early = await DataApiTests.AssertProblemAsync(await owner.PostAsync($"{PaymentsFlow.Api}/{overBudget.Id}/release", null), HttpStatusCode.Conflict, ProblemCodes.PaymentHeld);
        Assert.Contains("IBAN", early.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // A pledge made while the change waits, and over the budget: held for the budget, which approving does not lift.
        var late = await PaymentsFlow.PledgeAsync(owner, new PledgeInput(payee.Id, PledgeKinds.Fixed, 7, PledgePeriods.Month));
        var lateDue = (await PaymentsFlow.OverviewAsync(owner)).Payments.Single(p => p.PledgeId == late.Id);
        Assert.Equal(PaymentStatuses.Held, lateDue.Status);
        Assert.Contains("budget", lateDue.HeldReason, StringComparison.Ordinal);

        // Approved: due (and partial) again, to the new IBAN; the ones over the budget still wait for their release.
        (await owner.PostAsync($"{PaymentsFlow.Api}/payees/{payee.Id}/approve", null)).EnsureSuccessStatusCode();
        Assert.Equal(PaymentStatuses.Due, (await PaymentsFlow.PaymentAsync(owner, due.Id)).Status);
        var qr = await PaymentsFlow.QrAsync(owner, due.Id);
        Assert.Contains(PaymentsFlow.NewRadioIban, qr.Payload, StringComparison.Ordinal);
        Assert.DoesNotContain(PaymentsFlow.RadioIban, qr.Payload, StringComparison.Ordinal);
        Assert.Equal(PaymentStatuses.Partial, (await PaymentsFlow.PaymentAsync(owner, partial.Id)).Status);
        var rest = await PaymentsFlow.QrAsync(owner, partial.Id);
        Assert.Equal(4m, rest.Amount);
        Assert.Contains(PaymentsFlow.NewRadioIban, rest.Payload, StringComparison.Ordinal);
        Assert.Equal(PaymentStatuses.Held, (await PaymentsFlow.PaymentAsync(owner, overBudget.Id)).Status);
        Assert.Equal(PaymentStatuses.Held, (await PaymentsFlow.PaymentAsync(owner, lateDue.Id)).Status);
        (await owner.PostAsync($"{PaymentsFlow.Api}/{overBudget.Id}/release", null)).EnsureSuccessStatusCode();
        Assert.Contains(PaymentsFlow.NewRadioIban, (await PaymentsFlow.QrAsync(owner, overBudget.Id)).Payload, StringComparison.Ordinal);

        // Another change, rejected: due again, still to the approved IBAN.
        await PaymentsFlow.PublishAsync(radio.Api, new PaymentInstructionsInput("Kestrel Radio Foundation", PaymentsFlow.ShelterIban));
        Assert.Equal(PaymentStatuses.Held, (await PaymentsFlow.PaymentAsync(owner, due.Id)).Status);
        var rejected = await owner.PostAsync($"{PaymentsFlow.Api}/payees/{payee.Id}/reject", null);
        Assert.Equal("NL20 INGB 0001 2345 67", (await rejected.Content.ReadFromJsonAsync<PayeeView>(PaymentsFlow.Json))!.Iban);
        Assert.Equal(PaymentStatuses.Due, (await PaymentsFlow.PaymentAsync(owner, due.Id)).Status);
        var kept = await PaymentsFlow.QrAsync(owner, due.Id);
        Assert.Contains(PaymentsFlow.NewRadioIban, kept.Payload, StringComparison.Ordinal);
        Assert.DoesNotContain(PaymentsFlow.ShelterIban, kept.Payload, StringComparison.Ordinal);
        await DataApiTests.AssertProblemAsync(await owner.PostAsync($"{PaymentsFlow.Api}/payees/{payee.Id}/reject", null), HttpStatusCode.Conflict, ProblemCodes.PayeeInstructionsNotPending);
        (await owner.DeleteAsync($"{PaymentsFlow.Api}/budget")).EnsureSuccessStatusCode();

        // Bad instructions are refused by field, never echoing the IBAN or the name, nor logging them.
        var badInstructions = await DataApiTests.SendAsync(radio.Api, HttpMethod.Post, "/api/v1/payments/instructions", new PaymentInstructionsInput("Grebe Secret Fund", "NL92ABNA0417164300", "NOTABIC!", "http://wallet.example", null, [1.001m]), null);
        var problem = await PaymentsFlow.AssertFieldErrorAsync(badInstructions, "iban", "NL92ABNA0417164300", "Grebe Secret Fund");
        foreach (var field in new[] { "bic", "wallet_address", "suggested_amounts[0]" })
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), field);
        }

        Assert.Null(Assert.Single((await owner.GetFromJsonAsync<List<PayeeView>>($"{PaymentsFlow.Api}/payees", PaymentsFlow.Json))!).Pending);
        var logs = string.Join("\n", factory.Logs);
        Assert.DoesNotContain("NL92ABNA0417164300", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("Grebe Secret Fund", logs, StringComparison.Ordinal);

        // Usage with bad fields is refused by field; good usage suggests an amount for a per-use pledge.
        var from = new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero);
        foreach (var (bad, field) in new (UsageInput, string)[]
        {
            (new UsageInput(from, from.AddDays(7), 0, "hours"), "quantity"),
            (new UsageInput(from, from.AddDays(7), 1.234m, "hours"), "quantity"),
            (new UsageInput(from, from.AddDays(7), 14, "Hours!"), "unit"),
            (new UsageInput(from, from.AddDays(-1), 14, "hours"), "to"),
            (new UsageInput(from, from.AddDays(100), 14, "hours"), "to"),
            (new UsageInput(new DateTimeOffset(1999, 1, 1, 0, 0, 0, TimeSpan.Zero), from, 14, "hours"), "from"),
        })
        {
            await PaymentsFlow.AssertFieldErrorAsync(await DataApiTests.SendAsync(radio.Api, HttpMethod.Post, "/api/v1/usage", bad, null), field);
        }

        Assert.Empty((await radio.Api.GetFromJsonAsync<List<UsageReport>>("/api/v1/usage"))!);
        var reported = await DataApiTests.SendAsync(radio.Api, HttpMethod.Post, "/api/v1/usage", new UsageInput(from, from.AddDays(7), 14, "hours", "Listening this week"), "week-47");
        Assert.True(reported.StatusCode == HttpStatusCode.Created, await reported.Content.ReadAsStringAsync());
        Assert.Equal(14m, Assert.Single((await radio.Api.GetFromJsonAsync<List<UsageReport>>("/api/v1/usage"))!).Quantity);

        var perUse = await PaymentsFlow.PledgeAsync(owner, new PledgeInput(payee.Id, PledgeKinds.PerUse, 0.50m, PledgePeriods.Month, 20, UsageSources.Reported, "hours"));
        Assert.NotNull(perUse.Suggestion);
        Assert.Equal(("2026-11", 14m, "hours", 7m), (perUse.Suggestion!.Period, perUse.Suggestion.Usage, perUse.Suggestion.Unit, perUse.Suggestion.Amount));
        Assert.Contains("14 hours", perUse.Suggestion.Sentence, StringComparison.Ordinal);
        Assert.Contains("EUR 0.50", perUse.Suggestion.Sentence, StringComparison.Ordinal);

        // A per-use pledge pays for a period once it has ended, not before.
        Assert.DoesNotContain((await PaymentsFlow.OverviewAsync(owner)).Payments, p => p.PledgeId == perUse.Id);
    }
    [Fact]
    public async Task Per_use_pledges_fall_due_once_their_period_ended_from_visits_and_reported_usage_capped_and_a_shared_name_is_in_the_record()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new Symbolon.Contracts.Profile.ProfileFieldInput(Symbolon.Contracts.Profile.ProfileFieldKinds.Name, Name: new Symbolon.Contracts.Profile.PersonName("Ada", "Lovelace")));
        var token = (await (await owner.PostAsJsonAsync("/owner/api/v1/tokens", new Symbolon.Contracts.Vault.CreateTokenRequest("payments"))).Content.ReadFromJsonAsync<Symbolon.Contracts.Vault.OwnerToken>(PaymentsFlow.Json))!;
        using var person = factory.CreateTokenClient(token.Token!);
        using var cafe = await factory.PayeeVendorAsync(owner, "Blue Door Coffee", details: DataApiTests.DetailsOf(
            ([Datatypes.PaymentInstructions], [DataActions.Append]), ([Datatypes.Usage], [DataActions.Read, DataActions.Append]), ([Datatypes.Receipts], [DataActions.Read, DataActions.Append])));
        await PaymentsFlow.PublishAsync(cafe.Api, new PaymentInstructionsInput("Blue Door Coffee BV", PaymentsFlow.ShelterIban));
        var payee = Assert.Single((await person.GetFromJsonAsync<List<PayeeView>>($"{PaymentsFlow.Api}/payees", PaymentsFlow.Json))!);
        (await person.PostAsync($"{PaymentsFlow.Api}/payees/{payee.Id}/approve", null)).EnsureSuccessStatusCode();

        // Two visits in November (two receipts on two days, a third the same day as the second), and 14 hours reported.
        foreach (var (day, number) in new[] { (20, "R-1"), (22, "R-2"), (22, "R-3") })
        {
            var receipt = WalletFlow.Receipt(number: number) with { IssuedAt = new DateTimeOffset(2026, 11, day, 8, 0, 0, TimeSpan.Zero) };
            Assert.Equal(HttpStatusCode.Created, (await DataApiTests.SendAsync(cafe.Api, HttpMethod.Post, "/api/v1/receipts", receipt, null)).StatusCode);
        }

        var from = new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.Created, (await DataApiTests.SendAsync(cafe.Api, HttpMethod.Post, "/api/v1/usage", new UsageInput(from, from.AddDays(7), 14, "hours"), null)).StatusCode);

        var visits = await PaymentsFlow.PledgeAsync(person, new PledgeInput(payee.Id, PledgeKinds.PerUse, 1.50m, PledgePeriods.Month, 10, UsageSources.Visits, ShareName: true));
        var hours = await PaymentsFlow.PledgeAsync(person, new PledgeInput(payee.Id, PledgeKinds.PerUse, 0.50m, PledgePeriods.Month, 5, UsageSources.Reported, "hours"));
        Assert.Equal((2m, "visits", 3m), (visits.Suggestion!.Usage, visits.Suggestion.Unit, visits.Suggestion.Amount));
        Assert.Equal((14m, 5m), (hours.Suggestion!.Usage, hours.Suggestion.Amount));
        Assert.Contains("capped at EUR 5.00", hours.Suggestion.Sentence, StringComparison.Ordinal);
        Assert.Empty((await PaymentsFlow.OverviewAsync(person)).Payments);

        // November ends: each pledge owes for it, the reported one capped; nothing for December yet.
        factory.Time.Advance(TimeSpan.FromDays(9));
        var open = (await PaymentsFlow.OverviewAsync(person)).Payments;
        Assert.Equal(2, open.Count);
        var forVisits = open.Single(p => p.PledgeId == visits.Id);
        var forHours = open.Single(p => p.PledgeId == hours.Id);
        Assert.Equal(("2026-11", 3m, PaymentStatuses.Due), (forVisits.Period, forVisits.Amount, forVisits.Status));
        Assert.Equal(("2026-11", 5m), (forHours.Period, forHours.Amount));
        Assert.Contains("capped", forHours.Basis, StringComparison.Ordinal);
        Assert.Equal(2, (await PaymentsFlow.OverviewAsync(person)).Payments.Count);

        // The visits pledge shares the person's name: the record carries it; the other record does not (the station's
        // access token lapsed with the days that passed; it refreshes it).
        var refresh = await factory.TokenRequestAsync(cafe.Vendor, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = cafe.Tokens.RefreshToken! });
        Assert.True(refresh.IsSuccessStatusCode, await refresh.Content.ReadAsStringAsync());
        using var station = factory.CreateBearerClient((await VendorFlow.ReadTokensAsync(refresh)).AccessToken);
        var paid = (await (await person.PostAsync($"{PaymentsFlow.Api}/{forVisits.Id}/paid", null)).Content.ReadFromJsonAsync<PaymentView>(PaymentsFlow.Json))!;
        var record = (await station.GetFromJsonAsync<PaymentRecord>($"/api/v1/payments/records/{paid.RecordId}"))!;
        Assert.Equal("Ada Lovelace", record.Content.SupporterName);
        var other = (await (await person.PostAsync($"{PaymentsFlow.Api}/{forHours.Id}/paid", null)).Content.ReadFromJsonAsync<PaymentView>(PaymentsFlow.Json))!;
        var otherRecord = (await station.GetFromJsonAsync<PaymentRecord>($"/api/v1/payments/records/{other.RecordId}"))!;
        Assert.Null(otherRecord.Content.SupporterName);
        Assert.Equal(record.Content.Supporter, otherRecord.Content.Supporter);
    }
}
