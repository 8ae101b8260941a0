using System.Buffers.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Storage;
using Symbolon.Core.Terms;

namespace Symbolon.Core.Relationships;

/// <summary>
/// What the person sees of their relationships: the vendors, the agreement each runs under, every grant field by
/// field, signed consent receipts and the access log. Read-only; revoking is <see cref="GrantRevocation"/>'s job.
/// Every query is scoped to one vault, so another vault's ids are simply not found. What reads the access log first
/// commits the vendor reads the server has folded but not yet written (<see cref="IPendingAccessLog"/>), so the
/// person sees every read up to the moment they look; the CLI's local mode has no server and nothing pending.
/// </summary>
internal sealed class RelationshipViews(SymbolonDbContext db, RelationshipService relationships, TimeProvider time, IPendingAccessLog? accessLog = null)
{
    public const int DefaultPageSize = 50;
    public const int MaximumPageSize = 500;

    public async Task<IReadOnlyList<RelationshipSummary>> ListAsync(Guid vaultId, CancellationToken ct = default)
    {
        await FlushAccessLogAsync(ct);
        var list = await relationships.ListAsync(vaultId, ct);
        var grants = await db.Grants.AsNoTracking().Where(g => g.VaultId == vaultId).ToListAsync(ct);
        var agreements = await db.AgreementRecords.AsNoTracking().Where(a => a.VaultId == vaultId).ToDictionaryAsync(a => a.Id, ct);
        var summaries = new List<RelationshipSummary>(list.Count);
        foreach (var relationship in list)
        {
            var agreement = relationship.AgreementRecordId is { } recordId ? agreements.GetValueOrDefault(recordId) : null;
            summaries.Add(Summary(relationship, agreement, grants.Where(g => g.RelationshipId == relationship.Id), await LastAccessAsync(relationship, ct)));
        }

        // Newest relationships first: the one the person just made is the one they are looking for.
        return [.. summaries.OrderBy(s => s.EndedAt is not null).ThenByDescending(s => s.CreatedAt)];
    }

    /// <summary>
    /// One page of the list, in <see cref="ListAsync"/>'s order: anyone can register, so the list can be long, and a
    /// page loads only its own relationships' grants, agreements and last access.
    /// </summary>
    public async Task<RelationshipPage> ListPageAsync(Guid vaultId, int limit, int offset, CancellationToken ct = default)
    {
        limit = Math.Clamp(limit, 1, MaximumPageSize);
        offset = Math.Max(offset, 0);
        await FlushAccessLogAsync(ct);
        var query = db.Relationships.AsNoTracking().Where(r => r.VaultId == vaultId);
        var total = await query.CountAsync(ct);

        // Note: ids are version 7 GUIDs, so they order like the registration times they were made at (and every
        // provider orders them, unlike DateTimeOffset on SQLite).
        var page = await query.OrderBy(r => r.EndedAt != null).ThenByDescending(r => r.Id).Skip(offset).Take(limit).ToListAsync(ct);
        var ids = page.Select(r => r.Id).ToList();
        var recordIds = page.Where(r => r.AgreementRecordId != null).Select(r => r.AgreementRecordId!.Value).ToList();
        var grants = await db.Grants.AsNoTracking().Where(g => g.VaultId == vaultId && ids.Contains(g.RelationshipId)).ToListAsync(ct);
        var agreements = await db.AgreementRecords.AsNoTracking().Where(a => a.VaultId == vaultId && recordIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        var summaries = new List<RelationshipSummary>(page.Count);
        foreach (var relationship in page)
        {
            var agreement = relationship.AgreementRecordId is { } recordId ? agreements.GetValueOrDefault(recordId) : null;
            summaries.Add(Summary(relationship, agreement, grants.Where(g => g.RelationshipId == relationship.Id), await LastAccessAsync(relationship, ct)));
        }

        return new RelationshipPage(summaries, total, offset + summaries.Count < total ? offset + summaries.Count : null);
    }

    public async Task<RelationshipDetail> GetAsync(Guid vaultId, Guid relationshipId, CancellationToken ct = default)
    {
        var relationship = await relationships.FindAsync(vaultId, relationshipId, ct) ?? throw new RelationshipNotFoundException("relationship");
        var agreement = await relationships.FindAgreementAsync(relationship, ct);
        var grants = await relationships.ListGrantsAsync(relationship, ct);
        await FlushAccessLogAsync(ct);
        var now = time.GetUtcNow();
        return new RelationshipDetail(
            Summary(relationship, agreement, grants, await LastAccessAsync(relationship, ct)),
            relationship.PolicyUri,
            relationship.TermsUri,
            agreement is null ? null : Agreement(agreement),
            [.. grants.Select(g => Grant(g, relationship, now))]);
    }

    /// <summary>One grant as the person sees it.</summary>
    public async Task<RelationshipGrant> GetGrantAsync(Guid vaultId, Guid grantId, CancellationToken ct = default)
    {
        var grant = await relationships.FindGrantAsync(vaultId, grantId, ct) ?? throw new RelationshipNotFoundException("grant");
        var relationship = await relationships.FindAsync(vaultId, grant.RelationshipId, ct) ?? throw new RelationshipNotFoundException("relationship");
        return Grant(grant, relationship, time.GetUtcNow());
    }

    /// <summary>The grant's consent receipt exactly as signed, with the signature and the key that checks it.</summary>
    public async Task<SignedConsentReceipt> ReceiptAsync(Guid vaultId, Guid grantId, CancellationToken ct = default)
    {
        var grant = await relationships.FindGrantAsync(vaultId, grantId, ct) ?? throw new RelationshipNotFoundException("grant");
        var publicKey = await db.Vaults.Where(v => v.Id == vaultId).Select(v => v.SigningPublicKey).SingleAsync(ct);
        using var receipt = JsonDocument.Parse(grant.Receipt);
        return new SignedConsentReceipt(
            receipt.RootElement.Clone(),
            Base64Url.EncodeToString(grant.Receipt),
            Base64Url.EncodeToString(grant.ReceiptSignature),
            Base64Url.EncodeToString(publicKey),
            "Ed25519");
    }

    /// <summary>The signed agreement record a relationship runs under, as the vendor holds it too.</summary>
    public async Task<AgreementRecord> AgreementRecordAsync(Guid vaultId, Guid relationshipId, CancellationToken ct = default)
    {
        var relationship = await relationships.FindAsync(vaultId, relationshipId, ct) ?? throw new RelationshipNotFoundException("relationship");
        var record = await relationships.FindAgreementAsync(relationship, ct) ?? throw new RelationshipNotFoundException("agreement record");
        return RelationshipService.ToContract(record);
    }

    /// <summary>The access log, newest first, across all relationships or for one.</summary>
    public async Task<AccessLogPage> AccessLogAsync(Guid vaultId, Guid? relationshipId, int limit, int offset, CancellationToken ct = default)
    {
        limit = Math.Clamp(limit, 1, MaximumPageSize);
        offset = Math.Max(offset, 0);
        await FlushAccessLogAsync(ct);
        var names = await db.Relationships.AsNoTracking().Where(r => r.VaultId == vaultId).ToDictionaryAsync(r => r.Id, r => r.VendorName, ct);
        if (relationshipId is { } id && !names.ContainsKey(id))
        {
            throw new RelationshipNotFoundException("relationship");
        }

        var query = db.AccessLog.AsNoTracking().Where(a => a.VaultId == vaultId);
        if (relationshipId is { } only)
        {
            query = query.Where(a => a.RelationshipId == only);
        }

        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Skip(offset).Take(limit).ToListAsync(ct);
        var entries = rows.Select(a => new AccessLogEntry(
            a.Id,
            a.RelationshipId,
            names.GetValueOrDefault(a.RelationshipId, "(unknown vendor)"),
            a.GrantId,
            a.At,
            a.Action,
            a.Datatypes.Length == 0 ? [] : a.Datatypes.Split(','),
            a.Purpose,
            a.Allowed,
            a.StatusCode) { Count = a.Count, LastAt = a.LastAt }).ToList();
        return new AccessLogPage(entries, total, offset + entries.Count < total ? offset + entries.Count : null);
    }

    private Task FlushAccessLogAsync(CancellationToken ct) => accessLog is null ? Task.CompletedTask : accessLog.FlushAsync().WaitAsync(ct);

    private Task<DateTimeOffset?> LastAccessAsync(RelationshipEntity relationship, CancellationToken ct) =>
        db.AccessLog.AsNoTracking()
            .Where(a => a.VaultId == relationship.VaultId && a.RelationshipId == relationship.Id)
            .OrderByDescending(a => a.At)
            .Select(a => (DateTimeOffset?)a.At)
            .FirstOrDefaultAsync(ct);

    private RelationshipSummary Summary(RelationshipEntity relationship, AgreementRecordEntity? agreement, IEnumerable<GrantEntity> grants, DateTimeOffset? lastAccess)
    {
        var now = time.GetUtcNow();
        return new RelationshipSummary(
            relationship.Id,
            relationship.VendorName,
            relationship.ClientId,
            relationship.ClientUri,
            relationship.LogoUri,
            agreement?.AgreementId,
            agreement is null ? null : AgreementRoster.Find(agreement.AgreementId)?.Title ?? agreement.AgreementId,
            relationship.CreatedAt,
            relationship.EndedAt,
            relationship.EndedAt is null ? grants.Count(g => g.IsActive(now)) : 0,
            lastAccess)
        {
            Unconfirmed = !grants.Any(),
        };
    }

    private static RelationshipAgreement Agreement(AgreementRecordEntity record)
    {
        var known = AgreementRoster.Find(record.AgreementId);

        // Note: the roster text is only the text the vendor accepted while its hash matches the signed one.
        var text = known is not null && string.Equals(known.TextSha256, record.TextSha256, StringComparison.OrdinalIgnoreCase)
            ? known.Text
            : $"The text of {record.AgreementId} with SHA-256 {record.TextSha256} is no longer in this vault's roster.";
        return new RelationshipAgreement(record.Id, record.AgreementId, known?.Title ?? record.AgreementId, text, record.TextSha256, record.AcceptedAt, record.CountersignedAt);
    }

    private static RelationshipGrant Grant(GrantEntity grant, RelationshipEntity relationship, DateTimeOffset now)
    {
        var status = grant.RevokedAt is not null || relationship.EndedAt is not null ? GrantStatuses.Revoked
            : grant.IsActive(now) ? GrantStatuses.Active
            : GrantStatuses.Expired;
        var fields = GrantedDatatype.ParseList(grant.GrantedDetails).Select(g => new GrantedField(
            g.Datatype,
            DatatypeCatalog.Find(g.Datatype)?.Title ?? g.Datatype,
            g.Actions,
            g.Narrowing,
            DatatypeCatalog.DescribeNarrowing(g.Narrowing),
            g.Purpose)).ToList();
        return new RelationshipGrant(grant.Id, grant.AgreementId, grant.Purpose, grant.CreatedAt, grant.ExpiresAt, grant.RevokedAt ?? relationship.EndedAt, status, fields);
    }
}
