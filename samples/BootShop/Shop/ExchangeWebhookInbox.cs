using System.Text.Json;
using BootShop.Data;
using Microsoft.EntityFrameworkCore;
using Symbolon.Client;
using Symbolon.Intents;

namespace BootShop.Shop;

/// <summary>
/// Receives the exchange's webhooks (<c>intent.published</c>, <c>offer.accepted</c>, <c>offer.closed</c>), signed as
/// Standard Webhooks with the secret the exchange gave at registration. A delivery that does not verify is refused with
/// 401; one that does is acknowledged at once and handled in the background (the events feed would bring it again if
/// the shop failed meanwhile).
/// </summary>
public sealed class ExchangeWebhookInbox(IDbContextFactory<ShopDb> dbs, OfferDesk offers, OrderDesk orders, TimeProvider time, ILogger<ExchangeWebhookInbox> logger)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public async Task<IResult> ReceiveAsync(string key, HttpRequest request, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var registration = await db.Exchanges.SingleOrDefaultAsync(e => e.WebhookKey == key, cancellationToken);
        if (registration?.WebhookSecret is null)
        {
            return TypedResults.NotFound();
        }

        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        var messageId = request.Headers[WebhookVerifier.IdHeader].ToString();
        Symbolon.Contracts.Vendor.WebhookEvent received;
        try
        {
            received = new WebhookVerifier(registration.WebhookSecret, timeProvider: time)
                .Verify(messageId, request.Headers[WebhookVerifier.TimestampHeader], request.Headers[WebhookVerifier.SignatureHeader], body);
        }
        catch (WebhookVerificationException e)
        {
            ShopLog.WebhookRefused(logger, registration.ExchangeUrl, e.Message);
            return TypedResults.Problem(title: "The webhook's signature does not verify.", statusCode: StatusCodes.Status401Unauthorized);
        }

        // Standard Webhooks may deliver a message more than once; the message id makes the second delivery a no-op.
        if (await db.Webhooks.AnyAsync(w => w.ExchangeId == registration.Id && w.MessageId == messageId, cancellationToken))
        {
            return TypedResults.NoContent();
        }

        db.Webhooks.Add(new ExchangeWebhook { ExchangeId = registration.Id, MessageId = messageId, Type = received.Type, ReceivedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        try
        {
            switch (received.Type)
            {
                case ExchangeEventTypes.IntentPublished when received.Data.Deserialize<FeedIntent>(JsonOptions) is { } intent:
                    offers.HandleInBackground(intent, "webhook");
                    break;
                case ExchangeEventTypes.OfferAccepted or ExchangeEventTypes.OfferClosed when received.Data.Deserialize<ExchangeEvent>(JsonOptions) is { } exchangeEvent:
                    orders.HandleInBackground(exchangeEvent);
                    break;
            }
        }
        catch (JsonException)
        {
            return TypedResults.Problem(title: "The webhook's data is not what its type says.", statusCode: StatusCodes.Status400BadRequest);
        }

        return TypedResults.NoContent();
    }
}
