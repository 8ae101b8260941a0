using System.Net.Http.Json;
using Symbolon.Client;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>Webhooks to a vendor that registered and was granted fields through the real OAuth flow.</summary>
public sealed class WebhookFlowTests
{
    public static TheoryData<StorageKind> Providers => [StorageKind.Sqlite, StorageKind.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_vendor_hears_of_a_change_under_the_field_id_and_cursor_the_data_API_uses_and_then_of_the_revocation(StorageKind kind)
    {
        using var app = new SymbolonApplicationFactory(kind);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (owner, _) = await app.CreateVaultAsync();
        var vendor = await app.RegisterVendorAsync("Courier", receiver.UrlFor("courier").ToString());
        await app.AcceptAgreementAsync(vendor);
        var tokens = await app.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.PostalAddress]));
        var verifier = new WebhookVerifier(vendor.WebhookSecret!, timeProvider: app.Time);

        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: new PostalAddress("5 Numbat Row", "Leiden", null, "2311 NB", "NL")));

        var received = await receiver.NextAsync("courier");
        var updated = verifier.Verify(received.Body, received.Headers).GetProfileUpdated();
        var change = Assert.Single(updated.Changes);
        using var api = app.CreateBearerClient(tokens.AccessToken);
        var profile = (await api.GetFromJsonAsync<VendorProfile>("/api/v1/profile"))!;
        Assert.Equal(profile.Subject, updated.Subject);
        Assert.Equal(Assert.Single(profile.Fields).Id, change.FieldId);
        var feed = (await api.GetFromJsonAsync<ChangeFeedPage>("/api/v1/changes"))!;
        var listed = Assert.Single(feed.Changes);
        Assert.Equal((change.Cursor, change.FieldId), (listed.Cursor, listed.FieldId));

        var relationship = Assert.Single((await owner.GetFromJsonAsync<List<RelationshipSummary>>("/owner/api/v1/relationships", SymbolonApplicationFactory.Json))!);
        var grant = Assert.Single((await owner.GetFromJsonAsync<RelationshipDetail>($"/owner/api/v1/relationships/{relationship.Id}", SymbolonApplicationFactory.Json))!.Grants);
        (await owner.PostAsync($"/owner/api/v1/grants/{grant.Id}/revoke", null)).EnsureSuccessStatusCode();

        var revoked = await receiver.NextAsync("courier");
        Assert.Equal(new GrantRevokedData(profile.Subject, grant.Id.ToString(), RelationshipEnded: false), verifier.Verify(revoked.Body, revoked.Headers).GetGrantRevoked());
    }
}
