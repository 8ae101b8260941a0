using System.Net;
using System.Net.Http.Json;
using Symbolon.Contracts.Inbox;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;
using Symbolon.Server.Tests.Requests;
using Symbolon.Server.Tests.Wallet;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>
/// A vendor cannot fill the person's vault: request replies (by bytes), messages and notes are limited per
/// relationship per day, answered with 429, SYM2552 and Retry-After; nothing past the quota is stored, the person sees
/// the refusals in the relationship's access log, and writes applied from the sealed inbox count too.
/// </summary>
public sealed class VendorQuotaTests
{
    private static SymbolonApplicationFactory TightQuotas()
    {
        var factory = new SymbolonApplicationFactory();
        factory.Settings["Quotas:NotesPerDay"] = "2";
        factory.Settings["Quotas:MessagesPerDay"] = "2";
        factory.Settings["Quotas:RequestReplyBytesPerDay"] = "200000";
        return factory;
    }

    [Fact]
    public async Task Notes_messages_and_reply_bytes_past_the_daily_quota_are_refused_with_429_and_shown_to_the_person()
    {
        using var factory = TightQuotas();
        var (owner, _) = await factory.CreateVaultAsync();
        var (vendor, tokens, api) = await factory.WalletVendorAsync(owner, "Chatty Shop", datatypes: [Datatypes.Receipts, Datatypes.Notes]);
        var relationship = (await owner.GetFromJsonAsync<List<RelationshipSummary>>("/owner/api/v1/relationships", SymbolonApplicationFactory.Json))!.Single(r => r.ClientId == vendor.ClientId);

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput($"Note {i}"), $"note-{i}")).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/messages", new VendorMessageInput($"Message {i}"), null)).StatusCode);
        }

        // A retried note (same Idempotency-Key) replays its answer and is not charged again.
        Assert.Equal(HttpStatusCode.Created, (await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput("Note 0"), "note-0")).StatusCode);

        var note = await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput("Note too many"), null);
        var problem = await DataApiTests.AssertProblemAsync(note, HttpStatusCode.TooManyRequests, ProblemCodes.VendorQuotaExceeded);
        Assert.Contains("notes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // The clock says 09:00 UTC: the quota starts again at midnight, 15 hours on.
        Assert.Equal(TimeSpan.FromHours(15), note.Headers.RetryAfter?.Delta);
        await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/messages", new VendorMessageInput("Message too many"), null), HttpStatusCode.TooManyRequests, ProblemCodes.VendorQuotaExceeded);
        var notes = (await api.GetFromJsonAsync<List<VendorNote>>("/api/v1/notes"))!;
        Assert.Equal(["Note 0", "Note 1"], notes.Select(n => n.Text).Order(StringComparer.Ordinal));

        // Replies are counted by bytes: one 120 kB attachment fits, a second does not, a short text still does.
        var request = await RequestFlow.SendRequestAsync(owner, new RequestInput(relationship.Id, RequestKinds.Access));
        var requestId = Assert.Single(await RequestFlow.VendorRequestsAsync(api)).Id;
        var export = new RequestAttachmentInput("export.csv", "text/csv", new byte[90_000]);
        Assert.Equal(HttpStatusCode.Created, (await RequestFlow.ReplyAsync(api, requestId, new RequestReplyInput("Part one", Attachments: [export]))).StatusCode);
        await DataApiTests.AssertProblemAsync(await RequestFlow.ReplyAsync(api, requestId, new RequestReplyInput("Part two", Attachments: [export])), HttpStatusCode.TooManyRequests, ProblemCodes.VendorQuotaExceeded);
        Assert.Equal(HttpStatusCode.Created, (await RequestFlow.ReplyAsync(api, requestId, new RequestReplyInput("Part two follows tomorrow"))).StatusCode);
        Assert.Equal(["Part one", "Part two follows tomorrow"], (await RequestFlow.GetRequestAsync(owner, request.Summary.Id)).Replies.Select(r => r.Text));

        // The person sees each refusal in the relationship's access log.
        var log = (await owner.GetFromJsonAsync<AccessLogPage>($"/owner/api/v1/relationships/{relationship.Id}/access-log", SymbolonApplicationFactory.Json))!;
        Assert.Equal(3, log.Entries.Count(e => !e.Allowed && e.StatusCode == 429));

        // The next day the quota starts again (with a fresh access token: the first lived minutes).
        factory.Time.Advance(TimeSpan.FromHours(15));
        var refreshed = await VendorFlow.ReadTokensAsync(await factory.TokenRequestAsync(vendor, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.RefreshToken! }));
        using var tomorrow = factory.CreateBearerClient(refreshed.AccessToken);
        Assert.Equal(HttpStatusCode.Created, (await DataApiTests.SendAsync(tomorrow, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput("Note of a new day"), null)).StatusCode);
    }

    [Fact]
    public async Task Notes_queued_while_the_person_is_away_count_when_they_are_applied()
    {
        using var factory = TightQuotas();
        var (owner, _) = await factory.CreateVaultAsync();
        var (_, _, api) = await factory.WalletVendorAsync(owner, "Away Shop", datatypes: [Datatypes.Receipts, Datatypes.Notes]);
        await owner.PostAsync("/owner/api/v1/vault/lock", null);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput($"Queued note {i}"), null)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase))).StatusCode);
        AwayReport report = null!;
        await SymbolonApplicationFactory.WaitUntilAsync(async () =>
        {
            report = (await owner.GetFromJsonAsync<AwayReport>("/owner/api/v1/inbox", SymbolonApplicationFactory.Json))!;
            return report.Items.Count == 3 && report.Items.All(i => i.State != AwayItemStates.Pending);
        }, "the inbox to be applied");

        Assert.Equal([AwayItemStates.Applied, AwayItemStates.Applied, AwayItemStates.Refused], report.Items.Select(i => i.State));
        Assert.Contains("as much today", report.Items[2].Problem, StringComparison.Ordinal);
        Assert.Equal(2, (await api.GetFromJsonAsync<List<VendorNote>>("/api/v1/notes"))!.Count);
    }
}
