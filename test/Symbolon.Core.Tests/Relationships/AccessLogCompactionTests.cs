using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Relationships;
using Symbolon.Core.Tests.Infrastructure;

namespace Symbolon.Core.Tests.Relationships;

/// <summary>The access log stays bounded: old repeated reads are folded into hourly lines that keep their count.</summary>
public sealed class AccessLogCompactionTests
{
    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Old_repeated_reads_fold_into_one_line_per_hour_and_nothing_else_changes(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var store = vault.Store;
        var relationship = await vault.AddVendorAsync("Blue Door", [TestRelationships.Read("email")]);
        var old = new DateTimeOffset(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);
        using (var session = store.Open())
        {
            Guid? grant = null;
            AccessLogEntity Line(DateTimeOffset at, string action = "read", bool allowed = true, int status = 200) => new()
            {
                VaultId = vault.Id, Id = Guid.NewGuid(), RelationshipId = relationship.Id, GrantId = grant, At = at,
                Action = action, Datatypes = "email", Purpose = "orders", Allowed = allowed, StatusCode = status,
            };

            // 120 reads in one old hour (one every 30 s), 3 in the next hour, a refusal and a write in the first hour,
            // and 5 reads yesterday (inside the detail window).
            session.Db.AccessLog.AddRange(Enumerable.Range(0, 120).Select(i => Line(old.AddSeconds(i * 30))));
            session.Db.AccessLog.AddRange(Enumerable.Range(0, 3).Select(i => Line(old.AddHours(1).AddMinutes(i))));
            session.Db.AccessLog.Add(Line(old.AddMinutes(5), allowed: false, status: 401));
            session.Db.AccessLog.Add(Line(old.AddMinutes(6), action: "append", status: 201));
            session.Db.AccessLog.AddRange(Enumerable.Range(0, 5).Select(i => Line(store.Time.GetUtcNow().AddDays(-1).AddMinutes(i))));
            await session.Db.SaveChangesAsync();
        }

        using (var session = store.Open())
        {
            var removed = await new AccessLogCompaction(session.Db).CompactAsync(DateTimeOffset.MinValue, store.Time.GetUtcNow() - AccessLogCompaction.DefaultDetailWindow);
            Assert.Equal(119 + 2, removed);
        }

        using (var check = store.Open())
        {
            var lines = await check.Db.AccessLog.AsNoTracking().ToListAsync();
            Assert.Equal(1 + 1 + 1 + 1 + 5, lines.Count);
            var first = lines.Single(l => l.Action == "read" && l.Allowed && l.At == old);
            Assert.Equal((120, old.AddSeconds(119 * 30)), (first.Count, first.LastAt));
            var next = lines.Single(l => l.Action == "read" && l.Allowed && l.At == old.AddHours(1));
            Assert.Equal((3, old.AddHours(1).AddMinutes(2)), (next.Count, next.LastAt));
            Assert.Equal(1, lines.Single(l => !l.Allowed).Count);
            Assert.Equal(1, lines.Single(l => l.Action == "append").Count);
            Assert.All(lines.Where(l => l.At > store.Time.GetUtcNow().AddDays(-2)), l => Assert.Equal((1, (DateTimeOffset?)null), (l.Count, l.LastAt)));

            // Every call is still counted: 120 + 3 + 1 + 1 + 5.
            Assert.Equal(130, lines.Sum(l => l.Count));
        }

        // Folding again changes nothing.
        using (var again = store.Open())
        {
            Assert.Equal(0, await new AccessLogCompaction(again.Db).CompactAsync(DateTimeOffset.MinValue, store.Time.GetUtcNow() - AccessLogCompaction.DefaultDetailWindow));
        }
    }
}
