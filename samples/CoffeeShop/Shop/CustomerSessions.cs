using System.Collections.Concurrent;
using System.Text.Json;
using CoffeeShop.Data;
using Microsoft.EntityFrameworkCore;
using Symbolon.Client;
using Symbolon.Contracts.Vendor;

namespace CoffeeShop.Shop;

/// <summary>
/// The shop's sessions with its customers' vaults. A session lives in memory once resumed, so that its single-use
/// refresh token is refreshed by one caller at a time; every refresh is written back to the database, so that the
/// shop carries on after a restart.
/// </summary>
public sealed class CustomerSessions(IDbContextFactory<ShopDb> dbs, VaultDirectory vaults, TimeProvider time, ILogger<CustomerSessions> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<int, VendorSession> _sessions = new();

    /// <summary>
    /// Finds or creates the customer for an approved session (keyed by the vault and the pairwise subject), stores
    /// the session's tokens, and returns the customer's id.
    /// </summary>
    public async Task<int> AdoptAsync(int vaultId, string subject, VendorSession session, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var customer = await db.Customers.SingleOrDefaultAsync(c => c.VaultId == vaultId && c.Subject == subject, cancellationToken);
        if (customer is null)
        {
            customer = new Customer { VaultId = vaultId, Subject = subject, FirstSeen = now };
            db.Customers.Add(customer);
        }

        customer.LastSeen = now;
        customer.PermissionWithdrawnAt = null;
        Store(customer, session.Tokens);
        await db.SaveChangesAsync(cancellationToken);
        Track(customer.Id, session, replace: true);
        return customer.Id;
    }

    /// <summary>The session with a customer's vault, resumed from the stored tokens if it is not in memory.</summary>
    /// <returns>The session, or null when the shop holds no tokens for the customer.</returns>
    public async Task<VendorSession?> GetAsync(int customerId, CancellationToken cancellationToken)
    {
        if (_sessions.TryGetValue(customerId, out var session))
        {
            return session;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var customer = await db.Customers.SingleOrDefaultAsync(c => c.Id == customerId, cancellationToken);
        if (customer?.AccessToken is null || customer.TokenExpiresAt is null)
        {
            return null;
        }

        var client = await vaults.ClientAsync(customer.VaultId, cancellationToken);
        var granted = customer.GrantedJson is null ? [] : JsonSerializer.Deserialize<List<AuthorizationDetail>>(customer.GrantedJson, Json) ?? [];
        var resumed = client.ResumeSession(new TokenSet(customer.AccessToken, customer.RefreshToken, customer.TokenExpiresAt.Value, granted) { Subject = customer.Subject });
        return Track(customerId, resumed, replace: false);
    }

    /// <summary>What the customer's grant allows, as the shop last heard it.</summary>
    public static IReadOnlyList<AuthorizationDetail> Granted(Customer customer) =>
        customer.GrantedJson is null ? [] : JsonSerializer.Deserialize<List<AuthorizationDetail>>(customer.GrantedJson, Json) ?? [];

    /// <summary>The vault said the grant is over: forget the session and note it.</summary>
    public async Task MarkWithdrawnAsync(int customerId, CancellationToken cancellationToken)
    {
        _sessions.TryRemove(customerId, out _);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var customer = await db.Customers.SingleOrDefaultAsync(c => c.Id == customerId, cancellationToken);
        if (customer is not null && customer.PermissionWithdrawnAt is null)
        {
            customer.PermissionWithdrawnAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>
    /// After an erasure: revokes the session's tokens at the vault (best effort: the customer row holding them is
    /// deleted either way) and forgets the session.
    /// </summary>
    public async Task ForgetAsync(int customerId, CancellationToken cancellationToken)
    {
        var session = await GetAsync(customerId, cancellationToken);
        _sessions.TryRemove(customerId, out _);
        if (session is not null)
        {
            try
            {
                await session.RevokeAsync(cancellationToken);
            }
            catch (Exception e) when (e is SymbolonOAuthException or SymbolonProblemException or HttpRequestException)
            {
                ShopLog.TokensNotStored(logger, e, customerId);
            }
        }
    }

    private VendorSession Track(int customerId, VendorSession session, bool replace)
    {
        var tracked = replace ? _sessions[customerId] = session : _sessions.GetOrAdd(customerId, session);
        if (ReferenceEquals(tracked, session))
        {
            // The old refresh token stops working the moment a refresh succeeds, so the new one is stored at once.
            session.TokensRefreshed += (_, tokens) => _ = PersistAsync(customerId, tokens);
        }

        return tracked;
    }

    private async Task PersistAsync(int customerId, TokenSet tokens)
    {
        try
        {
            await using var db = await dbs.CreateDbContextAsync();
            var customer = await db.Customers.SingleOrDefaultAsync(c => c.Id == customerId);
            if (customer is not null)
            {
                Store(customer, tokens);
                await db.SaveChangesAsync();
            }
        }
        catch (DbUpdateException e)
        {
            // The session in memory still holds the new tokens; only a restart before the next refresh would lose them.
            ShopLog.TokensNotStored(logger, e, customerId);
        }
    }

    private static void Store(Customer customer, TokenSet tokens)
    {
        customer.AccessToken = tokens.AccessToken;
        customer.RefreshToken = tokens.RefreshToken;
        customer.TokenExpiresAt = tokens.ExpiresAt;
        customer.GrantedJson = JsonSerializer.Serialize(tokens.AuthorizationDetails, Json);
    }
}
