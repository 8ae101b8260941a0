using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;

namespace Symbolon.Server.VendorApi;

/// <summary>
/// Tells the vendor API's caches about every write that could make them wrong. The <see cref="VendorAccessCache"/>
/// hears of a grant or relationship modified or deleted (revoked, expired early, ended) and of an OpenIddict token,
/// authorization or application modified or deleted (revoked through <c>/connect/revoke</c>, a reused refresh token
/// revoking its chain); the <see cref="VendorProfileCache"/> hears of any record of a vault written. Each is
/// invalidated before the write, so nothing read while it runs is remembered, and again after the commit.
/// </summary>
/// <remarks>
/// Bulk revocations that OpenIddict runs as set-based updates do not pass through <c>SaveChanges</c>; the token and
/// authorization managers below cover them.
/// </remarks>
internal sealed class VendorCacheInvalidation(VendorAccessCache access, VendorProfileCache profiles) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, Pending> _pending = [];

    /// <summary>What a context's write in progress touches.</summary>
    private sealed record Pending(bool Access, IReadOnlyCollection<Guid> Vaults);

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Before(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Before(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        After(eventData.Context, committed: eventData.Context?.Database.CurrentTransaction is null);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        After(eventData.Context, committed: eventData.Context?.Database.CurrentTransaction is null);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => After(eventData.Context, committed: eventData.Context?.Database.CurrentTransaction is null);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        After(eventData.Context, committed: eventData.Context?.Database.CurrentTransaction is null);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => After(eventData.Context, committed: true);

    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        After(eventData.Context, committed: true);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => After(eventData.Context, committed: true);

    public Task TransactionRolledBackAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        After(eventData.Context, committed: true);
        return Task.CompletedTask;
    }

    private void Before(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var touchesAccess = false;
        HashSet<Guid>? vaults = null;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            switch (entry.Entity)
            {
                case RecordEntity record when entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted:
                    (vaults ??= []).Add(record.VaultId);
                    break;
                case RecordVersionEntity version when entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted:
                    (vaults ??= []).Add(version.VaultId);
                    break;
                case GrantEntity or RelationshipEntity or OpenIddictEntityFrameworkCoreToken or OpenIddictEntityFrameworkCoreAuthorization or OpenIddictEntityFrameworkCoreApplication
                    when entry.State is EntityState.Modified or EntityState.Deleted:
                    touchesAccess = true;
                    break;
            }
        }

        if (!touchesAccess && vaults is null)
        {
            return;
        }

        // Several saves inside one transaction add up: everything they touched is invalidated again at the commit.
        if (_pending.TryGetValue(context, out var earlier))
        {
            touchesAccess |= earlier.Access;
            (vaults ??= []).UnionWith(earlier.Vaults);
        }

        var pending = new Pending(touchesAccess, (IReadOnlyCollection<Guid>?)vaults ?? []);
        _pending.AddOrUpdate(context, pending);
        Invalidate(pending);
    }

    private void After(DbContext? context, bool committed)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending))
        {
            return;
        }

        Invalidate(pending);
        if (committed)
        {
            _pending.Remove(context);
        }
    }

    private void Invalidate(Pending pending)
    {
        if (pending.Access)
        {
            access.Invalidate();
        }

        foreach (var vault in pending.Vaults)
        {
            profiles.Invalidate(vault);
        }
    }
}

/// <summary>OpenIddict's token manager, invalidating the vendor access cache around its set-based revocations.</summary>
internal sealed class InvalidatingTokenManager(
    IOpenIddictTokenCache<OpenIddictEntityFrameworkCoreToken> tokenCache,
    ILogger<OpenIddictTokenManager<OpenIddictEntityFrameworkCoreToken>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictTokenStore<OpenIddictEntityFrameworkCoreToken> store,
    VendorAccessCache accessCache)
    : OpenIddictTokenManager<OpenIddictEntityFrameworkCoreToken>(tokenCache, logger, options, store)
{
    public override ValueTask<long> RevokeAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken = default) =>
        Around(() => base.RevokeAsync(subject, client, status, type, cancellationToken));

    public override ValueTask<long> RevokeByApplicationIdAsync(string identifier, CancellationToken cancellationToken = default) =>
        Around(() => base.RevokeByApplicationIdAsync(identifier, cancellationToken));

    public override ValueTask<long> RevokeByAuthorizationIdAsync(string identifier, CancellationToken cancellationToken = default) =>
        Around(() => base.RevokeByAuthorizationIdAsync(identifier, cancellationToken));

    public override ValueTask<long> RevokeBySubjectAsync(string subject, CancellationToken cancellationToken = default) =>
        Around(() => base.RevokeBySubjectAsync(subject, cancellationToken));

    private ValueTask<long> Around(Func<ValueTask<long>> revoke) => accessCache.InvalidateAroundAsync(revoke);
}

/// <summary>OpenIddict's authorization manager, invalidating the vendor access cache around its set-based revocations.</summary>
internal sealed class InvalidatingAuthorizationManager(
    IOpenIddictAuthorizationCache<OpenIddictEntityFrameworkCoreAuthorization> authorizationCache,
    ILogger<OpenIddictAuthorizationManager<OpenIddictEntityFrameworkCoreAuthorization>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictAuthorizationStore<OpenIddictEntityFrameworkCoreAuthorization> store,
    VendorAccessCache accessCache)
    : OpenIddictAuthorizationManager<OpenIddictEntityFrameworkCoreAuthorization>(authorizationCache, logger, options, store)
{
    public override ValueTask<long> RevokeAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken = default) =>
        Around(() => base.RevokeAsync(subject, client, status, type, cancellationToken));

    public override ValueTask<long> RevokeByApplicationIdAsync(string identifier, CancellationToken cancellationToken = default) =>
        Around(() => base.RevokeByApplicationIdAsync(identifier, cancellationToken));

    public override ValueTask<long> RevokeBySubjectAsync(string subject, CancellationToken cancellationToken = default) =>
        Around(() => base.RevokeBySubjectAsync(subject, cancellationToken));

    private ValueTask<long> Around(Func<ValueTask<long>> revoke) => accessCache.InvalidateAroundAsync(revoke);
}
