using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NSec.Cryptography;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Problems;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;
using Symbolon.Core.Terms;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Relationships;

/// <summary>A relationship, agreement or grant that does not exist (or is not this vendor's).</summary>
internal sealed class RelationshipNotFoundException(string what) : SymbolonProblemException(
    ProblemCodes.RelationshipNotFound, 404, "Not found.", $"The {what} does not exist. See your relationships for the ids.", message: $"The {what} does not exist.");

/// <summary>
/// The vendor tried to move a relationship to an agreement that protects the person less than the one in force. The
/// person agreed to the stricter terms; only the person can loosen them (by ending the relationship, after which the
/// vendor asks again under the terms it wants and the person decides on the consent page).
/// </summary>
internal sealed class AgreementWeakeningRefusedException(string inForce, string requested) : SymbolonProblemException(
    ProblemCodes.AgreementWeakeningRefused, 409, "The agreement in force cannot be loosened by the vendor.",
    $"This relationship runs under {inForce}, which protects the person more than {requested}. A vendor cannot move it to looser terms on its own: "
    + $"keep {inForce} (accepting it again is fine), or ask the person to end the relationship and register again under the terms you need.",
    message: $"A vendor's re-acceptance of {requested} under {inForce} was refused.");

/// <summary>A request that breaks a rule of the protocol, with a message the vendor can act on.</summary>
internal sealed class ProtocolViolationException(string message) : Exception(message);

/// <summary>What a vendor registers (already validated by the endpoint).</summary>
internal sealed record VendorRegistration(
    string ClientId,
    string Name,
    string? ClientUri,
    string? LogoUri,
    string? PolicyUri,
    string? TermsUri,
    string? WebhookUri,
    string? WebhookSecretProtected,
    byte[]? VendorSigningKey,
    IReadOnlyList<string> Agreements);

/// <summary>
/// Relationships with vendors: registration, the signed agreement each runs under, the grants the person
/// gives, and their end. OAuth state (applications, authorizations, tokens) is OpenIddict's, in the server.
/// </summary>
internal sealed class RelationshipService(SymbolonDbContext db, TimeProvider time)
{
    private static readonly JsonSerializerOptions CanonicalJson = new() { WriteIndented = false };

    public async Task<RelationshipEntity> RegisterAsync(Guid vaultId, VendorRegistration registration, CancellationToken ct = default)
    {
        var relationship = new RelationshipEntity
        {
            VaultId = vaultId,
            Id = UuidV7.Create(time.GetUtcNow()),
            ClientId = registration.ClientId,
            VendorName = registration.Name,
            ClientUri = registration.ClientUri,
            LogoUri = registration.LogoUri,
            PolicyUri = registration.PolicyUri,
            TermsUri = registration.TermsUri,
            WebhookUri = registration.WebhookUri,
            WebhookSecretProtected = registration.WebhookSecretProtected,
            VendorSigningKey = registration.VendorSigningKey,
            AcceptableAgreements = string.Join(',', registration.Agreements),
            Subject = PairwiseIds.NewSubject(),
            PairwiseKey = RandomNumberGenerator.GetBytes(32),
            CreatedAt = time.GetUtcNow(),
        };
        db.Relationships.Add(relationship);
        await db.SaveChangesAsync(ct);
        return relationship;
    }

    public Task<RelationshipEntity?> FindByClientIdAsync(string clientId, CancellationToken ct = default) =>
        db.Relationships.SingleOrDefaultAsync(r => r.ClientId == clientId, ct);

    public Task<RelationshipEntity?> FindAsync(Guid vaultId, Guid id, CancellationToken ct = default) =>
        db.Relationships.SingleOrDefaultAsync(r => r.VaultId == vaultId && r.Id == id, ct);

    public async Task<AgreementRecordEntity?> FindAgreementAsync(RelationshipEntity relationship, CancellationToken ct = default) =>
        relationship.AgreementRecordId is { } id
            ? await db.AgreementRecords.SingleOrDefaultAsync(a => a.VaultId == relationship.VaultId && a.Id == id, ct)
            : null;

    /// <summary>
    /// The most protective agreement in force in the relationship: its current agreement and those of its grants
    /// that are neither revoked nor expired. Checks of what the terms forbid (marketing, third parties) go by this,
    /// so an agreement a grant was given under keeps binding the vendor while the grant lasts.
    /// </summary>
    public async Task<string?> StrictestAgreementInForceAsync(RelationshipEntity relationship, CancellationToken ct = default)
    {
        var current = (await FindAgreementAsync(relationship, ct))?.AgreementId;

        // Note: SQLite cannot compare DateTimeOffset in SQL, so expiry is checked here (a relationship has few grants).
        var now = time.GetUtcNow();
        var grants = await db.Grants.AsNoTracking()
            .Where(g => g.VaultId == relationship.VaultId && g.RelationshipId == relationship.Id && g.RevokedAt == null)
            .Select(g => new { g.AgreementId, g.ExpiresAt })
            .ToListAsync(ct);
        return AgreementRoster.Strictest(grants.Where(g => g.ExpiresAt is null || g.ExpiresAt > now).Select(g => g.AgreementId).Append(current));
    }

    /// <summary>
    /// The vendor accepts one of the proffered agreements. The vault signs the record at once; the vendor can
    /// countersign it with its registered key. Accepting again replaces the relationship's agreement going forward
    /// (earlier records stay, and grants keep naming the agreement they were given under), but only with the same or
    /// stricter terms: the person agreed to the agreement in force, so a looser one is refused
    /// (<see cref="AgreementWeakeningRefusedException"/>).
    /// </summary>
    public async Task<AgreementRecordEntity> AcceptAgreementAsync(VaultKeys keys, RelationshipEntity relationship, AgreementAcceptance acceptance, string issuer, CancellationToken ct = default)
    {
        EnsureActive(relationship);
        var vault = await db.Vaults.SingleAsync(v => v.Id == keys.VaultId, ct);
        var agreement = AgreementRoster.ProfferedBy(vault.ProfferedAgreements).FirstOrDefault(a => a.Id == acceptance.Agreement)
            ?? throw new ProtocolViolationException($"\"{Shorten(acceptance.Agreement)}\" is not an agreement this vault proffers (see /.well-known/symbolon).");
        if (!string.Equals(agreement.TextSha256, acceptance.TextSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ProtocolViolationException($"text_sha256 does not match the text of {agreement.Id} the vault proffers; fetch /.well-known/symbolon again.");
        }

        if (!relationship.AcceptableAgreements.Split(',').Contains(agreement.Id))
        {
            throw new ProtocolViolationException($"{agreement.Id} is not among the agreements this client registered as acceptable.");
        }

        var inForce = await StrictestAgreementInForceAsync(relationship, ct);
        if (AgreementRoster.Strictness(agreement.Id) < AgreementRoster.Strictness(inForce))
        {
            throw new AgreementWeakeningRefusedException(inForce!, agreement.Id);
        }

        var now = time.GetUtcNow();
        var id = UuidV7.Create(now);
        var content = new AgreementContent(
            id.ToString(),
            agreement.Id,
            agreement.TextSha256,
            relationship.Subject,
            Base64Url.EncodeToString(vault.SigningPublicKey),
            relationship.ClientId,
            relationship.VendorName,
            issuer,
            now);
        var signed = JsonSerializer.SerializeToUtf8Bytes(content, CanonicalJson);
        var record = new AgreementRecordEntity
        {
            VaultId = keys.VaultId,
            Id = id,
            RelationshipId = relationship.Id,
            AgreementId = agreement.Id,
            TextSha256 = agreement.TextSha256,
            SignedContent = signed,
            VaultSignature = SignatureAlgorithm.Ed25519.Sign(keys.SigningKey, signed),
            AcceptedAt = now,
        };
        db.AgreementRecords.Add(record);
        relationship.AgreementRecordId = id;
        await db.SaveChangesAsync(ct);
        return record;
    }

    /// <summary>Stores the vendor's Ed25519 signature over the record after checking it against the key it registered.</summary>
    public async Task<AgreementRecordEntity> CountersignAsync(RelationshipEntity relationship, Guid recordId, string signature, CancellationToken ct = default)
    {
        EnsureActive(relationship);
        var record = await db.AgreementRecords.SingleOrDefaultAsync(a => a.VaultId == relationship.VaultId && a.Id == recordId && a.RelationshipId == relationship.Id, ct)
            ?? throw new RelationshipNotFoundException("agreement record");
        if (relationship.VendorSigningKey is null)
        {
            throw new ProtocolViolationException("The client registered no Ed25519 key (jwks), so it cannot countersign.");
        }

        byte[] signatureBytes;
        try
        {
            signatureBytes = Base64Url.DecodeFromChars(signature);
        }
        catch (FormatException)
        {
            throw new ProtocolViolationException("signature must be base64url.");
        }

        var key = PublicKey.Import(SignatureAlgorithm.Ed25519, relationship.VendorSigningKey, KeyBlobFormat.RawPublicKey);
        if (!SignatureAlgorithm.Ed25519.Verify(key, record.SignedContent, signatureBytes))
        {
            throw new ProtocolViolationException("signature does not verify over signed_content with the client's registered key.");
        }

        record.VendorSignature = signatureBytes;
        record.CountersignedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return record;
    }

    public static AgreementRecord ToContract(AgreementRecordEntity record) => new(
        JsonSerializer.Deserialize<AgreementContent>(record.SignedContent)!,
        Base64Url.EncodeToString(record.SignedContent),
        Base64Url.EncodeToString(record.VaultSignature),
        record.VendorSignature is null ? null : Base64Url.EncodeToString(record.VendorSignature));

    /// <summary>
    /// Records what the person granted, with a signed consent receipt (shaped after ISO/IEC TS 27560 and the
    /// Kantara consent receipt). The caller binds it to an OpenIddict authorization in the same unit of work.
    /// </summary>
    public async Task<GrantEntity> CreateGrantAsync(
        VaultKeys keys,
        RelationshipEntity relationship,
        string requestedDetails,
        IReadOnlyList<GrantedDatatype> granted,
        DateTimeOffset? expiresAt,
        string issuer,
        CancellationToken ct = default)
    {
        EnsureActive(relationship);
        var agreement = await FindAgreementAsync(relationship, ct)
            ?? throw new ProtocolViolationException("The vendor has not accepted an agreement.");
        var now = time.GetUtcNow();
        var grant = new GrantEntity
        {
            VaultId = keys.VaultId,
            Id = UuidV7.Create(now),
            RelationshipId = relationship.Id,
            AgreementId = agreement.AgreementId,
            Purpose = string.Join("; ", granted.Select(g => g.Purpose).Distinct()),
            RequestedDetails = requestedDetails,
            GrantedDetails = GrantedDatatype.ToJson(granted),
            CreatedAt = now,
            ExpiresAt = expiresAt,
            Receipt = [],
            ReceiptSignature = [],
        };
        grant.Receipt = ConsentReceipt.Create(grant, relationship, agreement, granted, issuer);
        grant.ReceiptSignature = SignatureAlgorithm.Ed25519.Sign(keys.SigningKey, grant.Receipt);
        db.Grants.Add(grant);
        await db.SaveChangesAsync(ct);
        return grant;
    }

    /// <summary>Binds the grant to the OpenIddict authorization its tokens hang off, so revoking one revokes the other.</summary>
    public async Task BindAuthorizationAsync(GrantEntity grant, string authorizationId, CancellationToken ct = default)
    {
        grant.AuthorizationId = authorizationId;
        await db.SaveChangesAsync(ct);
    }

    public Task<GrantEntity?> FindGrantAsync(Guid vaultId, Guid grantId, CancellationToken ct = default) =>
        db.Grants.SingleOrDefaultAsync(g => g.VaultId == vaultId && g.Id == grantId, ct);

    public async Task<IReadOnlyList<RelationshipEntity>> ListAsync(Guid vaultId, CancellationToken ct = default) =>
        await db.Relationships.Where(r => r.VaultId == vaultId).OrderBy(r => r.CreatedAt).ToListAsync(ct);

    public async Task<IReadOnlyList<GrantEntity>> ListGrantsAsync(RelationshipEntity relationship, CancellationToken ct = default) =>
        await db.Grants.Where(g => g.VaultId == relationship.VaultId && g.RelationshipId == relationship.Id).OrderBy(g => g.CreatedAt).ToListAsync(ct);

    /// <summary>Marks the grant revoked. Returns false when it already was. The caller revokes its OAuth authorization and tokens.</summary>
    public async Task<bool> RevokeGrantAsync(GrantEntity grant, CancellationToken ct = default)
    {
        if (grant.RevokedAt is not null)
        {
            return false;
        }

        grant.RevokedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Ends the relationship and revokes every grant in it.</summary>
    public async Task<IReadOnlyList<GrantEntity>> EndAsync(RelationshipEntity relationship, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        relationship.EndedAt ??= now;
        var revoked = await db.Grants
            .Where(g => g.VaultId == relationship.VaultId && g.RelationshipId == relationship.Id && g.RevokedAt == null)
            .ToListAsync(ct);
        foreach (var grant in revoked)
        {
            grant.RevokedAt = now;
        }

        await db.SaveChangesAsync(ct);
        return revoked;
    }

    /// <summary>Appends one line to the access log. Saved with the caller's next SaveChanges unless <paramref name="save"/> is set.</summary>
    public async Task LogAccessAsync(RelationshipEntity relationship, GrantEntity? grant, string action, IEnumerable<string> datatypes, bool allowed, int statusCode, bool save = true, CancellationToken ct = default)
    {
        db.AccessLog.Add(NewAccessLogEntry(time, relationship, grant, action, datatypes, allowed, statusCode));
        if (save)
        {
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>
    /// One access-log line, not yet added anywhere (the data API commits reads' lines in groups). Static, so that a
    /// read does not construct a service and its database context only to build its line.
    /// </summary>
    public static AccessLogEntity NewAccessLogEntry(TimeProvider time, RelationshipEntity relationship, GrantEntity? grant, string action, IEnumerable<string> datatypes, bool allowed, int statusCode) =>
        NewAccessLogEntry(time.GetUtcNow(), relationship, grant, action, string.Join(',', datatypes), allowed, statusCode);

    /// <summary>One access-log line at <paramref name="at"/>, its datatypes already joined with commas.</summary>
    public static AccessLogEntity NewAccessLogEntry(DateTimeOffset at, RelationshipEntity relationship, GrantEntity? grant, string action, string datatypes, bool allowed, int statusCode) => new()
    {
        VaultId = relationship.VaultId,
        Id = UuidV7.Create(at),
        RelationshipId = relationship.Id,
        GrantId = grant?.Id,
        At = at,
        Action = action,
        Datatypes = Shorten(datatypes, 1000),
        Purpose = grant?.Purpose,
        Allowed = allowed,
        StatusCode = statusCode,
    };

    private static void EnsureActive(RelationshipEntity relationship)
    {
        if (relationship.EndedAt is not null)
        {
            throw new ProtocolViolationException("The person ended this relationship.");
        }
    }

    private static string Shorten(string value, int max = 64) => value.Length <= max ? value : value[..max];
}
