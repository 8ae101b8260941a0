using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Problems;
using Symbolon.Core.Records;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Relationships;

/// <summary>What the person chose to disclose when accepting an offer: the grant an invitation can be redeemed for, and no more.</summary>
/// <param name="Datatypes">The datatypes, read-only unless <see cref="Actions"/> says otherwise.</param>
/// <param name="Narrowing">Per datatype, the narrowing chosen (missing means full).</param>
/// <param name="Purpose">The purpose, in words, as the consent receipt will name it.</param>
/// <param name="Agreement">The agreement the relationship must be under (the vendor accepts it before redeeming).</param>
/// <param name="ExpiresAt">When the grant ends; null means until revoked.</param>
/// <param name="Actions">Per datatype, the actions allowed; a datatype missing here is <c>read</c> only.</param>
internal sealed record InvitationGrant(
    IReadOnlyList<string> Datatypes,
    IReadOnlyDictionary<string, string> Narrowing,
    string Purpose,
    string Agreement,
    DateTimeOffset? ExpiresAt,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Actions = null)
{
    /// <summary>The actions the invitation allows on a datatype (<c>read</c> when it says nothing).</summary>
    public IReadOnlyList<string> ActionsFor(string datatype) =>
        Actions is not null && Actions.TryGetValue(datatype, out var actions) ? actions : [DataActions.Read];
}

/// <summary>Where an invitation comes from: the accepted offer, and the text that opens the relationship's conversation.</summary>
/// <param name="IntentId">The intent.</param>
/// <param name="OfferId">The vault's id of the accepted offer.</param>
/// <param name="VendorName">The vendor's name as its offer gave it.</param>
/// <param name="VendorSite">The vendor's site as its offer gave it.</param>
/// <param name="VendorSignKey">The vendor's Ed25519 key (base64url) that signed the offer.</param>
/// <param name="FirstMessage">The offer in words: the first entry of the relationship's conversation.</param>
/// <param name="RelationshipId">
/// For an offer from a vendor the person already relates to: the only relationship that may redeem it (the offer is
/// already in its conversation, so redeeming adds no message).
/// </param>
internal sealed record InvitationOrigin(string IntentId, Guid OfferId, string VendorName, string VendorSite, string VendorSignKey, string FirstMessage, Guid? RelationshipId = null);

/// <summary>A new invitation: the code is shown once (it goes into the sealed acceptance) and only its hash is kept.</summary>
internal sealed record CreatedInvitation(Guid Id, string Code, DateTimeOffset ExpiresAt);

/// <summary>How an invitation stands.</summary>
internal static class InvitationStatuses
{
    /// <summary>Sent; the vendor has not redeemed it yet.</summary>
    public const string Waiting = "waiting";

    /// <summary>Redeemed: the relationship exists.</summary>
    public const string Connected = "connected";

    /// <summary>Not redeemed in time.</summary>
    public const string Expired = "expired";

    /// <summary>The person took it back before it was redeemed.</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>An invitation as the vault keeps it (an encrypted record of type <see cref="RelationshipInvitations.RecordType"/>).</summary>
internal sealed record InvitationState(
    Guid Id,
    string CodeSha256,
    InvitationGrant Grant,
    InvitationOrigin Origin,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RedeemedAt = null,
    string? ClientId = null,
    Guid? RelationshipId = null,
    DateTimeOffset? CancelledAt = null)
{
    public string StatusAt(DateTimeOffset now) =>
        RedeemedAt is not null ? InvitationStatuses.Connected
        : CancelledAt is not null ? InvitationStatuses.Cancelled
        : ExpiresAt <= now ? InvitationStatuses.Expired
        : InvitationStatuses.Waiting;
}

/// <summary>An invitation that cannot be redeemed; the code is never echoed.</summary>
internal sealed class InvitationProblemException(string code, int status, string title, string detail)
    : SymbolonProblemException(code, status, title, detail, message: detail);

/// <summary>
/// Invitations: how a person who accepted an offer lets exactly that vendor into a relationship without a browser
/// round trip. Accepting creates an invitation holding the grant the person chose; the code travels to the vendor
/// only inside the acceptance sealed to its key. The vendor registers at the vault as any vendor does, accepts the
/// agreement, and redeems the code at the token endpoint with the invitation grant type
/// (<c>urn:symbolon:params:oauth:grant-type:invitation</c>): it gets tokens for at most what the person chose,
/// once, before the code expires. Stored as encrypted records, so they are versioned, backed up and exported with
/// the vault; redeeming is an update with the version read, so two redemptions of one code cannot both win.
/// </summary>
internal sealed class RelationshipInvitations(RecordStore records, TimeProvider time)
{
    public const string RecordType = "relationship.invitation";

    /// <summary>How long a vendor has to redeem an invitation.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<CreatedInvitation> CreateAsync(VaultKeys keys, InvitationGrant grant, InvitationOrigin origin, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentNullException.ThrowIfNull(origin);
        if (grant.Datatypes.Count == 0)
        {
            throw new ArgumentException("An invitation grants at least one datatype.", nameof(grant));
        }

        var code = "inv_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = time.GetUtcNow();
        var state = new InvitationState(Guid.Empty, Hash(code), grant, origin, now, now + Lifetime);
        var record = await records.CreateAsync(keys, RecordType, JsonSerializer.SerializeToUtf8Bytes(state, Json), Actor.Owner, ct);
        return new CreatedInvitation(record.Id, code, state.ExpiresAt);
    }

    /// <summary>Every invitation of the vault, newest first.</summary>
    public async Task<IReadOnlyList<InvitationState>> ListAsync(VaultKeys keys, CancellationToken ct = default) =>
        [.. (await records.ListAsync(keys, RecordType, ct)).Where(r => r.Type == RecordType).Select(Read).OrderByDescending(s => s.CreatedAt)];

    /// <summary>The invitation made when accepting an offer of this intent, if any.</summary>
    public async Task<InvitationState?> FindByIntentAsync(VaultKeys keys, string intentId, CancellationToken ct = default) =>
        (await ListAsync(keys, ct)).FirstOrDefault(s => s.Origin.IntentId == intentId);

    public async Task<InvitationState?> FindAsync(VaultKeys keys, Guid id, CancellationToken ct = default) =>
        await records.FindAsync(keys, id, ct) is { Type: RecordType } record ? Read(record) : null;

    /// <summary>Takes back an invitation not redeemed yet.</summary>
    public async Task CancelAsync(VaultKeys keys, Guid id, CancellationToken ct = default)
    {
        var record = await records.FindAsync(keys, id, ct);
        if (record is not { Type: RecordType })
        {
            return;
        }

        var state = Read(record);
        if (state.RedeemedAt is null && state.CancelledAt is null)
        {
            await records.UpdateAsync(keys, id, JsonSerializer.SerializeToUtf8Bytes(state with { CancelledAt = time.GetUtcNow() }, Json), Actor.Owner, record.Version, ct);
        }
    }

    /// <summary>
    /// Finds the invitation a code belongs to and marks it redeemed by <paramref name="clientId"/>, in one versioned
    /// update; refuses an unknown, used, cancelled or expired code with the same answer, so the answer tells nothing.
    /// The caller creates the grant in the same unit of work (the record store saves with the caller's context).
    /// </summary>
    public async Task<InvitationState> RedeemAsync(VaultKeys keys, string code, string clientId, Guid relationshipId, CancellationToken ct = default)
    {
        var hash = Hash(code);
        var now = time.GetUtcNow();
        foreach (var record in await records.ListAsync(keys, RecordType, ct))
        {
            if (record.Type != RecordType)
            {
                continue;
            }

            var state = Read(record);
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(state.CodeSha256), Encoding.ASCII.GetBytes(hash)))
            {
                continue;
            }

            // Bound to one relationship: any other client gets the same answer as for an unknown code.
            if (state.StatusAt(now) != InvitationStatuses.Waiting || state.Origin.RelationshipId is { } bound && bound != relationshipId)
            {
                break;
            }

            var redeemed = state with { RedeemedAt = now, ClientId = clientId, RelationshipId = relationshipId };
            try
            {
                await records.UpdateAsync(keys, record.Id, JsonSerializer.SerializeToUtf8Bytes(redeemed, Json), Actor.Vendor(clientId), record.Version, ct);
            }
            catch (RecordVersionConflictException)
            {
                break;
            }

            return redeemed with { Id = record.Id };
        }

        throw Refused();
    }

    public static InvitationProblemException Refused() => new(
        Symbolon.Contracts.Problems.ProblemCodes.InvitationNotRedeemable,
        400,
        "That invitation cannot be redeemed.",
        "It is unknown, already used, taken back, or expired. Ask the person to accept the offer again.");

    private static InvitationState Read(CurrentRecord record) =>
        (JsonSerializer.Deserialize<InvitationState>(record.Json, Json) ?? throw new InvalidDataException("An invitation record is empty.")) with { Id = record.Id };

    private static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
}
