using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Intents;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Conversations;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;
using Symbolon.Core.Webhooks;
using Symbolon.Intents;

namespace Symbolon.Core.Intents;

/// <summary>
/// Accepting an offer: the only moment the person is disclosed, and only to that vendor. For a vendor the person
/// relates to, the vendor hears <c>intent.accepted</c>, the offer becomes an entry of the relationship's
/// conversation, and what the person chose for delivery waits as an invitation bound to that relationship (its code
/// readable by that vendor alone on the intent). For an exchange offer, the vault makes an invitation holding exactly the grant the person chose
/// (<see cref="RelationshipInvitations"/>), puts its code and the vault's address into an <see cref="AcceptanceDocument"/>
/// signed with the intent key, seals it to the vendor's box key with the intent id as context, and leaves it to the
/// server's job to hand to the exchange (retried like posting). Either way the intent closes, and the other vendors
/// it reached hear <c>intent.closed</c> with nothing about the person.
/// </summary>
internal sealed class IntentAcceptances(
    SymbolonDbContext db,
    RecordStore records,
    IntentService intents,
    RelationshipInvitations invitations,
    ConversationService conversations,
    TimeProvider time)
{
    public const string DefaultPurpose = "Delivering the accepted offer";
    public const string RelationshipAgreement = "SD-BASE";

    public async Task<IntentAcceptance> AcceptAsync(VaultSession session, string intentId, string offerId, AcceptOfferInput input, string vaultUrl, CancellationToken ct = default)
    {
        // The server's job may write the intent or an offer (a poll) between reading and writing them: the whole
        // acceptance is rolled back and made again from what is there now.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await AcceptOnceAsync(session, intentId, offerId, input, vaultUrl, ct);
            }
            catch (RecordVersionConflictException) when (attempt < 4)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<IntentAcceptance> AcceptOnceAsync(VaultSession session, string intentId, string offerId, AcceptOfferInput input, string vaultUrl, CancellationToken ct)
    {
        var keys = session.Keys;
        var intent = await intents.GetAsync(keys, intentId, ct);
        if (intent.Value.Status != IntentStatuses.Open)
        {
            throw IntentProblemException.NotOpen();
        }

        var offer = await intents.GetOpenOfferAsync(keys, intentId, offerId, ct);
        var (datatypes, narrowing, purpose) = Check(input, offer.Value.Source == IntentOfferSources.Exchange);
        var now = time.GetUtcNow();
        DateTimeOffset? grantExpires = input.GrantDays is { } days ? now.AddDays(days) : null;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await records.UpdateAsync(keys, offer.Record.Id, VaultJson.Serialize(offer.Value with { Status = IntentOfferStatuses.Accepted, DecidedAt = now }), Actor.Owner, offer.Record.Version, ct);
        IntentAcceptance answer;
        if (offer.Value.Source == IntentOfferSources.Relationship && offer.Value.RelationshipId is { } relationshipId)
        {
            var relationship = await db.Relationships.SingleOrDefaultAsync(r => r.VaultId == keys.VaultId && r.Id == relationshipId, ct);
            if (relationship is null || relationship.EndedAt is not null)
            {
                throw ValidationFailedException.For("offerId", "The relationship this offer came through has ended; it can no longer be accepted.");
            }

            // What delivery needs, when the person chose something: an invitation bound to this relationship, which the
            // vendor reads (only it, under its own token) from GET /api/v1/intents/{id} and redeems with its client
            // secret for a grant of exactly that. Nothing is granted until then, and nothing else ever through it.
            CreatedInvitation? invitation = null;
            if (datatypes.Count > 0)
            {
                var document = offer.Value.Offer;
                invitation = await invitations.CreateAsync(
                    keys,
                    new InvitationGrant(datatypes, narrowing, purpose, RelationshipAgreement, grantExpires),
                    new InvitationOrigin(intentId, offer.Record.Id, document.Vendor.Name, document.Vendor.Site, document.Vendor.SignKey, "", relationshipId),
                    ct);
            }

            var acceptance = new IntentAcceptanceValue(offerId, null, null, true, 0, null, null, invitation?.ExpiresAt, datatypes, invitation?.Code);
            await intents.CloseAsync(keys, intentId, IntentStatuses.Accepted, "accepted_elsewhere", except: relationshipId, acceptance: acceptance, ct: ct);
            await conversations.AddVendorMessageAsync(keys, relationship, new VendorMessageInput(Describe(offer.Value.Offer)), muted: false, ct);
            WebhookOutbox.Enqueue(db, relationship, WebhookEventTypes.IntentAccepted, new IntentAcceptedData(relationship.Subject, intentId, offer.Value.Offer.Id, datatypes) { InvitationExpiresAt = invitation?.ExpiresAt }, now);
            await db.SaveChangesAsync(ct);
            answer = new IntentAcceptance(intentId, offerId, relationshipId, null, true, invitation?.ExpiresAt);
        }
        else
        {
            var document = offer.Value.Offer;
            var invitation = await invitations.CreateAsync(
                keys,
                new InvitationGrant(datatypes, narrowing, purpose, RelationshipAgreement, grantExpires),
                new InvitationOrigin(intentId, offer.Record.Id, document.Vendor.Name, document.Vendor.Site, document.Vendor.SignKey, Describe(document)),
                ct);
            var acceptanceDocument = new AcceptanceDocument(
                1,
                intentId,
                document.Id,
                vaultUrl,
                invitation.Code,
                new AcceptanceGrant(datatypes, narrowing, purpose, RelationshipAgreement, grantExpires),
                now,
                invitation.ExpiresAt);
            var privateKeys = (byte[])intent.Value.PrivateKeys.Clone();
            SealedEnvelope envelope;
            try
            {
                using var intentKeys = IntentKeys.Import(privateKeys);
                envelope = IntentCrypto.SignAndSeal(acceptanceDocument, intentKeys.SignKey, IntentCrypto.AcceptanceLabel, document.Vendor.BoxKey, intentId);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(privateKeys);
                CryptographicOperations.ZeroMemory(intent.Value.PrivateKeys);
            }

            var acceptance = new IntentAcceptanceValue(offerId, offer.Value.Exchange, envelope, false, 0, now, null, invitation.ExpiresAt, datatypes);
            await intents.CloseAsync(keys, intentId, IntentStatuses.Accepted, "accepted_elsewhere", acceptance: acceptance, ct: ct);
            answer = new IntentAcceptance(intentId, offerId, null, offer.Value.Exchange, false, invitation.ExpiresAt);
        }

        await transaction.CommitAsync(ct);
        return answer;
    }

    /// <summary>The offer in words, as the first entry of the relationship's conversation.</summary>
    public static string Describe(OfferDocument offer)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Offer accepted: {offer.Price.Currency} {offer.Price.Amount:0.00}{(offer.Price.DeliveryIncluded ? " including delivery" : " plus delivery")}");
        text.Append(offer.DeliveryDate is { } date ? string.Create(CultureInfo.InvariantCulture, $", delivery by {date:yyyy-MM-dd}.") : ".");
        foreach (var item in offer.Items)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n- {item.Quantity} × {item.Description} at {item.UnitPrice:0.00}");
        }

        if (!string.IsNullOrWhiteSpace(offer.Terms))
        {
            text.Append("\nTerms: ").Append(offer.Terms);
        }

        if (offer.TermsUrl is not null)
        {
            text.Append("\nFull terms: ").Append(offer.TermsUrl);
        }

        var result = text.ToString();
        return result.Length > ConversationService.MaxTextLength ? result[..ConversationService.MaxTextLength] : result;
    }

    private static (IReadOnlyList<string> Datatypes, IReadOnlyDictionary<string, string> Narrowing, string Purpose) Check(AcceptOfferInput input, bool needsOne)
    {
        var errors = new ValidationErrors();
        var datatypes = new List<string>();
        var list = input.Datatypes ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            if (DatatypeCatalog.Find(list[i]) is not { IsProfile: true })
            {
                errors.Add($"datatypes[{i}]", "Is not a profile datatype (such as profile.name or profile.postal_address).");
            }
            else if (!datatypes.Contains(list[i], StringComparer.Ordinal))
            {
                datatypes.Add(list[i]);
            }
        }

        if (needsOne && list.Count == 0)
        {
            errors.Add("datatypes", "Choose at least one thing the vendor needs for delivery, such as profile.name and profile.postal_address.");
        }

        var narrowing = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (datatype, narrow) in input.Narrowing ?? new Dictionary<string, string>())
        {
            if (!datatypes.Contains(datatype, StringComparer.Ordinal))
            {
                errors.Add("narrowing", "Narrows a datatype that is not chosen.");
            }
            else if (DatatypeCatalog.Find(datatype) is { } info && !info.Narrowings.Contains(narrow, StringComparer.Ordinal))
            {
                errors.Add($"narrowing.{datatype}", "Is not a narrowing this datatype offers.");
            }
            else
            {
                narrowing[datatype] = narrow;
            }
        }

        var purpose = string.IsNullOrWhiteSpace(input.Purpose) ? DefaultPurpose : input.Purpose.Trim();
        if (purpose.Length > 200 || VendorText.HasUnsafeCharacter(purpose))
        {
            errors.Add("purpose", "Must be at most 200 characters, without control characters.");
        }

        if (input.GrantDays is < 1 or > 3650)
        {
            errors.Add("grantDays", "Must be 1 to 3,650 days, or left out for until you revoke it.");
        }

        errors.ThrowIfAny();
        return (datatypes, narrowing, purpose);
    }
}
