using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Tests.Infrastructure;
using Symbolon.Core.Webhooks;
using static Symbolon.Core.Tests.Infrastructure.TestRelationships;

namespace Symbolon.Core.Tests.Webhooks;

/// <summary>The outbox's fan-out from the change log, on both providers.</summary>
public class WebhookOutboxTests
{
    public static TheoryData<StorageKind> Providers => [StorageKind.Sqlite, StorageKind.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Each_reader_gets_one_message_per_batch_naming_fields_by_pairwise_id_and_cursor_without_values(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var bookshop = await vault.AddVendorAsync("bookshop", [Read(Datatypes.Email), Read(Datatypes.PostalAddress)]);
        var courier = await vault.AddVendorAsync("courier", [Read(Datatypes.PostalAddress)]);
        var telco = await vault.AddVendorAsync("telco", [Read(Datatypes.Phone)]);

        var email = await vault.AddTextAsync(ProfileFieldKinds.Email, "reader@example.org", "home");
        var address = await vault.AddAsync(new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: new PostalAddress("1 Old Road", "Utrecht", null, "3511 AA", "NL")));
        vault.Store.Time.Advance(TimeSpan.FromMinutes(1));
        await vault.UpdateAsync(address.Id, new ProfileFieldUpdate("home", Address: new PostalAddress("2 New Street", "Amsterdam", null, "1011 AB", "NL")));

        using var session = vault.Store.Open();
        var result = await WebhookOutbox.FanOutAsync(session.Db, vault.Id, vault.Store.Time.GetUtcNow());

        var log = await session.Db.ChangeLog.AsNoTracking().OrderBy(c => c.Sequence).ToListAsync();
        Assert.Equal(3, log.Count);
        Assert.Equal((3, 2, false), (result.Changes, result.Messages, result.More));
        var messages = await session.Db.WebhookMessages.AsNoTracking().ToListAsync();
        Assert.DoesNotContain(messages, m => m.RelationshipId == telco.Id);
        Assert.All(messages, m => Assert.Equal((WebhookEventTypes.ProfileUpdated, 0, vault.Store.Time.GetUtcNow(), (DateTimeOffset?)null), (m.EventType, m.Attempts, m.NextAttemptAt, m.DeliveredAt)));

        var (bookshopEvent, toBookshop) = Parse(messages.Single(m => m.RelationshipId == bookshop.Id));
        Assert.Equal(WebhookEventTypes.ProfileUpdated, bookshopEvent.Type);
        Assert.Equal(TestStore.Start.AddMinutes(1), bookshopEvent.Timestamp);
        Assert.Equal(bookshop.Subject, toBookshop.Subject);
        Assert.Equal(
            [
                (Datatypes.Email, PairwiseIds.FieldId(bookshop.PairwiseKey, email.Id), "create", 1, ChangeCursor.Encode(log[0].Sequence)),
                (Datatypes.PostalAddress, PairwiseIds.FieldId(bookshop.PairwiseKey, address.Id), "create", 1, ChangeCursor.Encode(log[1].Sequence)),
                (Datatypes.PostalAddress, PairwiseIds.FieldId(bookshop.PairwiseKey, address.Id), "update", 2, ChangeCursor.Encode(log[2].Sequence)),
            ],
            toBookshop.Changes.Select(c => (c.Datatype, c.FieldId, c.Operation, c.Version, c.Cursor)));

        var (_, toCourier) = Parse(messages.Single(m => m.RelationshipId == courier.Id));
        Assert.Equal(courier.Subject, toCourier.Subject);
        Assert.Equal([log[1].Sequence, log[2].Sequence], toCourier.Changes.Select(c => ChangeCursor.TryDecode(c.Cursor, out var s) ? s : -1));
        Assert.All(toCourier.Changes, c => Assert.Equal(PairwiseIds.FieldId(courier.PairwiseKey, address.Id), c.FieldId));
        Assert.NotEqual(toBookshop.Changes[1].FieldId, toCourier.Changes[0].FieldId);

        foreach (var value in new[] { "reader@example.org", "Old Road", "New Street", "Utrecht", "Amsterdam", "3511", "1011" })
        {
            Assert.All(messages, m => Assert.DoesNotContain(value, m.Payload, StringComparison.Ordinal));
        }

        // The cursor moved with the messages: the next fan-out has nothing to do.
        Assert.Equal(log[^1].Sequence, (await session.Db.OutboxCursors.AsNoTracking().SingleAsync(c => c.VaultId == vault.Id)).LastSequence);
        var again = await WebhookOutbox.FanOutAsync(session.Db, vault.Id, vault.Store.Time.GetUtcNow());
        Assert.Equal((0, 0), (again.Changes, again.Messages));
        Assert.Equal(2, await session.Db.WebhookMessages.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_change_a_vendor_makes_is_sent_to_the_other_readers_but_not_back_to_that_vendor(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var writer = await vault.AddVendorAsync("writer", [new GrantedDatatype(Datatypes.Email, [DataActions.Read, DataActions.Append], Narrowings.Full, "contact")]);
        var reader = await vault.AddVendorAsync("reader", [Read(Datatypes.Email)]);

        await vault.AddTextAsync(ProfileFieldKinds.Email, "new@example.org", "work", Actor.Vendor(writer.ClientId));

        using var session = vault.Store.Open();
        var result = await WebhookOutbox.FanOutAsync(session.Db, vault.Id, vault.Store.Time.GetUtcNow());
        Assert.Equal((1, 1), (result.Changes, result.Messages));
        Assert.Equal([reader.Id], await session.Db.WebhookMessages.Select(m => m.RelationshipId).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Other_datatypes_append_only_expired_revoked_ended_and_webhookless_relationships_get_nothing(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var now = vault.Store.Time.GetUtcNow();
        var reader = await vault.AddVendorAsync("reader", [Read(Datatypes.Email)]);
        var expiring = await vault.AddVendorAsync("expiring", [Read(Datatypes.Email)], expiresAt: now.AddHours(1));
        await vault.AddVendorAsync("phone", [Read(Datatypes.Phone)]);
        await vault.AddVendorAsync("appender", [new GrantedDatatype(Datatypes.Email, [DataActions.Append], Narrowings.Full, "contact")]);
        await vault.AddVendorAsync("expired", [Read(Datatypes.Email)], expiresAt: now.AddMinutes(-1));
        await vault.AddVendorAsync("revoked", [Read(Datatypes.Email)], revoked: true);
        await vault.AddVendorAsync("ended", [Read(Datatypes.Email)], ended: true);
        await vault.AddVendorAsync("no-webhook", [Read(Datatypes.Email)], webhookUri: null);

        var email = await vault.AddTextAsync(ProfileFieldKinds.Email, "first@example.org");
        Assert.Equal([reader.Id, expiring.Id], (await FanOutAndListAsync(vault)).Order());

        vault.Store.Time.Advance(TimeSpan.FromHours(2));
        await vault.UpdateAsync(email.Id, new ProfileFieldUpdate(Text: "second@example.org"));
        Assert.Equal([reader.Id], await FanOutAndListAsync(vault));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_fan_out_that_lost_the_race_for_the_cursor_writes_nothing(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        await vault.AddVendorAsync("reader", [Read(Datatypes.Email)]);

        // Two servers on one database read the same batch; the first cursor ever is created by one of them.
        await vault.AddTextAsync(ProfileFieldKinds.Email, "first@example.org");
        Assert.Equal((true, false), await RaceAsync(vault));
        using (var session = vault.Store.Open())
        {
            Assert.Equal(1, await session.Db.WebhookMessages.CountAsync());
        }

        // Later batches move the existing cursor with a compare-and-set.
        await vault.AddTextAsync(ProfileFieldKinds.Email, "second@example.org");
        Assert.Equal((true, false), await RaceAsync(vault));
        using (var session = vault.Store.Open())
        {
            Assert.Equal(2, await session.Db.WebhookMessages.CountAsync());
            Assert.Equal(await session.Db.ChangeLog.MaxAsync(c => c.Sequence), (await session.Db.OutboxCursors.SingleAsync()).LastSequence);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_gap_left_by_a_rolled_back_write_does_not_hold_the_cursor_back(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var reader = await vault.AddVendorAsync("reader", [Read(Datatypes.Email)]);
        await vault.AddTextAsync(ProfileFieldKinds.Email, "first@example.org");

        // A write that drew a sequence number and rolled back leaves a gap that never fills; the record store's
        // per-vault ordering means nothing can still commit into it, so the outbox passes it at once.
        long before;
        using (var session = vault.Store.Open())
        {
            before = await session.Db.ChangeLog.MaxAsync(c => c.Sequence);
            session.Db.ChangeLog.Add(new ChangeLogEntity
            {
                Sequence = before + 2,
                VaultId = vault.Id,
                RecordId = Guid.CreateVersion7(),
                RecordType = "profile.email",
                Version = 1,
                Operation = RecordOperations.Create,
                ActorKind = Actor.OwnerKind,
                ChangedAt = vault.Store.Time.GetUtcNow(),
            });
            await session.Db.SaveChangesAsync();
        }

        using var fanOut = vault.Store.Open();
        var result = await WebhookOutbox.FanOutAsync(fanOut.Db, vault.Id, vault.Store.Time.GetUtcNow());

        Assert.Equal((2, 1), (result.Changes, result.Messages));
        Assert.Equal(before + 2, (await fanOut.Db.OutboxCursors.AsNoTracking().SingleAsync()).LastSequence);
        var sent = await fanOut.Db.WebhookMessages.AsNoTracking().SingleAsync(m => m.RelationshipId == reader.Id);
        Assert.Equal([before, before + 2], Parse(sent).Data.Changes.Select(c => ChangeCursor.TryDecode(c.Cursor, out var s) ? s : -1));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Grant_revoked_is_added_with_the_revocation_and_commits_with_it(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var vendor = await vault.AddVendorAsync("vendor", [Read(Datatypes.Email)]);
        var webhookless = await vault.AddVendorAsync("webhookless", [Read(Datatypes.Email)], webhookUri: null);
        var now = vault.Store.Time.GetUtcNow();

        using var session = vault.Store.Open();
        var grant = await session.Db.Grants.SingleAsync(g => g.RelationshipId == vendor.Id);
        grant.RevokedAt = now;
        var message = WebhookOutbox.EnqueueGrantRevoked(session.Db, vendor, "grant-42", relationshipEnded: true, now);
        Assert.Null(WebhookOutbox.EnqueueGrantRevoked(session.Db, webhookless, "grant-43", relationshipEnded: false, now));
        Assert.NotNull(message);

        using (var other = vault.Store.Open())
        {
            Assert.Equal(0, await other.Db.WebhookMessages.CountAsync());
        }

        await session.Db.SaveChangesAsync();
        using var check = vault.Store.Open();
        var stored = await check.Db.WebhookMessages.AsNoTracking().SingleAsync();
        Assert.Equal((vendor.Id, WebhookEventTypes.GrantRevoked), (stored.RelationshipId, stored.EventType));
        var envelope = JsonSerializer.Deserialize<WebhookEvent>(stored.Payload)!;
        Assert.Equal((WebhookEventTypes.GrantRevoked, now), (envelope.Type, envelope.Timestamp));
        Assert.Equal(new GrantRevokedData(vendor.Subject, "grant-42", true), envelope.Data.Deserialize<GrantRevokedData>());
        Assert.NotNull((await check.Db.Grants.AsNoTracking().SingleAsync(g => g.RelationshipId == vendor.Id)).RevokedAt);
    }

    [Fact]
    public void Retry_delays_double_from_five_seconds_up_to_an_hour_less_at_most_a_fifth_at_random()
    {
        var expected = new[] { 5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600 };
        for (var attempt = 1; attempt <= expected.Length; attempt++)
        {
            for (var i = 0; i < 50; i++)
            {
                var delay = WebhookDelivery.RetryDelay(attempt).TotalSeconds;
                Assert.InRange(delay, expected[attempt - 1] * 0.8, expected[attempt - 1]);
            }
        }

        Assert.InRange(WebhookDelivery.RetryDelay(500).TotalSeconds, 2880, 3600);
    }

    private static async Task<List<Guid>> FanOutAndListAsync(TestVault vault)
    {
        using var session = vault.Store.Open();
        var before = await session.Db.WebhookMessages.Select(m => m.Id).ToListAsync();
        await WebhookOutbox.FanOutAsync(session.Db, vault.Id, vault.Store.Time.GetUtcNow());
        return await session.Db.WebhookMessages.Where(m => !before.Contains(m.Id)).Select(m => m.RelationshipId).ToListAsync();
    }

    private static async Task<(bool First, bool Second)> RaceAsync(TestVault vault)
    {
        using var one = vault.Store.Open();
        using var two = vault.Store.Open();
        var now = vault.Store.Time.GetUtcNow();
        var batchOne = await WebhookOutbox.PrepareAsync(one.Db, vault.Id, now);
        var batchTwo = await WebhookOutbox.PrepareAsync(two.Db, vault.Id, now);
        Assert.Equal(batchOne.CursorAfter, batchTwo.CursorAfter);
        return (await WebhookOutbox.CommitAsync(one.Db, batchOne), await WebhookOutbox.CommitAsync(two.Db, batchTwo));
    }

    private static (WebhookEvent Event, ProfileUpdatedData Data) Parse(WebhookMessageEntity message) => Parse(message.Payload);

    private static (WebhookEvent Event, ProfileUpdatedData Data) Parse(string payload)
    {
        var envelope = JsonSerializer.Deserialize<WebhookEvent>(payload)!;
        return (envelope, envelope.Data.Deserialize<ProfileUpdatedData>()!);
    }
}
