using System.Globalization;
using System.Text;
using Symbolon.Contracts.Insights;
using Symbolon.Core.Insights;

namespace Symbolon.Cli.Operations;

/// <summary>The insights the CLI shows, the same in both modes.</summary>
internal partial interface IOwnerOperations
{
    Task<SpendReport> GetSpendAsync(SpendQuery query, CancellationToken ct);

    Task<VisitReport> GetVisitsAsync(VisitQuery query, CancellationToken ct);

    Task<FeeReport> GetFeesAsync(DateOnly? from, DateOnly? to, int? limit, CancellationToken ct);

    Task<RecurringReport> GetRecurringAsync(DateOnly? asOf, CancellationToken ct);
}

/// <summary>Insights computed in this process: the transactions are decrypted into a projection for this command only.</summary>
internal sealed partial class LocalOwnerOperations
{
    public Task<SpendReport> GetSpendAsync(SpendQuery query, CancellationToken ct) => WithInsightsAsync((i, session) => i.SpendAsync(session, query, ct), ct);

    public Task<VisitReport> GetVisitsAsync(VisitQuery query, CancellationToken ct) => WithInsightsAsync((i, session) => i.VisitsAsync(session, query, ct), ct);

    public Task<FeeReport> GetFeesAsync(DateOnly? from, DateOnly? to, int? limit, CancellationToken ct) => WithInsightsAsync((i, session) => i.FeesAsync(session, from, to, limit, ct), ct);

    public Task<RecurringReport> GetRecurringAsync(DateOnly? asOf, CancellationToken ct) => WithInsightsAsync((i, session) => i.RecurringAsync(session, asOf, ct), ct);

    private async Task<T> WithInsightsAsync<T>(Func<InsightService, Core.Vaults.VaultSession, Task<T>> work, CancellationToken ct) =>
        await work(await GetAsync<InsightService>(ct), await SessionAsync(ct));
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

    public Task<FeeReport> GetFeesAsync(DateOnly? from, DateOnly? to, int? limit, CancellationToken ct) =>
        SendAsync<FeeReport>(HttpMethod.Get, "insights/fees" + Query(("from", Day(from)), ("to", Day(to)), ("limit", limit is { } n ? Number(n) : null)), null, authenticated: true, ct);

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
