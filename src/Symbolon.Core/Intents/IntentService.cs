using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Symbolon.Contracts.Intents;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;
using Symbolon.Core.Webhooks;
using Symbolon.Intents;

namespace Symbolon.Core.Intents;

/// <summary>An intent record, opened.</summary>
internal sealed record IntentView(CurrentRecord Record, IntentValue Value, IntentDocument Document);

/// <summary>An offer record, opened.</summary>
internal sealed record IntentOfferView(CurrentRecord Record, IntentOfferValue Value);

/// <summary>
/// Intents in the vault (issue 14): the person says what they want to buy; the vault makes the signed intent document
/// with fresh keys, addresses it to relationships the person picks (webhook <c>intent.created</c>, read and answered
/// through the vendor API) and to exchanges (posted and polled by the server's <c>IntentExchangeJob</c>), keeps the
/// offers, and closes the intent on withdrawal, expiry or acceptance. Everything is an encrypted record
/// (<c>intent</c>, <c>intent.offer</c>, <c>intent.blocked</c>, <c>intent.exchanges</c>), so it is versioned, exported and
/// backed up with the rest of the vault, with no table of its own.
/// </summary>
internal sealed class IntentService(SymbolonDbContext db, RecordStore records, IntentSignals signals, TimeProvider time)
{
    public const string RecordType = "intent";
    public const string OfferRecordType = "intent.offer";
    public const string BlockedRecordType = "intent.blocked";
    public const string ExchangesRecordType = "intent.exchanges";
    public const string VendorDatatype = "intents";
    public const int MaxExchanges = 10;
    public const int MaxRelationships = 50;

    /// <summary>Agreements proffered for the relationship that follows an accepted offer.</summary>
    public static readonly IReadOnlyList<string> AlsoProffered = ["SD-BASE"];

    // -- the person's side --------------------------------------------------------------------------------------------

    /// <summary>Exactly what a vendor will see (with example keys and id), and the signals the vault can attach; nothing is stored.</summary>
    public async Task<IntentPreview> PreviewAsync(VaultSession session, IntentInput input, CancellationToken ct = default)
    {
        using var keys = IntentKeys.Create();
        var (document, reach, exchanges, options) = await BuildAsync(session, input, keys, ct);
        var payload = JsonSerializer.SerializeToUtf8Bytes(document, IntentCrypto.JsonOptions);
        using var json = JsonDocument.Parse(payload);
        return new IntentPreview(json.RootElement.Clone(), options, [.. reach.Select(r => new IntentRelationshipReach(r.RelationshipId, r.Name))], exchanges,
            IntentWarnings.For(reach.Count, exchanges.Count));
    }

    /// <summary>Makes, signs and stores the intent; the relationships it reaches hear of it by webhook in the same commit.</summary>
    public async Task<IntentView> CreateAsync(VaultSession session, IntentInput input, CancellationToken ct = default)
    {
        using var keys = IntentKeys.Create();
        var (document, reach, exchanges, _) = await BuildAsync(session, input, keys, ct);
        var signed = IntentCrypto.Sign(document, keys.SignKey, IntentCrypto.IntentLabel);
        var blocked = await ListBlockedAsync(session.Keys, ct);
        var privateKeys = keys.Export();
        try
        {
            var now = time.GetUtcNow();
            var value = new IntentValue(
                document.Id,
                signed,
                privateKeys,
                IntentStatuses.Open,
                document.CreatedAt,
                document.ExpiresAt,
                null,
                reach,
                [.. exchanges.Select(e => new IntentExchangeValue(e, IntentExchangeStates.Pending, null, 0, now, null, null, null, false))],
                blocked.Count == 0 ? null : IntentCrypto.CreateBlocklist(blocked.Select(b => b.SignKey)),
                0,
                null);

            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var record = await records.CreateAsync(session.Keys, RecordType, VaultJson.Serialize(value), Actor.Owner, ct);
            if (reach.Count > 0)
            {
                var ids = reach.Select(r => r.RelationshipId).ToList();
                var relationships = await db.Relationships.AsNoTracking().Where(r => r.VaultId == session.VaultId && ids.Contains(r.Id)).ToListAsync(ct);
                foreach (var relationship in relationships)
                {
                    WebhookOutbox.Enqueue(db, relationship, WebhookEventTypes.IntentCreated, new IntentCreatedData(relationship.Subject, document.Id, document.ExpiresAt), now);
                }

                await db.SaveChangesAsync(ct);
            }

            await transaction.CommitAsync(ct);
            return new IntentView(record, value, document);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKeys);
        }
    }

    /// <summary>Every intent, oldest first.</summary>
    public async Task<IReadOnlyList<IntentView>> ListAsync(VaultKeys keys, CancellationToken ct = default) =>
        [.. (await records.ListAsync(keys, RecordType, ct)).Where(r => r.Type == RecordType).Select(Open)];

    public async Task<IntentView> GetAsync(VaultKeys keys, string intentId, CancellationToken ct = default) =>
        await FindAsync(keys, intentId, ct) ?? throw IntentProblemException.NotFound();

    public async Task<IntentView?> FindAsync(VaultKeys keys, string intentId, CancellationToken ct = default) =>
        (await ListAsync(keys, ct)).FirstOrDefault(i => string.Equals(i.Value.IntentId, intentId, StringComparison.Ordinal));

    /// <summary>The offers of every intent (or of one), oldest first.</summary>
    public async Task<IReadOnlyList<IntentOfferView>> ListOffersAsync(VaultKeys keys, string? intentId = null, CancellationToken ct = default) =>
        [.. (await records.ListAsync(keys, OfferRecordType, ct))
            .Where(r => r.Type == OfferRecordType)
            .Select(r => new IntentOfferView(r, VaultJson.Deserialize<IntentOfferValue>(r.Json)))
            .Where(o => intentId is null || o.Value.IntentId == intentId)];

    /// <summary>
    /// The offers the person sees (of every intent, or of one): all of them but the open exchange offers of vendors they
    /// blocked, which are neither shown, counted nor acceptable (the ones stored before the block included).
    /// </summary>
    public async Task<IReadOnlyList<IntentOfferView>> ShownOffersAsync(VaultKeys keys, string? intentId = null, CancellationToken ct = default)
    {
        var offers = await ListOffersAsync(keys, intentId, ct);
        if (!offers.Any(o => o.Value.Source == IntentOfferSources.Exchange && o.Value.Status == IntentOfferStatuses.Open))
        {
            return offers;
        }

        var blocked = (await ListBlockedAsync(keys, ct)).Select(b => b.SignKey).ToHashSet(StringComparer.Ordinal);
        return [.. offers.Where(o => !(o.Value.Source == IntentOfferSources.Exchange && o.Value.Status == IntentOfferStatuses.Open && blocked.Contains(o.Value.Offer.Vendor.SignKey)))];
    }

    /// <summary>Marks an open offer declined; nothing is sent to the vendor.</summary>
    public async Task DeclineAsync(VaultKeys keys, string intentId, string offerId, CancellationToken ct = default)
    {
        var intent = await GetAsync(keys, intentId, ct);
        if (intent.Value.Status != IntentStatuses.Open)
        {
            throw IntentProblemException.NotOpen();
        }

        var offer = await GetOpenOfferAsync(keys, intentId, offerId, ct);
        await records.UpdateAsync(keys, offer.Record.Id, VaultJson.Serialize(offer.Value with { Status = IntentOfferStatuses.Declined, DecidedAt = time.GetUtcNow() }), Actor.Owner, offer.Record.Version, ct);
    }

    /// <summary>
    /// Withdraws an open intent: it is closed here at once, its exchanges are owed a deletion (the server's job sends
    /// it, retrying), and the relationships it reached hear <c>intent.closed</c>.
    /// </summary>
    public Task<IntentView> WithdrawAsync(VaultKeys keys, string intentId, CancellationToken ct = default) =>
        CloseAsync(keys, intentId, IntentStatuses.Withdrawn, "withdrawn", ct: ct);

    /// <summary>Closes every open intent past its expiry (with the same effects as a withdrawal); returns how many.</summary>
    public async Task<int> ExpireDueAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var due = (await ListAsync(keys, ct)).Where(i => i.Value.Status == IntentStatuses.Open && i.Value.ExpiresAt <= now).ToList();
        foreach (var intent in due)
        {
            await CloseAsync(keys, intent.Value.IntentId, IntentStatuses.Expired, "expired", ct: ct);
        }

        return due.Count;
    }

    /// <summary>
    /// Closes an open intent with <paramref name="status"/>: open offers close, exchanges where it was posted are owed a
    /// deletion (pending ones are simply not posted), and every reached relationship but <paramref name="except"/> hears
    /// <c>intent.closed</c> with <paramref name="reason"/>, in the same commit.
    /// </summary>
    public async Task<IntentView> CloseAsync(VaultKeys keys, string intentId, string status, string reason, Guid? except = null, IntentAcceptanceValue? acceptance = null, CancellationToken ct = default)
    {
        // In the caller's transaction, a conflict is the caller's to retry (accepting does); in its own, the server's
        // job may have written the intent (a poll, a posting) since it was read: read it again and retry.
        if (db.Database.CurrentTransaction is not null)
        {
            return await CloseOnceAsync(keys, intentId, status, reason, except, acceptance, ct);
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await CloseOnceAsync(keys, intentId, status, reason, except, acceptance, ct);
            }
            catch (RecordVersionConflictException) when (attempt < 4)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<IntentView> CloseOnceAsync(VaultKeys keys, string intentId, string status, string reason, Guid? except, IntentAcceptanceValue? acceptance, CancellationToken ct)
    {
        var intent = await GetAsync(keys, intentId, ct);
        if (intent.Value.Status != IntentStatuses.Open)
        {
            throw IntentProblemException.NotOpen();
        }

        var now = time.GetUtcNow();
        var value = intent.Value with
        {
            Status = status,
            ClosedAt = now,
            Acceptance = acceptance ?? intent.Value.Acceptance,
            Exchanges = [.. intent.Value.Exchanges.Select(e => e.State == IntentExchangeStates.Posted
                ? e with { State = IntentExchangeStates.Closed, DeletePending = true, Attempts = 0, NextAttemptAt = now, LastError = null }
                : e with { State = IntentExchangeStates.Closed, DeletePending = false })],
        };

        // Within the caller's transaction when there is one (accepting), else in one of its own.
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var record = await records.UpdateAsync(keys, intent.Record.Id, VaultJson.Serialize(value), Actor.Owner, intent.Record.Version, ct);
        foreach (var offer in await ListOffersAsync(keys, intentId, ct))
        {
            if (offer.Value.Status == IntentOfferStatuses.Open && offer.Value.OfferId != acceptance?.OfferId)
            {
                await records.UpdateAsync(keys, offer.Record.Id, VaultJson.Serialize(offer.Value with { Status = IntentOfferStatuses.Closed, DecidedAt = now }), Actor.Owner, offer.Record.Version, ct);
            }
        }

        var ids = intent.Value.Relationships.Select(r => r.RelationshipId).Where(id => id != except).ToList();
        if (ids.Count > 0)
        {
            var relationships = await db.Relationships.AsNoTracking().Where(r => r.VaultId == keys.VaultId && ids.Contains(r.Id) && r.EndedAt == null).ToListAsync(ct);
            foreach (var relationship in relationships)
            {
                WebhookOutbox.Enqueue(db, relationship, WebhookEventTypes.IntentClosed, new IntentClosedData(relationship.Subject, intentId, reason), now);
            }

            await db.SaveChangesAsync(ct);
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }

        return new IntentView(record, value, intent.Document);
    }

    /// <summary>
    /// Changes an intent record with <paramref name="change"/> (null: no change), reading it again when another writer
    /// got there first (the server's job and the person can both write one intent).
    /// </summary>
    public async Task<IntentView?> UpdateAsync(VaultKeys keys, string intentId, Func<IntentValue, IntentValue?> change, CancellationToken ct = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var intent = await GetAsync(keys, intentId, ct);
            var changed = change(intent.Value);
            if (changed is null)
            {
                return intent;
            }

            try
            {
                var record = await records.UpdateAsync(keys, intent.Record.Id, VaultJson.Serialize(changed), Actor.Owner, intent.Record.Version, ct);
                return new IntentView(record, changed, intent.Document);
            }
            catch (RecordVersionConflictException) when (attempt < 3)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Stores an offer for an intent (checked by the caller).</summary>
    public Task<CurrentRecord> StoreOfferAsync(VaultKeys keys, IntentOfferValue offer, Actor actor, CancellationToken ct = default) =>
        records.CreateAsync(keys, OfferRecordType, VaultJson.Serialize(offer), actor, ct);

    public async Task<IntentOfferView> GetOpenOfferAsync(VaultKeys keys, string intentId, string offerId, CancellationToken ct = default)
    {
        var offer = (await ShownOffersAsync(keys, intentId, ct)).FirstOrDefault(o => o.Value.OfferId == offerId) ?? throw IntentProblemException.OfferNotFound();
        if (offer.Value.Status != IntentOfferStatuses.Open || offer.Value.Offer.ExpiresAt <= time.GetUtcNow())
        {
            throw IntentProblemException.OfferNotOpen();
        }

        return offer;
    }

    // -- blocked vendors and exchanges --------------------------------------------------------------------------------

    public async Task<IReadOnlyList<BlockedVendorValue>> ListBlockedAsync(VaultKeys keys, CancellationToken ct = default) =>
        (await SingleAsync<BlockedVendorsValue>(keys, BlockedRecordType, ct)).Value?.Vendors ?? [];

    /// <summary>Blocks the vendor behind an exchange offer: its offers are dropped from now on, and future intents carry it in their blocklist.</summary>
    public async Task<BlockedVendorValue> BlockAsync(VaultKeys keys, BlockIntentVendorInput input, CancellationToken ct = default)
    {
        var offer = (await ListOffersAsync(keys, input.IntentId, ct)).FirstOrDefault(o => o.Value.OfferId == input.OfferId) ?? throw IntentProblemException.OfferNotFound();
        if (offer.Value.Source != IntentOfferSources.Exchange)
        {
            throw ValidationFailedException.For("offerId", "Only an exchange offer's vendor can be blocked; a vendor you relate to is ended under Relationships.");
        }

        var (record, existing) = await SingleAsync<BlockedVendorsValue>(keys, BlockedRecordType, ct);
        var vendors = existing?.Vendors ?? [];
        var found = vendors.FirstOrDefault(v => v.SignKey == offer.Value.Offer.Vendor.SignKey);
        if (found is not null)
        {
            return found;
        }

        var blocked = new BlockedVendorValue(offer.Value.Offer.Vendor.SignKey, offer.Value.Offer.Vendor.Name, time.GetUtcNow());
        await SaveSingleAsync(keys, BlockedRecordType, record, new BlockedVendorsValue([.. vendors, blocked]), ct);
        return blocked;
    }

    public async Task<bool> UnblockAsync(VaultKeys keys, string signKey, CancellationToken ct = default)
    {
        var (record, existing) = await SingleAsync<BlockedVendorsValue>(keys, BlockedRecordType, ct);
        var vendors = existing?.Vendors ?? [];
        if (!vendors.Any(v => v.SignKey == signKey))
        {
            return false;
        }

        await SaveSingleAsync(keys, BlockedRecordType, record, new BlockedVendorsValue([.. vendors.Where(v => v.SignKey != signKey)]), ct);
        return true;
    }

    public async Task<IReadOnlyList<string>> GetExchangesAsync(VaultKeys keys, CancellationToken ct = default) =>
        (await SingleAsync<IntentExchangesValue>(keys, ExchangesRecordType, ct)).Value?.Exchanges ?? [];

    /// <summary>Replaces the list of exchanges (each an https address, or http on loopback; stored without a trailing slash).</summary>
    public async Task<IReadOnlyList<string>> SetExchangesAsync(VaultKeys keys, IntentExchangeSettings settings, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var list = settings.Exchanges ?? [];
        if (list.Count > MaxExchanges)
        {
            errors.Add("exchanges", $"At most {MaxExchanges} exchanges.");
        }

        var cleaned = new List<string>();
        for (var i = 0; i < list.Count; i++)
        {
            var normalized = NormalizeExchange(list[i]);
            if (normalized is null)
            {
                errors.Add($"exchanges[{i}]", "Must be an absolute https address (http only on loopback), without query or fragment, up to 300 characters.");
            }
            else if (!cleaned.Contains(normalized, StringComparer.Ordinal))
            {
                cleaned.Add(normalized);
            }
        }

        errors.ThrowIfAny();
        var (record, _) = await SingleAsync<IntentExchangesValue>(keys, ExchangesRecordType, ct);
        await SaveSingleAsync(keys, ExchangesRecordType, record, new IntentExchangesValue(cleaned), ct);
        return cleaned;
    }

    /// <summary>An exchange's base address as stored (no trailing slash), or null when it is not one.</summary>
    public static string? NormalizeExchange(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 300 || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return null;
        }

        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    // -- the vendor side ----------------------------------------------------------------------------------------------

    /// <summary>An intent addressed to this relationship, or null (another vendor's intent included).</summary>
    public async Task<IntentView?> FindForVendorAsync(VaultKeys keys, RelationshipEntity relationship, string intentId, CancellationToken ct = default)
    {
        var intent = await FindAsync(keys, intentId, ct);
        return intent is not null && intent.Value.Relationships.Any(r => r.RelationshipId == relationship.Id) ? intent : null;
    }

    public static RelationshipIntent ToVendor(IntentView intent)
    {
        using var json = JsonDocument.Parse(IntentCrypto.Decode(intent.Value.Signed.Payload, IntentRules.MaxIntentBytes)!);
        return new RelationshipIntent(intent.Value.IntentId, intent.Value.Status, json.RootElement.Clone(), intent.Value.Signed.Payload, intent.Value.Signed.Signature);
    }

    /// <summary>
    /// The offer a related vendor makes, as the document an exchange vendor would sign, so that the same rules check
    /// it. The relationship stands in for the vendor's keys: a key derived from the relationship id fills them (the
    /// vendor is known to the vault, and nothing is sealed to it).
    /// </summary>
    public static OfferDocument ToOfferDocument(IntentDocument intent, RelationshipEntity relationship, IntentOfferInput input, DateTimeOffset now)
    {
        var standIn = IntentCrypto.Encode(SHA256.HashData(Encoding.UTF8.GetBytes("symbolon-relationship-vendor|" + relationship.Id.ToString("N"))));
        var site = relationship.ClientUri is { } uri && Uri.TryCreate(uri, UriKind.Absolute, out _) ? uri : null;
        return new OfferDocument(
            1,
            input.OfferId ?? IntentCrypto.NewId("off_"),
            intent.Id,
            intent.Keys.Sign,
            new OfferVendor(relationship.VendorName, site ?? "https://vendor.invalid", standIn, standIn),
            [.. (input.Items ?? []).Select(i => new OfferItem(i?.Description!, i?.Quantity ?? 0, i?.UnitPrice ?? 0))],
            new OfferPrice(input.Price, input.Currency, input.DeliveryIncluded),
            input.DeliveryDate,
            input.Terms,
            input.TermsUrl,
            now,
            input.ExpiresAt,
            new OfferAcceptedTerms(intent.Terms.Agreement, intent.Terms.TextSha256));
    }

    /// <summary>
    /// Checks and stores a related vendor's offer (in the caller's transaction): the same rules as an exchange offer,
    /// errors named by the vendor's input fields; an offer id already used on this intent is a replay (409).
    /// </summary>
    public async Task<IntentOfferValue> AddRelationshipOfferAsync(VaultKeys keys, RelationshipEntity relationship, IntentView intent, IntentOfferInput input, CancellationToken ct = default)
    {
        if (intent.Value.Status != IntentStatuses.Open || intent.Value.ExpiresAt <= time.GetUtcNow())
        {
            throw IntentProblemException.NotOpen();
        }

        var now = time.GetUtcNow();
        var document = CheckOffer(intent.Document, relationship, input, now);
        var existing = await ListOffersAsync(keys, intent.Value.IntentId, ct);
        if (existing.Any(o => o.Value.RelationshipId == relationship.Id && o.Value.Offer.Id == document.Id))
        {
            throw IntentProblemException.Replayed();
        }

        // The vault's own id: two vendors may well choose the same offer id.
        var value = new IntentOfferValue(intent.Value.IntentId, IntentCrypto.NewId("rof_"), IntentOfferSources.Relationship, relationship.Id, null, document, null, IntentOfferStatuses.Open, now, null);
        await StoreOfferAsync(keys, value, Actor.Vendor(relationship.ClientId), ct);
        return value;
    }

    /// <summary>
    /// The checks an offer can have while its intent is sealed (the person is away): everything but what compares it
    /// with the intent, which runs when the queued offer is applied.
    /// </summary>
    public static void CheckQueuedOffer(RelationshipEntity relationship, IntentOfferInput input, DateTimeOffset now)
    {
        var standIn = new IntentDocument(
            1, "int_queued", "", null, "", new IntentAttributes(), new IntentBudget(0, "EUR"), null, new IntentPlace(""), now, now,
            new IntentTerms(IntentAgreement.Id, "", []), [], new IntentPublicKeys("", ""));
        CheckOffer(standIn, relationship, input, now);
    }

    /// <summary>The offer as a document, checked with the exchange's rules; errors are named by the vendor's input fields.</summary>
    private static OfferDocument CheckOffer(IntentDocument intent, RelationshipEntity relationship, IntentOfferInput input, DateTimeOffset now)
    {
        var document = ToOfferDocument(intent, relationship, input, now);
        var errors = new ValidationErrors();
        foreach (var (field, reasons) in IntentRules.CheckOffer(document, intent, now))
        {
            if (field.StartsWith("vendor", StringComparison.Ordinal))
            {
                continue;
            }

            var name = field switch
            {
                "id" => "offer_id",
                "price.amount" => "price",
                "price.currency" => "currency",
                _ => field,
            };
            foreach (var reason in reasons)
            {
                errors.Add(name, reason);
            }
        }

        for (var i = 0; i < document.Items.Count; i++)
        {
            if (document.Items[i].Description is { } text && VendorText.HasUnsafeCharacter(text))
            {
                errors.Add($"items[{i}].description", VendorText.SingleLineReason);
            }
        }

        if (document.Terms is { } terms && VendorText.HasUnsafeCharacter(terms, multiLine: true))
        {
            errors.Add("terms", VendorText.MultiLineReason);
        }

        errors.ThrowIfAny();
        return document;
    }

    // -- building the document ----------------------------------------------------------------------------------------

    private async Task<(IntentDocument Document, IReadOnlyList<IntentReachValue> Reach, IReadOnlyList<string> Exchanges, IReadOnlyList<IntentSignalOption> Signals)> BuildAsync(
        VaultSession session, IntentInput input, IntentKeys keys, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var errors = new ValidationErrors();
        if (input.ExpiresInDays is < 1 or > 90)
        {
            errors.Add("expiresInDays", "Must be 1 to 90 days.");
        }

        IntentPickup? pickup = null;
        if (input.PickupLatitude is not null || input.PickupLongitude is not null || input.PickupWithinKm is not null)
        {
            if (input.PickupLatitude is null || input.PickupLongitude is null || input.PickupWithinKm is null)
            {
                errors.Add("pickupWithinKm", "A pick-up area needs a latitude, a longitude and a radius.");
            }
            else
            {
                // Coarse on purpose: a tenth of a degree is about 11 km.
                pickup = new IntentPickup(
                    decimal.Round(input.PickupLatitude.Value, 1, MidpointRounding.AwayFromZero),
                    decimal.Round(input.PickupLongitude.Value, 1, MidpointRounding.AwayFromZero),
                    input.PickupWithinKm.Value);
            }
        }

        var category = input.Category?.Trim().ToLowerInvariant() ?? "";
        var options = await signals.OptionsAsync(session, category, ct);
        var chosen = new List<IntentSignal>();
        var requested = input.Signals ?? [];
        for (var i = 0; i < requested.Count; i++)
        {
            var option = options.FirstOrDefault(o => o.Type == requested[i]);
            if (option is null)
            {
                errors.Add($"signals[{i}]", "Is not a known signal: use bought_in_category_before or budget_confirmed.");
            }
            else if (!option.Available)
            {
                errors.Add($"signals[{i}]", "Is not available: " + option.Reason);
            }
            else if (!chosen.Any(s => s.Type == option.Type))
            {
                chosen.Add(new IntentSignal(option.Type, option.Statement));
            }
        }

        var reach = new List<IntentReachValue>();
        var relationshipIds = input.RelationshipIds ?? [];
        if (relationshipIds.Count > MaxRelationships)
        {
            errors.Add("relationshipIds", $"At most {MaxRelationships} relationships.");
        }
        else if (relationshipIds.Count > 0)
        {
            var ids = relationshipIds.Distinct().ToList();
            var found = await db.Relationships.AsNoTracking().Where(r => r.VaultId == session.VaultId && ids.Contains(r.Id)).ToListAsync(ct);
            for (var i = 0; i < relationshipIds.Count; i++)
            {
                var relationship = found.FirstOrDefault(r => r.Id == relationshipIds[i]);
                if (relationship is null || relationship.EndedAt is not null)
                {
                    errors.Add($"relationshipIds[{i}]", "No live relationship with this id; see your relationships.");
                }
                else if (!reach.Any(r => r.RelationshipId == relationship.Id))
                {
                    reach.Add(new IntentReachValue(relationship.Id, relationship.VendorName));
                }
            }
        }

        var exchanges = new List<string>();
        var requestedExchanges = input.Exchanges ?? [];
        if (requestedExchanges.Count > 0)
        {
            var configured = await GetExchangesAsync(session.Keys, ct);
            for (var i = 0; i < requestedExchanges.Count; i++)
            {
                var normalized = NormalizeExchange(requestedExchanges[i]);
                if (normalized is null || !configured.Contains(normalized, StringComparer.Ordinal))
                {
                    errors.Add($"exchanges[{i}]", "Is not one of your exchanges; add it under the exchange settings first.");
                }
                else if (!exchanges.Contains(normalized, StringComparer.Ordinal))
                {
                    exchanges.Add(normalized);
                }
            }
        }

        var document = new IntentDocument(
            1,
            IntentCrypto.NewId("int_"),
            input.Title?.Trim()!,
            string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim(),
            category,
            new IntentAttributes(Blank(input.Size), input.Quantity, Blank(input.Brand), Blank(input.Condition)?.ToLowerInvariant()),
            new IntentBudget(input.BudgetMax, input.Currency?.Trim().ToUpperInvariant()!),
            input.Deadline,
            new IntentPlace(input.Country?.Trim().ToUpperInvariant()!, Blank(input.PostalPrefix)?.ToUpperInvariant(), pickup),
            now,
            now.AddDays(Math.Clamp(input.ExpiresInDays, 1, 90)),
            new IntentTerms(IntentAgreement.Id, IntentAgreement.TextSha256, AlsoProffered),
            chosen,
            keys.PublicKeys);
        foreach (var (field, reasons) in IntentRules.CheckIntent(document, now))
        {
            var name = InputField(field);
            if (name == "expiresInDays" && errors.ToDictionary().ContainsKey(name))
            {
                continue;
            }

            foreach (var reason in reasons)
            {
                errors.Add(name, reason);
            }
        }

        errors.ThrowIfAny();
        return (document, reach, exchanges, options);
    }

    /// <summary>The field of <see cref="IntentInput"/> (camelCase, as the owner API names it) behind a document member.</summary>
    private static string InputField(string documentField) => documentField switch
    {
        "attributes.size" => "size",
        "attributes.quantity" => "quantity",
        "attributes.brand" => "brand",
        "attributes.condition" => "condition",
        "budget.max" => "budgetMax",
        "budget.currency" => "currency",
        "where" or "where.country" => "country",
        "where.postal_prefix" or "where.pickup" => "postalPrefix",
        "where.pickup.lat" => "pickupLatitude",
        "where.pickup.lon" => "pickupLongitude",
        "where.pickup.within_km" => "pickupWithinKm",
        "expires_at" => "expiresInDays",
        _ when documentField.StartsWith("signals", StringComparison.Ordinal) => "signals",
        _ => documentField,
    };

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static IntentView Open(CurrentRecord record)
    {
        var value = VaultJson.Deserialize<IntentValue>(record.Json);
        var payload = IntentCrypto.Decode(value.Signed.Payload, IntentRules.MaxIntentBytes)
            ?? throw new InvalidOperationException("A stored intent holds no payload.");
        var document = IntentCrypto.TryParse<IntentDocument>(payload) ?? throw new InvalidOperationException("A stored intent does not parse.");
        return new IntentView(record, value, document);
    }

    private async Task<(CurrentRecord? Record, T? Value)> SingleAsync<T>(VaultKeys keys, string type, CancellationToken ct)
        where T : class
    {
        var record = (await records.ListAsync(keys, type, ct)).FirstOrDefault(r => r.Type == type);
        return record is null ? (null, null) : (record, VaultJson.Deserialize<T>(record.Json));
    }

    private async Task SaveSingleAsync<T>(VaultKeys keys, string type, CurrentRecord? record, T value, CancellationToken ct)
    {
        if (record is null)
        {
            await records.CreateAsync(keys, type, VaultJson.Serialize(value), Actor.Owner, ct);
        }
        else
        {
            await records.UpdateAsync(keys, record.Id, VaultJson.Serialize(value), Actor.Owner, record.Version, ct);
        }
    }
}
