using System.Net;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.Tests.VendorProtocol;

public sealed class VendorFlowTests
{
    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Vendor_reads_exactly_the_fields_the_person_ticked(StorageKind storage)
    {
        // The whole flow on a first start, where the server migrates an empty database of either provider.
        using var factory = new SymbolonApplicationFactory(storage, migrateOnStart: true);
        var (owner, _) = await factory.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "mobile", "+31 6 1234 5678"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: new PostalAddress("Keizersgracht 1", "Amsterdam", null, "1015 CJ", "NL")));

        var vendor = await factory.RegisterVendorAsync();
        await factory.AcceptAgreementAsync(vendor);
        var tokens = await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Email, Datatypes.Phone, Datatypes.PostalAddress]),
            new ConsentChoices(Untick: [Datatypes.Phone], Narrow: new Dictionary<string, string> { [Datatypes.PostalAddress] = Narrowings.PostalCode }));

        Assert.NotNull(tokens.RefreshToken);
        var granted = tokens.AuthorizationDetails.EnumerateArray().SelectMany(d => d.GetProperty("datatypes").EnumerateArray()).Select(d => d.GetString()).ToList();
        Assert.Equal([Datatypes.Email, Datatypes.PostalAddress], granted.Order());

        using var api = factory.CreateBearerClient(tokens.AccessToken);
        var response = await api.GetAsync("/api/v1/profile");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("ada@example.org", body, StringComparison.Ordinal);
        Assert.Contains("1015 CJ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("1234", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Keizersgracht", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Amsterdam", body, StringComparison.Ordinal);

        var etag = response.Headers.ETag!;
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/v1/profile");
        conditional.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await api.SendAsync(conditional)).StatusCode);
    }
}
