using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Client;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Storage;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests.Requests;

/// <summary>Typed requests: the person sends, the vendor it is addressed to (and only it) reads and answers.</summary>
public sealed class RequestApiTests
{
    public static TheoryData<StorageKind> Providers => [StorageKind.Sqlite, StorageKind.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Each_of_several_vendors_reads_and_answers_only_its_own_requests(StorageKind kind)
    {
        using var factory = new SymbolonApplicationFactory(kind);
        var (owner, _) = await factory.CreateVaultAsync();
        var vendors = new List<RequestVendor>();
        foreach (var name in new[] { "Alder Books", "Birch Bikes", "Cedar Cafe" })
        {
            vendors.Add(await factory.RelatedVendorAsync(owner, name));
        }

        // Two requests to each vendor, with text only the addressee may read.
        var sent = new Dictionary<Guid, List<RequestDetail>>();
        foreach (var vendor in vendors)
        {
            sent[vendor.RelationshipId] =
            [
                await RequestFlow.SendRequestAsync(owner, new RequestInput(vendor.RelationshipId, RequestKinds.Access, Text: $"Everything you hold, {vendor.Vendor.ClientId}")),
                await RequestFlow.SendRequestAsync(owner, new RequestInput(vendor.RelationshipId, RequestKinds.Service, Title: "Broken cup", Text: $"Order for {vendor.Vendor.ClientId} arrived broken")),
            ];
        }

        var idsByVendor = new Dictionary<Guid, List<string>>();
        foreach (var vendor in vendors)
        {
            var seen = await RequestFlow.VendorRequestsAsync(vendor.Api);
            Assert.Equal(2, seen.Count);
            Assert.All(seen, r => Assert.Contains(vendor.Vendor.ClientId, r.Text!, StringComparison.Ordinal));
            Assert.Equal([RequestKinds.Access, RequestKinds.Service], seen.Select(r => r.Kind));
            Assert.All(seen, r => Assert.Equal(RequestStatuses.Sent, r.Status));
            idsByVendor[vendor.RelationshipId] = [.. seen.Select(r => r.Id)];
        }

        // Every vendor against every other vendor's ids: reading and answering are 404, and nothing changes.
        foreach (var vendor in vendors)
        {
            foreach (var other in vendors.Where(v => v != vendor))
            {
                foreach (var id in idsByVendor[other.RelationshipId])
                {
                    await DataApiTests.AssertProblemAsync(await vendor.Api.GetAsync($"/api/v1/requests/{id}"), HttpStatusCode.NotFound, "SYM2202");
                    await DataApiTests.AssertProblemAsync(await RequestFlow.ReplyAsync(vendor.Api, id, new RequestReplyInput("Hijack", RequestStatuses.Answered)), HttpStatusCode.NotFound, "SYM2202");
                }
            }

            // Its own: answer the access request.
            var own = idsByVendor[vendor.RelationshipId][0];
            var answered = await RequestFlow.ReplyAsync(vendor.Api, own, new RequestReplyInput($"Here you are from {vendor.Vendor.ClientId}", RequestStatuses.Answered));
            Assert.True(answered.StatusCode == HttpStatusCode.Created, await answered.Content.ReadAsStringAsync());
        }

        foreach (var vendor in vendors)
        {
            var access = await RequestFlow.GetRequestAsync(owner, sent[vendor.RelationshipId][0].Summary.Id);
            Assert.Equal(RequestStatuses.Answered, access.Summary.Status);
            var reply = Assert.Single(access.Replies);
            Assert.Equal($"Here you are from {vendor.Vendor.ClientId}", reply.Text);
            Assert.Equal("vendor", reply.Author);
            var service = await RequestFlow.GetRequestAsync(owner, sent[vendor.RelationshipId][1].Summary.Id);
            Assert.Equal(RequestStatuses.Sent, service.Summary.Status);
            Assert.Empty(service.Replies);
        }

        // The access log names the requests datatype for allowed reads and refused ones.
        var log = (await owner.GetFromJsonAsync<AccessLogPage>($"/owner/api/v1/relationships/{vendors[0].RelationshipId}/access-log?limit=100", SymbolonApplicationFactory.Json))!.Entries;
        Assert.Contains(log, e => e.Datatypes.Contains("requests") && e.Allowed);
        Assert.Contains(log, e => e.Datatypes.Contains("requests") && !e.Allowed && e.StatusCode == 404);
    }

    [Fact]
    public async Task Requests_are_refused_for_an_expired_grant_a_revoked_token_a_revoked_grant_and_an_ended_relationship()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var person = await factory.LongLivedOwnerAsync(owner);
        var expiring = await factory.RelatedVendorAsync(owner, "Expiring Eatery", expiry: "1d");
        var tokenRevoked = await factory.RelatedVendorAsync(owner, "Token Tailor");
        var grantRevoked = await factory.RelatedVendorAsync(owner, "Grant Grocer");
        var ended = await factory.RelatedVendorAsync(owner, "Ended Emporium");
        var ids = new Dictionary<RequestVendor, string>();
        foreach (var vendor in new[] { expiring, tokenRevoked, grantRevoked, ended })
        {
            await RequestFlow.SendRequestAsync(person, new RequestInput(vendor.RelationshipId, RequestKinds.Erasure));
            ids[vendor] = Assert.Single(await RequestFlow.VendorRequestsAsync(vendor.Api)).Id;
        }

        var good = await factory.RelatedVendorAsync(owner, "Good Goods");
        await RequestFlow.SendRequestAsync(person, new RequestInput(good.RelationshipId, RequestKinds.Access));

        // At once: a token the vendor revoked, a grant the person revoked, a relationship the person ended.
        using (var client = factory.CreateVendorClient(tokenRevoked.Vendor))
        {
            Assert.True((await client.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = tokenRevoked.Tokens.AccessToken }))).IsSuccessStatusCode);
        }

        var grant = Assert.Single((await person.GetFromJsonAsync<RelationshipDetail>($"/owner/api/v1/relationships/{grantRevoked.RelationshipId}", SymbolonApplicationFactory.Json))!.Grants);
        (await person.PostAsync($"/owner/api/v1/grants/{grant.Id}/revoke", null)).EnsureSuccessStatusCode();
        (await person.PostAsync($"/owner/api/v1/relationships/{ended.RelationshipId}/end", null)).EnsureSuccessStatusCode();
        foreach (var vendor in new[] { tokenRevoked, grantRevoked, ended })
        {
            await AssertRefusedAsync(vendor.Api, ids[vendor]);
        }

        // A day later the one-day grant has expired: its refresh is refused and its last token no longer works,
        // while a vendor whose grant is in force refreshes and reads its request.
        factory.Time.Advance(TimeSpan.FromHours(25));
        foreach (var vendor in new[] { expiring, grantRevoked, ended })
        {
            var refresh = await factory.TokenRequestAsync(vendor.Vendor, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = vendor.Tokens.RefreshToken! });
            Assert.False(refresh.IsSuccessStatusCode, vendor.Vendor.ClientId);
        }

        await AssertRefusedAsync(expiring.Api, ids[expiring]);
        var refreshed = await factory.TokenRequestAsync(good.Vendor, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = good.Tokens.RefreshToken! });
        Assert.True(refreshed.IsSuccessStatusCode, await refreshed.Content.ReadAsStringAsync());
        using var goodApi = factory.CreateBearerClient((await VendorFlow.ReadTokensAsync(refreshed)).AccessToken);
        Assert.Single(await RequestFlow.VendorRequestsAsync(goodApi));

        // Nothing was answered, and no new request goes to the ended relationship.
        var all = (await person.GetFromJsonAsync<List<RequestSummary>>("/owner/api/v1/requests", SymbolonApplicationFactory.Json))!;
        Assert.All(all, r => Assert.Equal(RequestStatuses.Sent, r.Status));
        foreach (var request in all)
        {
            Assert.Empty((await RequestFlow.GetRequestAsync(person, request.Id)).Replies);
        }
        var refused = await person.PostAsJsonAsync("/owner/api/v1/requests", new RequestInput(ended.RelationshipId, RequestKinds.Access), SymbolonApplicationFactory.Json);
        await DataApiTests.AssertProblemAsync(refused, HttpStatusCode.Conflict, "SYM2206");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task With_every_grant_revoked_the_vendor_answers_its_requests_with_its_own_id_and_secret_until_the_relationship_ends(StorageKind kind)
    {
        using var factory = new SymbolonApplicationFactory(kind);
        var (owner, _) = await factory.CreateVaultAsync();
        var person = await factory.LongLivedOwnerAsync(owner);
        var shop = await factory.RelatedVendorAsync(owner, "Revoked Roastery");
        var other = await factory.RelatedVendorAsync(owner, "Other Outfitters");
        await RequestFlow.SendRequestAsync(person, new RequestInput(other.RelationshipId, RequestKinds.Access));
        var otherId = Assert.Single(await RequestFlow.VendorRequestsAsync(other.Api)).Id;

        // The person withdraws permission, then asks the shop to delete what it holds.
        var grant = Assert.Single((await person.GetFromJsonAsync<RelationshipDetail>($"/owner/api/v1/relationships/{shop.RelationshipId}", SymbolonApplicationFactory.Json))!.Grants);
        (await person.PostAsync($"/owner/api/v1/grants/{grant.Id}/revoke", null)).EnsureSuccessStatusCode();
        await RequestFlow.SendRequestAsync(person, new RequestInput(shop.RelationshipId, RequestKinds.Erasure));

        // Its token is refused, as for every call; its own id and secret read and answer its request, and only its own.
        await DataApiTests.AssertProblemAsync(await shop.Api.GetAsync("/api/v1/requests"), HttpStatusCode.Unauthorized, "SYM1401");
        using var client = factory.CreateVendorClient(shop.Vendor);
        var own = Assert.Single(await RequestFlow.VendorRequestsAsync(client));
        Assert.Equal(RequestKinds.Erasure, own.Kind);
        await DataApiTests.AssertProblemAsync(await client.GetAsync($"/api/v1/requests/{otherId}"), HttpStatusCode.NotFound, "SYM2202");
        await DataApiTests.AssertProblemAsync(await RequestFlow.ReplyAsync(client, otherId, new RequestReplyInput("Hijack", RequestStatuses.Answered)), HttpStatusCode.NotFound, "SYM2202");
        var answered = await RequestFlow.ReplyAsync(client, own.Id, new RequestReplyInput("We deleted everything we held about you.", RequestStatuses.Answered), "erasure-1");
        Assert.Equal(HttpStatusCode.Created, answered.StatusCode);
        var seen = Assert.Single(await ListAsync(person), r => r.Vendor.RelationshipId == shop.RelationshipId);
        Assert.Equal(RequestStatuses.Answered, seen.Status);

        // The client credentials give nothing else: no data, and a wrong secret is no client at all.
        await DataApiTests.AssertProblemAsync(await client.GetAsync("/api/v1/profile"), HttpStatusCode.Unauthorized, "SYM1401");
        using (var wrong = factory.CreateVendorClient(shop.Vendor with { ClientSecret = shop.Vendor.ClientSecret + "x" }))
        {
            await DataApiTests.AssertProblemAsync(await wrong.GetAsync("/api/v1/requests"), HttpStatusCode.Unauthorized, "SYM1404");
        }

        // The person sees those calls in the access log, allowed, under no grant.
        var log = (await person.GetFromJsonAsync<AccessLogPage>($"/owner/api/v1/relationships/{shop.RelationshipId}/access-log", SymbolonApplicationFactory.Json))!.Entries;
        Assert.Contains(log, e => e.Datatypes.Contains("requests") && e.Allowed && e.GrantId is null && e.StatusCode == 201);

        // Once the relationship ends, the shop cannot reach its requests either.
        (await person.PostAsync($"/owner/api/v1/relationships/{shop.RelationshipId}/end", null)).EnsureSuccessStatusCode();
        await DataApiTests.AssertProblemAsync(await client.GetAsync("/api/v1/requests"), HttpStatusCode.Forbidden, "SYM2206");
        await DataApiTests.AssertProblemAsync(await RequestFlow.ReplyAsync(client, own.Id, new RequestReplyInput("Again")), HttpStatusCode.Forbidden, "SYM2206");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Overdue_follows_the_due_date_under_a_fake_clock_and_the_daily_summary_lists_it(StorageKind kind)
    {
        using var factory = new SymbolonApplicationFactory(kind);
        var (owner, _) = await factory.CreateVaultAsync();
        var person = await factory.LongLivedOwnerAsync(owner);
        var vendor = await factory.RelatedVendorAsync(owner, "Slow Shop");
        var sentAt = factory.Time.GetUtcNow();

        var access = await RequestFlow.SendRequestAsync(person, new RequestInput(vendor.RelationshipId, RequestKinds.Access));
        var service = await RequestFlow.SendRequestAsync(person, new RequestInput(vendor.RelationshipId, RequestKinds.Service, Title: "Refund", Text: "Please refund order 12"));
        var answeredInTime = await RequestFlow.SendRequestAsync(person, new RequestInput(vendor.RelationshipId, RequestKinds.Erasure));
        var edited = await RequestFlow.SendRequestAsync(person, new RequestInput(vendor.RelationshipId, RequestKinds.RestrictProcessing));

        // The rule: one month from receipt for data-protection kinds, none for a service request.
        Assert.Equal(sentAt.AddMonths(1), access.Summary.DueAt);
        Assert.Contains("One month from receipt", access.Summary.DueRule, StringComparison.Ordinal);
        Assert.Null(service.Summary.DueAt);
        Assert.False(access.Summary.Overdue);

        // The person gives one request two months instead.
        var due = await person.PutAsJsonAsync($"/owner/api/v1/requests/{edited.Summary.Id}/due", new RequestDueInput(sentAt.AddMonths(2)), SymbolonApplicationFactory.Json);
        Assert.True(due.IsSuccessStatusCode, await due.Content.ReadAsStringAsync());
        Assert.Equal("Set by you", (await RequestFlow.GetRequestAsync(person, edited.Summary.Id)).Summary.DueRule);

        var erasureId = (await RequestFlow.VendorRequestsAsync(vendor.Api)).Single(r => r.Kind == RequestKinds.Erasure).Id;
        Assert.Equal(HttpStatusCode.Created, (await RequestFlow.ReplyAsync(vendor.Api, erasureId, new RequestReplyInput("Deleted.", RequestStatuses.Answered))).StatusCode);

        // A day short of the month: nothing overdue. Then past it: only the unanswered access request.
        factory.Time.Advance(sentAt.AddMonths(1) - sentAt - TimeSpan.FromDays(1));
        Assert.DoesNotContain(await ListAsync(person), r => r.Overdue);
        factory.Time.Advance(TimeSpan.FromDays(2));
        var listed = await ListAsync(person);
        Assert.Equal([access.Summary.Id], listed.Where(r => r.Overdue).Select(r => r.Id));
        Assert.False(listed.Single(r => r.Id == answeredInTime.Summary.Id).Overdue);

        // The background job (hourly on the fake clock) makes today's summary.
        var summary = await WaitForSummaryAsync(factory, person, factory.Time.GetUtcNow());
        Assert.Equal(1, summary.Overdue);
        Assert.Equal([access.Summary.Id], summary.OverdueIds);
        Assert.Equal(3, summary.Open);

        // Closing it clears the flag.
        var closed = await person.PostAsJsonAsync($"/owner/api/v1/requests/{access.Summary.Id}/replies", new OwnerRequestReplyInput(Close: true), SymbolonApplicationFactory.Json);
        Assert.True(closed.IsSuccessStatusCode, await closed.Content.ReadAsStringAsync());
        Assert.DoesNotContain(await ListAsync(person), r => r.Overdue);
    }

    [Fact]
    public async Task An_attachment_over_the_limit_is_refused_with_a_clear_error_and_nothing_is_stored()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var vendor = await factory.RelatedVendorAsync(owner, "Big Export Inc");
        var request = await RequestFlow.SendRequestAsync(owner, new RequestInput(vendor.RelationshipId, RequestKinds.Access));
        var id = Assert.Single(await RequestFlow.VendorRequestsAsync(vendor.Api)).Id;
        var recordsBefore = await CountRecordsAsync(factory);

        var small = new RequestAttachmentInput("orders.csv", "text/csv", Encoding.UTF8.GetBytes("order,total\n1,3.20\n"));
        var tooBig = new RequestAttachmentInput("export.json", "application/json", RandomNumberGenerator.GetBytes(1024 * 1024 + 1));
        var refused = await RequestFlow.ReplyAsync(vendor.Api, id, new RequestReplyInput("Your data", RequestStatuses.Answered, Attachments: [small, tooBig]), "export-1");
        var problem = await DataApiTests.AssertProblemAsync(refused, HttpStatusCode.RequestEntityTooLarge, "SYM2205");
        Assert.True(problem.GetProperty("errors").TryGetProperty("attachments[1].content", out _));
        Assert.Contains("1024 KiB", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Nothing half-stored: no record (not even the small file), no reply, the status unchanged.
        Assert.Equal(recordsBefore, await CountRecordsAsync(factory));
        var after = await RequestFlow.GetRequestAsync(owner, request.Summary.Id);
        Assert.Equal(RequestStatuses.Sent, after.Summary.Status);
        Assert.Empty(after.Replies);

        // A body past the reply limit is refused before it is read.
        var huge = new RequestReplyInput(Attachments: [.. Enumerable.Range(0, 7).Select(i => new RequestAttachmentInput($"part{i}.json", "application/json", RandomNumberGenerator.GetBytes(1024 * 1024)))]);
        await DataApiTests.AssertProblemAsync(await RequestFlow.ReplyAsync(vendor.Api, id, huge), HttpStatusCode.RequestEntityTooLarge, "SYM2205");

        // A file type that could render in the browser is refused; then the real answer lands, once, with the same key.
        var html = new RequestAttachmentInput("page.html", "text/html", Encoding.UTF8.GetBytes("<p>hi</p>"));
        await DataApiTests.AssertProblemAsync(await RequestFlow.ReplyAsync(vendor.Api, id, new RequestReplyInput(Attachments: [html])), HttpStatusCode.BadRequest, "SYM2204");
        var ok = new RequestReplyInput("Your data", RequestStatuses.Answered, Attachments: [small]);
        var first = await RequestFlow.ReplyAsync(vendor.Api, id, ok, "export-1");
        Assert.True(first.StatusCode == HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        var again = await RequestFlow.ReplyAsync(vendor.Api, id, ok, "export-1");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());

        var answered = await RequestFlow.GetRequestAsync(owner, request.Summary.Id);
        var reply = Assert.Single(answered.Replies);
        var attachment = Assert.Single(reply.Attachments);
        Assert.Equal(("orders.csv", "text/csv", "Big Export Inc"), (attachment.FileName, attachment.ContentType, attachment.AttributedTo));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(small.Content)), attachment.Sha256);
        var download = await owner.GetAsync($"/owner/api/v1/requests/{request.Summary.Id}/attachments/{attachment.Id}");
        Assert.Equal(small.Content, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());

        // The file is a record attributed to the vendor, sealed like every other.
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
        var version = await db.RecordVersions.SingleAsync(v => v.RecordId == attachment.Id);
        Assert.Equal(("vendor", vendor.Vendor.ClientId), (version.ActorKind, version.ActorId));
    }

    [Fact]
    public async Task The_vendor_hears_of_a_request_by_webhook_reads_the_corrected_values_asks_a_question_and_the_person_answers_and_closes()
    {
        using var factory = new SymbolonApplicationFactory();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (owner, _) = await factory.CreateVaultAsync();
        var vendor = await factory.RelatedVendorAsync(owner, "Hooked Hardware", receiver.UrlFor("hooked").ToString());
        var verifier = new WebhookVerifier(vendor.Vendor.WebhookSecret!, timeProvider: factory.Time);
        var email = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", Text: "wren-4410@example.org"));

        var request = await RequestFlow.SendRequestAsync(owner, new RequestInput(vendor.RelationshipId, RequestKinds.Rectification, Text: "Please use my new address", CorrectFields: [email.Id]));
        var hook = await receiver.NextAsync("hooked");
        var created = verifier.Verify(hook.Body, hook.Headers);
        Assert.Equal(WebhookEventTypes.RequestCreated, created.Type);
        var data = created.GetRequestCreated();
        Assert.Equal(request.Summary.DueAt, data.DueAt);

        using var read = await vendor.Api.GetAsync($"/api/v1/requests/{data.RequestId}");
        var seen = JsonSerializer.Deserialize<VendorRequest>(await read.Content.ReadAsStringAsync())!;
        Assert.Equal((RequestKinds.Rectification, data.Subject), (seen.Kind, seen.Subject));
        var correction = Assert.Single(seen.Corrections);
        Assert.Equal((Datatypes.Email, "wren-4410@example.org"), (correction.Datatype, correction.Value.GetString()));

        // The vendor asks something back; the person answers; the vendor is told; the person closes.
        var question = await RequestFlow.ReplyAsync(vendor.Api, data.RequestId, new RequestReplyInput("Which account number is this for?", RequestStatuses.InProgress, Question: true));
        Assert.Equal(HttpStatusCode.Created, question.StatusCode);
        var asked = await RequestFlow.GetRequestAsync(owner, request.Summary.Id);
        Assert.True(Assert.Single(asked.Replies).Question);
        Assert.Equal(RequestStatuses.InProgress, asked.Summary.Status);

        var answer = await owner.PostAsJsonAsync($"/owner/api/v1/requests/{request.Summary.Id}/replies", new OwnerRequestReplyInput("Account 7781"), SymbolonApplicationFactory.Json);
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        var hook2 = await receiver.NextAsync("hooked");
        var updated = verifier.Verify(hook2.Body, hook2.Headers);
        Assert.Equal(new RequestUpdatedData(data.Subject, data.RequestId, RequestStatuses.InProgress), updated.GetRequestUpdated());
        var thread = JsonSerializer.Deserialize<VendorRequest>(await vendor.Api.GetStringAsync($"/api/v1/requests/{data.RequestId}"))!;
        Assert.Equal(["vendor", "person"], thread.Replies.Select(r => r.Author));

        (await owner.PostAsJsonAsync($"/owner/api/v1/requests/{request.Summary.Id}/replies", new OwnerRequestReplyInput(Close: true), SymbolonApplicationFactory.Json)).EnsureSuccessStatusCode();
        await DataApiTests.AssertProblemAsync(await RequestFlow.ReplyAsync(vendor.Api, data.RequestId, new RequestReplyInput("One more thing")), HttpStatusCode.Conflict, "SYM2203");

        // Bad input names fields, never values.
        var bad = await owner.PostAsJsonAsync("/owner/api/v1/requests", new RequestInput(vendor.RelationshipId, "gossip", Text: "secret-7731"), SymbolonApplicationFactory.Json);
        var problem = await DataApiTests.AssertProblemAsync(bad, HttpStatusCode.BadRequest, "SYM2201");
        Assert.DoesNotContain("secret-7731", problem.ToString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty("kind", out _));

        // What the request says is sealed: its text is nowhere in the database file or its WAL.
        foreach (var file in Directory.GetFiles(factory.DataDirectory, "symbolon.db*"))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.DoesNotContain("Please use my new address", Encoding.UTF8.GetString(copy.ToArray()), StringComparison.Ordinal);
        }
    }

    private static async Task AssertRefusedAsync(HttpClient api, string id)
    {
        foreach (var response in new[]
        {
            await api.GetAsync("/api/v1/requests"),
            await api.GetAsync($"/api/v1/requests/{id}"),
            await RequestFlow.ReplyAsync(api, id, new RequestReplyInput("Deleted", RequestStatuses.Answered)),
        })
        {
            await DataApiTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "SYM1401");
        }
    }

    private static async Task<List<RequestSummary>> ListAsync(HttpClient person) =>
        (await person.GetFromJsonAsync<List<RequestSummary>>("/owner/api/v1/requests", SymbolonApplicationFactory.Json))!;

    private static async Task<RequestDailySummary> WaitForSummaryAsync(SymbolonApplicationFactory factory, HttpClient person, DateTimeOffset now)
    {
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        for (var i = 0; i < 200; i++)
        {
            var response = await person.GetAsync("/owner/api/v1/requests/summary");
            if (response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadFromJsonAsync<RequestDailySummary>(SymbolonApplicationFactory.Json))! is { } summary && summary.Day == day)
            {
                return summary;
            }

            // Nudge the hourly check along on the fake clock (the job waits on it).
            factory.Time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(50);
        }

        throw new TimeoutException("No daily summary for today.");
    }

    private static async Task<int> CountRecordsAsync(SymbolonApplicationFactory factory)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<SymbolonDbContext>().RecordVersions.CountAsync();
    }
}
