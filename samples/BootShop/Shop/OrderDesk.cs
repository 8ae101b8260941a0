using System.Globalization;
using System.Text.Json;
using BootShop.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Symbolon.Client;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;
using Symbolon.Intents;

namespace BootShop.Shop;

/// <summary>
/// Hears what became of the shop's offers. <c>offer.closed</c> marks the offer closed (the intent went elsewhere, was
/// withdrawn or expired) and the shop forgets the intent. <c>offer.accepted</c> carries the person's acceptance,
/// sealed to the shop's box key and signed by the intent's key: once it opens and verifies, the shop connects to the
/// person's vault as any vendor does (discover, register, accept the agreement) and redeems the invitation for exactly
/// what the person chose to share, then reads the delivery name and address.
/// </summary>
public sealed class OrderDesk(
    IDbContextFactory<ShopDb> dbs,
    ShopSettingsStore settingsStore,
    VendorKeyStore keys,
    ShopGate gate,
    HttpClient http,
    IOptions<ShopOptions> options,
    TimeProvider time,
    ILogger<OrderDesk> logger)
{
    public const string SoftwareId = "symbolon-sample-bootshop";

    /// <summary>Handles an event from a webhook without holding up the exchange's delivery.</summary>
    public void HandleInBackground(ExchangeEvent exchangeEvent) => _ = Task.Run(async () =>
    {
        try
        {
            await HandleAsync(exchangeEvent, CancellationToken.None);
        }
        catch (Exception e)
        {
            ShopLog.HandlingFailed(logger, e, exchangeEvent.Type + " for intent " + exchangeEvent.IntentId);
        }
    });

    /// <summary>Handles one event, once: the same event from the webhook and from the events feed changes nothing the second time.</summary>
    public async Task HandleAsync(ExchangeEvent exchangeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exchangeEvent);
        int? connect = null;
        using (await gate.EnterAsync(cancellationToken))
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            var offer = await db.Offers.FirstOrDefaultAsync(
                o => o.IntentId == exchangeEvent.IntentId && (exchangeEvent.OfferId == null || o.ExchangeOfferId == exchangeEvent.OfferId),
                cancellationToken);
            if (offer is null)
            {
                // Not an offer of this shop's (or one it already forgot): nothing to do.
                return;
            }

            var now = time.GetUtcNow();
            if (exchangeEvent.Type == ExchangeEventTypes.OfferClosed)
            {
                if (offer.Status == OfferStatuses.Open)
                {
                    (offer.Status, offer.ClosedAt) = (OfferStatuses.Closed, now);
                    await ForgetIntentAsync(db, offer.IntentId, cancellationToken);
                    await db.SaveChangesAsync(cancellationToken);
                }

                return;
            }

            if (exchangeEvent.Type != ExchangeEventTypes.OfferAccepted || await db.Orders.AnyAsync(o => o.OfferId == offer.OfferId, cancellationToken))
            {
                return;
            }

            var signed = IntentCrypto.OpenSigned(exchangeEvent.Envelope, keys.Keys.BoxKey, offer.IntentId);
            var acceptance = signed is null ? null : IntentCrypto.VerifyAcceptance(signed, offer.IntentSignKey);
            if (acceptance is null || acceptance.Version != 1 || acceptance.IntentId != offer.IntentId || acceptance.OfferId != offer.OfferId
                || !Uri.TryCreate(acceptance.VaultUrl, UriKind.Absolute, out _) || acceptance.Grant is null || acceptance.Grant.Datatypes.Count == 0)
            {
                ShopLog.ForgedAcceptance(logger, offer.IntentId);
                offer.Note = string.Create(CultureInfo.InvariantCulture, $"{now:d MMM HH:mm}: an acceptance arrived that does not open or verify (not sealed to the shop, not signed by the intent's key, or not about this offer); ignored.");
                await db.SaveChangesAsync(cancellationToken);
                return;
            }

            var order = new Order
            {
                OfferId = offer.OfferId,
                IntentId = offer.IntentId,
                Description = offer.Description + (offer.Quantity > 1 ? $" × {offer.Quantity}" : ""),
                Amount = offer.Amount,
                Currency = offer.Currency,
                DeliveryDate = offer.DeliveryDate,
                AcceptedAt = acceptance.AcceptedAt,
                VaultUrl = acceptance.VaultUrl,
                GrantDatatypes = string.Join(',', acceptance.Grant.Datatypes),
                GrantPurpose = acceptance.Grant.Purpose,
                GrantAgreement = acceptance.Grant.Agreement,
                Invitation = acceptance.Invitation,
                InvitationExpiresAt = acceptance.InvitationExpiresAt,
                Status = OrderStatuses.Connecting,
            };
            db.Orders.Add(order);
            offer.Status = OfferStatuses.Accepted;
            await ForgetIntentAsync(db, offer.IntentId, cancellationToken);
            var stock = await db.Stock.SingleOrDefaultAsync(s => s.ProductId == offer.ProductId && s.Size == offer.Size, cancellationToken);
            if (stock is not null)
            {
                stock.Quantity = Math.Max(0, stock.Quantity - offer.Quantity);
            }

            await db.SaveChangesAsync(cancellationToken);
            connect = order.Id;
        }

        await ConnectAsync(connect.Value, cancellationToken);
    }

    /// <summary>
    /// Connects an order to the person's vault: registers there (once), accepts the agreement they chose (once), redeems
    /// the invitation for what they chose to share, and reads it. A failure is kept on the order for the Orders page,
    /// which offers to try again while the invitation lasts.
    /// </summary>
    public async Task ConnectAsync(int orderId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var order = await db.Orders.SingleAsync(o => o.Id == orderId, cancellationToken);
        if (order.Status == OrderStatuses.Connected || order.Invitation is null)
        {
            return;
        }

        try
        {
            var settings = await settingsStore.GetAsync(cancellationToken);
            var vault = await SymbolonVault.DiscoverAsync(http, new Uri(order.VaultUrl), options.Value.VaultAddresses(), time, cancellationToken);
            if (order.ClientId is null || order.ClientSecret is null)
            {
                var publicUrl = new Uri(settings.PublicUrl);
                var credentials = await vault.RegisterAsync(new ClientRegistrationRequest(
                    settings.Name,
                    [new Uri(publicUrl, "connect/callback").AbsoluteUri],
                    ClientUri: publicUrl.AbsoluteUri,
                    Agreements: [order.GrantAgreement],
                    SoftwareId: SoftwareId), cancellationToken);
                (order.ClientId, order.ClientSecret) = (credentials.ClientId, credentials.ClientSecret);
                await db.SaveChangesAsync(cancellationToken);
            }

            var client = vault.CreateClient(new VendorCredentials(order.ClientId, order.ClientSecret, null));
            if (order.AgreementAcceptedAt is null)
            {
                await client.AcceptAgreementAsync(order.GrantAgreement, cancellationToken: cancellationToken);
                order.AgreementAcceptedAt = time.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
            }

            var session = await client.RedeemInvitationAsync(
                order.Invitation,
                [new AuthorizationDetail(Datatypes.AuthorizationDetailsType, order.GrantDatatypes.Split(','), [DataActions.Read], order.GrantPurpose, order.GrantAgreement)],
                cancellationToken);

            // The invitation is spent: the shop keeps only what delivery needs, as the person shared it.
            order.Invitation = null;
            order.Subject = session.Tokens.Subject;
            var profile = (await session.GetProfileAsync(cancellationToken)).Profile;
            order.DeliveryName = profile.Fields.Where(f => f.Datatype == Datatypes.Name).Select(NameText).FirstOrDefault();
            order.DeliveryAddress = profile.Fields.Where(f => f.Datatype == Datatypes.PostalAddress).Select(AddressText).FirstOrDefault();
            (order.Status, order.Error, order.ConnectedAt) = (OrderStatuses.Connected, null, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            ShopLog.Connected(logger, order.Id);
        }
        catch (Exception e) when (ShopErrors.Describe(e, "the customer's vault") is { } why)
        {
            (order.Status, order.Error) = (OrderStatuses.Failed, why);
            await db.SaveChangesAsync(CancellationToken.None);
            ShopLog.ConnectFailed(logger, order.Id, why);
        }
    }

    private static async Task ForgetIntentAsync(ShopDb db, string intentId, CancellationToken cancellationToken)
    {
        // The intent agreement (PDC-INTENT): the intent is deleted once it is no longer needed for an offer. The row
        // on the Intents page keeps only what the shop did, until the intent's expiry sweeps it away.
        var seen = await db.Intents.SingleOrDefaultAsync(i => i.IntentId == intentId, cancellationToken);
        if (seen is not null)
        {
            (seen.RetryPayload, seen.RetrySignature) = (null, null);
        }
    }

    private static string NameText(VendorField field) => field.Value.ValueKind == JsonValueKind.Object
        ? (field.Value.Deserialize<PersonName>(JsonOptions)?.Display ?? "")
        : field.Value.ToString();

    private static string AddressText(VendorField field)
    {
        if (field.Value.ValueKind != JsonValueKind.Object)
        {
            return field.Value.ToString();
        }

        var address = field.Value.Deserialize<PostalAddress>(JsonOptions);
        return string.Join(", ", new[] { address?.Street, string.Join(' ', new[] { address?.PostalCode, address?.Locality }.Where(p => !string.IsNullOrWhiteSpace(p))), address?.Region, address?.Country }
            .Where(p => !string.IsNullOrWhiteSpace(p)));
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
