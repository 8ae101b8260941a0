using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Profile;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Core.Wallet;

namespace Symbolon.Core.Statements;

/// <summary>
/// The person's own SQL, for the owner API, the Query page and the CLI alike: run in the vault session's analytics
/// database (<see cref="VaultAnalytics"/>), which this brings up to date first (new imports, recategorizations, and
/// the record tables when any record was written since they were read).
/// </summary>
internal sealed class VaultQueries(
    SymbolonDbContext db, StatementImporter importer, Receipts receipts, CheckIns checkIns, LoyaltyLedger loyalty, ProfileService profile, AnalyticsLimits limits)
{
    public AnalyticsLimits Limits => limits;

    public async Task<SqlQueryResult> RunAsync(VaultSession session, string sql, int maxRows = TransactionSql.DefaultMaxRows, CancellationToken ct = default)
    {
        TransactionSql.Check(sql);
        var projection = await importer.ProjectionAsync(session, ct);
        var analytics = session.Transactions.Analytics(limits);
        var stamp = await StampAsync(session.VaultId, ct);
        return await analytics.QueryAsync(projection, stamp, c => ReadRecordsAsync(session, stamp, c), sql, maxRows, ct);
    }

    /// <summary>Copies the transactions into the analytics database ahead of the first query (on unlock, after the projection).</summary>
    public async Task WarmAsync(VaultSession session, CancellationToken ct = default)
    {
        var projection = await importer.ProjectionAsync(session, ct);
        await session.Transactions.Analytics(limits).SyncAsync(projection, ct);
    }

    private async Task<RecordsStamp> StampAsync(Guid vaultId, CancellationToken ct)
    {
        // Note: versions are only ever added (an update or a delete adds one) and a purge removes records, so the two
        // counts change with every write that could change a table here; two indexed counts cost far less than
        // decrypting the records again.
        var records = await db.Records.LongCountAsync(r => r.VaultId == vaultId, ct);
        var versions = await db.RecordVersions.LongCountAsync(v => v.VaultId == vaultId, ct);
        return new RecordsStamp(records, versions);
    }

    private async Task<AnalyticsRecords> ReadRecordsAsync(VaultSession session, RecordsStamp stamp, CancellationToken ct)
    {
        var keys = session.Keys;
        var wallet = new WalletRows(await receipts.ListAllAsync(keys, ct), await checkIns.ListAllAsync(keys, ct));
        var fields = (await profile.GetAsync(keys, ct)).Fields
            .Select(f => new ProfileFieldRow(f.Id, f.Kind, f.Label, f.Text ?? f.Name?.Display ?? AddressText(f.Address), f.UpdatedAt))
            .ToList();
        var events = (await loyalty.ListAllAsync(keys, ct))
            .SelectMany(p => p.State.Events.Select(e => new LoyaltyEventRow(
                e.Record.Id, p.State.Value.Programme.Name, e.Record.CreatedAt, e.Value.Kind, e.Value.Amount, e.Value.BalanceAfter, e.Value.Reward, e.Value.Note)))
            .ToList();
        return new AnalyticsRecords(stamp, wallet, fields, events);
    }

    private static string AddressText(Contracts.Profile.PostalAddress? address) => address is null ? ""
        : string.Join(", ", new[] { address.Street, address.PostalCode, address.Locality, address.Region, address.Country }.Where(p => !string.IsNullOrWhiteSpace(p)));
}
