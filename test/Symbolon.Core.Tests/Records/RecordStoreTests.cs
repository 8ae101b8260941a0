using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Records;
using Symbolon.Core.Tests.Infrastructure;

namespace Symbolon.Core.Tests.Records;

public class RecordStoreTests
{
    [Fact]
    public async Task Create_update_delete_keeps_every_version_sealed_under_its_own_coordinates()
    {
        await using var vault = await TestVault.CreateAsync();
        using var session = vault.Store.Open();
        var store = session.Records;

        var created = await store.CreateAsync(vault.Keys, "note.private", Json("v1"), Actor.Owner);
        vault.Store.Time.Advance(TimeSpan.FromSeconds(30));
        var updated = await store.UpdateAsync(vault.Keys, created.Id, Json("v2"), Actor.Vendor("pharmacy"), expectedVersion: 1);
        vault.Store.Time.Advance(TimeSpan.FromSeconds(30));
        await store.DeleteAsync(vault.Keys, created.Id, Actor.Vendor("pharmacy"), expectedVersion: 2);

        var (head, versions) = await store.HistoryAsync(vault.Keys, created.Id);
        Assert.Equal((1, 2), (created.Version, updated.Version));
        Assert.Equal((3, TestStore.Start, TestStore.Start.AddMinutes(1), TestStore.Start.AddMinutes(1)), (head.CurrentVersion, head.CreatedAt, head.UpdatedAt, head.DeletedAt));
        Assert.Equal(
            [
                (1, "create", "owner", (string?)null, (string?)"v1", TestStore.Start),
                (2, "update", "vendor", "pharmacy", "v2", TestStore.Start.AddSeconds(30)),
                (3, "delete", "vendor", "pharmacy", null, TestStore.Start.AddMinutes(1)),
            ],
            versions.Select(v => (v.Version, v.Operation, v.Actor.Kind, v.Actor.Id, v.Json is null ? null : Encoding.UTF8.GetString(v.Json).Split('"')[3], v.ChangedAt)));

        var rows = await session.Db.RecordVersions.AsNoTracking().Where(v => v.RecordId == created.Id).OrderBy(v => v.Version).ToListAsync();
        Assert.Equal([vault.Id, vault.Id, vault.Id], rows.Select(r => r.VaultId));
        Assert.Null(rows[2].Sealed);
        Assert.Equal(Json("v1"), vault.Keys.OpenRecord(created.Id, "note.private", 1, rows[0].Sealed!));
        Assert.Equal(-1, rows[0].Sealed!.AsSpan().IndexOf("v1"u8));
    }

    [Fact]
    public async Task A_sealed_value_copied_to_another_row_does_not_open()
    {
        await using var vault = await TestVault.CreateAsync();
        using var session = vault.Store.Open();
        var first = await session.Records.CreateAsync(vault.Keys, "note.private", Json("first"), Actor.Owner);
        var second = await session.Records.CreateAsync(vault.Keys, "note.private", Json("second"), Actor.Owner);
        await session.Records.UpdateAsync(vault.Keys, first.Id, Json("first, v2"), Actor.Owner);

        var firstV1 = await session.Db.RecordVersions.SingleAsync(v => v.RecordId == first.Id && v.Version == 1);
        var firstV2 = await session.Db.RecordVersions.SingleAsync(v => v.RecordId == first.Id && v.Version == 2);
        var secondV1 = await session.Db.RecordVersions.SingleAsync(v => v.RecordId == second.Id && v.Version == 1);

        // An attacker with write access to the database moves ciphertexts around: another record, an older version.
        secondV1.Sealed = firstV1.Sealed;
        firstV2.Sealed = firstV1.Sealed;
        await session.Db.SaveChangesAsync();

        using var read = vault.Store.Open();
        await Assert.ThrowsAsync<AuthenticationTagMismatchException>(() => read.Records.FindAsync(vault.Keys, second.Id));
        await Assert.ThrowsAsync<AuthenticationTagMismatchException>(() => read.Records.FindAsync(vault.Keys, first.Id));
        await Assert.ThrowsAsync<AuthenticationTagMismatchException>(() => read.Records.HistoryAsync(vault.Keys, first.Id));
    }

    [Fact]
    public async Task A_record_whose_type_was_changed_in_the_database_does_not_open()
    {
        await using var vault = await TestVault.CreateAsync();
        using var session = vault.Store.Open();
        var record = await session.Records.CreateAsync(vault.Keys, "profile.preference", Json("secret"), Actor.Owner);
        await session.Db.Records.Where(r => r.Id == record.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Type, "profile.email"));
        await session.Db.RecordVersions.Where(v => v.RecordId == record.Id).ExecuteUpdateAsync(s => s.SetProperty(v => v.Type, "profile.email"));

        await Assert.ThrowsAsync<AuthenticationTagMismatchException>(() => session.Records.FindAsync(vault.Keys, record.Id));
    }

    [Fact]
    public async Task List_returns_current_live_records_of_a_type_prefix()
    {
        await using var vault = await TestVault.CreateAsync();
        using var session = vault.Store.Open();
        var store = session.Records;
        var a = await store.CreateAsync(vault.Keys, "note.a", Json("a1"), Actor.Owner);
        vault.Store.Time.Advance(TimeSpan.FromMilliseconds(1));
        var b = await store.CreateAsync(vault.Keys, "note.b", Json("b1"), Actor.Owner);
        vault.Store.Time.Advance(TimeSpan.FromMilliseconds(1));
        var gone = await store.CreateAsync(vault.Keys, "note.c", Json("c1"), Actor.Owner);
        await store.CreateAsync(vault.Keys, "other.a", Json("x"), Actor.Owner);
        await store.UpdateAsync(vault.Keys, a.Id, Json("a2"), Actor.Owner);
        await store.DeleteAsync(vault.Keys, gone.Id, Actor.Owner);

        var notes = await store.ListAsync(vault.Keys, "note.");
        var heads = await store.ListHeadsAsync(vault.Id, "note.");

        Assert.Equal([(a.Id, 2, "a2"), (b.Id, 1, "b1")], notes.Select(r => (r.Id, r.Version, Encoding.UTF8.GetString(r.Json).Split('"')[3])));
        Assert.Equal([a.Id, b.Id, gone.Id], heads.Select(h => h.Id));
        Assert.NotNull(heads[2].DeletedAt);
    }

    [Fact]
    public async Task Unknown_records_are_reported_as_such()
    {
        await using var vault = await TestVault.CreateAsync();
        using var session = vault.Store.Open();
        var unknown = Guid.CreateVersion7();

        Assert.Null(await session.Records.FindAsync(vault.Keys, unknown));
        var notFound = await Assert.ThrowsAsync<RecordNotFoundException>(() => session.Records.UpdateAsync(vault.Keys, unknown, Json("x"), Actor.Owner));
        await Assert.ThrowsAsync<RecordNotFoundException>(() => session.Records.DeleteAsync(vault.Keys, unknown, Actor.Owner));
        await Assert.ThrowsAsync<RecordNotFoundException>(() => session.Records.HistoryAsync(vault.Keys, unknown));
        Assert.Equal(unknown, notFound.RecordId);
    }

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes($$"""{"text":"{{text}}"}""");
}
