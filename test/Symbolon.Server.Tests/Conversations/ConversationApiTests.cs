using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NSec.Cryptography;
using Symbolon.Client;
using Symbolon.Contracts.Conversations;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Storage;
using Symbolon.Server.Tests.Requests;
using Symbolon.Server.Tests.VendorProtocol;
using Symbolon.Server.Tests.Wallet;

namespace Symbolon.Server.Tests.Conversations;

/// <summary>
/// The relationship's thread, vendor messages under the person's settings and terms, and values pushed once, through
/// the vendor API and the owner API.
/// </summary>
public sealed class ConversationApiTests
{
    public static TheoryData<StorageKind> Providers => [StorageKind.Sqlite, StorageKind.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_thread_shows_the_whole_relationship_in_order_and_a_pushed_value_reaches_the_vendor_once_without_a_grant(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (owner, _) = await factory.CreateVaultAsync();
        var phone = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "mobile", "+31 6 1234 5678"));
        var vendor = await factory.RegisterVendorAsync("Blue Door Coffee", receiver.UrlFor("coffee").ToString());
        await factory.AcceptAgreementAsync(vendor);
        var tokens = await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Receipts, Datatypes.Loyalty], WalletFlow.ReadAppend));
        using var api = factory.CreateBearerClient(tokens.AccessToken);
        var verifier = new WebhookVerifier(vendor.WebhookSecret!, timeProvider: factory.Time);
        var relationship = Assert.Single((await owner.GetFromJsonAsync<List<RelationshipSummary>>("/owner/api/v1/relationships", SymbolonApplicationFactory.Json))!);

        factory.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Created, (await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt(), "sale-1")).StatusCode);
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        var sent = await SendMessageAsync(api, "Your beans are ready for pick-up osprey-4411");
        Assert.Equal((MessageAuthors.Vendor, false), (sent.From, sent.Marketing));
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Created, (await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/loyalty/events",
            new LoyaltyEventInput(LoyaltyEventKinds.StampEarned, Programme: new LoyaltyProgrammeInput("Coffee card", LoyaltyProgrammeKinds.Stamps, "stamps", 10, "A free coffee")), "stamp-1")).StatusCode);

        // The person is told of the vendor's message until they open the thread.
        var unread = Assert.Single((await owner.GetFromJsonAsync<List<UnreadMessages>>("/owner/api/v1/messages/unread", SymbolonApplicationFactory.Json))!);
        Assert.Equal((relationship.Id, 1), (unread.RelationshipId, unread.Count));
        Assert.Equal(HttpStatusCode.NoContent, (await owner.PostAsync($"/owner/api/v1/relationships/{relationship.Id}/thread/read", null)).StatusCode);
        Assert.Empty((await owner.GetFromJsonAsync<List<UnreadMessages>>("/owner/api/v1/messages/unread", SymbolonApplicationFactory.Json))!);

        // The person replies: the vendor hears of it by webhook (the id, never the text) and reads it through the API.
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        var reply = await owner.PostAsJsonAsync($"/owner/api/v1/relationships/{relationship.Id}/messages", new PersonMessageInput("Thanks, I will come by at five heron-2290"), SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.Created, reply.StatusCode);
        var created = await receiver.NextAsync("coffee");
        Assert.DoesNotContain("heron-2290", created.Body, StringComparison.Ordinal);
        var createdData = verifier.Verify(created.Body, created.Headers).GetMessageCreated();
        var messages = (await api.GetFromJsonAsync<List<VendorMessage>>("/api/v1/messages"))!;
        Assert.Equal([MessageAuthors.Vendor, MessageAuthors.Person], messages.Select(m => m.From));
        Assert.Equal(createdData.MessageId, messages[1].Id);
        Assert.Equal("Thanks, I will come by at five heron-2290", messages[1].Text);

        // The person pushes the new phone number: a webhook with a reference, a signed receipt, an access-log line.
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        var pushResponse = await owner.PostAsJsonAsync($"/owner/api/v1/relationships/{relationship.Id}/push-updates", new PushUpdateInput(phone.Id), SymbolonApplicationFactory.Json);
        Assert.True(pushResponse.StatusCode == HttpStatusCode.Created, await pushResponse.Content.ReadAsStringAsync());
        var pushed = (await pushResponse.Content.ReadFromJsonAsync<PushedUpdate>(SymbolonApplicationFactory.Json))!;
        var pushedEvent = await receiver.NextAsync("coffee");
        Assert.DoesNotContain("1234", pushedEvent.Body, StringComparison.Ordinal);
        var pushedData = verifier.Verify(pushedEvent.Body, pushedEvent.Headers).GetUpdatePushed();
        Assert.Equal((Datatypes.Phone, createdData.Subject), (pushedData.Datatype, pushedData.Subject));

        var receipt = (await owner.GetFromJsonAsync<SignedConsentReceipt>($"/owner/api/v1/push-updates/{pushed.Id}/receipt", SymbolonApplicationFactory.Json))!;
        var key = PublicKey.Import(SignatureAlgorithm.Ed25519, Base64Url.DecodeFromChars(receipt.PublicKey), KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key, Base64Url.DecodeFromChars(receipt.SignedContent), Base64Url.DecodeFromChars(receipt.Signature)));
        Assert.Equal("KI-CR-v1.1.0", receipt.Receipt.GetProperty("version").GetString());
        Assert.Equal(pushed.Id.ToString(), receipt.Receipt.GetProperty("receipt_id").GetString());
        var processing = receipt.Receipt.GetProperty("services")[0].GetProperty("purposes")[0].GetProperty("pii_processing")[0];
        Assert.Equal((Datatypes.Phone, "disclose_once"), (processing.GetProperty("datatype").GetString(), processing.GetProperty("actions")[0].GetString()));
        Assert.DoesNotContain("1234", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(receipt.SignedContent)), StringComparison.Ordinal);

        var log = (await owner.GetFromJsonAsync<AccessLogPage>($"/owner/api/v1/relationships/{relationship.Id}/access-log", SymbolonApplicationFactory.Json))!;
        Assert.Contains(log.Entries, e => e.Action == "push" && e.Allowed && e.Datatypes.SequenceEqual([Datatypes.Phone]) && e.GrantId is null);

        // The vendor, with no grant on the phone number, lists and fetches the value once; /api/v1/profile still refuses it.
        var pending = Assert.Single((await api.GetFromJsonAsync<List<PendingPushedUpdate>>("/api/v1/updates"))!);
        Assert.Equal(pushedData.UpdateId, pending.Id);
        var value = (await api.GetFromJsonAsync<VendorPushedUpdate>($"/api/v1/updates/{pushedData.UpdateId}"))!;
        Assert.Equal(("+31 6 1234 5678", "mobile", pushedData.FieldId), (value.Field.Value.GetString(), value.Field.Label, value.Field.Id));
        await DataApiTests.AssertProblemAsync(await api.GetAsync($"/api/v1/updates/{pushedData.UpdateId}"), HttpStatusCode.Gone, "SYM2304");
        Assert.Empty((await api.GetFromJsonAsync<List<PendingPushedUpdate>>("/api/v1/updates"))!);
        await DataApiTests.AssertProblemAsync(await api.GetAsync("/api/v1/profile"), HttpStatusCode.Forbidden, "SYM1403");
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
            Assert.Null((await db.PushedUpdates.AsNoTracking().SingleAsync()).ValueSealed);
            Assert.All(await db.WebhookMessages.AsNoTracking().ToListAsync(), m => Assert.DoesNotContain("heron", m.Payload, StringComparison.Ordinal));
        }

        // A request and the vendor's answer appear in the thread too.
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        await RequestFlow.SendRequestAsync(owner, new RequestInput(relationship.Id, RequestKinds.Service, "Broken mug", "The mug I bought arrived broken"));
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        var vendorRequest = Assert.Single(await RequestFlow.VendorRequestsAsync(api));
        var answer = await RequestFlow.ReplyAsync(api, vendorRequest.Id, new RequestReplyInput("A new mug is on its way", RequestStatuses.Answered));
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());

        factory.Time.Advance(TimeSpan.FromMinutes(1));
        (await owner.PostAsync($"/owner/api/v1/relationships/{relationship.Id}/end", null)).EnsureSuccessStatusCode();

        var thread = (await owner.GetFromJsonAsync<List<ThreadEntry>>($"/owner/api/v1/relationships/{relationship.Id}/thread", SymbolonApplicationFactory.Json))!;
        Assert.Equal(
            [ThreadEntryKinds.AgreementAccepted, ThreadEntryKinds.GrantGiven, ThreadEntryKinds.Receipt, ThreadEntryKinds.Message, ThreadEntryKinds.Loyalty, ThreadEntryKinds.Message, ThreadEntryKinds.UpdatePushed, ThreadEntryKinds.Request, ThreadEntryKinds.Request, ThreadEntryKinds.RelationshipEnded],
            thread.Select(e => e.Kind));
        Assert.Equal(thread.OrderBy(e => e.At).Select(e => e.Id), thread.Select(e => e.Id));
        Assert.Equal(("Your beans are ready for pick-up osprey-4411", ThreadParties.Vendor), (thread[3].Text, thread[3].From));
        Assert.Equal(("Thanks, I will come by at five heron-2290", ThreadParties.Person), (thread[5].Text, thread[5].From));
        Assert.Contains("10.20 EUR", thread[2].Title, StringComparison.Ordinal);
        Assert.Equal("Earned 1 stamps", thread[4].Title);
        Assert.Contains("fetched", thread[6].Text!, StringComparison.Ordinal);
        Assert.Equal((ThreadParties.Person, "You sent a request: Service request"), (thread[7].From, thread[7].Title));
        Assert.Equal(ThreadParties.Vendor, thread[8].From);
        Assert.Contains("A new mug is on its way", thread[8].Text, StringComparison.Ordinal);

        // Ended: nothing more goes either way.
        await DataApiTests.AssertProblemAsync(await owner.PostAsJsonAsync($"/owner/api/v1/relationships/{relationship.Id}/messages", new PersonMessageInput("Hello?"), SymbolonApplicationFactory.Json), HttpStatusCode.Conflict, "SYM2305");
        await DataApiTests.AssertProblemAsync(await owner.PostAsJsonAsync($"/owner/api/v1/relationships/{relationship.Id}/push-updates", new PushUpdateInput(phone.Id), SymbolonApplicationFactory.Json), HttpStatusCode.Conflict, "SYM2305");
        Assert.Equal(HttpStatusCode.Unauthorized, (await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/messages", new VendorMessageInput("Still there?"), null)).StatusCode);
    }

    [Fact]
    public async Task A_blocked_vendor_is_refused_and_the_person_not_told_a_muted_one_is_stored_without_telling()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var (relationshipId, api) = await MessagingVendorAsync(factory, owner, "Loud Radio");

        var settings = await PutSettingsAsync(owner, relationshipId, new MessageSettings(MessagePermissions.Blocked, NoMarketing: false));
        Assert.Equal(MessagePermissions.Blocked, settings.Permission);
        var refused = await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/messages", new VendorMessageInput("Big sale kestrel-99"), "m-1"), HttpStatusCode.Forbidden, "SYM2301");
        Assert.DoesNotContain("kestrel", refused.GetRawText(), StringComparison.Ordinal);
        Assert.Empty(await ThreadMessagesAsync(owner, relationshipId));
        Assert.Empty((await owner.GetFromJsonAsync<List<UnreadMessages>>("/owner/api/v1/messages/unread", SymbolonApplicationFactory.Json))!);
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
            Assert.Equal(0, await db.Messages.CountAsync());
            Assert.Equal(0, await db.IdempotencyKeys.CountAsync());
        }

        var log = (await owner.GetFromJsonAsync<AccessLogPage>($"/owner/api/v1/relationships/{relationshipId}/access-log", SymbolonApplicationFactory.Json))!;
        Assert.Contains(log.Entries, e => e.Action == "message" && !e.Allowed && e.StatusCode == 403);

        await PutSettingsAsync(owner, relationshipId, new MessageSettings(MessagePermissions.Muted, NoMarketing: false));
        await SendMessageAsync(api, "Weekly news");
        var muted = Assert.Single(await ThreadMessagesAsync(owner, relationshipId));
        Assert.True(muted.Muted);
        Assert.False(muted.Unread);
        Assert.Empty((await owner.GetFromJsonAsync<List<UnreadMessages>>("/owner/api/v1/messages/unread", SymbolonApplicationFactory.Json))!);

        await PutSettingsAsync(owner, relationshipId, new MessageSettings(MessagePermissions.Allowed, NoMarketing: false));
        await SendMessageAsync(api, "Your order shipped");
        Assert.Equal(1, Assert.Single((await owner.GetFromJsonAsync<List<UnreadMessages>>("/owner/api/v1/messages/unread", SymbolonApplicationFactory.Json))!).Count);
        Assert.Equal(2, (await ThreadMessagesAsync(owner, relationshipId)).Count);

        // A setting that is not one of the three is refused, naming the field.
        var bad = await DataApiTests.AssertProblemAsync(await owner.PutAsJsonAsync($"/owner/api/v1/relationships/{relationshipId}/message-settings", new MessageSettings("sometimes", false), SymbolonApplicationFactory.Json), HttpStatusCode.BadRequest, "SYM1003");
        Assert.True(bad.GetProperty("errors").TryGetProperty("permission", out _));
    }

    [Fact]
    public async Task Marketing_is_refused_under_the_stricter_agreement_and_under_the_persons_no_marketing_choice()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var (strictId, strictApi) = await MessagingVendorAsync(factory, owner, "Strict Shop", "SD-BASE-NTP");
        var (plainId, plainApi) = await MessagingVendorAsync(factory, owner, "Plain Shop");

        Assert.Equal("SD-BASE-NTP", (await owner.GetFromJsonAsync<MessageSettings>($"/owner/api/v1/relationships/{strictId}/message-settings", SymbolonApplicationFactory.Json))!.MarketingForbiddenByAgreement);
        var refused = await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(strictApi, HttpMethod.Post, "/api/v1/messages", new VendorMessageInput("20 % off", Marketing: true), null), HttpStatusCode.Forbidden, "SYM2302");
        Assert.Contains("SD-BASE-NTP", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await SendMessageAsync(strictApi, "Your table is booked");

        var labelled = await SendMessageAsync(plainApi, "20 % off this week", marketing: true);
        Assert.True(labelled.Marketing);
        Assert.True(Assert.Single(await ThreadMessagesAsync(owner, plainId)).Marketing);
        await PutSettingsAsync(owner, plainId, new MessageSettings(MessagePermissions.Allowed, NoMarketing: true));
        var choice = await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(plainApi, HttpMethod.Post, "/api/v1/messages", new VendorMessageInput("30 % off", Marketing: true), null), HttpStatusCode.Forbidden, "SYM2302");
        Assert.Contains("no marketing", choice.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("SD-BASE", choice.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await SendMessageAsync(plainApi, "Your order shipped");
        Assert.Equal(2, (await ThreadMessagesAsync(owner, plainId)).Count);
        Assert.Single(await ThreadMessagesAsync(owner, strictId));
    }

    private static readonly (string Method, string Path)[] Endpoints =
    [
        ("POST", "/api/v1/messages"),
        ("GET", "/api/v1/messages"),
        ("GET", "/api/v1/updates"),
        ("GET", "/api/v1/updates/{update}"),
    ];

    [Fact]
    public async Task Every_conversation_endpoint_refuses_another_vendor_a_revoked_token_an_expired_grant_and_an_ended_relationship()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var email = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "wren@example.org"));
        var (goodId, goodApi) = await MessagingVendorAsync(factory, owner, "Good Grocer");
        var (otherId, otherApi) = await MessagingVendorAsync(factory, owner, "Other Optician");
        var (_, expiringApi) = await MessagingVendorAsync(factory, owner, "Expiring Eatery", expiry: "1d");
        var (endedId, endedApi) = await MessagingVendorAsync(factory, owner, "Ended Emporium");
        var revokedVendor = await factory.RegisterVendorAsync("Revoked Radio");
        await factory.AcceptAgreementAsync(revokedVendor);
        var revokedTokens = await factory.GrantAsync(owner, revokedVendor, VendorFlow.Details([Datatypes.Notes], WalletFlow.ReadAppend));
        using var revokedApi = factory.CreateBearerClient(revokedTokens.AccessToken);
        using (var client = factory.CreateVendorClient(revokedVendor))
        {
            Assert.True((await client.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = revokedTokens.AccessToken }))).IsSuccessStatusCode);
        }

        // One pushed value per vendor, so every vendor has a reference of its own.
        var goodRef = await PushAndReferenceAsync(owner, goodId, email.Id, goodApi);
        var otherRef = await PushAndReferenceAsync(owner, otherId, email.Id, otherApi);
        (await owner.PostAsync($"/owner/api/v1/relationships/{endedId}/end", null)).EnsureSuccessStatusCode();
        await SendMessageAsync(goodApi, "Only for you");

        // Another vendor's reference does not exist for this vendor, and its messages are not listed.
        await DataApiTests.AssertProblemAsync(await otherApi.GetAsync($"/api/v1/updates/{goodRef}"), HttpStatusCode.NotFound, "SYM2303");
        await DataApiTests.AssertProblemAsync(await goodApi.GetAsync("/api/v1/updates/made-up"), HttpStatusCode.NotFound, "SYM2303");
        Assert.Empty((await otherApi.GetFromJsonAsync<List<VendorMessage>>("/api/v1/messages"))!);

        // The vendor's own reference works, once (a positive control for the refusals below).
        Assert.Equal("wren@example.org", (await otherApi.GetFromJsonAsync<VendorPushedUpdate>($"/api/v1/updates/{otherRef}"))!.Field.Value.GetString());

        foreach (var (method, path) in Endpoints)
        {
            await DataApiTests.AssertProblemAsync(await Call(revokedApi, method, path, goodRef), HttpStatusCode.Unauthorized, "SYM1401");
            Assert.Equal(HttpStatusCode.Unauthorized, (await Call(endedApi, method, path, goodRef)).StatusCode);
        }

        // Nothing the refused calls sent reached the person.
        Assert.Empty(await ThreadMessagesAsync(owner, endedId));
        Assert.Single(await ThreadMessagesAsync(owner, goodId));

        // A day later the one-day grant is over, and with it every conversation call of that vendor.
        factory.Time.Advance(TimeSpan.FromHours(25));
        foreach (var (method, path) in Endpoints)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Call(expiringApi, method, path, goodRef)).StatusCode);
        }
    }

    private static Task<HttpResponseMessage> Call(HttpClient api, string method, string path, string reference) =>
        method == "GET"
            ? api.GetAsync(path.Replace("{update}", reference, StringComparison.Ordinal))
            : DataApiTests.SendAsync(api, HttpMethod.Post, path, new VendorMessageInput("Hello"), null);

    private static async Task<string> PushAndReferenceAsync(HttpClient owner, Guid relationshipId, Guid fieldId, HttpClient api)
    {
        (await owner.PostAsJsonAsync($"/owner/api/v1/relationships/{relationshipId}/push-updates", new PushUpdateInput(fieldId), SymbolonApplicationFactory.Json)).EnsureSuccessStatusCode();
        return Assert.Single((await api.GetFromJsonAsync<List<PendingPushedUpdate>>("/api/v1/updates"))!).Id;
    }

    /// <summary>A vendor with a grant on notes only (messaging needs no particular datatype) and its relationship id.</summary>
    private static async Task<(Guid RelationshipId, HttpClient Api)> MessagingVendorAsync(SymbolonApplicationFactory factory, HttpClient owner, string name, string agreement = "SD-BASE", string expiry = "90d")
    {
        var vendor = await factory.RegisterVendorAsync(name);
        await factory.AcceptAgreementAsync(vendor, agreement);
        var tokens = await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Notes], WalletFlow.ReadAppend, agreement: agreement), new ConsentChoices(Expiry: expiry));
        var relationships = (await owner.GetFromJsonAsync<List<RelationshipSummary>>("/owner/api/v1/relationships", SymbolonApplicationFactory.Json))!;
        return (relationships.Single(r => r.ClientId == vendor.ClientId).Id, factory.CreateBearerClient(tokens.AccessToken));
    }

    private static async Task<VendorMessage> SendMessageAsync(HttpClient api, string text, bool marketing = false)
    {
        var response = await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/messages", new VendorMessageInput(text, marketing), null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonSerializer.Deserialize<VendorMessage>(body)!;
    }

    private static async Task<MessageSettings> PutSettingsAsync(HttpClient owner, Guid relationshipId, MessageSettings settings)
    {
        var response = await owner.PutAsJsonAsync($"/owner/api/v1/relationships/{relationshipId}/message-settings", settings, SymbolonApplicationFactory.Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<MessageSettings>(SymbolonApplicationFactory.Json))!;
    }

    private static async Task<List<ThreadEntry>> ThreadMessagesAsync(HttpClient owner, Guid relationshipId) =>
        [.. (await owner.GetFromJsonAsync<List<ThreadEntry>>($"/owner/api/v1/relationships/{relationshipId}/thread", SymbolonApplicationFactory.Json))!.Where(e => e.Kind == ThreadEntryKinds.Message)];
}
