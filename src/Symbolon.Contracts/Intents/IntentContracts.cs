using System.Text.Json;

namespace Symbolon.Contracts.Intents;

/// <summary>The statuses of an intent (<see cref="IntentSummary.Status"/>).</summary>
public static class IntentStatuses
{
    /// <summary>Out in the market and taking offers.</summary>
    public const string Open = "open";

    /// <summary>The person accepted an offer; the intent is closed everywhere.</summary>
    public const string Accepted = "accepted";

    /// <summary>The person withdrew it; it is closed everywhere.</summary>
    public const string Withdrawn = "withdrawn";

    /// <summary>Its expiry passed; it closed by itself.</summary>
    public const string Expired = "expired";
}

/// <summary>The statuses of an offer (<see cref="IntentOffer.Status"/>).</summary>
public static class IntentOfferStatuses
{
    /// <summary>Received and standing.</summary>
    public const string Open = "open";

    /// <summary>The person declined it (nothing was sent to the vendor).</summary>
    public const string Declined = "declined";

    /// <summary>The person accepted it.</summary>
    public const string Accepted = "accepted";

    /// <summary>Its own expiry passed, or the intent closed without it being accepted.</summary>
    public const string Closed = "closed";
}

/// <summary>Where an offer came from (<see cref="IntentOffer.Source"/>).</summary>
public static class IntentOfferSources
{
    /// <summary>A vendor the person relates to, through the vendor API.</summary>
    public const string Relationship = "relationship";

    /// <summary>An intent exchange, sealed to the intent's key and signed by the vendor.</summary>
    public const string Exchange = "exchange";
}

/// <summary>The state of an intent at one exchange (<see cref="IntentExchangeReach.State"/>).</summary>
public static class IntentExchangeStates
{
    /// <summary>Not posted yet (the vault keeps trying, with backoff).</summary>
    public const string Pending = "pending";

    /// <summary>Posted; offers are polled.</summary>
    public const string Posted = "posted";

    /// <summary>The exchange refused it for good (see <see cref="IntentExchangeReach.LastError"/>).</summary>
    public const string Failed = "failed";

    /// <summary>Withdrawn, expired or accepted, and deleted at the exchange (or being deleted).</summary>
    public const string Closed = "closed";
}

/// <summary>The verdict of one comparison criterion (<see cref="OfferCriterion.Verdict"/>).</summary>
public static class OfferVerdicts
{
    /// <summary>Speaks for the offer.</summary>
    public const string Good = "good";

    /// <summary>Neither for nor against.</summary>
    public const string Fair = "fair";

    /// <summary>Speaks against the offer.</summary>
    public const string Poor = "poor";

    /// <summary>The vault knows nothing to judge it by.</summary>
    public const string Unknown = "unknown";
}

/// <summary>The criteria offers are compared by (<see cref="OfferCriterion.Name"/>).</summary>
public static class OfferCriteria
{
    /// <summary>The price against the intent's budget (and its currency).</summary>
    public const string Price = "price";

    /// <summary>What the person paid this vendor before (transactions and receipts whose merchant matches the vendor).</summary>
    public const string History = "history";

    /// <summary>How this vendor handled the person's requests (answered before the due date?).</summary>
    public const string Requests = "requests";

    /// <summary>The delivery date against the intent's deadline.</summary>
    public const string Delivery = "delivery";

    /// <summary>The vendor's terms: the intent agreement accepted, and returns.</summary>
    public const string Terms = "terms";
}

/// <summary>
/// A new intent as the person fills it in (<c>POST /owner/api/v1/intents</c>, and <c>POST /owner/api/v1/intents/preview</c>
/// to see it first). The vault turns it into the signed intent document with fresh keys.
/// </summary>
/// <param name="Title">A one-line title, 1 to 120 characters.</param>
/// <param name="Category">A category slug, as in insights (<c>clothing</c>, <c>electronics</c>), or a new one.</param>
/// <param name="BudgetMax">The most the person will pay, all in.</param>
/// <param name="Currency">ISO 4217 code of the budget.</param>
/// <param name="Country">ISO 3166-1 alpha-2 delivery (or pick-up) country.</param>
/// <param name="ExpiresInDays">Days until the intent closes by itself, 1 to 90.</param>
/// <param name="Description">Free text, up to 2,000 characters; optional.</param>
/// <param name="Size">A size as the person writes it; optional.</param>
/// <param name="Quantity">How many; optional (one).</param>
/// <param name="Brand">A brand; optional.</param>
/// <param name="Condition"><c>new</c>, <c>used</c> or <c>any</c>; optional.</param>
/// <param name="Deadline">By when it should arrive; optional.</param>
/// <param name="PostalPrefix">For delivery: the first 1 to 3 characters of the postal code; optional.</param>
/// <param name="PickupLatitude">For pick-up: latitude; the vault rounds it to 0.1°.</param>
/// <param name="PickupLongitude">For pick-up: longitude; the vault rounds it to 0.1°.</param>
/// <param name="PickupWithinKm">For pick-up: radius in km, 1 to 500.</param>
/// <param name="Signals">Signal types to attach (see <see cref="IntentPreview.Signals"/>); only available ones are allowed.</param>
/// <param name="RelationshipIds">Vendors the person relates to who should hear of it (webhook <c>intent.created</c>).</param>
/// <param name="Exchanges">Exchange base addresses to post it to; each must be in the vault's exchange settings. Null means none.</param>
public sealed record IntentInput(
    string Title,
    string Category,
    decimal BudgetMax,
    string Currency,
    string Country,
    int ExpiresInDays,
    string? Description = null,
    string? Size = null,
    int? Quantity = null,
    string? Brand = null,
    string? Condition = null,
    DateOnly? Deadline = null,
    string? PostalPrefix = null,
    decimal? PickupLatitude = null,
    decimal? PickupLongitude = null,
    int? PickupWithinKm = null,
    IReadOnlyList<string>? Signals = null,
    IReadOnlyList<Guid>? RelationshipIds = null,
    IReadOnlyList<string>? Exchanges = null);

/// <summary>A signal the vault can attach, computed from its own data.</summary>
/// <param name="Type">The signal type (<c>bought_in_category_before</c>, <c>budget_confirmed</c>).</param>
/// <param name="Available">True when the vault's data supports it and it can be attached.</param>
/// <param name="Statement">The claim exactly as a vendor will read it (no counts, no dates).</param>
/// <param name="Reason">When not available: why, in words.</param>
public sealed record IntentSignalOption(string Type, bool Available, string Statement, string? Reason);

/// <summary>What <c>POST /owner/api/v1/intents/preview</c> answers: exactly what a vendor will see, nothing sent or stored.</summary>
/// <param name="Document">The intent document's JSON exactly as it will be signed (its id and keys are examples; the real ones are fresh at creation).</param>
/// <param name="Signals">Every signal, available or not, with its statement.</param>
/// <param name="Relationships">The vendors it will reach directly.</param>
/// <param name="Exchanges">The exchanges it will be posted to.</param>
/// <param name="Warnings">What the person should know before sending, in words (such as <see cref="IntentWarnings.Linkable"/>); empty when nothing.</param>
public sealed record IntentPreview(
    JsonElement Document,
    IReadOnlyList<IntentSignalOption> Signals,
    IReadOnlyList<IntentRelationshipReach> Relationships,
    IReadOnlyList<string> Exchanges,
    IReadOnlyList<string> Warnings);

/// <summary>Warnings an intent's preview (and <c>symbolon intent new</c>) gives before it is sent.</summary>
public static class IntentWarnings
{
    /// <summary>
    /// The intent goes both to vendors the person relates to and to an exchange: a related vendor reads the same signed
    /// intent there, so it can tell the anonymous one is this person's.
    /// </summary>
    public const string Linkable =
        "A vendor you relate to who also watches this exchange could link this intent to you: it reads the same intent in both places. " +
        "To stay anonymous on the exchange, send it to the exchange alone.";

    /// <summary>The warnings for an intent that reaches <paramref name="relationships"/> vendors directly and <paramref name="exchanges"/> exchanges.</summary>
    /// <param name="relationships">How many vendors the person relates to it goes to.</param>
    /// <param name="exchanges">How many exchanges it goes to.</param>
    /// <returns>The warnings, empty when there is none.</returns>
    public static IReadOnlyList<string> For(int relationships, int exchanges) => relationships > 0 && exchanges > 0 ? [Linkable] : [];
}

/// <summary>An intent as listed (<c>GET /owner/api/v1/intents</c>).</summary>
/// <param name="Id">The intent's id (<c>int_</c>…).</param>
/// <param name="Title">Its title.</param>
/// <param name="Category">Its category.</param>
/// <param name="Status">One of <see cref="IntentStatuses"/>.</param>
/// <param name="BudgetMax">The budget.</param>
/// <param name="Currency">The budget's currency.</param>
/// <param name="OfferCount">Offers shown (open, accepted or declined).</param>
/// <param name="OpenOfferCount">Offers still open.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="ExpiresAt">When it closes by itself.</param>
public sealed record IntentSummary(
    string Id,
    string Title,
    string Category,
    string Status,
    decimal BudgetMax,
    string Currency,
    int OfferCount,
    int OpenOfferCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);

/// <summary>A relationship an intent reaches.</summary>
/// <param name="RelationshipId">The relationship.</param>
/// <param name="Name">The vendor's name.</param>
public sealed record IntentRelationshipReach(Guid RelationshipId, string Name);

/// <summary>An intent's state at one exchange.</summary>
/// <param name="Exchange">The exchange's base address.</param>
/// <param name="State">One of <see cref="IntentExchangeStates"/>.</param>
/// <param name="LastError">The last failure, in words (never personal values); null when the last attempt worked.</param>
/// <param name="Attempts">Attempts since the last success.</param>
/// <param name="PostedAt">When the exchange took it.</param>
/// <param name="LastPolledAt">When offers were last fetched.</param>
public sealed record IntentExchangeReach(
    string Exchange,
    string State,
    string? LastError,
    int Attempts,
    DateTimeOffset? PostedAt,
    DateTimeOffset? LastPolledAt);

/// <summary>One intent (<c>GET /owner/api/v1/intents/{id}</c>).</summary>
/// <param name="Summary">What the list shows.</param>
/// <param name="Document">The intent document's JSON exactly as signed and as vendors see it.</param>
/// <param name="Relationships">The vendors it reached directly.</param>
/// <param name="Exchanges">Its state at each exchange.</param>
/// <param name="RefusedOffers">Offers refused and never shown (forged, for another intent, replayed, expired, invalid); blocked vendors' offers are not counted.</param>
/// <param name="AcceptedOfferId">The accepted offer, when there is one.</param>
/// <param name="ClosedAt">When it was accepted, withdrawn or expired.</param>
public sealed record IntentDetail(
    IntentSummary Summary,
    JsonElement Document,
    IReadOnlyList<IntentRelationshipReach> Relationships,
    IReadOnlyList<IntentExchangeReach> Exchanges,
    int RefusedOffers,
    string? AcceptedOfferId,
    DateTimeOffset? ClosedAt);

/// <summary>One line of an offer.</summary>
/// <param name="Description">What it is.</param>
/// <param name="Quantity">How many.</param>
/// <param name="UnitPrice">The price of one.</param>
public sealed record IntentOfferLine(string Description, int Quantity, decimal UnitPrice);

/// <summary>One comparison criterion of an offer: a verdict and a plain sentence (<c>EUR 129, EUR 21 under your budget</c>).</summary>
/// <param name="Name">One of <see cref="OfferCriteria"/>.</param>
/// <param name="Verdict">One of <see cref="OfferVerdicts"/>.</param>
/// <param name="Sentence">The reason, in words, from the person's own data.</param>
public sealed record OfferCriterion(string Name, string Verdict, string Sentence);

/// <summary>An offer, as compared (<c>GET /owner/api/v1/intents/{id}/offers</c>).</summary>
/// <param name="Id">The vault's id of the offer: the exchange's relay id (<c>xo_</c>…) for exchange offers, the vault's own (<c>rof_</c>…) for direct offers.</param>
/// <param name="Rank">1 for the best by the ranking rule; closed and declined offers come last.</param>
/// <param name="Status">One of <see cref="IntentOfferStatuses"/>.</param>
/// <param name="Source">One of <see cref="IntentOfferSources"/>.</param>
/// <param name="RelationshipId">For a direct offer (or an exchange offer whose vendor name matches a relationship): the relationship.</param>
/// <param name="Exchange">For an exchange offer: the exchange's base address.</param>
/// <param name="VendorName">The vendor's name (as it signed it, or as it registered).</param>
/// <param name="VendorSite">The vendor's site, when known.</param>
/// <param name="VendorKey">For an exchange offer: the vendor's Ed25519 key (base64url), which blocking uses.</param>
/// <param name="Items">What is offered.</param>
/// <param name="Price">The total.</param>
/// <param name="Currency">Its currency.</param>
/// <param name="DeliveryIncluded">True when delivery is in the price.</param>
/// <param name="DeliveryDate">When it would arrive.</param>
/// <param name="Terms">The vendor's own terms in words.</param>
/// <param name="TermsUrl">A link to its full terms.</param>
/// <param name="ReceivedAt">When the vault received it.</param>
/// <param name="ExpiresAt">Until when it stands.</param>
/// <param name="Criteria">The comparison, one per criterion of <see cref="OfferCriteria"/>.</param>
public sealed record IntentOffer(
    string Id,
    int Rank,
    string Status,
    string Source,
    Guid? RelationshipId,
    string? Exchange,
    string VendorName,
    string? VendorSite,
    string? VendorKey,
    IReadOnlyList<IntentOfferLine> Items,
    decimal Price,
    string Currency,
    bool DeliveryIncluded,
    DateOnly? DeliveryDate,
    string? Terms,
    string? TermsUrl,
    DateTimeOffset ReceivedAt,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<OfferCriterion> Criteria);

/// <summary>An intent's offers side by side, best first (<c>GET /owner/api/v1/intents/{id}/offers</c>).</summary>
/// <param name="IntentId">The intent.</param>
/// <param name="Offers">The offers, ranked.</param>
/// <param name="Refused">Offers refused and never shown.</param>
/// <param name="RankingRule">The ranking rule, in words.</param>
public sealed record IntentOfferList(string IntentId, IReadOnlyList<IntentOffer> Offers, int Refused, string RankingRule);

/// <summary>
/// Accepting an offer (<c>POST /owner/api/v1/intents/{id}/offers/{offerId}/accept</c>): what the person discloses to
/// that vendor for delivery. Nothing else about the person reaches it.
/// </summary>
/// <param name="Datatypes">Datatypes to grant read access to (<c>profile.name</c>, <c>profile.postal_address</c>); may be empty.</param>
/// <param name="Narrowing">Per datatype, a narrowing the datatype offers; optional.</param>
/// <param name="Purpose">The purpose in words; defaults to delivering the accepted offer.</param>
/// <param name="GrantDays">For an exchange offer: how many days the vendor may read what is chosen once it connects, 1 to 3,650; null means until the person revokes it.</param>
public sealed record AcceptOfferInput(
    IReadOnlyList<string> Datatypes,
    IReadOnlyDictionary<string, string>? Narrowing = null,
    string? Purpose = null,
    int? GrantDays = null);

/// <summary>The answer to an acceptance.</summary>
/// <param name="IntentId">The intent, now accepted.</param>
/// <param name="OfferId">The accepted offer.</param>
/// <param name="RelationshipId">For a direct offer: the relationship the offer became a conversation entry of.</param>
/// <param name="Exchange">For an exchange offer: the exchange the acceptance goes through.</param>
/// <param name="Delivered">True when the acceptance reached the vendor (or its exchange); false while the vault keeps retrying.</param>
/// <param name="InvitationExpiresAt">For an exchange offer: until when the vendor can use the invitation to register.</param>
public sealed record IntentAcceptance(
    string IntentId,
    string OfferId,
    Guid? RelationshipId,
    string? Exchange,
    bool Delivered,
    DateTimeOffset? InvitationExpiresAt);

/// <summary>A vendor the person blocked: its exchange offers are dropped, and future intents tell exchanges not to deliver to it.</summary>
/// <param name="SignKey">The vendor's Ed25519 key (base64url).</param>
/// <param name="Name">Its name as it signed its offer.</param>
/// <param name="BlockedAt">When the person blocked it.</param>
public sealed record BlockedIntentVendor(string SignKey, string Name, DateTimeOffset BlockedAt);

/// <summary>
/// Blocking a vendor (<c>POST /owner/api/v1/intents/blocked</c>): name one of its offers; the vault takes the vendor's key
/// from it.
/// </summary>
/// <param name="IntentId">The intent the offer answers.</param>
/// <param name="OfferId">The offer.</param>
public sealed record BlockIntentVendorInput(string IntentId, string OfferId);

/// <summary>The exchanges the vault may post intents to (<c>GET/PUT /owner/api/v1/intents/exchanges</c>).</summary>
/// <param name="Exchanges">Base addresses (https, or http on loopback), at most 10.</param>
public sealed record IntentExchangeSettings(IReadOnlyList<string> Exchanges);
