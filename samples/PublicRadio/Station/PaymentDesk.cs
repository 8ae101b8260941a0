using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PublicRadio.Data;
using Symbolon.Contracts.Vendor;

namespace PublicRadio.Station;

/// <summary>
/// Publishes the station's payment instructions (legal name, IBAN, BIC, what it offers, suggested amounts) to a
/// listener's vault, where the listener approves them; on connect, and again from the settings page after a change.
/// </summary>
public sealed class PaymentDesk(IDbContextFactory<RadioDb> dbs, ListenerSessions sessions, StationSettingsStore settings, TimeProvider time)
{
    /// <summary>The instructions as the settings say now.</summary>
    public static PaymentInstructionsInput Instructions(StationSettings station) => new(
        station.LegalName,
        station.Iban,
        station.Bic,
        Offers: station.Offers,
        SuggestedAmounts: ParseAmounts(station.SuggestedAmounts));

    /// <summary>"3, 5,10" → [3, 5, 10]; what is not a number is left out (the settings page refuses it first).</summary>
    public static IReadOnlyList<decimal> ParseAmounts(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(a => decimal.TryParse(a, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) ? amount : -1)
            .Where(a => a > 0)];

    /// <summary>Publishes to one listener's vault, when the grant allows it; the outcome is stored on the listener.</summary>
    public async Task PublishAsync(int listenerId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var listener = await db.Listeners.SingleAsync(l => l.Id == listenerId, cancellationToken);
        if (!ListenerSessions.Allows(listener, Datatypes.PaymentInstructions, DataActions.Append))
        {
            listener.InstructionsStatus = null;
            listener.InstructionsError = RadioErrors.NotGranted;
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        var session = await sessions.GetAsync(listenerId, cancellationToken);
        if (session is null)
        {
            return;
        }

        var station = await settings.GetAsync(cancellationToken);
        try
        {
            var result = await session.PublishPaymentInstructionsAsync(Instructions(station), cancellationToken: cancellationToken);
            listener.InstructionsStatus = result.Status;
            listener.InstructionsError = null;
            listener.InstructionsPublishedAt = time.GetUtcNow();
        }
        catch (Exception e) when (RadioErrors.Describe(e) is { } message)
        {
            listener.InstructionsError = message;
            if (RadioErrors.IsPermissionWithdrawn(e))
            {
                await sessions.MarkWithdrawnAsync(listenerId, cancellationToken);
                listener.PermissionWithdrawnAt ??= time.GetUtcNow();
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Publishes to every connected listener (after the station's details changed); returns how many vaults took them.</summary>
    public async Task<int> PublishToAllAsync(CancellationToken cancellationToken)
    {
        List<int> ids;
        await using (var db = await dbs.CreateDbContextAsync(cancellationToken))
        {
            ids = await db.Listeners.Where(l => l.PermissionWithdrawnAt == null && l.AccessToken != null).Select(l => l.Id).ToListAsync(cancellationToken);
        }

        foreach (var id in ids)
        {
            await PublishAsync(id, cancellationToken);
        }

        await using var after = await dbs.CreateDbContextAsync(cancellationToken);
        return await after.Listeners.CountAsync(l => ids.Contains(l.Id) && l.InstructionsError == null && l.InstructionsStatus != null, cancellationToken);
    }
}
