using System.Globalization;
using System.Text;
using Symbolon.Contracts.Insights;
using Symbolon.Core.Insights;
using Symbolon.Core.Records;
using Symbolon.Core.Statements;
using Symbolon.Core.Wallet;

namespace Symbolon.Cli.Operations;

/// <summary>The insights the CLI shows, the same in both modes.</summary>
internal partial interface IOwnerOperations
{
    Task<SpendReport> GetSpendAsync(SpendQuery query, CancellationToken ct);

    Task<VisitReport> GetVisitsAsync(VisitQuery query, CancellationToken ct);

    Task<FeeReport> GetFeesAsync(DateOnly? from, DateOnly? to, CancellationToken ct);

    Task<RecurringReport> GetRecurringAsync(DateOnly? asOf, CancellationToken ct);
}

/// <summary>Insights computed in this process: the transactions are decrypted into a projection for this command only.</summary>
internal sealed partial class LocalOwnerOperations
{
    public Task<SpendReport> GetSpendAsync(SpendQuery query, CancellationToken ct) => WithInsightsAsync((i, keys) => i.SpendAsync(keys, query, ct), ct);

    public Task<VisitReport> GetVisitsAsync(VisitQuery query, CancellationToken ct) => WithInsightsAsync((i, keys) => i.VisitsAsync(keys, query, ct), ct);

    public Task<FeeReport> GetFeesAsync(DateOnly? from, DateOnly? to, CancellationToken ct) => WithInsightsAsync((i, keys) => i.FeesAsync(keys, from, to, ct), ct);

    public Task<RecurringReport> GetRecurringAsync(DateOnly? asOf, CancellationToken ct) => WithInsightsAsync((i, keys) => i.RecurringAsync(keys, asOf, ct), ct);

    private async Task<T> WithInsightsAsync<T>(Func<InsightService, Core.Vaults.VaultKeys, Task<T>> work, CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        var db = await DbAsync(ct);
        var records = new RecordStore(db, Time);
        var importer = new StatementImporter(db, Time, new TransactionProjections(), records);
        return await work(new InsightService(importer, new Receipts(records), new CheckIns(records, db, Time), records, Time), keys);
    }
}

/// <summary>Insights from the running server's owner API.</summary>
internal sealed partial class RemoteOwnerOperations
{
    public Task<SpendReport> GetSpendAsync(SpendQuery query, CancellationToken ct) =>
        SendAsync<SpendReport>(HttpMethod.Get, "insights/spend" + Query(
            ("groupBy", query.GroupBy), ("period", query.Period), ("date", Day(query.Date)), ("periods", Number(query.Periods)),
            ("category", query.Category), ("currency", query.Currency), ("limit", Number(query.Limit))), null, authenticated: true, ct);

    public Task<VisitReport> GetVisitsAsync(VisitQuery query, CancellationToken ct) =>
        SendAsync<VisitReport>(HttpMethod.Get, "insights/visits" + Query(("from", Day(query.From)), ("to", Day(query.To)), ("category", query.Category), ("limit", Number(query.Limit))), null, authenticated: true, ct);

    public Task<FeeReport> GetFeesAsync(DateOnly? from, DateOnly? to, CancellationToken ct) =>
        SendAsync<FeeReport>(HttpMethod.Get, "insights/fees" + Query(("from", Day(from)), ("to", Day(to))), null, authenticated: true, ct);

    public Task<RecurringReport> GetRecurringAsync(DateOnly? asOf, CancellationToken ct) =>
        SendAsync<RecurringReport>(HttpMethod.Get, "insights/recurring" + Query(("asOf", Day(asOf))), null, authenticated: true, ct);

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var query = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            if (value is not null)
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        return query.ToString();
    }
}
