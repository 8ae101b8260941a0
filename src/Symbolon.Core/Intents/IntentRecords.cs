using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;
using Symbolon.Intents;

namespace Symbolon.Core.Intents;

/// <summary>
/// What an <c>intent</c> record holds (sealed with the vault's data key, like every record): the intent document as
/// signed, its private keys (64 bytes, <see cref="IntentKeys.Export"/>), where it went and how it stands. Nothing of it
/// is on disk in the clear.
/// </summary>
internal sealed record IntentValue(
    string IntentId,
    SignedDocument Signed,
    byte[] PrivateKeys,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? ClosedAt,
    IReadOnlyList<IntentReachValue> Relationships,
    IReadOnlyList<IntentExchangeValue> Exchanges,
    IntentBlocklist? Blocklist,
    int Refused,
    IntentAcceptanceValue? Acceptance);

/// <summary>A relationship the intent was addressed to (the name as it was when the intent was made).</summary>
internal sealed record IntentReachValue(Guid RelationshipId, string Name);

/// <summary>
/// The intent's state at one exchange: posting (pending, with backoff), polling (the offers cursor), and the deletion
/// still owed to it once the intent closed (<see cref="DeletePending"/>).
/// </summary>
internal sealed record IntentExchangeValue(
    string Exchange,
    string State,
    string? LastError,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? PostedAt,
    DateTimeOffset? LastPolledAt,
    string? Cursor,
    bool DeletePending);

/// <summary>
/// An accepted offer and the delivery of the acceptance: for an exchange offer, the sealed acceptance waiting to be
/// sent (retried like posting) until <see cref="Delivered"/>; for a related vendor's offer, the code of the invitation
/// bound to its relationship (<see cref="InvitationCode"/>, when the person chose something to share), which that
/// vendor reads on the intent.
/// </summary>
internal sealed record IntentAcceptanceValue(
    string OfferId,
    string? Exchange,
    SealedEnvelope? Envelope,
    bool Delivered,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    DateTimeOffset? InvitationExpiresAt,
    IReadOnlyList<string> Datatypes,
    string? InvitationCode = null);

/// <summary>
/// What an <c>intent.offer</c> record holds: the offer as checked (for an exchange offer also the vendor's signed bytes,
/// as proof), where it came from and what the person did with it. <see cref="OfferId"/> is the vault's id: the
/// exchange's relay id for exchange offers, a <c>rof_</c> id of the vault's for direct offers (the vendor's own
/// <c>off_</c> id is <see cref="OfferDocument.Id"/>).
/// </summary>
internal sealed record IntentOfferValue(
    string IntentId,
    string OfferId,
    string Source,
    Guid? RelationshipId,
    string? Exchange,
    OfferDocument Offer,
    SignedDocument? Signed,
    string Status,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? DecidedAt);

/// <summary>What the <c>intent.blocked</c> record holds: the vendors the person blocked, by their exchange key.</summary>
internal sealed record BlockedVendorsValue(IReadOnlyList<BlockedVendorValue> Vendors);

/// <summary>One blocked vendor.</summary>
internal sealed record BlockedVendorValue(string SignKey, string Name, DateTimeOffset BlockedAt);

/// <summary>What the <c>intent.exchanges</c> record holds: the exchanges the person allows intents to be posted to.</summary>
internal sealed record IntentExchangesValue(IReadOnlyList<string> Exchanges);

/// <summary>An intent refused for a reason the caller can act on (SYM27xx); messages never quote a value.</summary>
internal sealed class IntentProblemException(string code, int status, string title, string detail)
    : SymbolonProblemException(code, status, title, detail)
{
    public static IntentProblemException NotFound() =>
        new(ProblemCodes.IntentNotFound, 404, "Not found.", "There is no intent with that id.");

    public static IntentProblemException NotOpen() =>
        new(ProblemCodes.IntentNotOpen, 409, "The intent is closed.", "The intent was accepted, withdrawn or has expired; it takes no more offers or changes.");

    public static IntentProblemException OfferNotFound() =>
        new(ProblemCodes.IntentOfferNotFound, 404, "Not found.", "This intent has no offer with that id; list its offers for the ids.");

    public static IntentProblemException OfferNotOpen() =>
        new(ProblemCodes.IntentOfferNotOpen, 409, "The offer is not open.", "The offer was declined, accepted, closed or has expired.");

    public static IntentProblemException Replayed() =>
        new(ProblemCodes.IntentOfferReplayed, 409, "Already offered.", "An offer with this id was already made on this intent; an offer is made once. Use a new offer id.");
}
