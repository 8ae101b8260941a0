using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PublicRadio.Data;
using Symbolon.Client;
using Symbolon.Contracts.Vendor;

namespace PublicRadio.Station;

/// <summary>
/// The station's sessions with its listeners' vaults. A session lives in memory once resumed, so that its single-use
/// refresh token is refreshed by one caller at a time; every refresh is written back to the database.
/// </summary>
public sealed class ListenerSessions(IDbContextFactory<RadioDb> dbs, VaultDirectory vaults, TimeProvider time, ILogger<ListenerSessions> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<int, VendorSession> _sessions = new();

    /// <summary>Finds or creates the listener for an approved session (keyed by the vault and the pairwise subject) and stores its tokens.</summary>
    public async Task<Listener> AdoptAsync(int vaultId, string subject, VendorSession session, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var listener = await db.Listeners.SingleOrDefaultAsync(l => l.VaultId == vaultId && l.Subject == subject, cancellationToken);
        if (listener is null)
        {
            listener = new Listener { Key = Guid.NewGuid(), VaultId = vaultId, Subject = subject, FirstSeen = time.GetUtcNow() };
            db.Listeners.Add(listener);
        }

        listener.PermissionWithdrawnAt = null;
        Store(listener, session.Tokens);
        await db.SaveChangesAsync(cancellationToken);
        Track(listener.Id, session, replace: true);
        return listener;
    }

    /// <summary>The session with a listener's vault, resumed from the stored tokens if it is not in memory; null without tokens.</summary>
    public async Task<VendorSession?> GetAsync(int listenerId, CancellationToken cancellationToken)
    {
        if (_sessions.TryGetValue(listenerId, out var session))
        {
            return session;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var listener = await db.Listeners.SingleOrDefaultAsync(l => l.Id == listenerId, cancellationToken);
        if (listener?.AccessToken is null || listener.TokenExpiresAt is null || listener.PermissionWithdrawnAt is not null)
        {
            return null;
        }

        var client = await vaults.ClientAsync(listener.VaultId, cancellationToken);
        var resumed = client.ResumeSession(new TokenSet(listener.AccessToken, listener.RefreshToken, listener.TokenExpiresAt.Value, Granted(listener)) { Subject = listener.Subject });
        return Track(listenerId, resumed, replace: false);
    }

    /// <summary>What the listener's grant allows, as the station last heard it.</summary>
    public static IReadOnlyList<AuthorizationDetail> Granted(Listener listener) =>
        listener.GrantedJson is null ? [] : JsonSerializer.Deserialize<List<AuthorizationDetail>>(listener.GrantedJson, Json) ?? [];

    /// <summary>Whether the grant allows <paramref name="action"/> on <paramref name="datatype"/>.</summary>
    public static bool Allows(Listener listener, string datatype, string action) =>
        listener.PermissionWithdrawnAt is null
        && Granted(listener).Any(d => d.Datatypes.Contains(datatype, StringComparer.Ordinal) && d.Actions.Contains(action, StringComparer.Ordinal));

    /// <summary>The vault said the grant is over: forget the session and note it.</summary>
    public async Task MarkWithdrawnAsync(int listenerId, CancellationToken cancellationToken)
    {
        _sessions.TryRemove(listenerId, out _);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var listener = await db.Listeners.SingleOrDefaultAsync(l => l.Id == listenerId, cancellationToken);
        if (listener is not null && listener.PermissionWithdrawnAt is null)
        {
            listener.PermissionWithdrawnAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private VendorSession Track(int listenerId, VendorSession session, bool replace)
    {
        var tracked = replace ? _sessions[listenerId] = session : _sessions.GetOrAdd(listenerId, session);
        if (ReferenceEquals(tracked, session))
        {
            // The old refresh token stops working the moment a refresh succeeds, so the new one is stored at once.
            session.TokensRefreshed += (_, tokens) => _ = PersistAsync(listenerId, tokens);
        }

        return tracked;
    }

    private async Task PersistAsync(int listenerId, TokenSet tokens)
    {
        try
        {
            await using var db = await dbs.CreateDbContextAsync();
            var listener = await db.Listeners.SingleOrDefaultAsync(l => l.Id == listenerId);
            if (listener is not null)
            {
                Store(listener, tokens);
                await db.SaveChangesAsync();
            }
        }
        catch (DbUpdateException e)
        {
            RadioLog.TokensNotStored(logger, e, listenerId);
        }
    }

    private static void Store(Listener listener, TokenSet tokens)
    {
        listener.AccessToken = tokens.AccessToken;
        listener.RefreshToken = tokens.RefreshToken;
        listener.TokenExpiresAt = tokens.ExpiresAt;
        listener.GrantedJson = JsonSerializer.Serialize(tokens.AuthorizationDetails, Json);
    }
}
