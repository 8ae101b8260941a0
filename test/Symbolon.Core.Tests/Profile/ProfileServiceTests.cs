using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Tests.Infrastructure;
using Symbolon.Core.Validation;

namespace Symbolon.Core.Tests.Profile;

public class ProfileServiceTests
{
    private static readonly ChangeActor You = new("owner", null, "You");
    private static readonly ChangeActor CoffeeShop = new("vendor", "coffee-shop", "coffee-shop");

    [Fact]
    public async Task An_update_appends_a_version_and_keeps_the_old_value_and_who_wrote_each()
    {
        await using var vault = await TestVault.CreateAsync();
        var created = await vault.AddTextAsync(ProfileFieldKinds.Email, "ada@example.org", "home");
        vault.Store.Time.Advance(TimeSpan.FromMinutes(5));

        var updated = await vault.UpdateAsync(created.Id, new ProfileFieldUpdate("work", "ada@work.example"), Actor.Vendor("coffee-shop"));
        var history = await vault.HistoryAsync(created.Id);

        Assert.Equal((1, You), (created.Version, created.UpdatedBy));
        Assert.Equal(created.Id, updated.Id);
        Assert.Equal(2, updated.Version);
        Assert.Equal(CoffeeShop, updated.UpdatedBy);
        Assert.Equal(TestStore.Start.AddMinutes(5), updated.UpdatedAt);
        Assert.False(history.Deleted);
        Assert.Equal(ProfileFieldKinds.Email, history.Kind);
        Assert.Collection(
            history.Versions,
            v => Assert.Equal(new ProfileFieldVersion(1, TestStore.Start, "create", You, "home", "ada@example.org", null, null), v),
            v => Assert.Equal(new ProfileFieldVersion(2, TestStore.Start.AddMinutes(5), "update", CoffeeShop, "work", "ada@work.example", null, null), v));

        using var session = vault.Store.Open();
        var current = await session.Profile.GetFieldAsync(vault.Keys, created.Id);
        Assert.Equal(("ada@work.example", "work", 2, CoffeeShop), (current.Text, current.Label, current.Version, current.UpdatedBy));
        Assert.Equal(2, await session.Db.RecordVersions.CountAsync(v => v.RecordId == created.Id));
    }

    [Fact]
    public async Task A_stale_expected_version_is_a_conflict_and_appends_nothing()
    {
        await using var vault = await TestVault.CreateAsync();
        var field = await vault.AddTextAsync(ProfileFieldKinds.Phone, "+31 20 123 4567");
        await vault.UpdateAsync(field.Id, new ProfileFieldUpdate(Text: "+31 20 765 4321", ExpectedVersion: 1));

        var conflict = await Assert.ThrowsAsync<RecordVersionConflictException>(() =>
            vault.UpdateAsync(field.Id, new ProfileFieldUpdate(Text: "+31 20 000 0000", ExpectedVersion: 1)));
        var deleteConflict = await Assert.ThrowsAsync<RecordVersionConflictException>(() => vault.DeleteAsync(field.Id, expectedVersion: 3));

        Assert.Equal((1, 2), (conflict.Expected, conflict.Actual));
        Assert.Equal((3, 2), (deleteConflict.Expected, deleteConflict.Actual));
        var history = await vault.HistoryAsync(field.Id);
        Assert.False(history.Deleted);
        Assert.Equal(["+31 20 123 4567", "+31 20 765 4321"], history.Versions.Select(v => v.Text));

        var third = await vault.UpdateAsync(field.Id, new ProfileFieldUpdate(Text: "+31 20 111 1111", ExpectedVersion: 2));
        Assert.Equal(3, third.Version);
    }

    [Fact]
    public async Task A_delete_leaves_a_tombstone_with_the_whole_history()
    {
        await using var vault = await TestVault.CreateAsync();
        var kept = await vault.AddTextAsync(ProfileFieldKinds.Email, "kept@example.org");
        var field = await vault.AddTextAsync(ProfileFieldKinds.Email, "old@example.org");
        vault.Store.Time.Advance(TimeSpan.FromMinutes(1));
        await vault.UpdateAsync(field.Id, new ProfileFieldUpdate(Text: "new@example.org"));
        vault.Store.Time.Advance(TimeSpan.FromMinutes(1));

        await vault.DeleteAsync(field.Id, Actor.Vendor("coffee-shop"), expectedVersion: 2);

        var profile = await vault.ProfileAsync();
        Assert.Equal([kept.Id], profile.Fields.Select(f => f.Id));
        using (var session = vault.Store.Open())
        {
            await Assert.ThrowsAsync<RecordNotFoundException>(() => session.Profile.GetFieldAsync(vault.Keys, field.Id));
            Assert.Null(await session.Records.FindAsync(vault.Keys, field.Id));
            var all = await session.Profile.HistoryAllAsync(vault.Keys);
            Assert.Equal(new[] { kept.Id, field.Id }.Order(), all.Select(h => h.FieldId).Order());
        }

        var history = await vault.HistoryAsync(field.Id);
        Assert.True(history.Deleted);
        Assert.Equal(["create", "update", "delete"], history.Versions.Select(v => v.Operation));
        Assert.Equal(["old@example.org", "new@example.org", null], history.Versions.Select(v => v.Text));
        Assert.Equal(new ProfileFieldVersion(3, TestStore.Start.AddMinutes(2), "delete", CoffeeShop, null, null, null, null), history.Versions[2]);

        await Assert.ThrowsAsync<RecordNotFoundException>(() => vault.DeleteAsync(field.Id));
    }

    [Fact]
    public async Task A_deleted_record_cannot_be_updated()
    {
        await using var vault = await TestVault.CreateAsync();
        var field = await vault.AddTextAsync(ProfileFieldKinds.Language, "nl");
        await vault.DeleteAsync(field.Id);

        await Assert.ThrowsAsync<RecordNotFoundException>(() => vault.UpdateAsync(field.Id, new ProfileFieldUpdate(Text: "en")));
        using (var session = vault.Store.Open())
        {
            await Assert.ThrowsAsync<RecordDeletedException>(() =>
                session.Records.UpdateAsync(vault.Keys, field.Id, """{"text":"en"}"""u8.ToArray(), Actor.Owner));
            await Assert.ThrowsAsync<RecordDeletedException>(() => session.Records.DeleteAsync(vault.Keys, field.Id, Actor.Owner));
        }

        var history = await vault.HistoryAsync(field.Id);
        Assert.Equal(["create", "delete"], history.Versions.Select(v => v.Operation));
    }

    [Fact]
    public async Task Purge_removes_a_deleted_record_for_good_and_refuses_a_live_one()
    {
        await using var vault = await TestVault.CreateAsync();
        var live = await vault.AddTextAsync(ProfileFieldKinds.Preference, "no paper mail");
        var doomed = await vault.AddTextAsync(ProfileFieldKinds.Preference, "call after 6pm");
        await vault.UpdateAsync(doomed.Id, new ProfileFieldUpdate(Text: "call after 7pm"));
        await vault.DeleteAsync(doomed.Id);

        using var session = vault.Store.Open();
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.Records.PurgeAsync(vault.Id, live.Id));
        await Assert.ThrowsAsync<RecordNotFoundException>(() => session.Records.PurgeAsync(vault.Id, Guid.CreateVersion7()));
        Assert.Equal(1, await session.Db.RecordVersions.CountAsync(v => v.RecordId == live.Id));

        await session.Records.PurgeAsync(vault.Id, doomed.Id);

        Assert.False(await session.Db.Records.AnyAsync(r => r.Id == doomed.Id));
        Assert.False(await session.Db.RecordVersions.AnyAsync(v => v.RecordId == doomed.Id));
        await Assert.ThrowsAsync<RecordNotFoundException>(() => vault.HistoryAsync(doomed.Id));
        await Assert.ThrowsAsync<RecordNotFoundException>(() => session.Records.PurgeAsync(vault.Id, doomed.Id));
        Assert.Equal("no paper mail", (await session.Profile.GetFieldAsync(vault.Keys, live.Id)).Text);
    }

    [Fact]
    public async Task Purge_deleted_purges_only_tombstones()
    {
        await using var vault = await TestVault.CreateAsync();
        var live = await vault.AddTextAsync(ProfileFieldKinds.Email, "live@example.org");
        var first = await vault.AddTextAsync(ProfileFieldKinds.Email, "first@example.org");
        var second = await vault.AddTextAsync(ProfileFieldKinds.Phone, "+31 20 123 4567");
        await vault.DeleteAsync(first.Id);
        await vault.DeleteAsync(second.Id);

        using var session = vault.Store.Open();
        Assert.Equal(2, await session.Records.PurgeDeletedAsync(vault.Id));
        Assert.Equal(0, await session.Records.PurgeDeletedAsync(vault.Id));

        Assert.Equal([live.Id], await session.Db.Records.Select(r => r.Id).ToListAsync());
        Assert.Equal(1, await session.Db.RecordVersions.CountAsync());
    }

    [Fact]
    public async Task Field_ids_are_uuid_v7_carrying_the_creation_time()
    {
        await using var vault = await TestVault.CreateAsync();
        var first = await vault.AddTextAsync(ProfileFieldKinds.Email, "ada@example.org");
        vault.Store.Time.Advance(TimeSpan.FromMilliseconds(5));
        var second = await vault.AddTextAsync(ProfileFieldKinds.Email, "ada@lovelace.example");

        Assert.Equal(7, first.Id.Version);
        Assert.Equal(7, second.Id.Version);
        Assert.Equal(7, vault.Id.Version);
        Assert.Equal(0b10, first.Id.Variant >> 2);

        // The embedded time is the creation time. A process-wide monotonic generator may move it forward past ids that
        // other tests made with their own fake clocks (at most days ahead of this one), never back.
        var earliest = TestStore.Start.ToUnixTimeMilliseconds();
        var latest = TestStore.Start.AddDays(30).ToUnixTimeMilliseconds();
        Assert.InRange(UnixMilliseconds(first.Id), earliest, latest);
        Assert.InRange(UnixMilliseconds(second.Id), earliest + 5, latest);
        Assert.True(first.Id.CompareTo(second.Id) < 0);
        Assert.Equal([first.Id, second.Id], (await vault.ProfileAsync()).Fields.Select(f => f.Id));
    }

    [Fact]
    public async Task A_second_birth_date_is_refused_until_the_first_is_deleted()
    {
        await using var vault = await TestVault.CreateAsync();
        var first = await vault.AddTextAsync(ProfileFieldKinds.BirthDate, "1990-04-23");

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => vault.AddTextAsync(ProfileFieldKinds.BirthDate, "1991-05-24"));
        Assert.Equal(["kind"], error.Errors.Keys);
        Assert.DoesNotContain("1991-05-24", error.Message, StringComparison.Ordinal);
        Assert.Single((await vault.ProfileAsync()).Fields);

        await vault.DeleteAsync(first.Id);
        var replacement = await vault.AddTextAsync(ProfileFieldKinds.BirthDate, "1991-05-24");
        Assert.Equal("1991-05-24", replacement.Text);
    }

    [Fact]
    public async Task An_invalid_update_is_refused_and_appends_nothing()
    {
        await using var vault = await TestVault.CreateAsync();
        var email = await vault.AddTextAsync(ProfileFieldKinds.Email, "ada@example.org");
        var name = await vault.AddAsync(new ProfileFieldInput(ProfileFieldKinds.Name, Name: new PersonName("Ada", "Lovelace")));

        var badEmail = await Assert.ThrowsAsync<ValidationFailedException>(() => vault.UpdateAsync(email.Id, new ProfileFieldUpdate(Text: "ada at example dot org")));
        var nameAsText = await Assert.ThrowsAsync<ValidationFailedException>(() => vault.UpdateAsync(name.Id, new ProfileFieldUpdate(Text: "Ada Lovelace")));

        Assert.Contains("text", badEmail.Errors.Keys);
        Assert.Contains("text", nameAsText.Errors.Keys);
        Assert.Single((await vault.HistoryAsync(email.Id)).Versions);
        Assert.Single((await vault.HistoryAsync(name.Id)).Versions);
    }

    [Fact]
    public async Task Values_are_stored_normalized()
    {
        await using var vault = await TestVault.CreateAsync();

        var address = await vault.AddAsync(new ProfileFieldInput(ProfileFieldKinds.PostalAddress, " home ", Address: new PostalAddress(" Keizersgracht 1 ", "Amsterdam", " ", "1015 CJ", "nl")));

        var stored = (await vault.ProfileAsync()).Fields.Single();
        Assert.Equal("home", stored.Label);
        Assert.Equal(new PostalAddress("Keizersgracht 1", "Amsterdam", null, "1015 CJ", "NL"), stored.Address);
        Assert.Equal(address.Address, stored.Address);
    }

    [Fact]
    public async Task The_profile_is_ordered_by_kind_then_creation()
    {
        await using var vault = await TestVault.CreateAsync();
        var preference = await vault.AddTextAsync(ProfileFieldKinds.Preference, "no paper mail");
        vault.Store.Time.Advance(TimeSpan.FromSeconds(1));
        var workEmail = await vault.AddTextAsync(ProfileFieldKinds.Email, "ada@work.example", "work");
        vault.Store.Time.Advance(TimeSpan.FromSeconds(1));
        var name = await vault.AddAsync(new ProfileFieldInput(ProfileFieldKinds.Name, Name: new PersonName("Ada", "Lovelace")));
        vault.Store.Time.Advance(TimeSpan.FromSeconds(1));
        var homeEmail = await vault.AddTextAsync(ProfileFieldKinds.Email, "ada@home.example", "home");
        vault.Store.Time.Advance(TimeSpan.FromSeconds(1));
        var birthDate = await vault.AddTextAsync(ProfileFieldKinds.BirthDate, "1990-04-23");

        var profile = await vault.ProfileAsync();

        Assert.Equal([name.Id, workEmail.Id, homeEmail.Id, birthDate.Id, preference.Id], profile.Fields.Select(f => f.Id));
    }

    [Fact]
    public async Task Records_of_other_types_are_not_profile_fields()
    {
        await using var vault = await TestVault.CreateAsync();
        using var session = vault.Store.Open();
        var note = await session.Records.CreateAsync(vault.Keys, "note.private", """{"text":"not a profile field"}"""u8.ToArray(), Actor.Owner);

        Assert.Empty((await vault.ProfileAsync()).Fields);
        await Assert.ThrowsAsync<RecordNotFoundException>(() => session.Profile.GetFieldAsync(vault.Keys, note.Id));
        await Assert.ThrowsAsync<RecordNotFoundException>(() => session.Profile.HistoryAsync(vault.Keys, note.Id));
        await Assert.ThrowsAsync<RecordNotFoundException>(() => session.Profile.DeleteAsync(vault.Keys, note.Id, Actor.Owner));
        Assert.NotNull(await session.Records.FindAsync(vault.Keys, note.Id));
    }

    private static long UnixMilliseconds(Guid uuid)
    {
        var bytes = uuid.ToByteArray(bigEndian: true);
        long ms = 0;
        for (var i = 0; i < 6; i++)
        {
            ms = (ms << 8) | bytes[i];
        }

        return ms;
    }
}
