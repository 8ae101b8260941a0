using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using NSec.Cryptography;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests.Relationships;

public sealed class OwnerRelationshipApiTests
{
    private const string Api = "/owner/api/v1";

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Revoking_a_grant_refuses_the_vendors_very_next_request_and_its_refresh_token(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        var (owner, _) = await factory.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        var vendor = await factory.RegisterVendorAsync("Blue Door Coffee");
        await factory.AcceptAgreementAsync(vendor);
        var tokens = await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Email], purpose: "Send your receipts"));
        Assert.NotNull(tokens.RefreshToken);
        using var api = factory.CreateBearerClient(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/profile")).StatusCode);

        var list = (await owner.GetFromJsonAsync<List<RelationshipSummary>>($"{Api}/relationships", SymbolonApplicationFactory.Json))!;
        var summary = Assert.Single(list);
        Assert.Equal(("Blue Door Coffee", vendor.ClientId, "SD-BASE", 1), (summary.VendorName, summary.ClientId, summary.AgreementId, summary.ActiveGrants));
        Assert.NotNull(summary.LastAccessAt);

        var detail = (await owner.GetFromJsonAsync<RelationshipDetail>($"{Api}/relationships/{summary.Id}", SymbolonApplicationFactory.Json))!;
        var grant = Assert.Single(detail.Grants);
        Assert.Equal(GrantStatuses.Active, grant.Status);
        var field = Assert.Single(grant.Fields);
        Assert.Equal((Datatypes.Email, Narrowings.Full, "Send your receipts"), (field.Datatype, field.Narrowing, field.Purpose));
        Assert.Contains("SD-BASE", detail.Agreement!.Text, StringComparison.Ordinal);

        var revoke = await owner.PostAsync($"{Api}/grants/{grant.Id}/revoke", null);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var revoked = (await revoke.Content.ReadFromJsonAsync<RelationshipGrant>(SymbolonApplicationFactory.Json))!;
        Assert.Equal(GrantStatuses.Revoked, revoked.Status);
        Assert.NotNull(revoked.RevokedAt);

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/profile")).StatusCode);
        await AssertRefreshRefusedAsync(factory, vendor, tokens.RefreshToken!);

        var after = (await owner.GetFromJsonAsync<List<RelationshipSummary>>($"{Api}/relationships", SymbolonApplicationFactory.Json))!;
        Assert.Equal(0, Assert.Single(after).ActiveGrants);

        // Revoking again is harmless and still answers with the grant.
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"{Api}/grants/{grant.Id}/revoke", null)).StatusCode);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Ending_a_relationship_revokes_every_grant_and_token_at_once(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        var (owner, _) = await factory.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "mobile", "+31 6 1234 5678"));
        var vendor = await factory.RegisterVendorAsync("Harbour Books");
        await factory.AcceptAgreementAsync(vendor);
        var first = await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Email]));
        var second = await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Phone], purpose: "Call when the book arrives"));
        using var firstApi = factory.CreateBearerClient(first.AccessToken);
        using var secondApi = factory.CreateBearerClient(second.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await firstApi.GetAsync("/api/v1/profile")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await secondApi.GetAsync("/api/v1/profile")).StatusCode);

        var id = Assert.Single((await owner.GetFromJsonAsync<List<RelationshipSummary>>($"{Api}/relationships", SymbolonApplicationFactory.Json))!).Id;
        var end = await owner.PostAsync($"{Api}/relationships/{id}/end", null);
        Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        var ended = (await end.Content.ReadFromJsonAsync<RelationshipDetail>(SymbolonApplicationFactory.Json))!;
        Assert.NotNull(ended.Relationship.EndedAt);
        Assert.Equal(0, ended.Relationship.ActiveGrants);
        Assert.Equal(2, ended.Grants.Count);
        Assert.All(ended.Grants, g => Assert.Equal(GrantStatuses.Revoked, g.Status));

        Assert.Equal(HttpStatusCode.Unauthorized, (await firstApi.GetAsync("/api/v1/profile")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await secondApi.GetAsync("/api/v1/profile")).StatusCode);
        await AssertRefreshRefusedAsync(factory, vendor, first.RefreshToken!);
        await AssertRefreshRefusedAsync(factory, vendor, second.RefreshToken!);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Access_log_shows_reads_with_datatypes_and_purpose_and_refused_attempts_newest_first(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        var (owner, _) = await factory.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        var reader = await factory.RegisterVendorAsync("Blue Door Coffee");
        await factory.AcceptAgreementAsync(reader);
        var readTokens = await factory.GrantAsync(owner, reader, VendorFlow.Details([Datatypes.Email], purpose: "Send your receipts"));
        var noter = await factory.RegisterVendorAsync("Harbour Books");
        await factory.AcceptAgreementAsync(noter);
        var noteTokens = await factory.GrantAsync(owner, noter, VendorFlow.Details([Datatypes.Notes], purpose: "Remember your favourite authors"));

        using var readApi = factory.CreateBearerClient(readTokens.AccessToken);
        using var noteApi = factory.CreateBearerClient(noteTokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await readApi.GetAsync("/api/v1/profile")).StatusCode);
        factory.Time.Advance(TimeSpan.FromSeconds(1));

        // A grant for notes only does not let the vendor read the profile: refused, and logged as refused.
        Assert.Equal(HttpStatusCode.Forbidden, (await noteApi.GetAsync("/api/v1/profile")).StatusCode);

        var all = (await owner.GetFromJsonAsync<AccessLogPage>($"{Api}/access-log", SymbolonApplicationFactory.Json))!;
        Assert.Equal(2, all.Total);
        Assert.Null(all.NextOffset);
        var refused = all.Entries[0];
        Assert.Equal(("Harbour Books", false, 403, "Remember your favourite authors"), (refused.VendorName, refused.Allowed, refused.StatusCode, refused.Purpose));
        var read = all.Entries[1];
        Assert.Equal(("Blue Door Coffee", true, 200, "read", "Send your receipts"), (read.VendorName, read.Allowed, read.StatusCode, read.Action, read.Purpose));
        Assert.Equal([Datatypes.Email], read.Datatypes);

        var relationships = (await owner.GetFromJsonAsync<List<RelationshipSummary>>($"{Api}/relationships", SymbolonApplicationFactory.Json))!;
        var readerId = relationships.Single(r => r.ClientId == reader.ClientId).Id;
        var one = (await owner.GetFromJsonAsync<AccessLogPage>($"{Api}/relationships/{readerId}/access-log", SymbolonApplicationFactory.Json))!;
        Assert.Equal(read.Id, Assert.Single(one.Entries).Id);

        var firstPage = (await owner.GetFromJsonAsync<AccessLogPage>($"{Api}/access-log?limit=1", SymbolonApplicationFactory.Json))!;
        Assert.Equal((refused.Id, 1), (Assert.Single(firstPage.Entries).Id, firstPage.NextOffset));
        var secondPage = (await owner.GetFromJsonAsync<AccessLogPage>($"{Api}/access-log?limit=1&offset=1", SymbolonApplicationFactory.Json))!;
        Assert.Equal(read.Id, Assert.Single(secondPage.Entries).Id);
        Assert.Null(secondPage.NextOffset);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Repeated_reads_are_counted_and_in_the_log_the_person_sees_right_after_them(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        var (owner, _) = await factory.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        var reader = await factory.RegisterVendorAsync("Blue Door Coffee");
        await factory.AcceptAgreementAsync(reader);
        var tokens = await factory.GrantAsync(owner, reader, VendorFlow.Details([Datatypes.Email], purpose: "Send your receipts"));
        using var api = factory.CreateBearerClient(tokens.AccessToken);

        // Twenty reads at once, then one two seconds later: the server folds reads within its flush interval, and reading
        // the log commits what is pending first, so every read is counted and none is missing.
        var reads = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => api.GetAsync("/api/v1/profile")));
        Assert.All(reads, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        factory.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/profile")).StatusCode);

        var log = (await owner.GetFromJsonAsync<AccessLogPage>($"{Api}/access-log", SymbolonApplicationFactory.Json))!;
        Assert.All(log.Entries, e => Assert.Equal(("read", true, 200, "Send your receipts"), (e.Action, e.Allowed, e.StatusCode, e.Purpose)));
        Assert.Equal([1, 20], log.Entries.Select(e => e.Count));
        Assert.Equal(factory.Time.GetUtcNow(), log.Entries[0].At);
        var summary = Assert.Single((await owner.GetFromJsonAsync<List<RelationshipSummary>>($"{Api}/relationships", SymbolonApplicationFactory.Json))!);
        Assert.Equal(factory.Time.GetUtcNow(), summary.LastAccessAt);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Consent_receipt_and_agreement_record_download_and_verify_with_the_vaults_key(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        var (owner, _) = await factory.CreateVaultAsync();
        var vendor = await factory.RegisterVendorAsync("Blue Door Coffee");
        await factory.AcceptAgreementAsync(vendor, "SD-BASE-NTP");
        await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Email, Datatypes.PostalAddress], purpose: "Deliver your order", agreement: "SD-BASE-NTP"),
            new ConsentChoices(Narrow: new Dictionary<string, string> { [Datatypes.PostalAddress] = Narrowings.Country }));
        var status = (await owner.GetFromJsonAsync<VaultStatus>($"{Api}/vault", SymbolonApplicationFactory.Json))!;
        var relationship = Assert.Single((await owner.GetFromJsonAsync<List<RelationshipSummary>>($"{Api}/relationships", SymbolonApplicationFactory.Json))!);
        var grant = Assert.Single((await owner.GetFromJsonAsync<RelationshipDetail>($"{Api}/relationships/{relationship.Id}", SymbolonApplicationFactory.Json))!.Grants);

        var download = await owner.GetAsync($"{Api}/grants/{grant.Id}/receipt");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/json", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        var receipt = (await download.Content.ReadFromJsonAsync<SignedConsentReceipt>(SymbolonApplicationFactory.Json))!;
        Assert.Equal(("Ed25519", status.SigningPublicKey), (receipt.Algorithm, receipt.PublicKey));
        var key = PublicKey.Import(SignatureAlgorithm.Ed25519, Base64Url.DecodeFromChars(receipt.PublicKey), KeyBlobFormat.RawPublicKey);
        var signed = Base64Url.DecodeFromChars(receipt.SignedContent);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key, signed, Base64Url.DecodeFromChars(receipt.Signature)));
        var tampered = (byte[])signed.Clone();
        tampered[^2] ^= 1;
        Assert.False(SignatureAlgorithm.Ed25519.Verify(key, tampered, Base64Url.DecodeFromChars(receipt.Signature)));

        // The readable copy is the signed one, and it says what was granted, for what and under which agreement.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(signed), JsonNode.Parse(receipt.Receipt.GetRawText())));
        Assert.Equal(grant.Id.ToString(), receipt.Receipt.GetProperty("receipt_id").GetString());
        Assert.Equal("SD-BASE-NTP", receipt.Receipt.GetProperty("agreement").GetProperty("id").GetString());
        var purpose = Assert.Single(receipt.Receipt.GetProperty("services")[0].GetProperty("purposes").EnumerateArray());
        Assert.Equal("Deliver your order", purpose.GetProperty("purpose").GetString());
        Assert.Equal([Datatypes.Email, Datatypes.PostalAddress], purpose.GetProperty("pii_category").EnumerateArray().Select(d => d.GetString()!).Order());
        Assert.Contains(purpose.GetProperty("pii_processing").EnumerateArray(), p => p.GetProperty("narrowing").GetString() == Narrowings.Country);

        var agreement = await owner.GetAsync($"{Api}/relationships/{relationship.Id}/agreement");
        Assert.Equal(HttpStatusCode.OK, agreement.StatusCode);
        Assert.Equal("attachment", agreement.Content.Headers.ContentDisposition!.DispositionType);
        var record = (await agreement.Content.ReadFromJsonAsync<AgreementRecord>())!;
        Assert.Equal(("SD-BASE-NTP", vendor.ClientId, status.SigningPublicKey), (record.Content.Agreement, record.Content.Vendor, record.Content.PersonKey));
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key, Base64Url.DecodeFromChars(record.SignedContent), Base64Url.DecodeFromChars(record.PersonSignature)));
    }

    [Fact]
    public async Task Unknown_ids_and_another_vaults_ids_are_not_found_and_anonymous_callers_are_refused()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var vendor = await factory.RegisterVendorAsync();
        await factory.AcceptAgreementAsync(vendor);
        await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Email]));
        var relationship = Assert.Single((await owner.GetFromJsonAsync<List<RelationshipSummary>>($"{Api}/relationships", SymbolonApplicationFactory.Json))!);
        var grant = Assert.Single((await owner.GetFromJsonAsync<RelationshipDetail>($"{Api}/relationships/{relationship.Id}", SymbolonApplicationFactory.Json))!.Grants);

        using var other = new SymbolonApplicationFactory();
        var (stranger, _) = await other.CreateVaultAsync();
        var unknown = Guid.CreateVersion7();
        foreach (var (client, relationshipId, grantId) in new[] { (owner, unknown, unknown), (stranger, relationship.Id, grant.Id) })
        {
            foreach (var request in Requests(relationshipId, grantId))
            {
                using var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{request.Method} {request.RequestUri}: {response.StatusCode}");
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("SYM1501", problem.GetProperty("code").GetString());
            }
        }

        using var anonymous = factory.CreateOwnerClient();
        foreach (var request in Requests(relationship.Id, grant.Id).Append(new HttpRequestMessage(HttpMethod.Get, $"{Api}/relationships")).Append(new HttpRequestMessage(HttpMethod.Get, $"{Api}/access-log")))
        {
            using var response = await anonymous.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{request.Method} {request.RequestUri}: {response.StatusCode}");
        }

        // Nothing the stranger or the anonymous caller tried changed the grant.
        var still = (await owner.GetFromJsonAsync<RelationshipGrant>($"{Api}/grants/{grant.Id}", SymbolonApplicationFactory.Json))!;
        Assert.Equal(GrantStatuses.Active, still.Status);
    }

    private static IEnumerable<HttpRequestMessage> Requests(Guid relationshipId, Guid grantId) =>
    [
        new(HttpMethod.Get, $"{Api}/relationships/{relationshipId}"),
        new(HttpMethod.Get, $"{Api}/relationships/{relationshipId}/agreement"),
        new(HttpMethod.Get, $"{Api}/relationships/{relationshipId}/access-log"),
        new(HttpMethod.Post, $"{Api}/relationships/{relationshipId}/end"),
        new(HttpMethod.Get, $"{Api}/grants/{grantId}"),
        new(HttpMethod.Get, $"{Api}/grants/{grantId}/receipt"),
        new(HttpMethod.Post, $"{Api}/grants/{grantId}/revoke"),
    ];

    private static async Task AssertRefreshRefusedAsync(SymbolonApplicationFactory factory, RegisteredVendor vendor, string refreshToken)
    {
        using var response = await factory.TokenRequestAsync(vendor, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }
}
