using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Symbolon.Contracts.Payments;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Payments;

namespace Symbolon.Server.Tests.Payments;

/// <summary>
/// The owner's payments API on one shared vault: refused payees and pledges (by field, never echoing the IBAN or the
/// name, nor logging them), payees by hand and from an EPC QR code's text or image, and a cookie write from another
/// site. Every case uses names and IBANs of its own, so the cases never see each other's payees.
/// </summary>
public sealed class PaymentOwnerApiTests(SharedVault shared) : IClassFixture<SharedVault>
{
    private HttpClient Owner => shared.Owner;

    [Theory]
    [InlineData("bad check digits", "NL92ABNA0417164300")]
    [InlineData("too short for its country", "NL91ABNA041716430")]
    [InlineData("too long for its country", "DE893704004405320130001")]
    [InlineData("unknown country", "QQ91ABNA0417164300")]
    [InlineData("letters in a German account", "DE89370400440532O13000")]
    public async Task An_invalid_iban_is_refused_by_field_without_echoing_or_logging_it_and_nothing_is_added(string what, string iban)
    {
        var name = "Osprey Trust " + what.GetHashCode(StringComparison.Ordinal).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        var response = await Owner.PostAsJsonAsync($"{PaymentsFlow.Api}/payees", new PayeeInput(name, iban), PaymentsFlow.Json);
        var problem = await PaymentsFlow.AssertFieldErrorAsync(response, "iban", iban, iban[4..], name);
        Assert.False(problem.GetProperty("errors").TryGetProperty("name", out _), what);

        var payees = (await Owner.GetFromJsonAsync<List<PayeeView>>($"{PaymentsFlow.Api}/payees", PaymentsFlow.Json))!;
        Assert.DoesNotContain(payees, p => p.Name == name);
        var logs = string.Join("\n", shared.App.Logs);
        Assert.DoesNotContain(iban, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(name, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payee_is_added_by_hand_from_an_epc_code_text_and_from_a_photo_of_the_code()
    {
        var byHand = await PaymentsFlow.AddPayeeAsync(Owner, "Heron Library", " be68 5390 0754 7034 ", "GEBABEBB");
        Assert.Equal(("Heron Library", "BE68 5390 0754 7034", "GEBABEBB", "manual"), (byHand.Name, byHand.Iban, byHand.Bic, byHand.Source));
        Assert.Null(byHand.Pending);

        var payload = EpcQr.BuildPayload(new EpcTransfer("Lark Food Bank", "AT611904300234573201", null, 12.50m, "EUR", null, "Donation", null, null));
        var fromText = await Owner.PostAsJsonAsync($"{PaymentsFlow.Api}/payees/qr", new EpcQrTextInput(payload), PaymentsFlow.Json);
        Assert.True(fromText.StatusCode == HttpStatusCode.Created, await fromText.Content.ReadAsStringAsync());
        var textPayee = (await fromText.Content.ReadFromJsonAsync<PayeeView>(PaymentsFlow.Json))!;
        Assert.Equal(("Lark Food Bank", "AT61 1904 3002 3457 3201", "qr"), (textPayee.Name, textPayee.Iban, textPayee.Source));

        // A code that leaves the amount to the payer, as a charity's poster has it.
        var amountless = await Owner.PostAsJsonAsync($"{PaymentsFlow.Api}/payees/qr", new EpcQrTextInput("BCD\n002\n1\nSCT\n\nStint Shelter\nDE89370400440532013000"), PaymentsFlow.Json);
        Assert.True(amountless.StatusCode == HttpStatusCode.Created, await amountless.Content.ReadAsStringAsync());

        var png = EpcQr.RenderPng(EpcQr.BuildPayload(new EpcTransfer("Wren Open Source", "FR1420041010050500013M02606", "PSSTFRPP", 1, "EUR", null, null, null, null)));
        using var image = new ByteArrayContent(png);
        image.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var fromImage = await Owner.PostAsync($"{PaymentsFlow.Api}/payees/qr-image", image);
        Assert.True(fromImage.StatusCode == HttpStatusCode.Created, await fromImage.Content.ReadAsStringAsync());
        var imagePayee = (await fromImage.Content.ReadFromJsonAsync<PayeeView>(PaymentsFlow.Json))!;
        Assert.Equal(("Wren Open Source", "FR14 2004 1010 0505 0001 3M02 606", "PSSTFRPP"), (imagePayee.Name, imagePayee.Iban, imagePayee.Bic));

        // A picture of a few hundred KiB (an uncompressed bitmap, like a phone's) is read too: the 5 MiB limit is the image's own.
        using var bitmap = new MemoryStream();
        using (var decoded = SixLabors.ImageSharp.Image.Load(EpcQr.RenderPng(EpcQr.BuildPayload(new EpcTransfer("Smew Archive", PaymentsFlow.LibraryIban, null, 2.50m, "EUR", null, null, null, null)), 12)))
        {
            decoded.Save(bitmap, new SixLabors.ImageSharp.Formats.Bmp.BmpEncoder());
        }

        Assert.True(bitmap.Length > 300 * 1024, bitmap.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var bmp = new ByteArrayContent(bitmap.ToArray());
        bmp.Headers.ContentType = new MediaTypeHeaderValue("image/bmp");
        var fromBitmap = await Owner.PostAsync($"{PaymentsFlow.Api}/payees/qr-image", bmp);
        Assert.True(fromBitmap.StatusCode == HttpStatusCode.Created, await fromBitmap.Content.ReadAsStringAsync());
        Assert.Equal("Smew Archive", (await fromBitmap.Content.ReadFromJsonAsync<PayeeView>(PaymentsFlow.Json))!.Name);

        var payees = (await Owner.GetFromJsonAsync<List<PayeeView>>($"{PaymentsFlow.Api}/payees", PaymentsFlow.Json))!;
        Assert.Superset(new HashSet<Guid> { byHand.Id, textPayee.Id, imagePayee.Id }, payees.Select(p => p.Id).ToHashSet());
    }

    [Fact]
    public async Task A_broken_epc_code_a_picture_without_one_and_an_image_over_5_MiB_are_refused_clearly()
    {
        var before = (await Owner.GetFromJsonAsync<List<PayeeView>>($"{PaymentsFlow.Api}/payees", PaymentsFlow.Json))!.Count;

        // A payload whose IBAN fails mod-97: refused by field, the IBAN and the name not repeated.
        var payload = "BCD\n002\n1\nSCT\n\nPlover Hospice\nNL92ABNA0417164300\nEUR5.00";
        var broken = await Owner.PostAsJsonAsync($"{PaymentsFlow.Api}/payees/qr", new EpcQrTextInput(payload), PaymentsFlow.Json);
        var text = await broken.Content.ReadAsStringAsync();
        Assert.True(broken.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.DoesNotContain("NL92ABNA", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Plover", text, StringComparison.Ordinal);

        // A PNG with no code in it.
        var blank = EpcQr.RenderPng("not an EPC code at all");
        using (var noCode = new ByteArrayContent(blank))
        {
            noCode.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            var response = await Owner.PostAsync($"{PaymentsFlow.Api}/payees/qr-image", noCode);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        }

        // A bitmap whose header claims 50,000 × 50,000 pixels: refused from its header, before any pixel is decoded.
        var bomb = new byte[64];
        "BM"u8.CopyTo(bomb);
        BitConverter.TryWriteBytes(bomb.AsSpan(2), bomb.Length);
        BitConverter.TryWriteBytes(bomb.AsSpan(10), 54);
        BitConverter.TryWriteBytes(bomb.AsSpan(14), 40);
        BitConverter.TryWriteBytes(bomb.AsSpan(18), 50_000);
        BitConverter.TryWriteBytes(bomb.AsSpan(22), 50_000);
        BitConverter.TryWriteBytes(bomb.AsSpan(26), (short)1);
        BitConverter.TryWriteBytes(bomb.AsSpan(28), (short)24);
        using (var huge = new ByteArrayContent(bomb))
        {
            huge.Headers.ContentType = new MediaTypeHeaderValue("image/bmp");
            var response = await Owner.PostAsync($"{PaymentsFlow.Api}/payees/qr-image", huge);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
            Assert.Contains("pixels", body, StringComparison.Ordinal);
        }

        // Over 5 MiB: refused before it is read, by a problem that names the limit.
        using (var huge = new ByteArrayContent(new byte[(5 * 1024 * 1024) + 1]))
        {
            huge.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            var response = await Owner.PostAsync($"{PaymentsFlow.Api}/payees/qr-image", huge);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"{response.StatusCode}: {body}");
            Assert.Contains("5 MiB", body, StringComparison.Ordinal);
        }

        // The same without a length up front (chunked): counted while read.
        using (var chunked = new StreamContent(new MemoryStream(new byte[(6 * 1024 * 1024) + 1])))
        {
            chunked.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{PaymentsFlow.Api}/payees/qr-image") { Content = chunked };
            request.Headers.TransferEncodingChunked = true;
            var response = await Owner.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"{response.StatusCode}: {body}");
            Assert.Contains("5 MiB", body, StringComparison.Ordinal);
        }

        Assert.Equal(before, (await Owner.GetFromJsonAsync<List<PayeeView>>($"{PaymentsFlow.Api}/payees", PaymentsFlow.Json))!.Count);
        Assert.DoesNotContain("Plover", string.Join("\n", shared.App.Logs), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadPledges => new()
    {
        { "unknown kind", """{"kind":"weekly","amount":5,"period":"month"}""", "kind" },
        { "unknown period", """{"kind":"fixed","amount":5,"period":"fortnight"}""", "period" },
        { "three decimals", """{"kind":"fixed","amount":5.005,"period":"month"}""", "amount" },
        { "zero", """{"kind":"fixed","amount":0,"period":"month"}""", "amount" },
        { "negative", """{"kind":"fixed","amount":-5,"period":"month"}""", "amount" },
        { "over the cap of every pledge", """{"kind":"fixed","amount":10000.01,"period":"year"}""", "amount" },
        { "fixed with a cap", """{"kind":"fixed","amount":5,"period":"month","cap":50}""", "cap" },
        { "per use without a cap", """{"kind":"per_use","amount":0.5,"period":"month","usage_source":"visits"}""", "cap" },
        { "per use cap under the amount", """{"kind":"per_use","amount":5,"period":"month","cap":4,"usage_source":"visits"}""", "cap" },
        { "per use without a source", """{"kind":"per_use","amount":0.5,"period":"month","cap":10}""", "usage_source" },
        { "per use visits of a manual payee", """{"kind":"per_use","amount":0.5,"period":"month","cap":10,"usage_source":"visits"}""", "usage_source" },
        { "per use reported without a unit", """{"kind":"per_use","amount":0.5,"period":"month","cap":10,"usage_source":"reported"}""", "usage_unit" },
    };

    [Theory]
    [MemberData(nameof(BadPledges))]
    public async Task A_bad_pledge_is_refused_by_field_and_creates_nothing(string what, string json, string field)
    {
        var payee = await PaymentsFlow.AddPayeeAsync(Owner, "Pledge Target " + field, PaymentsFlow.LibraryIban);
        var body = json.Insert(1, $"\"payee_id\":\"{payee.Id}\",");
        var response = await Owner.PostAsync($"{PaymentsFlow.Api}/pledges", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await PaymentsFlow.AssertFieldErrorAsync(response, field, PaymentsFlow.LibraryIban);
        Assert.True(problem.GetProperty("errors").EnumerateObject().Count() <= 2, $"{what}: {problem}");

        var pledges = (await Owner.GetFromJsonAsync<List<PledgeView>>($"{PaymentsFlow.Api}/pledges", PaymentsFlow.Json))!;
        Assert.DoesNotContain(pledges, p => p.PayeeId == payee.Id);
    }

    [Fact]
    public async Task A_pledge_to_an_unknown_payee_and_actions_on_unknown_payments_are_404_with_their_codes()
    {
        var pledge = await Owner.PostAsJsonAsync($"{PaymentsFlow.Api}/pledges", new PledgeInput(Guid.NewGuid(), PledgeKinds.Fixed, 5, PledgePeriods.Month), PaymentsFlow.Json);
        await VendorProtocol.DataApiTests.AssertProblemAsync(pledge, HttpStatusCode.NotFound, ProblemCodes.PayeeNotFound);
        await VendorProtocol.DataApiTests.AssertProblemAsync(await Owner.GetAsync($"{PaymentsFlow.Api}/{Guid.NewGuid()}/qr"), HttpStatusCode.NotFound, ProblemCodes.PaymentNotFound);
        await VendorProtocol.DataApiTests.AssertProblemAsync(await Owner.PostAsync($"{PaymentsFlow.Api}/{Guid.NewGuid()}/paid", null), HttpStatusCode.NotFound, ProblemCodes.PaymentNotFound);
        await VendorProtocol.DataApiTests.AssertProblemAsync(await Owner.GetAsync($"{PaymentsFlow.Api}/records/{Guid.NewGuid()}"), HttpStatusCode.NotFound, ProblemCodes.PaymentNotFound);
        await VendorProtocol.DataApiTests.AssertProblemAsync(await Owner.DeleteAsync($"{PaymentsFlow.Api}/pledges/{Guid.NewGuid()}"), HttpStatusCode.NotFound, ProblemCodes.PledgeNotFound);
        await VendorProtocol.DataApiTests.AssertProblemAsync(await Owner.PostAsync($"{PaymentsFlow.Api}/payees/{Guid.NewGuid()}/approve", null), HttpStatusCode.NotFound, ProblemCodes.PayeeNotFound);

        // A payee added by hand has nothing to approve.
        var payee = await PaymentsFlow.AddPayeeAsync(Owner, "Nothing Pending", PaymentsFlow.ShelterIban);
        await VendorProtocol.DataApiTests.AssertProblemAsync(await Owner.PostAsync($"{PaymentsFlow.Api}/payees/{payee.Id}/approve", null), HttpStatusCode.Conflict, ProblemCodes.PayeeInstructionsNotPending);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Origin", "http://shop.localhost")]
    public async Task A_payments_write_with_the_cookie_from_another_origin_is_refused_and_adds_nothing(string header, string value)
    {
        var name = "Forged Payee " + value;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{PaymentsFlow.Api}/payees") { Content = JsonContent.Create(new PayeeInput(name, PaymentsFlow.ShelterIban), options: PaymentsFlow.Json) };
        request.Headers.TryAddWithoutValidation(header, value);
        var response = await Owner.SendAsync(request);
        await VendorProtocol.DataApiTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, ProblemCodes.CrossSiteRequest);

        using var budget = new HttpRequestMessage(HttpMethod.Put, $"{PaymentsFlow.Api}/budget") { Content = JsonContent.Create(new BudgetInput(1, BudgetRules.Hold), options: PaymentsFlow.Json) };
        budget.Headers.TryAddWithoutValidation(header, value);
        await VendorProtocol.DataApiTests.AssertProblemAsync(await Owner.SendAsync(budget), HttpStatusCode.Forbidden, ProblemCodes.CrossSiteRequest);

        var payees = (await Owner.GetFromJsonAsync<List<PayeeView>>($"{PaymentsFlow.Api}/payees", PaymentsFlow.Json))!;
        Assert.DoesNotContain(payees, p => p.Name == name);
        Assert.Null((await Owner.GetFromJsonAsync<BudgetView>($"{PaymentsFlow.Api}/budget", PaymentsFlow.Json))!.Amount);
    }

    [Fact]
    public async Task Mark_paid_refuses_an_amount_over_what_is_left_and_a_date_in_the_future()
    {
        // A payee and pledge of its own in the shared vault: no budget is ever set here, so it falls due at once.
        var payee = await PaymentsFlow.AddPayeeAsync(Owner, "Dunlin Choir", PaymentsFlow.ShelterIban);
        await PaymentsFlow.PledgeAsync(Owner, new PledgeInput(payee.Id, PledgeKinds.Fixed, 4, PledgePeriods.Quarter));
        var payment = await PaymentsFlow.OpenPaymentOfAsync(Owner, payee.Id);
        Assert.Equal(("2026-Q4", 4m, PaymentStatuses.Due), (payment.Period, payment.Amount, payment.Status));

        await PaymentsFlow.AssertFieldErrorAsync(await Owner.PostAsJsonAsync($"{PaymentsFlow.Api}/{payment.Id}/paid", new MarkPaidInput(Amount: 4.01m), PaymentsFlow.Json), "amount");
        await PaymentsFlow.AssertFieldErrorAsync(await Owner.PostAsJsonAsync($"{PaymentsFlow.Api}/{payment.Id}/paid", new MarkPaidInput(Amount: 1.001m), PaymentsFlow.Json), "amount");
        await PaymentsFlow.AssertFieldErrorAsync(await Owner.PostAsJsonAsync($"{PaymentsFlow.Api}/{payment.Id}/paid", new MarkPaidInput(new DateOnly(2026, 11, 24)), PaymentsFlow.Json), "date");
        Assert.Equal(PaymentStatuses.Due, (await PaymentsFlow.PaymentAsync(Owner, payment.Id)).Status);

        var cancelled = await Owner.PostAsync($"{PaymentsFlow.Api}/{payment.Id}/cancel", null);
        Assert.Equal(PaymentStatuses.Cancelled, (await cancelled.Content.ReadFromJsonAsync<PaymentView>(PaymentsFlow.Json))!.Status);
        await VendorProtocol.DataApiTests.AssertProblemAsync(await Owner.GetAsync($"{PaymentsFlow.Api}/{payment.Id}/qr"), HttpStatusCode.Conflict, ProblemCodes.PaymentNotOpen);
        await VendorProtocol.DataApiTests.AssertProblemAsync(await Owner.PostAsync($"{PaymentsFlow.Api}/{payment.Id}/paid", null), HttpStatusCode.Conflict, ProblemCodes.PaymentNotOpen);

        // Cancelling does not make it due again on the next refresh.
        Assert.DoesNotContain((await PaymentsFlow.OverviewAsync(Owner)).Payments, p => p.PayeeId == payee.Id);
    }
}
