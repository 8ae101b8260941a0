using Microsoft.EntityFrameworkCore;
using PublicRadio.Data;
using Symbolon.Contracts.Vendor;

namespace PublicRadio.Station;

/// <summary>
/// The listener's sessions at the stream: play starts one, stop ends it, and the hours go to the listener's vault as
/// usage (<c>usage</c> append) when they granted it, so that they can support the station per hour if they like.
/// </summary>
public sealed class ListeningDesk(IDbContextFactory<RadioDb> dbs, ListenerSessions sessions, TimeProvider time)
{
    /// <summary>The unit the station reports.</summary>
    public const string Unit = "hours";

    /// <summary>Starts a session, or returns the one already running.</summary>
    public async Task<ListeningSession> StartAsync(int listenerId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var open = await db.Sessions.Where(s => s.ListenerId == listenerId && s.EndedAt == null).OrderByDescending(s => s.Id).FirstOrDefaultAsync(cancellationToken);
        if (open is not null)
        {
            return open;
        }

        var session = new ListeningSession { Key = Guid.NewGuid(), ListenerId = listenerId, StartedAt = time.GetUtcNow() };
        db.Sessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return session;
    }

    /// <summary>Ends the running session and reports its hours to the listener's vault; null when none was running.</summary>
    public async Task<ListeningSession?> StopAsync(int listenerId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var session = await db.Sessions.Where(s => s.ListenerId == listenerId && s.EndedAt == null).OrderByDescending(s => s.Id).FirstOrDefaultAsync(cancellationToken);
        if (session is null)
        {
            return null;
        }

        var ended = time.GetUtcNow();

        // The vault wants a period that ends after it starts and a quantity of at least 0.01.
        session.EndedAt = ended > session.StartedAt ? ended : session.StartedAt.AddSeconds(1);
        session.Hours = Math.Max(0.01m, Math.Round((decimal)(session.EndedAt.Value - session.StartedAt).TotalHours, 2));
        await db.SaveChangesAsync(cancellationToken);
        await ReportAsync(db, session, cancellationToken);
        return session;
    }

    /// <summary>Reports a finished session's hours, once (the idempotency key is the session's own key).</summary>
    private async Task ReportAsync(RadioDb db, ListeningSession session, CancellationToken cancellationToken)
    {
        var listener = await db.Listeners.SingleAsync(l => l.Id == session.ListenerId, cancellationToken);
        if (!ListenerSessions.Allows(listener, Datatypes.Usage, DataActions.Append))
        {
            session.UsageNote = "Not sent: the listener did not share their listening time.";
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        var vaultSession = await sessions.GetAsync(listener.Id, cancellationToken);
        if (vaultSession is null)
        {
            session.UsageNote = RadioErrors.PermissionWithdrawn;
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        try
        {
            var report = await vaultSession.ReportUsageAsync(
                new UsageInput(session.StartedAt, session.EndedAt!.Value, session.Hours!.Value, Unit, "Live stream"),
                idempotencyKey: $"listening-{session.Key:N}",
                cancellationToken);
            session.UsageReportId = report.Id;

            // While the listener is away their vault keeps the report sealed and stores it when they return.
            session.UsageNote = report.Queued is null ? null : "Queued: the listener's vault stores it when they open it.";
        }
        catch (Exception e) when (RadioErrors.Describe(e) is { } message)
        {
            session.UsageNote = message;
            if (RadioErrors.IsPermissionWithdrawn(e))
            {
                await sessions.MarkWithdrawnAsync(listener.Id, cancellationToken);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
