using CoffeeShop.Data;
using Microsoft.EntityFrameworkCore;
using Symbolon.Client;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;

namespace CoffeeShop.Shop;

/// <summary>
/// Receives the vaults' webhooks. Each vault signs with the secret it gave the shop at registration (Standard
/// Webhooks); a delivery that does not verify is refused with 401 and not stored. Webhooks carry no values: a
/// <c>profile.updated</c> says which fields changed, and the shop reads them through the API if it cares.
/// </summary>
public sealed class WebhookInbox(IDbContextFactory<ShopDb> dbs, CustomerSessions sessions, RequestDesk requests, TimeProvider time, ILogger<WebhookInbox> logger)
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
            ShopLog.WebhookRefused(logger, vault.Issuer, e.Message);
            return TypedResults.Problem(title: "The webhook's signature does not verify.", statusCode: StatusCodes.Status401Unauthorized);
        }

        // Standard Webhooks may deliver a message more than once; the message id makes the second delivery a no-op.
        if (await db.Webhooks.AnyAsync(w => w.VaultId == vault.Id && w.MessageId == messageId, cancellationToken))
        {
            return TypedResults.NoContent();
        }

        var (subject, summary) = Describe(webhookEvent);
        var customer = subject is null ? null : await db.Customers.SingleOrDefaultAsync(c => c.VaultId == vault.Id && c.Subject == subject, cancellationToken);
        db.Webhooks.Add(new WebhookMessage
        {
            VaultId = vault.Id,
            MessageId = messageId,
            Type = webhookEvent.Type,
            // A request event about a subject the shop does not know is one about a customer it erased: the subject
            // is not kept, so the erasure stays complete.
            Subject = customer is null && webhookEvent.Type.StartsWith("request.", StringComparison.Ordinal) ? null : subject,
            CustomerId = customer?.Id,
            Summary = summary,
            OccurredAt = webhookEvent.Timestamp,
            ReceivedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);

        if (webhookEvent.Type == WebhookEventTypes.GrantRevoked && customer is not null)
        {
            await sessions.MarkWithdrawnAsync(customer.Id, cancellationToken);
        }

        if (webhookEvent.Type == WebhookEventTypes.RequestCreated && customer is not null)
        {
            requests.HandleInBackground(vault.Id, customer.Subject, webhookEvent.GetRequestCreated().RequestId);
        }

        return TypedResults.NoContent();
    }

    private static (string? Subject, string Summary) Describe(WebhookEvent webhookEvent)
    {
        switch (webhookEvent.Type)
        {
            case WebhookEventTypes.ProfileUpdated:
                var updated = webhookEvent.GetProfileUpdated();
                var changes = updated.Changes.Select(c => $"{FieldText.Label(c.Datatype)} {Verb(c.Operation)}").Distinct(StringComparer.Ordinal);
                return (updated.Subject, string.Join(", ", changes));
            case WebhookEventTypes.GrantRevoked:
                var revoked = webhookEvent.GetGrantRevoked();
                return (revoked.Subject, revoked.RelationshipEnded ? "Ended the relationship with the shop" : "Withdrew permission (grant revoked)");
            case WebhookEventTypes.RequestCreated:
                return (webhookEvent.GetRequestCreated().Subject, "Sent the shop a request");
            case WebhookEventTypes.RequestUpdated:
                var updatedRequest = webhookEvent.GetRequestUpdated();
                return (updatedRequest.Subject, updatedRequest.Status == RequestStatuses.Closed ? "Closed a request" : "Replied to a request");
            case WebhookEventTypes.MessageCreated:
                // The event names the message, never its text: the shop reads it with VendorSession.GetRepliesAsync.
                return (webhookEvent.GetMessageCreated().Subject, "Wrote to the shop (read it with the customer's messages)");
            case WebhookEventTypes.UpdatePushed:
                var pushed = webhookEvent.GetUpdatePushed();
                return (pushed.Subject, $"Pushed a new {FieldText.Label(pushed.Datatype).ToLowerInvariant()} (fetch it once with its reference)");
            case WebhookEventTypes.InboxApplied:
                return (webhookEvent.GetInboxOutcome().Subject, "Opened their vault: something the shop sent while they were away was stored");
            case WebhookEventTypes.InboxRefused:
                var refused = webhookEvent.GetInboxOutcome();
                return (refused.Subject, refused.Problem == ProblemCodes.InsufficientBalance
                    ? "Opened their vault: a stamp redemption sent while they were away was refused, the card did not hold enough stamps"
                    : "Opened their vault: something the shop sent while they were away was refused and not stored");
            default:
                return (null, $"Event {webhookEvent.Type}");
        }
    }

    private static string Verb(string operation) => operation switch
    {
        "create" => "added",
        "update" => "changed",
        "delete" => "removed",
        _ => operation,
    };
}
