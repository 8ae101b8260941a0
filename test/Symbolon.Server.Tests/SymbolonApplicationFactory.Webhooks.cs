using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Webhooks;
using Symbolon.Server.Storage;
using Symbolon.Server.Webhooks;

namespace Symbolon.Server.Tests;

/// <summary>One datatype a seeded vendor was granted.</summary>
/// <param name="Datatype">For example <see cref="Datatypes.Email"/>.</param>
/// <param name="Actions">The granted actions.</param>
/// <param name="ExpiresAt">When the grant expires, if it does.</param>
/// <param name="Revoked">True for a grant the person already revoked.</param>
public sealed record SeededGrant(string Datatype, IReadOnlyList<string> Actions, DateTimeOffset? ExpiresAt = null, bool Revoked = false)
{
    public static SeededGrant Read(string datatype) => new(datatype, [DataActions.Read]);
}

/// <summary>A vendor relationship as the tests see it: what a vendor would hold after registering and consent.</summary>
public sealed record SeededVendor(Guid RelationshipId, string ClientId, string Subject, IReadOnlyList<byte> PairwiseKey, string WebhookSecret, IReadOnlyList<Guid> GrantIds)
{
    /// <summary>The id this vendor sees for a field (pairwise: another vendor sees another id).</summary>
    public string FieldId(Guid recordId) => PairwiseIds.FieldId([.. PairwiseKey], recordId);
}

/// <summary>A webhook message as the outbox holds it.</summary>
public sealed record OutboxMessage(Guid Id, string EventType, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, DateTimeOffset? FailedAt, string? LastError);

public sealed partial class SymbolonApplicationFactory
{
    /// <summary>
    /// A vendor that registered with <paramref name="webhook"/> and was granted <paramref name="grants"/>, one grant each,
    /// written straight to the database (until the OAuth flow can do it). The webhook secret is protected with the
    /// server's own data-protection keys, as registration does.
    /// </summary>
    public async Task<SeededVendor> SeedVendorAsync(string name, Uri? webhook, IReadOnlyList<SeededGrant> grants, bool ended = false)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StorageInitializer>().Ready;
        var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
        var now = Time.GetUtcNow();
        var (secret, protectedSecret) = scope.ServiceProvider.GetRequiredService<WebhookSecrets>().Create();
        var relationship = new RelationshipEntity
        {
            VaultId = await db.Vaults.Select(v => v.Id).SingleAsync(),
            Id = Guid.CreateVersion7(),
            ClientId = name + "-" + Guid.NewGuid().ToString("N")[..8],
            VendorName = name,
            WebhookUri = webhook?.ToString(),
            WebhookSecretProtected = protectedSecret,
            AcceptableAgreements = "SD-BASE",
            Subject = PairwiseIds.NewSubject(),
            PairwiseKey = RandomNumberGenerator.GetBytes(32),
            CreatedAt = now,
            EndedAt = ended ? now : null,
        };
        db.Relationships.Add(relationship);
        var grantIds = new List<Guid>();
        foreach (var grant in grants)
        {
            var json = GrantedDatatype.ToJson([new GrantedDatatype(grant.Datatype, grant.Actions, Narrowings.Full, "testing")]);
            var entity = new GrantEntity
            {
                VaultId = relationship.VaultId,
                Id = Guid.CreateVersion7(),
                RelationshipId = relationship.Id,
                AgreementId = "SD-BASE",
                Purpose = "testing",
                RequestedDetails = json,
                GrantedDetails = json,
                CreatedAt = now,
                ExpiresAt = grant.ExpiresAt,
                RevokedAt = grant.Revoked ? now : null,
                Receipt = [],
                ReceiptSignature = [],
            };
            db.Grants.Add(entity);
            grantIds.Add(entity.Id);
        }

        await db.SaveChangesAsync();
        return new SeededVendor(relationship.Id, relationship.ClientId, relationship.Subject, relationship.PairwiseKey, secret, grantIds);
    }

    /// <summary>
    /// Revokes a grant (and with <paramref name="endRelationship"/> the relationship) the way the relationship service
    /// does: the revocation and its <c>grant.revoked</c> message commit together.
    /// </summary>
    public async Task RevokeGrantAsync(SeededVendor vendor, Guid grantId, bool endRelationship = false)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
        var now = Time.GetUtcNow();
        var relationship = await db.Relationships.SingleAsync(r => r.Id == vendor.RelationshipId);
        var grant = await db.Grants.SingleAsync(g => g.Id == grantId);
        grant.RevokedAt = now;
        if (endRelationship)
        {
            relationship.EndedAt = now;
        }

        WebhookOutbox.EnqueueGrantRevoked(db, relationship, grantId.ToString(), endRelationship, now);
        await db.SaveChangesAsync();
    }

    /// <summary>The vendor's webhook messages, oldest first.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> OutboxAsync(SeededVendor vendor)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
        var messages = await db.WebhookMessages.AsNoTracking()
            .Where(m => m.RelationshipId == vendor.RelationshipId)
            .Select(m => new OutboxMessage(m.Id, m.EventType, m.Attempts, m.CreatedAt, m.DeliveredAt, m.FailedAt, m.LastError))
            .ToListAsync();
        return [.. messages.OrderBy(m => m.Id)];
    }

    /// <summary>Waits until the outbox has fanned out every change committed so far.</summary>
    public async Task WaitForFanOutAsync()
    {
        await WaitUntilAsync(async () =>
        {
            await using var scope = Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
            var last = await db.ChangeLog.Select(c => (long?)c.Sequence).MaxAsync() ?? 0;
            var cursor = await db.OutboxCursors.Select(c => (long?)c.LastSequence).MaxAsync() ?? 0;
            return cursor >= last;
        });
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds. The outbox works in the background, so its effects are
    /// awaited; the limit is real time and generous, it is not a timing assertion.
    /// </summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string? what = null)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (30 * TimeProvider.System.TimestampFrequency);
        while (!await condition())
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Waited 30 s for {what ?? "the condition"}.");
            }

            await Task.Delay(20);
        }
    }
}
