using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Client;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Webhooks;
using Symbolon.Server.Storage;
using Symbolon.Server.Webhooks;

namespace Symbolon.Server.Tests;

/// <summary>
/// "Change your address once": the running server's outbox delivers signed webhooks to real HTTP receivers, in order,
/// through failures, on both storage providers. The server's clock is fake, so retries are reached by moving it.
/// </summary>
public sealed class WebhookDeliveryTests
{
    public static TheoryData<StorageKind> Providers => [StorageKind.Sqlite, StorageKind.Postgres];

    private static readonly PostalAddress OldAddress = new("17 Wombat Lane", "Utrecht", null, "3511 WB", "NL");
    private static readonly PostalAddress NewAddress = new("42 Quokka Street", "Amsterdam", null, "1011 QK", "NL");

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_profile_change_reaches_every_vendor_holding_a_read_grant_on_it_signed_and_without_values(StorageKind kind)
    {
        using var app = new SymbolonApplicationFactory(kind);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (owner, _) = await app.CreateVaultAsync();
        var now = app.Time.GetUtcNow();
        var courier = await app.SeedVendorAsync("courier", receiver.UrlFor("courier"), [SeededGrant.Read(Datatypes.PostalAddress)]);
        var insurer = await app.SeedVendorAsync("insurer", receiver.UrlFor("insurer"), [SeededGrant.Read(Datatypes.PostalAddress), SeededGrant.Read(Datatypes.Email)]);
        var others = new[]
        {
            await app.SeedVendorAsync("mailer", receiver.UrlFor("mailer"), [SeededGrant.Read(Datatypes.Email)]),
            await app.SeedVendorAsync("appender", receiver.UrlFor("appender"), [new SeededGrant(Datatypes.PostalAddress, [DataActions.Append])]),
            await app.SeedVendorAsync("expired", receiver.UrlFor("expired"), [new SeededGrant(Datatypes.PostalAddress, [DataActions.Read], ExpiresAt: now.AddMinutes(-1))]),
            await app.SeedVendorAsync("revoked", receiver.UrlFor("revoked"), [new SeededGrant(Datatypes.PostalAddress, [DataActions.Read], Revoked: true)]),
            await app.SeedVendorAsync("ended", receiver.UrlFor("ended"), [SeededGrant.Read(Datatypes.PostalAddress)], ended: true),
        };

        var field = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: OldAddress));

        var received = await receiver.NextAsync("courier");
        var verified = new WebhookVerifier(courier.WebhookSecret, timeProvider: app.Time).Verify(received.Body, received.Headers);
        Assert.Equal((WebhookEventTypes.ProfileUpdated, now), (verified.Type, verified.Timestamp));
        var data = verified.GetProfileUpdated();
        Assert.Equal(courier.Subject, data.Subject);
        var change = Assert.Single(data.Changes);
        Assert.Equal((Datatypes.PostalAddress, courier.FieldId(field.Id), "create", 1), (change.Datatype, change.FieldId, change.Operation, change.Version));
        Assert.True(ChangeCursor.TryDecode(change.Cursor, out _));
        Assert.StartsWith("msg_", received.MessageId, StringComparison.Ordinal);
        Assert.Equal(now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), received.Headers["webhook-timestamp"]);
        Assert.StartsWith("application/json", received.Headers["content-type"], StringComparison.Ordinal);

        var toInsurer = await receiver.NextAsync("insurer");
        var insurerChange = Assert.Single(new WebhookVerifier(insurer.WebhookSecret, timeProvider: app.Time).Verify(toInsurer.Body, toInsurer.Headers).GetProfileUpdated().Changes);
        Assert.Equal(insurer.FieldId(field.Id), insurerChange.FieldId);
        Assert.NotEqual(change.FieldId, insurerChange.FieldId);

        // One fan-out adds every recipient's message in one transaction: once the courier has its webhook, the
        // others' absence from the outbox is final.
        foreach (var other in others)
        {
            Assert.Empty(await app.OutboxAsync(other));
            Assert.Empty(receiver.Requests(other.ClientId.Split('-')[0]));
        }

        var update = await owner.PutAsJsonAsync($"/owner/api/v1/profile/fields/{field.Id}", new ProfileFieldUpdate("home", Address: NewAddress), SymbolonApplicationFactory.Json);
        update.EnsureSuccessStatusCode();
        var secondReceived = await receiver.NextAsync("courier");
        var second = new WebhookVerifier(courier.WebhookSecret, timeProvider: app.Time).Verify(secondReceived.Body, secondReceived.Headers).GetProfileUpdated();
        var updated = Assert.Single(second.Changes);
        Assert.Equal((courier.FieldId(field.Id), "update", 2), (updated.FieldId, updated.Operation, updated.Version));
        Assert.True(Sequence(updated.Cursor) > Sequence(change.Cursor));

        await SymbolonApplicationFactory.WaitUntilAsync(async () => (await app.OutboxAsync(courier)).All(m => m.DeliveredAt is not null), "the deliveries to be recorded");
        Assert.All(await app.OutboxAsync(courier), m => Assert.Equal((1, (string?)null), (m.Attempts, m.LastError)));

        // No personal value in what was sent, stored or logged.
        var everything = string.Join("\n", receiver.Requests("courier").Concat(receiver.Requests("insurer")).Select(r => r.Body)) + string.Join("\n", app.Logs);
        foreach (var value in new[] { OldAddress.Street!, OldAddress.Locality!, OldAddress.PostalCode!, NewAddress.Street!, NewAddress.Locality!, NewAddress.PostalCode! })
        {
            Assert.DoesNotContain(value, everything, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_receiver_answering_503_gets_every_event_in_order_once_it_is_back(StorageKind kind)
    {
        using var app = new SymbolonApplicationFactory(kind);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (owner, _) = await app.CreateVaultAsync();
        var shop = await app.SeedVendorAsync("shop", receiver.UrlFor("shop"), [SeededGrant.Read(Datatypes.Email)]);
        receiver.Answer("shop", 503);

        var fields = new List<ProfileField> { await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "first@example.org")) };
        await SymbolonApplicationFactory.WaitUntilAsync(() => Task.FromResult(receiver.Requests("shop").Count == 1), "the first attempt");
        fields.Add(await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "work", "second@example.org")));
        fields.Add(await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "other", "third@example.org")));
        await app.WaitForFanOutAsync();

        // The first message waits for its retry, and the later ones wait behind it.
        var failing = (await app.OutboxAsync(shop))[0];
        Assert.Equal((1, "HTTP 503", (DateTimeOffset?)null), (failing.Attempts, failing.LastError, failing.DeliveredAt));
        Assert.Single(receiver.Requests("shop"));

        receiver.Answer("shop", 204);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        var delivered = new List<ReceivedWebhook>();
        var changes = new List<FieldChange>();
        while (changes.Count < 3)
        {
            var next = await receiver.NextAsync("shop");
            delivered.Add(next);
            changes.AddRange(new WebhookVerifier(shop.WebhookSecret, timeProvider: app.Time).Verify(next.Body, next.Headers).GetProfileUpdated().Changes);
        }

        Assert.Equal(fields.Select(f => shop.FieldId(f.Id)), changes.Select(c => c.FieldId));
        Assert.Equal(changes.Select(c => Sequence(c.Cursor)).Order(), changes.Select(c => Sequence(c.Cursor)));

        // Every request in arrival order: the failed one, then its retry with the same id, then the rest.
        var requests = receiver.Requests("shop");
        Assert.Equal([503, .. delivered.Select(_ => 204)], requests.Select(r => r.AnsweredWith));
        Assert.Equal(requests[0].MessageId, requests[1].MessageId);
        Assert.Equal(requests.Count - 1, requests.Select(r => r.MessageId).Distinct().Count());
        await SymbolonApplicationFactory.WaitUntilAsync(async () => (await app.OutboxAsync(shop)).All(m => m.DeliveredAt is not null), "the deliveries to be recorded");
        Assert.Equal(2, (await app.OutboxAsync(shop))[0].Attempts);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Receivers_down_for_ten_minutes_across_a_restart_get_every_event_afterwards_in_order_per_relationship(StorageKind kind)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer("shop", 503);
        receiver.Answer("bank", 503);
        var expected = new Dictionary<string, List<Guid>> { ["shop"] = [], ["bank"] = [] };
        var first = new SymbolonApplicationFactory(kind) { KeepDataDirectory = true };
        SeededVendor shop, bank;
        try
        {
            using (first)
            {
                // Ten minutes of changes, one a minute, while both receivers answer 503.
                var (owner, _) = await first.CreateVaultAsync();
                shop = await first.SeedVendorAsync("shop", receiver.UrlFor("shop"), [SeededGrant.Read(Datatypes.Email)]);
                bank = await first.SeedVendorAsync("bank", receiver.UrlFor("bank"), [SeededGrant.Read(Datatypes.Email), SeededGrant.Read(Datatypes.Phone)]);
                for (var minute = 0; minute < 10; minute++)
                {
                    var email = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, $"m{minute}", $"minute-{minute}@example.org"));
                    expected["shop"].Add(email.Id);
                    expected["bank"].Add(email.Id);
                    if (minute % 3 == 0)
                    {
                        var phone = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, $"p{minute}", $"+31 6 0000 00{minute:00}"));
                        expected["bank"].Add(phone.Id);
                    }

                    await first.WaitForFanOutAsync();
                    first.Time.Advance(TimeSpan.FromMinutes(1));
                }

                await SymbolonApplicationFactory.WaitUntilAsync(() => Task.FromResult(receiver.Requests("shop").Count >= 2 && receiver.Requests("bank").Count >= 2), "retries while down");
            }

            // The server restarts while the receivers are still down; the person changes one more thing; then they are back.
            using var second = new SymbolonApplicationFactory(first);
            second.Time.SetUtcNow(first.Time.GetUtcNow());
            var again = second.CreateOwnerClient();
            Assert.Equal(System.Net.HttpStatusCode.OK, (await again.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase))).StatusCode);
            var last = await SymbolonApplicationFactory.AddFieldAsync(again, new ProfileFieldInput(ProfileFieldKinds.Email, "after", "after-restart@example.org"));
            expected["shop"].Add(last.Id);
            expected["bank"].Add(last.Id);
            await second.WaitForFanOutAsync();
            Assert.All(receiver.Requests("shop").Concat(receiver.Requests("bank")), r => Assert.Equal(503, r.AnsweredWith));

            receiver.Answer("shop", 204);
            receiver.Answer("bank", 204);
            second.Time.Advance(TimeSpan.FromMinutes(30));
            foreach (var vendor in new[] { shop, bank })
            {
                var name = vendor.ClientId.Split('-')[0];
                var verifier = new WebhookVerifier(vendor.WebhookSecret, timeProvider: second.Time);
                var changes = new List<FieldChange>();
                while (changes.Count < expected[name].Count)
                {
                    var next = await receiver.NextAsync(name);
                    changes.AddRange(verifier.Verify(next.Body, next.Headers).GetProfileUpdated().Changes);
                }

                Assert.Equal(expected[name].Select(vendor.FieldId), changes.Select(c => c.FieldId));
                Assert.Equal(changes.Select(c => Sequence(c.Cursor)).Order(), changes.Select(c => Sequence(c.Cursor)));
                await SymbolonApplicationFactory.WaitUntilAsync(async () => (await second.OutboxAsync(vendor)).All(m => m.DeliveredAt is not null), "the deliveries to be recorded");
                Assert.All(await second.OutboxAsync(vendor), m => Assert.Null(m.FailedAt));
            }
        }
        finally
        {
            using (new SymbolonApplicationFactory(first))
            {
            }
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_receiver_that_is_not_listening_gets_the_event_once_it_listens(StorageKind kind)
    {
        using var app = new SymbolonApplicationFactory(kind);
        var (owner, _) = await app.CreateVaultAsync();
        var down = await WebhookReceiver.StartAsync();
        var url = down.UrlFor("late");
        await down.DisposeAsync();
        var vendor = await app.SeedVendorAsync("late", url, [SeededGrant.Read(Datatypes.Phone)]);

        var phone = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "mobile", "+31 6 1234 5678"));
        await SymbolonApplicationFactory.WaitUntilAsync(async () => (await app.OutboxAsync(vendor)) is [{ Attempts: 1 }], "the first attempt");
        Assert.Equal("HttpRequestException (ConnectionError)", (await app.OutboxAsync(vendor))[0].LastError);

        await using var back = await WebhookReceiver.StartAsync(url.Port);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        var received = await back.NextAsync("late");
        var change = Assert.Single(new WebhookVerifier(vendor.WebhookSecret, timeProvider: app.Time).Verify(received.Body, received.Headers).GetProfileUpdated().Changes);
        Assert.Equal(vendor.FieldId(phone.Id), change.FieldId);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revoking_a_grant_sends_grant_revoked_and_no_later_change(StorageKind kind)
    {
        using var app = new SymbolonApplicationFactory(kind);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (owner, _) = await app.CreateVaultAsync();
        var vendor = await app.SeedVendorAsync("leaving", receiver.UrlFor("leaving"), [SeededGrant.Read(Datatypes.Email)]);

        await app.RevokeGrantAsync(vendor, vendor.GrantIds[0], endRelationship: true);

        var received = await receiver.NextAsync("leaving");
        var verified = new WebhookVerifier(vendor.WebhookSecret, timeProvider: app.Time).Verify(received.Body, received.Headers);
        Assert.Equal(new GrantRevokedData(vendor.Subject, vendor.GrantIds[0].ToString(), RelationshipEnded: true), verified.GetGrantRevoked());

        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "after@example.org"));
        await app.WaitForFanOutAsync();
        Assert.Equal([WebhookEventTypes.GrantRevoked], (await app.OutboxAsync(vendor)).Select(m => m.EventType));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_message_failing_for_three_days_is_given_up_with_older_ones_and_the_next_one_is_delivered(StorageKind kind)
    {
        using var app = new SymbolonApplicationFactory(kind);
        await using var receiver = await WebhookReceiver.StartAsync();
        // A personal access token outlives the three days; a browser session would not.
        var (session, _) = await app.CreateVaultAsync();
        var token = await (await session.PostAsJsonAsync("/owner/api/v1/tokens", new CreateTokenRequest("webhook test", ExpiresInDays: 30), SymbolonApplicationFactory.Json)).Content.ReadFromJsonAsync<OwnerToken>(SymbolonApplicationFactory.Json);
        var owner = app.CreateTokenClient(token!.Token!);
        var vendor = await app.SeedVendorAsync("gone", receiver.UrlFor("gone"), [SeededGrant.Read(Datatypes.Language)]);
        receiver.Answer("gone", 500);
        var start = app.Time.GetUtcNow();

        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Language, Text: "nl"));
        await SymbolonApplicationFactory.WaitUntilAsync(async () => (await app.OutboxAsync(vendor)) is [{ Attempts: 1 }], "the first attempt");
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Language, Text: "en"));
        await app.WaitForFanOutAsync();

        // Each step is longer than the longest retry delay, so each brings exactly one more attempt.
        var later = false;
        for (var step = 1; (await app.OutboxAsync(vendor))[0].FailedAt is null; step++)
        {
            Assert.True(step < 100, "The first message was never given up.");
            if (!later && app.Time.GetUtcNow() - start > TimeSpan.FromDays(2))
            {
                await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Language, Text: "de"));
                await app.WaitForFanOutAsync();
                later = true;
            }

            app.Time.Advance(TimeSpan.FromMinutes(61));
            await SymbolonApplicationFactory.WaitUntilAsync(async () => (await app.OutboxAsync(vendor))[0] is var first && (first.Attempts == step + 1 || first.FailedAt is not null), $"attempt {step + 1}");
        }

        var outbox = await app.OutboxAsync(vendor);
        Assert.Equal(3, outbox.Count);
        Assert.True(outbox[0].FailedAt - outbox[0].CreatedAt >= WebhookDelivery.GiveUpAfter);
        Assert.Equal("HTTP 500", outbox[0].LastError);
        Assert.InRange(outbox[0].Attempts, 70, 90);

        // The message made a second after it waited as long, so it went with it, never tried; the one made two days
        // in goes next.
        Assert.Equal((0, "Given up with an earlier message"), (outbox[1].Attempts, outbox[1].LastError));
        Assert.NotNull(outbox[1].FailedAt);
        await SymbolonApplicationFactory.WaitUntilAsync(async () => (await app.OutboxAsync(vendor))[2].Attempts == 1, "the next message's first attempt");
        receiver.Answer("gone", 200);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        var received = await receiver.NextAsync("gone");
        Assert.Equal(outbox[2].Id.ToString("N"), received.MessageId["msg_".Length..]);
        Assert.Single(receiver.Requests("gone"), r => r.AnsweredWith == 200);
    }

    [Fact]
    public async Task A_message_committed_without_a_nudge_goes_out_at_the_next_poll()
    {
        using var app = new SymbolonApplicationFactory();
        await using var receiver = await WebhookReceiver.StartAsync();
        await app.CreateVaultAsync();
        var vendor = await app.SeedVendorAsync("polled", receiver.UrlFor("polled"), [SeededGrant.Read(Datatypes.Email)]);

        // Another process on the same data (the CLI in local mode) writes without the server's interceptor.
        var storage = app.Services.GetRequiredService<StorageOptions>();
        await using (var db = StorageSetup.CreateContext(storage))
        {
            var relationship = await db.Relationships.SingleAsync(r => r.Id == vendor.RelationshipId);
            WebhookOutbox.EnqueueGrantRevoked(db, relationship, "grant-7", relationshipEnded: false, app.Time.GetUtcNow());
            await db.SaveChangesAsync();
        }

        app.Time.Advance(WebhookDispatcher.PollInterval);
        var received = await receiver.NextAsync("polled");
        Assert.Equal("grant-7", new WebhookVerifier(vendor.WebhookSecret, timeProvider: app.Time).Verify(received.Body, received.Headers).GetGrantRevoked().GrantId);
    }

    private static long Sequence(string cursor) => ChangeCursor.TryDecode(cursor, out var sequence) ? sequence : throw new InvalidOperationException("Not a cursor.");
}
