using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NSec.Cryptography;
using Symbolon.Contracts.Payments;
using Symbolon.Contracts.Statements;
using Symbolon.Contracts.Vendor;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests.Payments;

/// <summary>
/// One statement line of a generated camt.053: money going out (or in) with the ISO 11649 reference carried in
/// RmtInf/Strd/CdtrRefInf/Ref (or an unstructured text when the reference is null).
/// </summary>
public sealed record CamtLine(string? Reference, decimal Amount, DateOnly Date, string Currency = "EUR", bool Debit = true, string Creditor = "Kestrel Radio");

/// <summary>A payee vendor as the payments tests drive it: its registration, its token client and its Ed25519 key.</summary>
public sealed record PayeeVendor(RegisteredVendor Vendor, VendorTokens Tokens, HttpClient Api, Key SigningKey, Guid RelationshipId) : IDisposable
{
    public void Dispose()
    {
        Api.Dispose();
        SigningKey.Dispose();
    }
}

/// <summary>Intent methods for the EmanciPay tests: payees, pledges, payments, generated camt.053 statements, payee vendors.</summary>
internal static class PaymentsFlow
{
    public const string Api = "/owner/api/v1/payments";

    /// <summary>Valid IBANs (ISO 13616 mod-97) that no test sends as a value it expects to see echoed.</summary>
    public const string RadioIban = "NL91ABNA0417164300";
    public const string NewRadioIban = "NL20INGB0001234567";
    public const string ShelterIban = "DE89370400440532013000";
    public const string LibraryIban = "BE68539007547034";

    public static readonly string[] InstructionsAndUsage = [Datatypes.PaymentInstructions, Datatypes.Usage];

    public static JsonSerializerOptions Json => SymbolonApplicationFactory.Json;

    public static async Task<PayeeView> AddPayeeAsync(HttpClient owner, string name, string iban, string? bic = null)
    {
        var response = await owner.PostAsJsonAsync($"{Api}/payees", new PayeeInput(name, iban, bic), Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PayeeView>(Json))!;
    }

    public static async Task<PledgeView> PledgeAsync(HttpClient owner, PledgeInput input)
    {
        var response = await owner.PostAsJsonAsync($"{Api}/pledges", input, Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PledgeView>(Json))!;
    }

    public static async Task<PaymentsOverview> OverviewAsync(HttpClient owner) => (await owner.GetFromJsonAsync<PaymentsOverview>(Api, Json))!;

    public static async Task<PaymentView> PaymentAsync(HttpClient owner, Guid id) => (await owner.GetFromJsonAsync<PaymentView>($"{Api}/{id}", Json))!;

    /// <summary>The open payment of <paramref name="payeeId"/> (exactly one).</summary>
    public static async Task<PaymentView> OpenPaymentOfAsync(HttpClient owner, Guid payeeId) =>
        Assert.Single((await OverviewAsync(owner)).Payments, p => p.PayeeId == payeeId);

    public static async Task<PaymentQr> QrAsync(HttpClient owner, Guid paymentId)
    {
        var response = await owner.GetAsync($"{Api}/{paymentId}/qr");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PaymentQr>(Json))!;
    }

    /// <summary>A camt.053.001.02 statement of one account with one entry per line, each with its own bank reference.</summary>
    public static string Camt053(string statementId, params CamtLine[] lines)
    {
        var entries = new StringBuilder();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var remittance = line.Reference is null
                ? "<RmtInf><Ustrd>Thank you</Ustrd></RmtInf>"
                : $"<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>{line.Reference}</Ref></CdtrRefInf></Strd></RmtInf>";
            var party = line.Debit ? $"<Cdtr><Nm>{line.Creditor}</Nm></Cdtr>" : $"<Dbtr><Nm>{line.Creditor}</Nm></Dbtr>";
            entries.Append(CultureInfo.InvariantCulture, $"""
                <Ntry>
                  <Amt Ccy="{line.Currency}">{line.Amount.ToString("0.00", CultureInfo.InvariantCulture)}</Amt><CdtDbtInd>{(line.Debit ? "DBIT" : "CRDT")}</CdtDbtInd><Sts>BOOK</Sts>
                  <BookgDt><Dt>{line.Date:yyyy-MM-dd}</Dt></BookgDt>
                  <AcctSvcrRef>{statementId}-{i + 1}</AcctSvcrRef>
                  <NtryDtls><TxDtls><Refs><EndToEndId>{statementId}-E2E-{i + 1}</EndToEndId></Refs><RltdPties>{party}</RltdPties>{remittance}</TxDtls></NtryDtls>
                </Ntry>
                """);
        }

        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
              <BkToCstmrStmt>
                <GrpHdr><MsgId>{statementId}</MsgId><CreDtTm>2026-11-30T20:00:00</CreDtTm></GrpHdr>
                <Stmt>
                  <Id>{statementId}</Id>
                  <Acct><Id><IBAN>{ShelterIban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
                  {entries}
                </Stmt>
              </BkToCstmrStmt>
            </Document>
            """;
    }

    /// <summary>Imports a statement through the owner API, as the person's upload does; settlement runs after it.</summary>
    public static async Task<ImportSummary> ImportCamtAsync(HttpClient owner, string camt, string fileName = "statement.xml")
    {
        var response = await owner.PostAsync($"/owner/api/v1/imports?format=camt&fileName={fileName}", new ByteArrayContent(Encoding.UTF8.GetBytes(camt)));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonSerializer.Deserialize<ImportSummary>(body, Json)!;
    }

    /// <summary>The categories of the imported lines whose description holds <paramref name="text"/>, by the owner's SQL query endpoint.</summary>
    public static async Task<List<string?>> CategoriesOfLinesWithAsync(HttpClient owner, string text)
    {
        var response = await owner.PostAsJsonAsync("/owner/api/v1/query", new SqlQueryRequest($"SELECT category FROM transactions WHERE description LIKE '%{text}%' ORDER BY date"), Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var result = (await response.Content.ReadFromJsonAsync<SqlQueryResult>(Json))!;
        return [.. result.Rows.Select(r => r[0]?.GetString())];
    }

    /// <summary>
    /// A vendor that registered an Ed25519 key (JWKS) and, optionally, a webhook, accepted the agreement and was granted
    /// append on payments.instructions and read and append on usage (or <paramref name="details"/>).
    /// </summary>
    public static async Task<PayeeVendor> PayeeVendorAsync(this SymbolonApplicationFactory factory, HttpClient owner, string name, Uri? webhook = null, string? details = null, string expiry = "90d")
    {
        var key = Key.Create(SignatureAlgorithm.Ed25519);
        var jwks = JsonSerializer.SerializeToElement(new { keys = new[] { new { kty = "OKP", crv = "Ed25519", x = Base64Url.EncodeToString(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)) } } });
        var vendor = await factory.RegisterVendorAsync(name, webhook?.ToString(), jwks: jwks);
        await factory.AcceptAgreementAsync(vendor);
        var tokens = await factory.GrantAsync(owner, vendor, details ?? DataApiTests.DetailsOf(([Datatypes.PaymentInstructions], [DataActions.Append]), ([Datatypes.Usage], [DataActions.Read, DataActions.Append])), new ConsentChoices(Expiry: expiry));
        var relationships = (await owner.GetFromJsonAsync<List<Symbolon.Contracts.Relationships.RelationshipSummary>>("/owner/api/v1/relationships", Json))!;
        var relationship = relationships.Single(r => r.ClientId == vendor.ClientId);
        return new PayeeVendor(vendor, tokens, factory.CreateBearerClient(tokens.AccessToken), key, relationship.Id);
    }

    public static async Task<PaymentInstructionsResult> PublishAsync(HttpClient api, PaymentInstructionsInput input)
    {
        var response = await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/payments/instructions", input, null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PaymentInstructionsResult>())!;
    }

    /// <summary>Asserts a 400 problem with errors on <paramref name="field"/> that repeats none of <paramref name="secrets"/>.</summary>
    public static async Task<JsonElement> AssertFieldErrorAsync(HttpResponseMessage response, string field, params string[] secrets)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {text}");
        var problem = JsonSerializer.Deserialize<JsonElement>(text);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no errors.{field}: {text}");
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }

        return problem;
    }
}
