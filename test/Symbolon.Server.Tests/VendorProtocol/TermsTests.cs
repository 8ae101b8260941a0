using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Contracts.Terms;
using Symbolon.Contracts.Vendor;

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
}
