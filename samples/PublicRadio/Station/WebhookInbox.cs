using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PublicRadio.Data;
using Symbolon.Client;
using Symbolon.Contracts.Vendor;

namespace PublicRadio.Station;

/// <summary>
/// Receives the vaults' webhooks. Each vault signs with the secret it gave the station at registration (Standard
/// Webhooks); a delivery that does not verify is refused with 401 and not stored. A <c>payment.settled</c> hands the
/// record to the <see cref="SupporterLedger"/>, which reads and countersigns it after the delivery was answered.
/// </summary>
public sealed class WebhookInbox(IDbContextFactory<RadioDb> dbs, ListenerSessions sessions, SupporterLedger ledger, TimeProvider time, ILogger<WebhookInbox> logger)
{
    public async Task<IResult> ReceiveAsync(string key, HttpRequest request, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var vault = await db.Vaults.SingleOrDefaultAsync(v => v.WebhookKey == key, cancellationToken);
        if (vault?.WebhookSecret is null)
        {
            return TypedResults.NotFound();
        }

        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        var messageId = request.Headers[WebhookVerifier.IdHeader].ToString();
        WebhookEvent webhookEvent;
        try
        {
            webhookEvent = new WebhookVerifier(vault.WebhookSecret, timeProvider: time)
                .Verify(messageId, request.Headers[WebhookVerifier.TimestampHeader], request.Headers[WebhookVerifier.SignatureHeader], body);
        }
        catch (WebhookVerificationException e)
        {
            RadioLog.WebhookRefused(logger, vault.Issuer, e.Message);
            return TypedResults.Problem(title: "The webhook's signature does not verify.", statusCode: StatusCodes.Status401Unauthorized);
        }

        // Standard Webhooks may deliver a message more than once; the message id makes the second delivery a no-op.
        if (await db.Webhooks.AnyAsync(w => w.VaultId == vault.Id && w.MessageId == messageId, cancellationToken))
        {
            return TypedResults.NoContent();
        }

        db.Webhooks.Add(new WebhookMessage
        {
            VaultId = vault.Id,
            MessageId = messageId,
            Type = webhookEvent.Type,
            Summary = Describe(webhookEvent),
            ReceivedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);

        switch (webhookEvent.Type)
        {
            case WebhookEventTypes.PaymentSettled:
                ledger.HandleInBackground(vault.Id, webhookEvent.GetPaymentSettled());
                break;
            case WebhookEventTypes.GrantRevoked:
                var revoked = webhookEvent.GetGrantRevoked();
                var listener = await db.Listeners.SingleOrDefaultAsync(l => l.VaultId == vault.Id && l.Subject == revoked.Subject, cancellationToken);
                if (listener is not null)
                {
                    await sessions.MarkWithdrawnAsync(listener.Id, cancellationToken);
                }

                break;
        }

        return TypedResults.NoContent();
    }

    private static string Describe(WebhookEvent webhookEvent) => webhookEvent.Type switch
    {
        WebhookEventTypes.PaymentSettled => webhookEvent.GetPaymentSettled() is var s
            ? string.Create(CultureInfo.InvariantCulture, $"A supporter's payment settled: {s.Currency} {s.Amount:0.00} for {s.Period}")
            : "",
        WebhookEventTypes.GrantRevoked => webhookEvent.GetGrantRevoked().RelationshipEnded ? "A listener ended the relationship" : "A listener withdrew permission",
        WebhookEventTypes.ProfileUpdated => "A listener changed their profile",
        _ => $"Event {webhookEvent.Type}",
    };
}
