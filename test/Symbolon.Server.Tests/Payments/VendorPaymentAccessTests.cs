using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using NSec.Cryptography;
using Symbolon.Contracts.Payments;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Server.Tests.VendorProtocol;
using Symbolon.Server.Tests.Wallet;

namespace Symbolon.Server.Tests.Payments;

/// <summary>
/// Every vendor payments endpoint refuses a vendor without the grant (or another vendor's record), a token the vendor
/// revoked, a grant that expired and a grant the person revoked; every refusal is in the access log.
/// </summary>
public sealed class VendorPaymentAccessTests
{
    private static readonly (string Method, string Path)[] GrantEndpoints =
    [
        ("POST", "/api/v1/payments/instructions"),
        ("POST", "/api/v1/usage"),
        ("GET", "/api/v1/usage"),
    ];

    [Fact]
    public async Task Every_vendor_payments_endpoint_refuses_a_wrong_vendor_a_revoked_token_an_expired_grant_and_a_revoked_grant_and_logs_it()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        using var good = await factory.PayeeVendorAsync(owner, "Kestrel Radio");
        using var notesOnly = await factory.PayeeVendorAsync(owner, "Notes Only", details: VendorFlow.Details([Datatypes.Notes], WalletFlow.ReadAppend));
        using var usageReadOnly = await factory.PayeeVendorAsync(owner, "Usage Reader", details: DataApiTests.DetailsOf(([Datatypes.Usage], [DataActions.Read])));
        using var revoked = await factory.PayeeVendorAsync(owner, "Revoked Radio");
        using var expiring = await factory.PayeeVendorAsync(owner, "Expired Eatery", expiry: "1d");

        // A record of the good vendor's, for the record endpoints.
        await PaymentsFlow.PublishAsync(good.Api, new PaymentInstructionsInput("Kestrel Radio Foundation", PaymentsFlow.RadioIban));
        var payee = Assert.Single((await owner.GetFromJsonAsync<List<PayeeView>>($"{PaymentsFlow.Api}/payees", PaymentsFlow.Json))!);
        (await owner.PostAsync($"{PaymentsFlow.Api}/payees/{payee.Id}/approve", null)).EnsureSuccessStatusCode();
        await PaymentsFlow.PledgeAsync(owner, new PledgeInput(payee.Id, PledgeKinds.Fixed, 3, PledgePeriods.Month, ShareName: false));
        var due = await PaymentsFlow.OpenPaymentOfAsync(owner, payee.Id);
        var paid = (await (await owner.PostAsync($"{PaymentsFlow.Api}/{due.Id}/paid", null)).Content.ReadFromJsonAsync<PaymentView>(PaymentsFlow.Json))!;
        var recordId = paid.RecordId!.Value;
        var record = (await good.Api.GetFromJsonAsync<PaymentRecord>($"/api/v1/payments/records/{recordId}"))!;
        var signed = Base64Url.DecodeFromChars(record.SignedContent);
        string[] RecordPaths() => [$"/api/v1/payments/records", $"/api/v1/payments/records/{recordId}", $"/api/v1/payments/records/{recordId}/countersignature"];

        using (var client = factory.CreateVendorClient(revoked.Vendor))
        {
            Assert.True((await client.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = revoked.Tokens.AccessToken }))).IsSuccessStatusCode);
        }

        // Wrong vendor: no grant for the datatype (403), another vendor's record (404); a revoked token (401).
        foreach (var (method, path) in GrantEndpoints)
        {
            await DataApiTests.AssertProblemAsync(await Call(notesOnly, method, path, signed), HttpStatusCode.Forbidden, "SYM1403");
            if (method == "POST")
            {
                await DataApiTests.AssertProblemAsync(await Call(usageReadOnly, method, path, signed), HttpStatusCode.Forbidden, "SYM1403");
            }

            await DataApiTests.AssertProblemAsync(await Call(revoked, method, path, signed), HttpStatusCode.Unauthorized, "SYM1401");
            var allowed = await Call(good, method, path, signed);
            Assert.True(allowed.IsSuccessStatusCode, $"{method} {path}: {allowed.StatusCode} {await allowed.Content.ReadAsStringAsync()}");
        }

        Assert.Empty((await notesOnly.Api.GetFromJsonAsync<List<PaymentRecord>>("/api/v1/payments/records"))!);
        await DataApiTests.AssertProblemAsync(await Call(notesOnly, "GET", RecordPaths()[1], signed), HttpStatusCode.NotFound, ProblemCodes.PaymentNotFound);
        await DataApiTests.AssertProblemAsync(await Call(notesOnly, "PUT", RecordPaths()[2], signed), HttpStatusCode.NotFound, ProblemCodes.PaymentNotFound);
        foreach (var path in RecordPaths())
        {
            await DataApiTests.AssertProblemAsync(await Call(revoked, path.EndsWith("countersignature", StringComparison.Ordinal) ? "PUT" : "GET", path, signed), HttpStatusCode.Unauthorized, "SYM1401");
        }

        Assert.Null((await owner.GetFromJsonAsync<PaymentRecord>($"{PaymentsFlow.Api}/records/{recordId}", PaymentsFlow.Json))!.PayeeSignature);
        var log = await factory.AccessLogAsync();
        Assert.Contains(log, l => l.RelationshipId == notesOnly.RelationshipId && !l.Allowed && l.StatusCode == 403 && l.Datatypes == Datatypes.PaymentInstructions);
        Assert.Contains(log, l => l.RelationshipId == notesOnly.RelationshipId && !l.Allowed && l.StatusCode == 403 && l.Datatypes == Datatypes.Usage);
        Assert.Contains(log, l => l.RelationshipId == usageReadOnly.RelationshipId && !l.Allowed && l.StatusCode == 403 && l.Datatypes == Datatypes.Usage);
        Assert.Contains(log, l => l.RelationshipId == notesOnly.RelationshipId && !l.Allowed && l.StatusCode == 404 && l.Datatypes == "payments.records");
        Assert.Contains(log, l => l.RelationshipId == good.RelationshipId && l.Allowed && l.Datatypes == Datatypes.PaymentInstructions);

        // A day later the one-day grant (and its token) is over; the person revoking the good vendor's grants works at once.
        factory.Time.Advance(TimeSpan.FromHours(25));
        using var refreshed = factory.CreateBearerClient(await RefreshAsync(factory, good.Vendor, good.Tokens));
        foreach (var (method, path) in GrantEndpoints.Concat(RecordPaths().Select(p => (p.EndsWith("countersignature", StringComparison.Ordinal) ? "PUT" : "GET", p))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Call(expiring, method, path, signed)).StatusCode);
            var allowed = await Call(good with { Api = refreshed }, method, path, signed);
            Assert.True(allowed.IsSuccessStatusCode, $"{method} {path}: {allowed.StatusCode} {await allowed.Content.ReadAsStringAsync()}");
        }

        await WalletApiTests.RevokeGrantsAsync(factory, good.Vendor);
        foreach (var (method, path) in GrantEndpoints.Concat(RecordPaths().Select(p => (p.EndsWith("countersignature", StringComparison.Ordinal) ? "PUT" : "GET", p))))
        {
            await DataApiTests.AssertProblemAsync(await Call(good with { Api = refreshed }, method, path, signed), HttpStatusCode.Unauthorized, "SYM1401");
        }
    }

    private static Task<HttpResponseMessage> Call(PayeeVendor vendor, string method, string path, byte[] signed)
    {
        if (method == "GET")
        {
            return vendor.Api.GetAsync(path);
        }

        object body = path switch
        {
            "/api/v1/payments/instructions" => new PaymentInstructionsInput("Kestrel Radio Foundation", PaymentsFlow.RadioIban),
            "/api/v1/usage" => new UsageInput(new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 17, 0, 0, 0, TimeSpan.Zero), 2, "hours"),
            _ => new PaymentCountersignature(Base64Url.EncodeToString(SignatureAlgorithm.Ed25519.Sign(vendor.SigningKey, signed))),
        };
        return DataApiTests.SendAsync(vendor.Api, new HttpMethod(method), path, body, null);
    }

    private static async Task<string> RefreshAsync(SymbolonApplicationFactory factory, RegisteredVendor vendor, VendorTokens tokens)
    {
        var response = await factory.TokenRequestAsync(vendor, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.RefreshToken! });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await VendorFlow.ReadTokensAsync(response)).AccessToken;
    }
}
