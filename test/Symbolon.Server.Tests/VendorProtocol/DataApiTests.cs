using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>The vendor's writes, notes, idempotency and the change feed, on both storage providers.</summary>
public sealed class DataApiTests
{
    private static readonly string[] ReadAppendUpdate = [DataActions.Read, DataActions.Append, DataActions.Update];

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Vendor_writes_are_versioned_attributed_idempotent_and_appear_in_its_change_feed(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        var (owner, _) = await factory.CreateVaultAsync();
        var email = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "quill-7731@example.org"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "mobile", "+31 6 4417 2290"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: new PostalAddress("Lindengracht 88", "Haarlem", null, "2011 AB", "NL")));

        var vendor = await factory.RegisterVendorAsync();
        await factory.AcceptAgreementAsync(vendor);
        var tokens = await factory.GrantAsync(owner, vendor, DetailsOf(([Datatypes.Email, Datatypes.PostalAddress], ReadAppendUpdate), ([Datatypes.Notes], [DataActions.Read, DataActions.Append])),
            new ConsentChoices(Narrow: new Dictionary<string, string> { [Datatypes.PostalAddress] = Narrowings.PostalCode }));
        using var api = factory.CreateBearerClient(tokens.AccessToken);

        // Append with an Idempotency-Key, then retry: the same answer, one field.
        var append = new VendorFieldAppend(Datatypes.Email, JsonSerializer.SerializeToElement("orders-5512@example.org"), "work");
        var first = await SendAsync(api, HttpMethod.Post, "/api/v1/profile/fields", append, "key-append-1");
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.Created, firstBody);
        var retry = await SendAsync(api, HttpMethod.Post, "/api/v1/profile/fields", append, "key-append-1");
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));

        var reused = await SendAsync(api, HttpMethod.Post, "/api/v1/profile/fields", append with { Label = "other" }, "key-append-1");
        await AssertProblemAsync(reused, HttpStatusCode.UnprocessableEntity, "SYM1406");

        var profile = await owner.GetFromJsonAsync<ProfileDocument>("/owner/api/v1/profile", SymbolonApplicationFactory.Json);
        var added = Assert.Single(profile!.Fields, f => f.Text == "orders-5512@example.org");
        Assert.Equal("vendor", added.UpdatedBy.Kind);
        Assert.Equal(vendor.ClientId, added.UpdatedBy.Id);
        Assert.Equal(2, profile.Fields.Count(f => f.Kind == ProfileFieldKinds.Email));

        // Update the owner's email through its pairwise id, with expected_version.
        var created = JsonSerializer.Deserialize<VendorField>(firstBody)!;
        var vendorProfile = await api.GetFromJsonAsync<VendorProfile>("/api/v1/profile");
        var ownerEmail = vendorProfile!.Fields.Single(f => f.Datatype == Datatypes.Email && f.Id != created.Id);
        var update = new VendorFieldUpdate(JsonSerializer.SerializeToElement("quill-7731@example.net"), ExpectedVersion: ownerEmail.Version);
        var updated = await SendAsync(api, HttpMethod.Patch, $"/api/v1/profile/fields/{ownerEmail.Id}", update, "key-update-1");
        Assert.True(updated.StatusCode == HttpStatusCode.OK, await updated.Content.ReadAsStringAsync());
        Assert.Equal(ownerEmail.Version + 1, (await updated.Content.ReadFromJsonAsync<VendorField>())!.Version);
        var stale = await SendAsync(api, HttpMethod.Patch, $"/api/v1/profile/fields/{ownerEmail.Id}", update with { Value = JsonSerializer.SerializeToElement("late@example.net") }, null);
        await AssertProblemAsync(stale, HttpStatusCode.Conflict, "SYM1202");
        var history = await owner.GetFromJsonAsync<ProfileFieldHistory>($"/owner/api/v1/profile/fields/{email.Id}/history", SymbolonApplicationFactory.Json);
        Assert.Equal(vendor.ClientId, history!.Versions[^1].Actor.Id);
        Assert.Equal("home", history.Versions[^1].Label);

        // The address is narrowed, so it cannot be changed; a made-up id does not exist.
        var address = vendorProfile.Fields.Single(f => f.Datatype == Datatypes.PostalAddress);
        var narrowed = await SendAsync(api, HttpMethod.Patch, $"/api/v1/profile/fields/{address.Id}", new VendorFieldUpdate(JsonSerializer.SerializeToElement(new { country = "BE" })), null);
        await AssertProblemAsync(narrowed, HttpStatusCode.Forbidden, "SYM1403");
        var unknown = await SendAsync(api, HttpMethod.Patch, "/api/v1/profile/fields/AAAAAAAAAAAAAAAAAAAAAA", update, null);
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "SYM1201");

        // Invalid values are named, never echoed.
        var invalid = await SendAsync(api, HttpMethod.Post, "/api/v1/profile/fields", new VendorFieldAppend(Datatypes.Email, JsonSerializer.SerializeToElement("zebra-9034-not-an-address")), null);
        var invalidBody = await AssertProblemAsync(invalid, HttpStatusCode.BadRequest, "SYM1003");
        Assert.True(invalidBody.GetProperty("errors").TryGetProperty("value", out _), invalidBody.ToString());
        Assert.DoesNotContain("zebra-9034", invalidBody.ToString(), StringComparison.Ordinal);
        var wrongShape = await SendAsync(api, HttpMethod.Post, "/api/v1/profile/fields", new VendorFieldAppend(Datatypes.Email, JsonSerializer.SerializeToElement(new { street = "Ruysdaelkade 3", planet = "Mars-4410" })), null);
        var wrongShapeBody = await AssertProblemAsync(wrongShape, HttpStatusCode.BadRequest, "SYM1003");
        Assert.DoesNotContain("Mars-4410", wrongShapeBody.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Ruysdaelkade", wrongShapeBody.ToString(), StringComparison.Ordinal);

        // Notes: written, attributed, read back.
        var note = await SendAsync(api, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput("Prefers oat milk, table by the window"), "key-note-1");
        Assert.True(note.StatusCode == HttpStatusCode.Created, await note.Content.ReadAsStringAsync());
        var notes = await api.GetFromJsonAsync<List<VendorNote>>("/api/v1/notes");
        Assert.Equal("Prefers oat milk, table by the window", Assert.Single(notes!).Text);

        // The change feed: granted datatypes only (no phone), own notes, no values, a stable cursor.
        var page = await api.GetFromJsonAsync<ChangeFeedPage>("/api/v1/changes");
        var feedText = JsonSerializer.Serialize(page);
        Assert.DoesNotContain(page!.Changes, c => c.Datatype == Datatypes.Phone);
        Assert.Equal(5, page.Changes.Count);
        Assert.Equal([Datatypes.Email, Datatypes.PostalAddress, Datatypes.Email, Datatypes.Email, Datatypes.Notes], page.Changes.Select(c => c.Datatype));
        Assert.Contains(page.Changes, c => c.FieldId == ownerEmail.Id && c.Operation == "update" && c.Version == ownerEmail.Version + 1);
        foreach (var secret in new[] { "quill-7731", "orders-5512", "Lindengracht", "2011 AB", "oat milk", "4417" })
        {
            Assert.DoesNotContain(secret, feedText, StringComparison.Ordinal);
        }

        var empty = await api.GetFromJsonAsync<ChangeFeedPage>($"/api/v1/changes?after={page.NextCursor}");
        Assert.Empty(empty!.Changes);
        Assert.Equal(page.NextCursor, empty.NextCursor);
        var paged = await api.GetFromJsonAsync<ChangeFeedPage>($"/api/v1/changes?after={page.Changes[1].Cursor}&limit=2");
        Assert.Equal(page.Changes.Skip(2).Take(2).Select(c => c.Cursor), paged!.Changes.Select(c => c.Cursor));
        Assert.True(paged.HasMore);
        await AssertProblemAsync(await api.GetAsync("/api/v1/changes?after=not-a-cursor"), HttpStatusCode.BadRequest, "SYM1407");

        // Every call is in the access log, allowed or refused, with its status.
        var log = await factory.AccessLogAsync();
        Assert.Contains(log, l => l.Action == DataActions.Append && l.Allowed && l.StatusCode == 201 && l.Datatypes == Datatypes.Email);
        Assert.Contains(log, l => l.Action == DataActions.Append && !l.Allowed && l.StatusCode == 422);
        Assert.Contains(log, l => l.Action == DataActions.Update && !l.Allowed && l.StatusCode == 409);
        Assert.Contains(log, l => l.Action == DataActions.Update && !l.Allowed && l.StatusCode == 403 && l.Datatypes == Datatypes.PostalAddress);
        Assert.Contains(log, l => l.Action == "changes" && l.Allowed && l.StatusCode == 200);
        Assert.Contains(log, l => l.Action == "changes" && !l.Allowed && l.StatusCode == 400);
        Assert.All(log, l => Assert.Equal("Deliver your order", l.Purpose));
    }

    [Fact]
    public async Task Idempotency_keys_expire_after_a_day_and_concurrent_retries_write_once()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var vendor = await factory.RegisterVendorAsync();
        await factory.AcceptAgreementAsync(vendor);
        var tokens = await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Notes], [DataActions.Read, DataActions.Append]));
        using var api = factory.CreateBearerClient(tokens.AccessToken);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => SendAsync(api, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput("Delivered to the side door"), "same-key")));
        var bodies = await Task.WhenAll(attempts.Select(a => a.Content.ReadAsStringAsync()));
        Assert.All(attempts, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        Assert.Single(bodies.Distinct());
        Assert.Single((await api.GetFromJsonAsync<List<VendorNote>>("/api/v1/notes"))!);

        factory.Time.Advance(TimeSpan.FromHours(25));
        var refresh = await factory.TokenRequestAsync(vendor, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.RefreshToken! });
        Assert.True(refresh.IsSuccessStatusCode, await refresh.Content.ReadAsStringAsync());
        var refreshed = await VendorFlow.ReadTokensAsync(refresh);
        using var later = factory.CreateBearerClient(refreshed.AccessToken);
        var reusedAfterExpiry = await SendAsync(later, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput("A different note"), "same-key");
        Assert.Equal(HttpStatusCode.Created, reusedAfterExpiry.StatusCode);
        Assert.Equal(2, (await later.GetFromJsonAsync<List<VendorNote>>("/api/v1/notes"))!.Count);
    }

    [Fact]
    public async Task Vendors_see_only_their_own_notes_and_a_vendor_without_read_gets_no_feed()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var first = await factory.RegisterVendorAsync("First Bakery");
        var second = await factory.RegisterVendorAsync("Second Florist");
        await factory.AcceptAgreementAsync(first);
        await factory.AcceptAgreementAsync(second);
        var firstTokens = await factory.GrantAsync(owner, first, VendorFlow.Details([Datatypes.Notes], [DataActions.Read, DataActions.Append]));
        var secondTokens = await factory.GrantAsync(owner, second, VendorFlow.Details([Datatypes.Notes, Datatypes.Email], [DataActions.Append]));
        using var firstApi = factory.CreateBearerClient(firstTokens.AccessToken);
        using var secondApi = factory.CreateBearerClient(secondTokens.AccessToken);

        Assert.Equal(HttpStatusCode.Created, (await SendAsync(firstApi, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput("Bakery note 3301"), null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(secondApi, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput("Florist note 8812"), null)).StatusCode);

        var firstNotes = await firstApi.GetStringAsync("/api/v1/notes");
        Assert.Contains("Bakery note 3301", firstNotes, StringComparison.Ordinal);
        Assert.DoesNotContain("Florist", firstNotes, StringComparison.Ordinal);
        var firstFeed = await firstApi.GetFromJsonAsync<ChangeFeedPage>("/api/v1/changes");
        Assert.Single(firstFeed!.Changes);

        await AssertProblemAsync(await secondApi.GetAsync("/api/v1/notes"), HttpStatusCode.Forbidden, "SYM1403");
        await AssertProblemAsync(await secondApi.GetAsync("/api/v1/changes"), HttpStatusCode.Forbidden, "SYM1403");
    }

    /// <summary>authorization_details with one entry per group of datatypes that share actions.</summary>
    internal static string DetailsOf(params (string[] Datatypes, string[] Actions)[] entries) =>
        JsonSerializer.Serialize(entries.Select(e => new AuthorizationDetail(Datatypes.AuthorizationDetailsType, e.Datatypes, e.Actions, "Deliver your order", "SD-BASE")));

    internal static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object body, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {text}");
        var problem = JsonSerializer.Deserialize<JsonElement>(text);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }
}
