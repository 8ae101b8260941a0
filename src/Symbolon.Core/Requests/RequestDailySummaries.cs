using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Requests;
using Symbolon.Core.Storage;

namespace Symbolon.Core.Requests;

/// <summary>
/// The daily summary of each vault's requests: how many are open and which are overdue. It is made from the plaintext
/// half of requests (ids, status, due dates), so it needs no keys and is made while the vault is locked too; the
/// person sees the latest one on Home.
/// </summary>
internal static class RequestDailySummaries
{
    /// <summary>Makes today's (UTC) summary for every vault that has none yet; returns how many were made.</summary>
    public static async Task<int> RunAsync(SymbolonDbContext db, DateTimeOffset now, CancellationToken ct = default)
    {
        var day = DayOf(now);
        var vaults = await db.Vaults.AsNoTracking().Select(v => v.Id).ToListAsync(ct);
        var made = 0;
        foreach (var vault in vaults)
        {
            if (await db.RequestSummaries.AnyAsync(s => s.VaultId == vault && s.Day == day, ct))
            {
                continue;
            }

            // Note: the due-date comparison runs here rather than in SQL, because SQLite keeps times as numbers in
            // our own encoding; a person's open requests are few.
            var requests = await db.Requests.AsNoTracking().Where(r => r.VaultId == vault).ToListAsync(ct);
            var open = requests.Where(r => r.IsOpen).ToList();
            var overdue = open.Where(r => r.IsOverdue(now)).Select(r => r.Id).ToList();
            db.RequestSummaries.Add(new RequestSummaryEntity
            {
                VaultId = vault,
                Day = day,
                CreatedAt = now,
                OpenCount = open.Count,
                OverdueCount = overdue.Count,
                OverdueIds = string.Join(',', overdue),
            });
            try
            {
                await db.SaveChangesAsync(ct);
                made++;
            }
            catch (DbUpdateException)
            {
                // Another server on the same database made it first.
                db.ChangeTracker.Clear();
            }
        }

        return made;
    }

    public static async Task<RequestDailySummary?> LatestAsync(SymbolonDbContext db, Guid vaultId, CancellationToken ct = default)
    {
        var latest = await db.RequestSummaries.AsNoTracking().Where(s => s.VaultId == vaultId).OrderByDescending(s => s.Day).FirstOrDefaultAsync(ct);
        return latest is null ? null : new RequestDailySummary(
            DateOnly.ParseExact(latest.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            latest.OpenCount,
            latest.OverdueCount,
            [.. latest.OverdueIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse)],
            latest.CreatedAt);
    }

    public static string DayOf(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
