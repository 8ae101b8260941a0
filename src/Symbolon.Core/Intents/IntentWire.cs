using System.Text.Json;
using Symbolon.Contracts.Intents;
using Symbolon.Intents;

namespace Symbolon.Core.Intents;

/// <summary>Intents as the owner API and the CLI show them.</summary>
internal static class IntentWire
{
    public static IntentSummary Summary(IntentView intent, IReadOnlyList<IntentOfferView> offers)
    {
        var own = offers.Where(o => o.Value.IntentId == intent.Value.IntentId).ToList();
        return new IntentSummary(
            intent.Value.IntentId,
            intent.Document.Title,
            intent.Document.Category,
            intent.Value.Status,
            intent.Document.Budget.Max,
            intent.Document.Budget.Currency,
            own.Count,
            own.Count(o => o.Value.Status == IntentOfferStatuses.Open),
            intent.Value.CreatedAt,
            intent.Value.ExpiresAt);
    }

    public static IntentDetail Detail(IntentView intent, IReadOnlyList<IntentOfferView> offers)
    {
        using var json = JsonDocument.Parse(IntentCrypto.Decode(intent.Value.Signed.Payload, IntentRules.MaxIntentBytes)!);
        return new IntentDetail(
            Summary(intent, offers),
            json.RootElement.Clone(),
            [.. intent.Value.Relationships.Select(r => new IntentRelationshipReach(r.RelationshipId, r.Name))],
            [.. intent.Value.Exchanges.Select(e => new IntentExchangeReach(e.Exchange, e.State, e.LastError, e.Attempts, e.PostedAt, e.LastPolledAt))],
            intent.Value.Refused,
            intent.Value.Acceptance?.OfferId,
            intent.Value.ClosedAt);
    }
}
