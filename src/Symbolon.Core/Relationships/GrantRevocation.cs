using OpenIddict.Abstractions;
using Symbolon.Core.Storage;
using Symbolon.Core.Webhooks;

namespace Symbolon.Core.Relationships;

/// <summary>
/// Revokes what the person gave a vendor so that it stops working at once: the grant row, the OpenIddict
/// authorization it is bound to, and every token of that authorization (access and refresh). Access tokens are
/// reference tokens checked against the store on each request, and the data API checks the grant too, so the
/// vendor's very next request is refused. The web app, the owner API and the CLI's local mode all revoke here.
/// </summary>
internal sealed class GrantRevocation(
    SymbolonDbContext db,
    RelationshipService relationships,
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictTokenManager tokens,
    TimeProvider time)
{
    /// <summary>Revokes one grant of the vault. Revoking a revoked grant changes nothing but still makes sure its tokens are dead.</summary>
    public async Task<GrantEntity> RevokeGrantAsync(Guid vaultId, Guid grantId, CancellationToken ct = default)
    {
        var grant = await relationships.FindGrantAsync(vaultId, grantId, ct) ?? throw new RelationshipNotFoundException("grant");
        if (grant.RevokedAt is null)
        {
            var relationship = await relationships.FindAsync(vaultId, grant.RelationshipId, ct) ?? throw new RelationshipNotFoundException("relationship");
            EnqueueGrantRevokedEvent(relationship, grant, relationshipEnded: false);

            // RevokeGrantAsync saves, so the revocation and its event commit together.
            await relationships.RevokeGrantAsync(grant, ct);
        }

        await RevokeAuthorizationAsync(grant, ct);
        return grant;
    }

    /// <summary>Ends the relationship: every grant is revoked, and every authorization and token of the vendor's client with them.</summary>
    public async Task<RelationshipEntity> EndRelationshipAsync(Guid vaultId, Guid relationshipId, CancellationToken ct = default)
    {
        var relationship = await relationships.FindAsync(vaultId, relationshipId, ct) ?? throw new RelationshipNotFoundException("relationship");
        var grants = await relationships.ListGrantsAsync(relationship, ct);
        if (relationship.EndedAt is null)
        {
            foreach (var grant in grants.Where(g => g.RevokedAt is null))
            {
                EnqueueGrantRevokedEvent(relationship, grant, relationshipEnded: true);
            }

            // EndAsync saves, so the end, the revocations and their events commit together.
            await relationships.EndAsync(relationship, ct);
        }

        foreach (var grant in grants)
        {
            await RevokeAuthorizationAsync(grant, ct);
        }

        // An authorization code or token not yet bound to a grant (a consent in flight) must die too.
        if (await applications.FindByClientIdAsync(relationship.ClientId, ct) is { } application
            && await applications.GetIdAsync(application, ct) is { } applicationId)
        {
            await authorizations.RevokeByApplicationIdAsync(applicationId, ct);
            await tokens.RevokeByApplicationIdAsync(applicationId, ct);
        }

        return relationship;
    }

    private async Task RevokeAuthorizationAsync(GrantEntity grant, CancellationToken ct)
    {
        if (grant.AuthorizationId is not { } authorizationId)
        {
            return;
        }

        if (await authorizations.FindByIdAsync(authorizationId, ct) is { } authorization)
        {
            await authorizations.TryRevokeAsync(authorization, ct);
        }

        await tokens.RevokeByAuthorizationIdAsync(authorizationId, ct);
    }

    /// <summary>
    /// The one place a revocation tells the vendor (<c>grant.revoked</c>). The message is added to the same unit of
    /// work as the revocation so that both commit together.
    /// </summary>
    private void EnqueueGrantRevokedEvent(RelationshipEntity relationship, GrantEntity grant, bool relationshipEnded) =>
        WebhookOutbox.EnqueueGrantRevoked(db, relationship, grant.Id.ToString(), relationshipEnded, time.GetUtcNow());
}
