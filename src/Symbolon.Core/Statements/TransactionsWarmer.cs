using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Statements;

/// <summary>
/// Starts decrypting a vault's transactions as soon as it is unlocked, so the first page of transactions does not
/// wait for it, and fills the session's analytics database with them as they are decrypted, so the first query does
/// not either.
/// </summary>
internal sealed partial class TransactionsWarmer(StatementImporter importer, VaultQueries queries, ILogger<TransactionsWarmer> logger) : IVaultSessionModule
{
    public async Task OnUnlockedAsync(VaultSession session, IServiceProvider services, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, session.Locked);
        var started = Stopwatch.GetTimestamp();

        // Created first, so that the load finds it and fills it as it goes.
        session.Transactions.Analytics(queries.Limits);
        var projection = await importer.ProjectionAsync(session, stop.Token);
        LogReady(projection.Count, session.Transactions.LoadTime?.TotalMilliseconds ?? 0);
        await queries.WarmAsync(session, stop.Token);
        var elapsed = Stopwatch.GetElapsedTime(started);
        LogAnalyticsReady(projection.Count, elapsed.TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Transactions ready: {Count} in {Milliseconds:F0} ms.")]
    private partial void LogReady(int count, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Query database ready: {Count} transactions {Milliseconds:F0} ms after the unlock.")]
    private partial void LogAnalyticsReady(int count, double milliseconds);
}
