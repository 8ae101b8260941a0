using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using Symbolon.Contracts.Card;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Card;
using Symbolon.Core.Problems;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Server.OAuth;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Symbolon.Server.Card;

/// <summary>No card request with that id in the owner's vault.</summary>
internal sealed class CardRequestNotFoundException() : SymbolonProblemException(
    ProblemCodes.CardRequestNotFound, 404, "Not found.", "The card request does not exist. See your card's requests for the ids.", message: "The card request does not exist.");

/// <summary>The card request was already decided or has lapsed.</summary>
internal sealed class CardRequestNotPendingException(string status) : SymbolonProblemException(
    ProblemCodes.CardRequestNotPending, 409, "That request is no longer waiting.", Describe(status), message: Describe(status))
{
    private static string Describe(string status) => $"The request is {status}; only a pending request can be approved or declined.";
}

/// <summary>
/// Requests vendors make at the counter with a redeemed card code (RFC 8628 device authorization): recording them,
/// answering them at once when the person's standing rule or a grant already in force allows it, and the person's
/// approval (a grant with its signed receipt, bound to an OpenIddict authorization, exactly as on the consent page)
/// or refusal. The vendor's device code is OpenIddict's: approving marks its token entry valid under the grant's
/// authorization, declining marks it rejected, and OpenIddict answers the polls (<c>authorization_pending</c>,
/// <c>access_denied</c>, <c>expired_token</c>); only the pace of polling (<c>slow_down</c>) is checked here.
/// </summary>
internal sealed class CardRequests(
    SymbolonDbContext db,
    RelationshipService relationships,
    IVaultSessions sessions,
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictTokenManager tokens,
    IServiceProvider services,
    CardOptions options,
    TimeProvider time)
{
    /// <summary>RFC 8628 §3.2: the default polling interval, and §3.5: what each <c>slow_down</c> adds.</summary>
    public const int IntervalSeconds = 5;

    /// <summary>The claim on the device code's principal naming the card request.</summary>
    public const string RequestClaim = "symbolon_card_request";

    /// <summary>Standing-rule grants last a year; the person can revoke them any time.</summary>
    public static readonly TimeSpan RuleGrantLifetime = TimeSpan.FromDays(365);

    /// <summary>Records the request once OpenIddict issued its device code, then answers it at once if it may.</summary>
    public async Task<CardRequestEntity> RecordAsync(Guid requestId, RelationshipEntity relationship, CardCodeEntity code, string requestedDetails, string deviceCode, string issuer, CancellationToken ct)
    {
        var token = await tokens.FindByReferenceIdAsync(deviceCode, ct)
            ?? throw new InvalidOperationException("OpenIddict did not store the device code.");
        var now = time.GetUtcNow();
        var request = new CardRequestEntity
        {
            VaultId = relationship.VaultId,
            Id = requestId,
            RelationshipId = relationship.Id,
            CardCodeId = code.Id,
            RequestedDetails = requestedDetails,
            Status = CardRequestStatus.Pending,
            CreatedAt = now,
            ExpiresAt = now + options.RequestLifetime,
            DeviceCodeTokenId = await tokens.GetIdAsync(token, ct),
            DeviceCodeHash = HashDeviceCode(deviceCode),
            IntervalSeconds = IntervalSeconds,
        };
        db.CardRequests.Add(request);
        await db.SaveChangesAsync(ct);
        await TryAnswerAutomaticallyAsync(request, relationship, issuer, ct);
        return request;
    }

    /// <summary>
    /// RFC 8628 §3.5: a poll sooner than the interval after the last one is told to slow down, and the interval
    /// grows by 5 seconds for every later poll. Another client's poll with this device code is refused outright,
    /// so it does not even learn whether the person decided.
    /// </summary>
    public async Task<PollPace> PaceAsync(string? deviceCode, string? clientId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(deviceCode))
        {
            return PollPace.NotACardRequest;
        }

        var hash = HashDeviceCode(deviceCode);
        var request = await db.CardRequests.SingleOrDefaultAsync(r => r.DeviceCodeHash == hash, ct);
        if (request is null)
        {
            return PollPace.NotACardRequest;
        }

        var relationship = await relationships.FindAsync(request.VaultId, request.RelationshipId, ct);
        if (relationship is null || relationship.ClientId != clientId)
        {
            return PollPace.OtherClient;
        }

        var now = time.GetUtcNow();
        var tooFast = request.LastPolledAt is { } last && now < last.AddSeconds(request.IntervalSeconds);
        if (tooFast)
        {
            request.IntervalSeconds += IntervalSeconds;
        }

        request.LastPolledAt = now;
        await db.SaveChangesAsync(ct);
        return tooFast ? PollPace.TooFast : PollPace.InTime;
    }

    /// <summary>
    /// The grant the person's approval attached to a card request of this relationship, read from the database as
    /// it is now. A poll checks its pace first, which tracks the request in this scope; when the person approves
    /// between that and OpenIddict's look at the device code, the tracked copy still says "no grant", and reading
    /// it would refuse the vendor the tokens the person just gave it.
    /// </summary>
    public async Task<Guid?> GrantOfAsync(Guid vaultId, Guid requestId, Guid relationshipId, CancellationToken ct) =>
        await db.CardRequests
            .Where(r => r.VaultId == vaultId && r.Id == requestId && r.RelationshipId == relationshipId)
            .Select(r => r.GrantId)
            .SingleOrDefaultAsync(ct);

    public Task<CardRequestEntity?> FindAsync(Guid vaultId, Guid id, CancellationToken ct) =>
        db.CardRequests.SingleOrDefaultAsync(r => r.VaultId == vaultId && r.Id == id, ct);

    /// <summary>The person's requests, pending first then newest first; <paramref name="pendingOnly"/> leaves out decided and lapsed ones.</summary>
    public async Task<IReadOnlyList<CardRequest>> ListAsync(Guid vaultId, bool pendingOnly, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var query = db.CardRequests.Where(r => r.VaultId == vaultId);
        if (pendingOnly)
        {
            query = query.Where(r => r.Status == CardRequestStatus.Pending && r.ExpiresAt > now);
        }

        var rows = await query.OrderByDescending(r => r.Id).Take(50).ToListAsync(ct);
        var vendors = await db.Relationships.Where(r => r.VaultId == vaultId).ToDictionaryAsync(r => r.Id, ct);
        return [.. rows
            .Select(r => ToContract(r, vendors[r.RelationshipId], now))
            .OrderBy(r => r.Status == CardRequestStatus.Pending ? 0 : 1)];
    }

    public async Task<CardRequest> GetAsync(Guid vaultId, Guid id, CancellationToken ct)
    {
        var request = await FindAsync(vaultId, id, ct) ?? throw new CardRequestNotFoundException();
        var relationship = await relationships.FindAsync(vaultId, request.RelationshipId, ct) ?? throw new CardRequestNotFoundException();
        return ToContract(request, relationship, time.GetUtcNow());
    }

    /// <summary>The person approves with their choices (see <see cref="ConsentDecision"/>); needs the vault's keys to sign the receipt.</summary>
    public async Task<CardRequest> ApproveAsync(VaultKeys keys, Guid id, IReadOnlyList<GrantedDatatype> granted, DateTimeOffset? expiresAt, string issuer, CancellationToken ct)
    {
        var (request, relationship) = await PendingAsync(keys.VaultId, id, ct);
        if (granted.Count == 0)
        {
            // Nothing left ticked is a refusal, as on the consent page.
            return await DeclineAsync(keys.VaultId, id, ct);
        }

        await ApproveWithNewGrantAsync(keys, request, relationship, granted, expiresAt, issuer, automatically: false, ct);
        return ToContract(request, relationship, time.GetUtcNow());
    }

    public async Task<CardRequest> DeclineAsync(Guid vaultId, Guid id, CancellationToken ct)
    {
        var (request, relationship) = await PendingAsync(vaultId, id, ct);
        if (!await ClaimAsync(request, CardRequestStatus.Declined, automatically: false, ct))
        {
            throw new CardRequestNotPendingException(CardRequestStatus.Approved);
        }

        if (request.DeviceCodeTokenId is not null && await tokens.FindByIdAsync(request.DeviceCodeTokenId, ct) is { } token)
        {
            await tokens.TryRejectAsync(token, ct);
        }

        return ToContract(request, relationship, time.GetUtcNow());
    }

    public async Task<CardRules> GetRulesAsync(Guid vaultId, CancellationToken ct) =>
        new((await db.Vaults.AsNoTracking().SingleAsync(v => v.Id == vaultId, ct)).CardAutoApproveAppend);

    public async Task<CardRules> SetRulesAsync(Guid vaultId, CardRules rules, CancellationToken ct)
    {
        await db.Vaults.Where(v => v.Id == vaultId).ExecuteUpdateAsync(set => set.SetProperty(v => v.CardAutoApproveAppend, rules.AutoApproveAppend), ct);
        return await GetRulesAsync(vaultId, ct);
    }

    /// <summary>
    /// True when a request only adds to datatypes outside the profile (notes, receipts, loyalty, check-ins): what the
    /// standing rule lets through. Profile datatypes are excluded even for append: adding an address is a change to
    /// who the person says they are.
    /// </summary>
    public static bool IsAppendOnly(IReadOnlyList<AuthorizationDetail> details) =>
        details.All(d => d.Actions.All(a => a == DataActions.Append)
            && d.Datatypes.All(t => DatatypeCatalog.Find(t) is { IsProfile: false } info && info.Actions.Contains(DataActions.Append)));

    /// <summary>"Blue Door Coffee wants to add notes and see your email addresses — under SD-BASE".</summary>
    public static string Summarize(string vendorName, IReadOnlyList<AuthorizationDetail> details, string agreement)
    {
        var parts = details
            .GroupBy(d => string.Join(" and ", d.Actions.Select(DatatypeCatalog.DescribeAction)))
            .Select(g => $"{g.Key} {string.Join(", ", g.SelectMany(d => d.Datatypes).Distinct().Select(t => (DatatypeCatalog.Find(t)?.Title ?? t).ToLowerInvariant()))}");
        return $"{vendorName} wants to {string.Join("; and to ", parts)} — under {agreement}";
    }

    /// <summary>The stored request; it was validated like a pushed request when the vendor made it.</summary>
    public static IReadOnlyList<AuthorizationDetail> DetailsOf(CardRequestEntity request) =>
        System.Text.Json.JsonSerializer.Deserialize<List<AuthorizationDetail>>(request.RequestedDetails) ?? [];

    private static CardRequest ToContract(CardRequestEntity request, RelationshipEntity relationship, DateTimeOffset now)
    {
        var details = DetailsOf(request);
        var agreement = details[0].Agreement;
        var status = request.Status == CardRequestStatus.Pending && request.ExpiresAt <= now ? "expired" : request.Status;
        return new CardRequest(
            request.Id, relationship.Id, relationship.VendorName, relationship.ClientUri, agreement,
            Summarize(relationship.VendorName, details, agreement), details, status,
            request.CreatedAt, request.ExpiresAt, request.DecidedAt, request.DecidedAutomatically, request.GrantId);
    }

    private async Task<(CardRequestEntity Request, RelationshipEntity Relationship)> PendingAsync(Guid vaultId, Guid id, CancellationToken ct)
    {
        var request = await FindAsync(vaultId, id, ct) ?? throw new CardRequestNotFoundException();
        var relationship = await relationships.FindAsync(vaultId, request.RelationshipId, ct) ?? throw new CardRequestNotFoundException();
        if (request.Status != CardRequestStatus.Pending)
        {
            throw new CardRequestNotPendingException(request.Status);
        }

        if (request.ExpiresAt <= time.GetUtcNow())
        {
            throw new CardRequestNotPendingException("expired");
        }

        if (relationship.EndedAt is not null)
        {
            throw new CardRequestNotPendingException("from a vendor whose relationship you ended");
        }

        return (request, relationship);
    }

    /// <summary>Moves the request out of pending with a conditional update, so two answers at once cannot both win.</summary>
    private async Task<bool> ClaimAsync(CardRequestEntity request, string status, bool automatically, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var updated = await db.CardRequests
            .Where(r => r.VaultId == request.VaultId && r.Id == request.Id && r.Status == CardRequestStatus.Pending)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.Status, status).SetProperty(r => r.DecidedAt, now).SetProperty(r => r.DecidedAutomatically, automatically), ct);
        if (updated == 1)
        {
            request.Status = status;
            request.DecidedAt = now;
            request.DecidedAutomatically = automatically;
        }

        return updated == 1;
    }

    private async Task TryAnswerAutomaticallyAsync(CardRequestEntity request, RelationshipEntity relationship, string issuer, CancellationToken ct)
    {
        var details = DetailsOf(request);
        var now = time.GetUtcNow();

        // A grant already in force that allows every action on every datatype asked: the vendor knows the person.
        var grants = await relationships.ListGrantsAsync(relationship, ct);
        var covering = grants.LastOrDefault(g => g.IsActive(now) && g.AuthorizationId is not null && Covers(GrantedDatatype.ParseList(g.GrantedDetails), details));
        if (covering is not null)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (await ClaimAsync(request, CardRequestStatus.Approved, automatically: true, ct))
            {
                await ActivateDeviceCodeAsync(request, relationship, covering, covering.AuthorizationId!, ct);
                await transaction.CommitAsync(ct);
            }

            return;
        }

        var vault = await db.Vaults.AsNoTracking().SingleAsync(v => v.Id == request.VaultId, ct);
        var keys = sessions.Find(request.VaultId)?.Keys;

        // The standing rule signs a receipt like any grant, so it applies only while the vault is unlocked;
        // a locked vault leaves the request for the person.
        if (vault.CardAutoApproveAppend && keys is not null && IsAppendOnly(details))
        {
            await ApproveWithNewGrantAsync(keys, request, relationship, ConsentDecision.All(details), now + RuleGrantLifetime, issuer, automatically: true, ct);
        }
    }

    private static bool Covers(IReadOnlyList<GrantedDatatype> granted, IReadOnlyList<AuthorizationDetail> details) =>
        details.All(d => d.Datatypes.All(t => granted.FirstOrDefault(g => g.Datatype == t) is { } g && d.Actions.All(g.Allows)));

    private async Task ApproveWithNewGrantAsync(
        VaultKeys keys, CardRequestEntity request, RelationshipEntity relationship, IReadOnlyList<GrantedDatatype> granted,
        DateTimeOffset? expiresAt, string issuer, bool automatically, CancellationToken ct)
    {
        // One transaction (OpenIddict's stores share this DbContext): the claim, the grant with its receipt, the
        // authorization and the device code's entry commit together, so a failure part-way leaves the request
        // pending and nothing half-written.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!await ClaimAsync(request, CardRequestStatus.Approved, automatically, ct))
        {
            throw new CardRequestNotPendingException(CardRequestStatus.Declined);
        }

        var grant = await relationships.CreateGrantAsync(keys, relationship, request.RequestedDetails, granted, expiresAt, issuer, ct);
        var identity = AuthorizationEndpoints.NewIdentity(relationship.Subject, grant.Id);
        var authorizationId = await ConsentDecision.AuthorizeAsync(applications, authorizations, relationships, relationship, grant, identity, ct);
        await ActivateDeviceCodeAsync(request, relationship, grant, authorizationId, ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// What OpenIddict's end-user verification step does to a device code: the entry becomes valid and belongs to
    /// the authorization, so the next poll is answered with tokens and revoking the grant revokes the code too.
    /// </summary>
    private async Task ActivateDeviceCodeAsync(CardRequestEntity request, RelationshipEntity relationship, GrantEntity grant, string authorizationId, CancellationToken ct)
    {
        request.GrantId = grant.Id;
        await db.CardRequests.Where(r => r.VaultId == request.VaultId && r.Id == request.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.GrantId, grant.Id), ct);

        var store = services.GetRequiredService<IOpenIddictTokenStore<OpenIddictEntityFrameworkCoreToken>>();
        var token = request.DeviceCodeTokenId is null ? null : await store.FindByIdAsync(request.DeviceCodeTokenId, ct);
        if (token is null)
        {
            return;
        }

        await store.SetAuthorizationIdAsync(token, authorizationId, ct);
        await store.SetSubjectAsync(token, relationship.Subject, ct);
        await store.SetStatusAsync(token, Statuses.Valid, ct);
        await store.UpdateAsync(token, ct);
    }

    private static byte[] HashDeviceCode(string deviceCode) => SHA256.HashData(Encoding.UTF8.GetBytes(deviceCode));
}

/// <summary>What <see cref="CardRequests.PaceAsync"/> found.</summary>
internal enum PollPace
{
    NotACardRequest,
    OtherClient,
    TooFast,
    InTime,
}

/// <summary>How long card codes and the requests made with them live (configuration section <c>Card</c>).</summary>
internal sealed class CardOptions
{
    /// <summary>How long a pairing code on the card works (default 5 minutes).</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a vendor's request waits for the person (the device code's lifetime; default 10 minutes).</summary>
    public TimeSpan RequestLifetime { get; set; } = TimeSpan.FromMinutes(10);
}
