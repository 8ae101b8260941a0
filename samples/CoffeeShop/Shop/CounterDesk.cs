using CoffeeShop.Data;
using Microsoft.EntityFrameworkCore;
using Symbolon.Client;
using Symbolon.Contracts.Vendor;

namespace CoffeeShop.Shop;

/// <summary>
/// The counter: a scanned card code is redeemed with the customer's vault (RFC 8628, through the SDK), and the shop
/// waits in the background while the customer decides in their Symbolon app. The counter page shows the visit's
/// status from the database, so it survives a reload and a second till can look at it too.
/// </summary>
public sealed class CounterDesk(
    IDbContextFactory<ShopDb> dbs,
    VaultDirectory vaults,
    VaultAddressPolicy policy,
    CustomerSessions sessions,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<CounterDesk> logger)
{
    /// <summary>
    /// What the shop asks for, with the purposes the customer reads in their app. Each datatype appears in one
    /// detail only, with all its actions, so that the customer's one tick for it covers everything asked of it.
    /// </summary>
    public static IReadOnlyList<AuthorizationDetail> Request { get; } =
    [
        new(Datatypes.AuthorizationDetailsType, [Datatypes.Receipts], [DataActions.Append], "Put your receipts on your card", VaultDirectory.Agreement),
        new(Datatypes.AuthorizationDetailsType, [Datatypes.Loyalty], [DataActions.Append, DataActions.Read], "Keep your coffee stamps on your card and show your balance at the counter", VaultDirectory.Agreement),
        new(Datatypes.AuthorizationDetailsType, [Datatypes.Name, Datatypes.Email], [DataActions.Read], "Greet you by name, and email you when a free coffee is waiting", VaultDirectory.Agreement),
    ];

    /// <summary>Redeems a scanned or typed card code and starts waiting for the customer.</summary>
    /// <returns>The visit's id.</returns>
    /// <exception cref="FormatException">Not a card code, or a card of a vault the shop does not contact.</exception>
    /// <exception cref="SymbolonOAuthException">The vault refused the code (unknown, expired, used).</exception>
    public async Task<Guid> ScanAsync(string scannedOrTyped, CancellationToken cancellationToken)
    {
        var card = SymbolonCardCode.Parse(scannedOrTyped, policy);
        var (registration, client) = await vaults.ConnectAsync(card.VaultUrl, cancellationToken);
        var authorization = await client.RedeemCardAsync(card, Request, cancellationToken);

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var visit = new CounterVisit
        {
            Key = Guid.NewGuid(),
            VaultId = registration.Id,
            Status = VisitStatus.Pending,
            StartedAt = time.GetUtcNow(),
            ExpiresAt = authorization.ExpiresAt,
        };
        db.Visits.Add(visit);
        await db.SaveChangesAsync(cancellationToken);

        // The wait outlives the request that scanned the card; it ends when the customer decides, the request
        // expires, or the shop stops.
        _ = Task.Run(() => WaitAsync(visit.Id, registration.Id, authorization), CancellationToken.None);
        return visit.Key;
    }

    /// <summary>Visits still pending when the shop stopped cannot be collected any more (the SDK held their device codes in memory).</summary>
    public async Task AbandonPendingAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await db.Visits.Where(v => v.Status == VisitStatus.Pending).ExecuteUpdateAsync(s => s
            .SetProperty(v => v.Status, VisitStatus.Failed)
            .SetProperty(v => v.Error, "The shop restarted while waiting for the customer. Scan their card again."), cancellationToken);
    }

    private async Task WaitAsync(int visitId, int vaultId, CardAuthorization authorization)
    {
        var stopping = lifetime.ApplicationStopping;
        string status;
        string? error = null;
        int? customerId = null;
        try
        {
            var session = await authorization.WaitForApprovalAsync(cancellationToken: stopping);

            // Tokens from a card carry the shop's handle for the customer; the introspection is a fallback for a vault that does not.
            var subject = session.Tokens.Subject ?? (await session.Client.IntrospectAsync(session.Tokens.AccessToken, stopping)).Subject
                ?? throw new InvalidOperationException("The vault approved but named no customer.");
            customerId = await sessions.AdoptAsync(vaultId, subject, session, stopping);
            await RefreshBalanceAsync(customerId.Value, session, stopping);
            status = VisitStatus.Approved;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }
        catch (CardAuthorizationException e)
        {
            status = e.Failure == CardAuthorizationFailure.Declined ? VisitStatus.Declined : VisitStatus.Expired;
            error = ShopErrors.Describe(e);
        }
        catch (Exception e) when (ShopErrors.Describe(e) is { } message)
        {
            // Logged for the shop's operator with the vault's error code (never a token): "withdrawn permission" at
            // the counter can mean a revoked grant or a vault that refused a fresh token, and only the code tells.
            ShopLog.VisitFailed(logger, e, visitId, message);
            status = VisitStatus.Failed;
            error = message;
        }
#pragma warning disable CA1031 // A background wait has no caller to throw to: whatever fails is shown at the counter and logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ShopLog.WaitFailed(logger, e, visitId);
            status = VisitStatus.Failed;
            error = "Something went wrong while waiting for the customer. Scan their card again.";
        }

        await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
        var visit = await db.Visits.SingleAsync(v => v.Id == visitId, CancellationToken.None);
        visit.Status = status;
        visit.Error = error;
        visit.CustomerId = customerId;
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>Asks the vault for the customer's stamp balance, when the customer lets the shop read it.</summary>
    public async Task RefreshBalanceAsync(int customerId, VendorSession session, CancellationToken cancellationToken)
    {
        if (!session.Tokens.Allows(Datatypes.Loyalty, DataActions.Read))
        {
            return;
        }

        var loyalty = await session.GetLoyaltyAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await db.Customers.Where(c => c.Id == customerId).ExecuteUpdateAsync(s => s.SetProperty(c => c.StampBalance, loyalty.Balance), cancellationToken);
    }
}
