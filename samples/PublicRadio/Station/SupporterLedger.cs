using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PublicRadio.Data;
using Symbolon.Contracts.Vendor;

namespace PublicRadio.Station;

/// <summary>
/// The station's book of support. When a vault says a payment settled (<c>payment.settled</c>), the station reads the
/// signed record through the SDK, checks that it is made out to the station and that the vault's signature holds over
/// the signed bytes, countersigns those same bytes with its registered key, and stores the record with both signatures.
/// It reads every value from the signed bytes, never from the unsigned copy beside them.
/// </summary>
public sealed class SupporterLedger(IDbContextFactory<RadioDb> dbs, ListenerSessions sessions, StationKeyStore keys, TimeProvider time, ILogger<SupporterLedger> logger)
{
    /// <summary>What the supporters page shows for someone who did not share their name.</summary>
    public const string Anonymous = "anonymous supporter";

    private readonly Lock _gate = new();
    private Task _background = Task.CompletedTask;

    /// <summary>Takes a settled payment in the background, after the webhook was answered.</summary>
    public void HandleInBackground(int vaultId, PaymentSettledData settled)
    {
        lock (_gate)
        {
            _background = _background.ContinueWith(_ => TakeAsync(vaultId, settled.RecordId, settled.Subject, CancellationToken.None), TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>Reads the record, checks it, countersigns it, stores it. Returns a sentence when it could not.</summary>
    public async Task<string?> TakeAsync(int vaultId, Guid recordId, string? subject, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            var registration = await db.Vaults.SingleAsync(v => v.Id == vaultId, cancellationToken);
            var existing = await db.Payments.SingleOrDefaultAsync(p => p.VaultId == vaultId && p.RecordId == recordId, cancellationToken);
            if (existing?.PayeeSignature is not null)
            {
                return null;
            }

            // The record is read with the session of the listener it names; any session with that vault would do.
            var listeners = await db.Listeners.Where(l => l.VaultId == vaultId && l.AccessToken != null && l.PermissionWithdrawnAt == null).ToListAsync(cancellationToken);
            var listener = listeners.FirstOrDefault(l => l.Subject == subject) ?? listeners.FirstOrDefault();
            var session = listener is null ? null : await sessions.GetAsync(listener.Id, cancellationToken);
            if (listener is null || session is null)
            {
                return Refuse(recordId, registration, "No listener of that vault has a session with the station.");
            }

            var record = await session.GetPaymentRecordAsync(recordId, cancellationToken);
            var signedBytes = Base64Url.DecodeFromChars(record.SignedContent);
            var content = JsonSerializer.Deserialize<PaymentRecordContent>(signedBytes)
                ?? throw new JsonException("The signed content is empty.");
            if (!string.Equals(content.RecordId, recordId.ToString(), StringComparison.OrdinalIgnoreCase)
                || !string.Equals(content.Payee, registration.ClientId, StringComparison.Ordinal))
            {
                return Refuse(recordId, registration, "The record is not made out to the station.");
            }

            // Self-consistency: the vault's signature over the signed bytes, with the key the record names.
            if (!StationKeyStore.Verify(Base64Url.DecodeFromChars(content.PersonKey), signedBytes, Base64Url.DecodeFromChars(record.PersonSignature)))
            {
                return Refuse(recordId, registration, "The vault's signature does not verify over the signed content.");
            }

            var countersigned = await session.CountersignPaymentRecordAsync(record, keys.Sign, cancellationToken);
            var payment = existing ?? new SupporterPayment
            {
                VaultId = vaultId,
                RecordId = recordId,
                Supporter = content.Supporter,
                Currency = content.Currency,
                Period = content.Period,
                Reference = content.Reference,
                SignedContent = record.SignedContent,
                PersonSignature = record.PersonSignature,
                ReceivedAt = time.GetUtcNow(),
            };
            payment.ListenerId = listeners.FirstOrDefault(l => l.Subject == content.Supporter)?.Id;
            payment.SupporterName = string.IsNullOrWhiteSpace(content.SupporterName) ? null : content.SupporterName;
            payment.Amount = content.Amount;
            payment.SettledAt = content.SettledAt;
            payment.PayeeSignature = countersigned.PayeeSignature;
            payment.CountersignedAt = time.GetUtcNow();
            if (existing is null)
            {
                db.Payments.Add(payment);
            }

            await db.SaveChangesAsync(cancellationToken);
            RadioLog.Countersigned(logger, recordId, registration.Issuer);
            return null;
        }
        catch (Exception e) when (RadioErrors.Describe(e) is { } message)
        {
            RadioLog.RecordFailed(logger, e, recordId);
            return message;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            RadioLog.RecordFailed(logger, e, recordId);
            return "The vault's record could not be read.";
        }
    }

    /// <summary>
    /// Looks through every connected listener's records for ones the station has not countersigned yet (a webhook
    /// missed while the station was down, or a vault that was locked); returns how many it took.
    /// </summary>
    public async Task<int> CatchUpAsync(CancellationToken cancellationToken)
    {
        List<Listener> listeners;
        HashSet<(int, Guid)> done;
        await using (var db = await dbs.CreateDbContextAsync(cancellationToken))
        {
            listeners = await db.Listeners.Where(l => l.AccessToken != null && l.PermissionWithdrawnAt == null).ToListAsync(cancellationToken);
            done = [.. (await db.Payments.Where(p => p.PayeeSignature != null).Select(p => new { p.VaultId, p.RecordId }).ToListAsync(cancellationToken)).Select(p => (p.VaultId, p.RecordId))];
        }

        var taken = 0;
        foreach (var listener in listeners)
        {
            var session = await sessions.GetAsync(listener.Id, cancellationToken);
            if (session is null)
            {
                continue;
            }

            IReadOnlyList<PaymentRecord> records;
            try
            {
                records = await session.ListPaymentRecordsAsync(cancellationToken);
            }
            catch (Exception e) when (RadioErrors.Describe(e) is not null)
            {
                continue;
            }

            foreach (var record in records.Where(r => r.PayeeSignature is null && Guid.TryParse(r.Content.RecordId, out var id) && !done.Contains((listener.VaultId, id))))
            {
                if (await TakeAsync(listener.VaultId, Guid.Parse(record.Content.RecordId), listener.Subject, cancellationToken) is null)
                {
                    taken++;
                }
            }
        }

        return taken;
    }

    /// <summary>Waits for the records taken in the background so far (for tests and an orderly stop).</summary>
    public Task IdleAsync()
    {
        lock (_gate)
        {
            return _background;
        }
    }

    /// <summary>The supporters page's numbers: supporters, payments, the total per month and the payments, newest first.</summary>
    public async Task<SupportSummary> SummaryAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);

        // SQLite keeps decimals and times as text: the few rows are summed and sorted here.
        var payments = (await db.Payments.Where(p => p.PayeeSignature != null).ToListAsync(cancellationToken)).OrderByDescending(p => p.SettledAt).ToList();
        var months = payments
            .GroupBy(p => p.SettledAt.ToString("yyyy-MM", CultureInfo.InvariantCulture))
            .OrderByDescending(g => g.Key, StringComparer.Ordinal)
            .Select(g => new MonthTotal(g.Key, g.Count(), g.Select(p => (p.VaultId, p.Supporter)).Distinct().Count(), g.Sum(p => p.Amount)))
            .ToList();
        return new SupportSummary(payments.Select(p => (p.VaultId, p.Supporter)).Distinct().Count(), payments.Count, months, payments);
    }

    /// <summary>The name a supporter chose to share, or <see cref="Anonymous"/>.</summary>
    public static string DisplayName(SupporterPayment payment) => payment.SupporterName ?? Anonymous;

    private string Refuse(Guid recordId, VaultRegistration registration, string reason)
    {
        RadioLog.RecordNotTaken(logger, recordId, registration.Issuer, reason);
        return reason;
    }
}

/// <summary>What the supporters page shows.</summary>
public sealed record SupportSummary(int Supporters, int Payments, IReadOnlyList<MonthTotal> Months, IReadOnlyList<SupporterPayment> Recent);

/// <summary>One month's support (by the month the payment settled).</summary>
public sealed record MonthTotal(string Month, int Payments, int Supporters, decimal Total);
