using Microsoft.EntityFrameworkCore;
using Symbolon.Core.Storage;

namespace Symbolon.Core.Relationships;

/// <summary>
/// Keeps the access log from growing with every vendor read while keeping every access visible. Lines younger than
/// the detail window stay one per call. Older allowed reads (<c>read</c> and <c>changes</c>) of the same relationship,
/// grant, datatypes, purpose and status within one UTC hour are folded into their first line, which then carries how
/// many calls it stands for (<see cref="AccessLogEntity.Count"/>) and when the last one was
/// (<see cref="AccessLogEntity.LastAt"/>). Writes and refusals are never folded. So a vendor polling every second
/// leaves at most 24 lines a day per kind of read once they age, and the person still sees every hour it read and how
/// often.
/// </summary>
internal sealed class AccessLogCompaction(SymbolonDbContext db)
{
    /// <summary>How long every call keeps a line of its own, by default.</summary>
    public static readonly TimeSpan DefaultDetailWindow = TimeSpan.FromDays(7);

    private const int Batch = 5000;
    private static readonly string[] FoldedActions = ["read", "changes"];

    /// <summary>True for the lines that may stand for several calls: allowed reads, never writes or refusals.</summary>
    public static bool IsFoldable(string action, bool allowed) => allowed && FoldedActions.Contains(action);

    /// <summary>
    /// Folds the lines at or after <paramref name="from"/> and before <paramref name="before"/>; returns how many lines
    /// were removed (their calls are counted in the lines they were folded into).
    /// </summary>
    public async Task<int> CompactAsync(DateTimeOffset from, DateTimeOffset before, CancellationToken ct = default)
    {
        var removed = 0;
        var start = from;
        while (true)
        {
            // Paged by time: each batch starts at the last batch's last time, so the lines of an hour cut by a batch
            // boundary meet again (the line kept so far, with its count, among them) and are folded together.
            var rows = await db.AccessLog
                .Where(a => a.Allowed && FoldedActions.Contains(a.Action) && a.At >= start && a.At < before)
                .OrderBy(a => a.At).ThenBy(a => a.Id)
                .Take(Batch)
                .ToListAsync(ct);
            if (rows.Count == 0)
            {
                return removed;
            }

            foreach (var group in rows.GroupBy(a => (a.VaultId, a.RelationshipId, a.GrantId, a.Action, a.Datatypes, a.Purpose, a.StatusCode, Hour: a.At.ToUnixTimeSeconds() / 3600)))
            {
                var lines = group.ToList();
                if (lines.Count < 2)
                {
                    continue;
                }

                var first = lines[0];
                first.Count = lines.Sum(l => l.Count);
                first.LastAt = lines.Max(l => l.LastAt ?? l.At);
                db.AccessLog.RemoveRange(lines.Skip(1));
                removed += lines.Count - 1;
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            if (rows.Count < Batch || rows[^1].At == start)
            {
                return removed;
            }

            start = rows[^1].At;
        }
    }
}
