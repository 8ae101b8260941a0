using System.Security.Cryptography;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Relationships;

namespace Symbolon.Core.Tests.Infrastructure;

/// <summary>
/// Vendor relationships and grants written straight to the store, the rows the OAuth flow writes when a vendor
/// registers and the person consents.
/// </summary>
internal static class TestRelationships
{
    public static GrantedDatatype Read(string datatype) => new(datatype, [DataActions.Read], Narrowings.Full, "delivery");

    public static async Task<RelationshipEntity> AddVendorAsync(
        this TestVault vault,
        string name,
        IReadOnlyList<GrantedDatatype> granted,
        DateTimeOffset? expiresAt = null,
        bool revoked = false,
        bool ended = false,
        string? webhookUri = "https://vendor.example/webhooks")
    {
        var now = vault.Store.Time.GetUtcNow();
        var relationship = new RelationshipEntity
        {
            VaultId = vault.Id,
            Id = Guid.CreateVersion7(),
            ClientId = name + "-" + Guid.NewGuid().ToString("N")[..8],
            VendorName = name,
            WebhookUri = webhookUri,
            WebhookSecretProtected = "not read by the fan-out",
            AcceptableAgreements = "SD-BASE",
            Subject = PairwiseIds.NewSubject(),
            PairwiseKey = RandomNumberGenerator.GetBytes(32),
            CreatedAt = now,
            EndedAt = ended ? now : null,
        };
        var json = GrantedDatatype.ToJson(granted);
        using var session = vault.Store.Open();
        session.Db.Relationships.Add(relationship);
        session.Db.Grants.Add(new GrantEntity
        {
            VaultId = vault.Id,
            Id = Guid.CreateVersion7(),
            RelationshipId = relationship.Id,
            AgreementId = "SD-BASE",
            Purpose = "delivery",
            RequestedDetails = json,
            GrantedDetails = json,
            CreatedAt = now,
            ExpiresAt = expiresAt,
            RevokedAt = revoked ? now : null,
            Receipt = [],
            ReceiptSignature = [],
        });
        await session.Db.SaveChangesAsync();
        return relationship;
    }
}
