using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using Symbolon.Core.Storage;
using Symbolon.Server.Hosting;
using Symbolon.Server.Storage;

namespace Symbolon.Server.OAuth;

/// <summary>What the OAuth pruning keeps (section <c>Pruning</c>).</summary>
internal sealed class OAuthPruningOptions
{
    /// <summary>Days an expired, redeemed or revoked token or authorization is kept before it is deleted (default 14).</summary>
    public double TokenRetentionDays { get; set; } = 14;

    /// <summary>
    /// Days a registration may stay unused (no agreement accepted, nothing asked, nothing granted) before it is deleted
    /// with its OAuth client (default 30; 0 keeps them).
    /// </summary>
    public double UnusedRegistrationDays { get; set; } = 30;
}

/// <summary>
/// Every hour, deletes what OAuth leaves behind: tokens and authorizations that expired or were revoked more than
/// <see cref="OAuthPruningOptions.TokenRetentionDays"/> ago (OpenIddict's own pruning), and registrations nobody ever
/// used, so that a burst of registrations does not stay in the person's Relationships page forever.
/// </summary>
internal sealed partial class OAuthPruneJob(
    IServiceScopeFactory scopes, StorageInitializer storage, TimeProvider time, IOptions<OAuthPruningOptions> options, ILogger<OAuthPruneJob> logger)
    : PeriodicJob(scopes, storage, time, logger)
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromHours(1);

    protected override TimeSpan Interval => CheckInterval;

    protected override string Work => "Pruning OAuth tokens and unused registrations";

    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        var threshold = now - TimeSpan.FromDays(Math.Max(0, options.Value.TokenRetentionDays));
        var tokens = await services.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(threshold, ct);
        var authorizations = await services.GetRequiredService<IOpenIddictAuthorizationManager>().PruneAsync(threshold, ct);
        var registrations = options.Value.UnusedRegistrationDays > 0
            ? await PruneUnusedRegistrationsAsync(services, now - TimeSpan.FromDays(options.Value.UnusedRegistrationDays), ct)
            : 0;
        if (tokens + authorizations + registrations > 0)
        {
            LogPruned(Logger, tokens, authorizations, registrations);
        }
    }

    /// <summary>
    /// Deletes registrations made before <paramref name="before"/> that left nothing behind: no agreement, grant,
    /// access-log line, request, message or card request. Anything a vendor ever did keeps its relationship.
    /// </summary>
    private static async Task<int> PruneUnusedRegistrationsAsync(IServiceProvider services, DateTimeOffset before, CancellationToken ct)
    {
        var db = services.GetRequiredService<SymbolonDbContext>();
        var applications = services.GetRequiredService<IOpenIddictApplicationManager>();

        // Note: SQLite cannot compare DateTimeOffset in SQL, so the age is checked on the few candidates in memory.
        var candidates = await db.Relationships
            .Where(r => r.AgreementRecordId == null && r.EndedAt == null
                && !db.AgreementRecords.Any(a => a.VaultId == r.VaultId && a.RelationshipId == r.Id)
                && !db.Grants.Any(g => g.VaultId == r.VaultId && g.RelationshipId == r.Id)
                && !db.AccessLog.Any(a => a.VaultId == r.VaultId && a.RelationshipId == r.Id)
                && !db.Requests.Any(q => q.VaultId == r.VaultId && q.RelationshipId == r.Id)
                && !db.Messages.Any(m => m.VaultId == r.VaultId && m.RelationshipId == r.Id)
                && !db.CardRequests.Any(c => c.VaultId == r.VaultId && c.RelationshipId == r.Id))
            .ToListAsync(ct);
        var pruned = 0;
        foreach (var relationship in candidates.Where(r => r.CreatedAt < before))
        {
            if (await applications.FindByClientIdAsync(relationship.ClientId, ct) is { } application)
            {
                await applications.DeleteAsync(application, ct);
            }

            db.Relationships.Remove(relationship);
            await db.SaveChangesAsync(ct);
            pruned++;
        }

        return pruned;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OAuth: {Tokens} tokens, {Authorizations} authorizations and {Registrations} unused registrations pruned.")]
    private static partial void LogPruned(ILogger logger, long tokens, long authorizations, int registrations);
}
