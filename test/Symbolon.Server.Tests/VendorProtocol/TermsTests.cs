using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Core.Relationships;
using Symbolon.Contracts.Terms;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Storage;
using Symbolon.Server.Tests.Wallet;

namespace Symbolon.Server.Tests.VendorProtocol;

public sealed class TermsTests
{
    [Fact]
    public async Task The_person_chooses_the_stricter_terms_and_vendors_can_no_longer_accept_the_looser_ones()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();

        var terms = await owner.GetFromJsonAsync<ProfferedTerms>("/owner/api/v1/terms", SymbolonApplicationFactory.Json);
        Assert.Equal(["SD-BASE", "SD-BASE-NTP"], terms!.Agreements.Where(a => a.Proffered).Select(a => a.Id));

        var early = await factory.RegisterVendorAsync("Early Bird");
        await factory.AcceptAgreementAsync(early, "SD-BASE");

        var set = await owner.PutAsJsonAsync("/owner/api/v1/terms", new SetProfferedTermsRequest(["SD-BASE-NTP"]), SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        using var anonymous = factory.CreateOwnerClient();
        var metadata = await anonymous.GetFromJsonAsync<SymbolonMetadata>("/.well-known/symbolon");
        Assert.Equal(["SD-BASE-NTP"], metadata!.Agreements.Select(a => a.Id));

        // Registering for the withdrawn agreement only is refused, with the reason.
        var refused = await anonymous.PostAsJsonAsync("/connect/register", new ClientRegistrationRequest("Late", [VendorFlow.RedirectUri], Agreements: ["SD-BASE"]));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = await refused.Content.ReadFromJsonAsync<OAuthError>();
        Assert.Equal("invalid_client_metadata", error!.Error);
        Assert.Contains("SD-BASE-NTP", error.ErrorDescription, StringComparison.Ordinal);

        // The early vendor keeps its signed record, but cannot start a new request under the withdrawn agreement.
        var (_, challenge) = VendorFlow.NewPkce();
        var pushed = await factory.PushAsync(early, VendorFlow.AuthorizationParameters(early, VendorFlow.Details([Datatypes.Email]), challenge));
        Assert.Equal(HttpStatusCode.BadRequest, pushed.StatusCode);
        var body = await pushed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_authorization_details", body.GetProperty("error").GetString());
        Assert.Contains("not an agreement this vault proffers", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);

        // Proffering nothing is refused: no vendor could relate at all.
        var none = await owner.PutAsJsonAsync("/owner/api/v1/terms", new SetProfferedTermsRequest([]), SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
    }

    [Fact]
    public async Task The_agreement_record_is_signed_by_the_vault_and_countersigned_by_the_vendor_key()
    {
        using var factory = new SymbolonApplicationFactory();
        await factory.CreateVaultAsync();
        using var vendorKey = NSec.Cryptography.Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);
        var publicKey = vendorKey.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        var jwks = JsonSerializer.SerializeToElement(new { keys = new[] { new { kty = "OKP", crv = "Ed25519", x = System.Buffers.Text.Base64Url.EncodeToString(publicKey) } } });
        var vendor = await factory.RegisterVendorAsync("Signed Shop", jwks: jwks);

        var record = await factory.AcceptAgreementAsync(vendor, "SD-BASE-NTP");
        var signed = System.Buffers.Text.Base64Url.DecodeFromChars(record.SignedContent);
        var vaultKey = NSec.Cryptography.PublicKey.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519,
            System.Buffers.Text.Base64Url.DecodeFromChars(record.Content.PersonKey), NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        Assert.True(NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(vaultKey, signed, System.Buffers.Text.Base64Url.DecodeFromChars(record.PersonSignature)));
        Assert.Equal(vendor.ClientId, record.Content.Vendor);
        Assert.Equal("SD-BASE-NTP", record.Content.Agreement);

        using var client = factory.CreateVendorClient(vendor);

        // A signature by another key is refused; the vendor's own is stored and served back.
        using var otherKey = NSec.Cryptography.Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);
        var forged = await client.PutAsJsonAsync($"/api/v1/agreements/{record.Content.RecordId}/countersignature",
            new AgreementCountersignature(System.Buffers.Text.Base64Url.EncodeToString(NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(otherKey, signed))));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var signature = System.Buffers.Text.Base64Url.EncodeToString(NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(vendorKey, signed));
        var countersigned = await client.PutAsJsonAsync($"/api/v1/agreements/{record.Content.RecordId}/countersignature", new AgreementCountersignature(signature));
        Assert.Equal(HttpStatusCode.OK, countersigned.StatusCode);
        var current = await client.GetFromJsonAsync<AgreementRecord>("/api/v1/agreements/current");
        Assert.Equal(signature, current!.VendorSignature);
        Assert.Equal(record.SignedContent, current.SignedContent);

        // A wrong text hash is refused before anything is signed; a wrong secret gets 401.
        var wrongHash = await client.PostAsJsonAsync("/api/v1/agreements", new AgreementAcceptance("SD-BASE", new string('0', 64)));
        Assert.Equal(HttpStatusCode.BadRequest, wrongHash.StatusCode);
        using var impostor = factory.CreateVendorClient(vendor with { ClientSecret = "not-the-secret" });
        Assert.Equal(HttpStatusCode.Unauthorized, (await impostor.GetAsync("/api/v1/agreements/current")).StatusCode);
    }

    [Fact]
    public async Task A_vendor_cannot_loosen_the_terms_the_person_agreed_to_and_marketing_stays_refused()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var vendor = await factory.RegisterVendorAsync("Strict Shop");
        await factory.AcceptAgreementAsync(vendor, "SD-BASE-NTP");
        var tokens = await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Notes], WalletFlow.ReadAppend, agreement: "SD-BASE-NTP"));
        using var api = factory.CreateBearerClient(tokens.AccessToken);
        var marketing = new VendorMessageInput("20 % off this week", Marketing: true);
        await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/messages", marketing, null), HttpStatusCode.Forbidden, "SYM2302");

        // The attack: the vendor re-accepts the looser SD-BASE on its own. Refused, with the way out named.
        using var client = factory.CreateVendorClient(vendor);
        using var anonymous = factory.CreateOwnerClient();
        var metadata = (await anonymous.GetFromJsonAsync<SymbolonMetadata>("/.well-known/symbolon"))!;
        var looser = await client.PostAsJsonAsync("/api/v1/agreements", new AgreementAcceptance("SD-BASE", metadata.Agreements.Single(a => a.Id == "SD-BASE").TextSha256));
        var problem = await DataApiTests.AssertProblemAsync(looser, HttpStatusCode.Conflict, "SYM2501");
        Assert.Contains("SD-BASE-NTP", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("end the relationship", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Nothing changed: the relationship and the grant still run under SD-BASE-NTP, the token works, and marketing
        // stays refused. Accepting the same terms again is fine.
        Assert.Equal("SD-BASE-NTP", (await client.GetFromJsonAsync<AgreementRecord>("/api/v1/agreements/current"))!.Content.Agreement);
        var grant = (await api.GetFromJsonAsync<List<AuthorizationDetail>>("/api/v1/grant"))!;
        Assert.All(grant, d => Assert.Equal("SD-BASE-NTP", d.Agreement));
        await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/messages", marketing, null), HttpStatusCode.Forbidden, "SYM2302");
        await factory.AcceptAgreementAsync(vendor, "SD-BASE-NTP");

        // A relationship whose latest record is looser than a grant still in force (as one weakened before this
        // check existed would be) keeps the grant's terms: the marketing check goes by the strictest agreement in force.
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
            var relationship = await db.Relationships.SingleAsync(r => r.ClientId == vendor.ClientId);
            var record = await db.AgreementRecords.SingleAsync(a => a.Id == relationship.AgreementRecordId);
            var weakened = new AgreementRecordEntity
            {
                VaultId = record.VaultId,
                Id = Guid.NewGuid(),
                RelationshipId = record.RelationshipId,
                AgreementId = "SD-BASE",
                TextSha256 = metadata.Agreements.Single(a => a.Id == "SD-BASE").TextSha256,
                SignedContent = record.SignedContent,
                VaultSignature = record.VaultSignature,
                AcceptedAt = record.AcceptedAt,
            };
            db.AgreementRecords.Add(weakened);
            relationship.AgreementRecordId = weakened.Id;
            await db.SaveChangesAsync();
        }

        await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/messages", marketing, null), HttpStatusCode.Forbidden, "SYM2302");
    }
}
