using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Symbolon.Intents;

namespace Symbolon.Server.Tests.Intents;

/// <summary>
/// The intent exchange end to end: a vault (ExchangeVaultClient) and vendors (ExchangeVendorClient) against the real
/// host, on each storage provider. Each test makes its own category, so vendors see only that test's intents.
/// </summary>
public abstract class ExchangeTests(ExchangeFixture exchange)
{
    private static string Category() => "t-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Intent_offers_acceptance_and_closing_run_end_to_end_and_leave_no_rows()
    {
        var category = Category();
        var alpha = await exchange.VendorAsync("alpha", category);
        var beta = await exchange.VendorAsync("beta", category);
        var intent = exchange.NewIntent(category);
        var vault = exchange.Vault();

        var posted = await vault.PostIntentAsync(intent.Keys, intent.SignedIntent);
        Assert.Equal(intent.Id, posted.Id);
        Assert.Equal(intent.Document.ExpiresAt, posted.ExpiresAt);

        // A retry of the same signed bytes is answered like the first time; other bytes under the same id are refused.
        Assert.Equal(posted, await vault.PostIntentAsync(intent.Keys, intent.SignedIntent));
        var altered = IntentCrypto.Sign(intent.Document with { Title = "Other boots" }, intent.Keys.SignKey, IntentCrypto.IntentLabel);
        var conflict = await Assert.ThrowsAsync<ExchangeProblemException>(() => vault.PostIntentAsync(intent.Keys, altered));
        Assert.Equal(ExchangeProblemCodes.IntentConflict, conflict.Code);
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);

        var feed = await alpha.Client.GetFeedAsync();
        var delivered = Assert.Single(feed.Intents);
        Assert.Equal(intent.Id, delivered.Id);
        Assert.Equal(feed.NextCursor, (await alpha.Client.GetFeedAsync(feed.NextCursor)).NextCursor);
        Assert.Single((await beta.Client.GetFeedAsync()).Intents);

        var alphaOffer = exchange.NewOffer(alpha, intent.Document, 120m);
        var betaOffer = exchange.NewOffer(beta, intent.Document, 135m);
        var alphaPosted = await alpha.Client.MakeOfferAsync(delivered, alphaOffer, alpha.Keys, CancellationToken.None);
        await beta.Client.MakeOfferAsync(delivered, betaOffer, beta.Keys, CancellationToken.None);

        var page = await vault.GetOffersAsync(intent.Keys, intent.Id);
        Assert.Equal(2, page.Offers.Count);
        var opened = page.Offers.Select(o => ExchangeVaultClient.OpenOffer(o, intent.Document, intent.Keys, exchange.Time.GetUtcNow())).ToList();
        Assert.Equal([alphaOffer.Id, betaOffer.Id], opened.Select(o => o!.Id));
        Assert.Equal(120m, opened[0]!.Price.Amount);
        Assert.Equal(alpha.Registered.VendorId, page.Offers[0].VendorId);
        Assert.Empty((await vault.GetOffersAsync(intent.Keys, intent.Id, page.NextCursor)).Offers);
        Assert.Equal(2, await exchange.OfferRowsAsync(intent.Id));

        var acceptance = exchange.NewAcceptance(intent.Document, opened[0]!);
        await vault.AcceptAsync(intent.Keys, intent.Id, alphaPosted.OfferId, ExchangeVaultClient.SealAcceptance(acceptance, intent.Keys, opened[0]!));

        var accepted = Assert.Single((await alpha.Client.GetEventsAsync()).Events);
        Assert.Equal(ExchangeEventTypes.OfferAccepted, accepted.Type);
        Assert.Equal(alphaPosted.OfferId, accepted.OfferId);
        var openedAcceptance = ExchangeVendorClient.OpenAcceptance(accepted, intent.Document, alpha.Keys);
        Assert.NotNull(openedAcceptance);
        Assert.Equal(acceptance.Invitation, openedAcceptance.Invitation);
        Assert.Equal("https://vault.example", openedAcceptance.VaultUrl);

        // Only the accepted vendor's key opens it; an acceptance checked against another intent's key is refused.
        Assert.Null(ExchangeVendorClient.OpenAcceptance(accepted, intent.Document, beta.Keys));
        Assert.Null(ExchangeVendorClient.OpenAcceptance(accepted, intent.Document with { Keys = exchange.NewIntent(category).Document.Keys }, alpha.Keys));

        var closed = Assert.Single((await beta.Client.GetEventsAsync()).Events);
        Assert.Equal(ExchangeEventTypes.OfferClosed, closed.Type);
        Assert.Null(closed.Envelope);

        Assert.Equal(0, await exchange.IntentRowsAsync(intent.Id));
        Assert.Equal(0, await exchange.OfferRowsAsync(intent.Id));
        Assert.Empty((await alpha.Client.GetFeedAsync()).Intents);
        var gone = await Assert.ThrowsAsync<ExchangeProblemException>(() => vault.GetOffersAsync(intent.Keys, intent.Id));
        Assert.Equal(ExchangeProblemCodes.IntentNotFound, gone.Code);
    }

    [Fact]
    public async Task Withdrawing_deletes_the_intent_and_its_offers_and_tells_the_offering_vendor()
    {
        var category = Category();
        var vendor = await exchange.VendorAsync("withdrawn", category);
        var intent = exchange.NewIntent(category);
        var vault = exchange.Vault();
        await vault.PostIntentAsync(intent.Keys, intent.SignedIntent);
        var offer = await vendor.Client.MakeOfferAsync(intent.Document, exchange.NewOffer(vendor, intent.Document), vendor.Keys, CancellationToken.None);

        // Someone without the intent's key cannot withdraw it.
        using var stranger = IntentKeys.Create();
        var refused = await Assert.ThrowsAsync<ExchangeProblemException>(() => vault.WithdrawAsync(stranger, intent.Id));
        Assert.Equal(ExchangeProblemCodes.BadRequestSignature, refused.Code);

        await vault.WithdrawAsync(intent.Keys, intent.Id);

        var closed = Assert.Single((await vendor.Client.GetEventsAsync()).Events);
        Assert.Equal((ExchangeEventTypes.OfferClosed, offer.OfferId, intent.Id), (closed.Type, closed.OfferId, closed.IntentId));
        Assert.Equal(0, await exchange.IntentRowsAsync(intent.Id));
        Assert.Equal(0, await exchange.OfferRowsAsync(intent.Id));
        var again = await Assert.ThrowsAsync<ExchangeProblemException>(() => vault.WithdrawAsync(intent.Keys, intent.Id));
        Assert.Equal(HttpStatusCode.NotFound, again.Status);
    }

    [Fact]
    public async Task A_withdrawn_or_accepted_intent_cannot_be_published_again_and_replayed_signed_requests_change_nothing()
    {
        var category = Category();
        var vendor = await exchange.VendorAsync("replayed", category);
        var vault = exchange.Vault();

        // Withdrawn: the vault's POST and DELETE, each replayed byte for byte within the 5-minute request window.
        var intent = exchange.NewIntent(category, lifetime: TimeSpan.FromHours(1));
        var post = SignedRequest(intent, HttpMethod.Post, "/v1/intents", JsonSerializer.SerializeToUtf8Bytes(new PostIntentRequest(intent.SignedIntent), IntentCrypto.JsonOptions));
        using (var created = await exchange.Http.SendAsync(post()))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await vendor.Client.MakeOfferAsync(intent.Document, exchange.NewOffer(vendor, intent.Document), vendor.Keys, CancellationToken.None);
        var withdraw = SignedRequest(intent, HttpMethod.Delete, $"/v1/intents/{intent.Id}", []);
        using (var withdrawn = await exchange.Http.SendAsync(withdraw()))
        {
            Assert.Equal(HttpStatusCode.NoContent, withdrawn.StatusCode);
        }

        await AssertClosedAsync(await exchange.Http.SendAsync(post()), intent.Id);
        var reposted = await Assert.ThrowsAsync<ExchangeProblemException>(() => vault.PostIntentAsync(intent.Keys, intent.SignedIntent));
        Assert.Equal((ExchangeProblemCodes.IntentClosed, HttpStatusCode.Gone), (reposted.Code, reposted.Status));
        using (var replayedWithdrawal = await exchange.Http.SendAsync(withdraw()))
        {
            Assert.Equal(HttpStatusCode.NotFound, replayedWithdrawal.StatusCode);
        }

        Assert.Equal(0, await exchange.IntentRowsAsync(intent.Id));
        Assert.Equal(ExchangeEventTypes.OfferClosed, Assert.Single((await vendor.Client.GetEventsAsync()).Events).Type);

        // Accepted: the replayed acceptance finds no intent, the replayed post is refused.
        var second = exchange.NewIntent(category, lifetime: TimeSpan.FromHours(1));
        var secondPost = SignedRequest(second, HttpMethod.Post, "/v1/intents", JsonSerializer.SerializeToUtf8Bytes(new PostIntentRequest(second.SignedIntent), IntentCrypto.JsonOptions));
        using (var created = await exchange.Http.SendAsync(secondPost()))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var offer = exchange.NewOffer(vendor, second.Document);
        var offered = await vendor.Client.MakeOfferAsync(second.Document, offer, vendor.Keys, CancellationToken.None);
        var sealedAcceptance = ExchangeVaultClient.SealAcceptance(exchange.NewAcceptance(second.Document, offer), second.Keys, offer);
        var accept = SignedRequest(second, HttpMethod.Post, $"/v1/intents/{second.Id}/acceptance",
            JsonSerializer.SerializeToUtf8Bytes(new AcceptOfferRequest(offered.OfferId, sealedAcceptance), IntentCrypto.JsonOptions));
        using (var accepted = await exchange.Http.SendAsync(accept()))
        {
            Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        }

        using (var replayedAcceptance = await exchange.Http.SendAsync(accept()))
        {
            Assert.Equal(HttpStatusCode.NotFound, replayedAcceptance.StatusCode);
        }

        await AssertClosedAsync(await exchange.Http.SendAsync(secondPost()), second.Id);
        Assert.Equal([ExchangeEventTypes.OfferClosed, ExchangeEventTypes.OfferAccepted], (await vendor.Client.GetEventsAsync()).Events.Select(e => e.Type));

        // What is kept is a hash of each id, until the intent's expiry; then the sweep deletes it, and the intent's own
        // expiry refuses it.
        string[] hashes = [Symbolon.Exchange.IntentLifecycle.TombstoneOf(intent.Id), Symbolon.Exchange.IntentLifecycle.TombstoneOf(second.Id)];
        Assert.Equal(2, await exchange.QueryAsync(db => db.IntentTombstones.CountAsync(t => hashes.Contains(t.IdHash))));
        exchange.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await ExchangeFixture.EventuallyAsync(async () => await exchange.QueryAsync(db => db.IntentTombstones.CountAsync(t => hashes.Contains(t.IdHash))) == 0,
            "the sweep deletes tombstones past their intent's expiry");
        var expired = await Assert.ThrowsAsync<ExchangeProblemException>(() => vault.PostIntentAsync(intent.Keys, intent.SignedIntent));
        Assert.Equal(ExchangeProblemCodes.InvalidIntent, expired.Code);
    }

    [Fact]
    public async Task An_expired_intent_is_swept_with_its_offers_and_offering_vendors_hear_it_closed()
    {
        var category = Category();
        var vendor = await exchange.VendorAsync("expiring", category);
        var intent = exchange.NewIntent(category, lifetime: TimeSpan.FromHours(1));
        await exchange.Vault().PostIntentAsync(intent.Keys, intent.SignedIntent);
        await vendor.Client.MakeOfferAsync(intent.Document, exchange.NewOffer(vendor, intent.Document), vendor.Keys, CancellationToken.None);

        exchange.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        // Past its expiry it is gone at once for everyone, whether or not the sweep has run yet.
        Assert.Empty((await vendor.Client.GetFeedAsync()).Intents);
        var late = await Assert.ThrowsAsync<ExchangeProblemException>(() =>
            vendor.Client.MakeOfferAsync(intent.Document with { ExpiresAt = exchange.Time.GetUtcNow().AddDays(1) }, exchange.NewOffer(vendor, intent.Document), vendor.Keys, CancellationToken.None));
        Assert.Equal(ExchangeProblemCodes.IntentNotFound, late.Code);

        await ExchangeFixture.EventuallyAsync(async () => await exchange.IntentRowsAsync(intent.Id) == 0, "the sweep deletes the expired intent");
        Assert.Equal(0, await exchange.OfferRowsAsync(intent.Id));
        var closed = Assert.Single((await vendor.Client.GetEventsAsync()).Events);
        Assert.Equal(ExchangeEventTypes.OfferClosed, closed.Type);

        // Events are kept 30 days, then deleted too.
        exchange.Time.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        await ExchangeFixture.EventuallyAsync(async () => (await vendor.Client.GetEventsAsync()).Events.Count == 0, "the sweep deletes events older than 30 days");
    }

    [Fact]
    public async Task Forged_and_invalid_intents_are_refused_with_the_field_named_and_no_value_echoed()
    {
        var category = Category();
        var vault = exchange.Vault();
        var intent = exchange.NewIntent(category);

        // Signed by another key than the one it names.
        using var other = IntentKeys.Create();
        var forged = IntentCrypto.Sign(intent.Document, other.SignKey, IntentCrypto.IntentLabel);
        var problem = await Assert.ThrowsAsync<ExchangeProblemException>(() => vault.PostIntentAsync(intent.Keys, forged));
        Assert.Equal((ExchangeProblemCodes.ForgedIntent, HttpStatusCode.BadRequest), (problem.Code, problem.Status));
        Assert.Contains("intent.signature", problem.Errors.Keys);

        // A changed payload under the original signature.
        var tampered = intent.SignedIntent with { Payload = IntentCrypto.Encode(JsonSerializer.SerializeToUtf8Bytes(intent.Document with { Budget = new IntentBudget(9999m, "EUR") }, IntentCrypto.JsonOptions)) };
        Assert.Equal(ExchangeProblemCodes.ForgedIntent, (await Assert.ThrowsAsync<ExchangeProblemException>(() => vault.PostIntentAsync(intent.Keys, tampered))).Code);

        // Correctly signed but against the content rules: the field is named, the value is not repeated.
        var invalid = intent.Document with { Budget = new IntentBudget(0.001m, "EUR"), Title = "Boots\u0007 for 4711" };
        var signed = IntentCrypto.Sign(invalid, intent.Keys.SignKey, IntentCrypto.IntentLabel);
        var rules = await Assert.ThrowsAsync<ExchangeProblemException>(() => vault.PostIntentAsync(intent.Keys, signed));
        Assert.Equal(ExchangeProblemCodes.InvalidIntent, rules.Code);
        Assert.Contains("budget.max", rules.Errors.Keys);
        Assert.Contains("title", rules.Errors.Keys);
        Assert.DoesNotContain("4711", rules.Message + string.Concat(rules.Errors.SelectMany(e => e.Value)), StringComparison.Ordinal);
        Assert.DoesNotContain("0.001", rules.Message + string.Concat(rules.Errors.SelectMany(e => e.Value)), StringComparison.Ordinal);

        // Not JSON of the expected shape: the member is named.
        using var content = new StringContent("""{"intent":{"payload":"x","signature":"y"},"extra":1}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await exchange.Http.PostAsync("v1/intents", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var document = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ExchangeProblemCodes.MalformedJson, document.GetProperty("code").GetString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await exchange.IntentRowsAsync(intent.Id));
    }

    [Fact]
    public async Task Requests_signed_with_another_key_or_a_stale_clock_are_refused()
    {
        var category = Category();
        var intent = exchange.NewIntent(category);
        var vault = exchange.Vault();

        // Posting needs the intent's key on the request too, so a copy of the signed intent cannot carry a blocklist of someone else's choosing.
        using var other = IntentKeys.Create();
        var unsigned = await Assert.ThrowsAsync<ExchangeProblemException>(() => vault.PostIntentAsync(other, intent.SignedIntent));
        Assert.Equal((ExchangeProblemCodes.BadRequestSignature, HttpStatusCode.Unauthorized), (unsigned.Code, unsigned.Status));

        var stale = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(exchange.Time.GetUtcNow() - TimeSpan.FromMinutes(6));
        var staleProblem = await Assert.ThrowsAsync<ExchangeProblemException>(() => exchange.Vault(stale).PostIntentAsync(intent.Keys, intent.SignedIntent));
        Assert.Equal(ExchangeProblemCodes.BadRequestSignature, staleProblem.Code);

        await vault.PostIntentAsync(intent.Keys, intent.SignedIntent);
        Assert.Equal(ExchangeProblemCodes.BadRequestSignature, (await Assert.ThrowsAsync<ExchangeProblemException>(() => vault.GetOffersAsync(other, intent.Id))).Code);
        Assert.Equal(ExchangeProblemCodes.BadRequestSignature, (await Assert.ThrowsAsync<ExchangeProblemException>(() => exchange.Vault(stale).GetOffersAsync(intent.Keys, intent.Id))).Code);

        // A signature over one path does not carry to another (the cursor is signed too).
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(exchange.Address, $"v1/intents/{intent.Id}/offers?after=0"));
        request.Headers.TryAddWithoutValidation("Authorization", IntentCrypto.SignRequest(intent.Keys.SignKey, "GET", $"/v1/intents/{intent.Id}/offers", [], exchange.Time.GetUtcNow()));
        using var response = await exchange.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty((await exchange.Vault().GetOffersAsync(intent.Keys, intent.Id, "0")).Offers);
    }

    [Fact]
    public async Task An_envelope_replayed_to_another_intent_or_signed_by_another_key_never_opens()
    {
        var category = Category();
        var vendor = await exchange.VendorAsync("replayer", category);
        var first = exchange.NewIntent(category);
        var second = exchange.NewIntent(category);
        var vault = exchange.Vault();
        await vault.PostIntentAsync(first.Keys, first.SignedIntent);
        await vault.PostIntentAsync(second.Keys, second.SignedIntent);
        await vendor.Client.MakeOfferAsync(first.Document, exchange.NewOffer(vendor, first.Document), vendor.Keys, CancellationToken.None);
        var original = Assert.Single((await vault.GetOffersAsync(first.Keys, first.Id)).Offers);
        Assert.NotNull(ExchangeVaultClient.OpenOffer(original, first.Document, first.Keys, exchange.Time.GetUtcNow()));

        // The exchange cannot tell (it cannot read envelopes), so it relays the copy; the vault cannot open it.
        using (var replay = await exchange.PostAsVendorAsync(vendor, $"v1/intents/{second.Id}/offers", new OfferSubmission(original.Envelope)))
        {
            Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        }

        var replayed = Assert.Single((await vault.GetOffersAsync(second.Keys, second.Id)).Offers);
        Assert.Null(ExchangeVaultClient.OpenOffer(replayed, second.Document, second.Keys, exchange.Time.GetUtcNow()));

        // An offer signed with a key other than the one the vendor registered is relayed under the registered key and refused.
        using var impostor = IntentKeys.Create();
        var offer = exchange.NewOffer(vendor, first.Document) with
        {
            Vendor = new OfferVendor("replayer", "https://replayer.example", impostor.PublicKeys.Sign, impostor.PublicKeys.Offer),
        };
        var envelope = IntentCrypto.SignAndSeal(offer, impostor.SignKey, IntentCrypto.OfferLabel, first.Document.Keys.Offer, first.Id);
        using (var forged = await exchange.PostAsVendorAsync(vendor, $"v1/intents/{first.Id}/offers", new OfferSubmission(envelope)))
        {
            Assert.Equal(HttpStatusCode.Created, forged.StatusCode);
        }

        var page = await vault.GetOffersAsync(first.Keys, first.Id, original.Cursor);
        Assert.Null(ExchangeVaultClient.OpenOffer(Assert.Single(page.Offers), first.Document, first.Keys, exchange.Time.GetUtcNow()));

        // An offer that has expired by the time the vault reads it is not shown either.
        Assert.Null(ExchangeVaultClient.OpenOffer(original, first.Document, first.Keys, exchange.Time.GetUtcNow().AddDays(4)));
    }

    [Fact]
    public async Task An_oversized_offer_is_refused_with_413_and_too_many_offers_with_429()
    {
        var category = Category();
        var vendor = await exchange.VendorAsync("flooder", category);
        var intent = exchange.NewIntent(category);
        await exchange.Vault().PostIntentAsync(intent.Keys, intent.SignedIntent);

        var big = new SealedEnvelope(IntentCrypto.Encode(new byte[32]), IntentCrypto.Encode(new byte[12]), new string('A', IntentRules.MaxOfferBytes));
        using (var response = await exchange.PostAsVendorAsync(vendor, $"v1/intents/{intent.Id}/offers", new OfferSubmission(big)))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal(ExchangeProblemCodes.TooLarge, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        using (var response = await exchange.PostAsVendorAsync(vendor, $"v1/intents/{intent.Id}/offers", new OfferSubmission(big with { Ciphertext = new string('A', 40_000) })))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        // The fixture allows 5 offers a minute; the 413s above were refused before they counted.
        for (var i = 0; i < ExchangeFixture.OffersPerMinute; i++)
        {
            await vendor.Client.MakeOfferAsync(intent.Document, exchange.NewOffer(vendor, intent.Document, 100m + i), vendor.Keys, CancellationToken.None);
        }

        var limited = await Assert.ThrowsAsync<ExchangeProblemException>(() =>
            vendor.Client.MakeOfferAsync(intent.Document, exchange.NewOffer(vendor, intent.Document), vendor.Keys, CancellationToken.None));
        Assert.Equal((ExchangeProblemCodes.RateLimited, HttpStatusCode.TooManyRequests), (limited.Code, limited.Status));
        Assert.NotNull(limited.RetryAfter);
        Assert.InRange(limited.RetryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal(ExchangeFixture.OffersPerMinute, await exchange.OfferRowsAsync(intent.Id));

        // The limit is per vendor: another vendor still offers.
        var other = await exchange.VendorAsync("patient", category);
        await other.Client.MakeOfferAsync(intent.Document, exchange.NewOffer(other, intent.Document), other.Keys, CancellationToken.None);
    }

    [Fact]
    public async Task A_blocked_vendor_sees_nothing_of_the_intent_and_its_offer_is_404()
    {
        var category = Category();
        var blocked = await exchange.VendorAsync("blocked", category, webhook: true);
        var welcome = await exchange.VendorAsync("welcome", category, webhook: true);
        var intent = exchange.NewIntent(category);
        await exchange.Vault().PostIntentAsync(intent.Keys, intent.SignedIntent, IntentCrypto.CreateBlocklist([blocked.Keys.PublicKeys.Sign]));

        Assert.Single((await welcome.Client.GetFeedAsync()).Intents);
        Assert.Empty((await blocked.Client.GetFeedAsync()).Intents);
        var refused = await Assert.ThrowsAsync<ExchangeProblemException>(() =>
            blocked.Client.MakeOfferAsync(intent.Document, exchange.NewOffer(blocked, intent.Document), blocked.Keys, CancellationToken.None));
        Assert.Equal((ExchangeProblemCodes.IntentNotFound, HttpStatusCode.NotFound), (refused.Code, refused.Status));

        // The welcome vendor's webhook arrives; the blocked vendor's never does.
        var published = exchange.Verify(welcome, await exchange.Receiver.NextAsync("welcome"));
        Assert.Equal(intent.Id, published.Data.GetProperty("id").GetString());
        Assert.Empty(exchange.Receiver.Requests("blocked"));
        Assert.Equal(0, await exchange.QueryAsync(db => db.WebhookMessages.CountAsync(m => m.VendorId == blocked.Registered.VendorId)));
    }

    [Fact]
    public async Task Webhooks_are_signed_as_Standard_Webhooks_and_carry_the_intent_and_the_acceptance()
    {
        var category = Category();
        var vendor = await exchange.VendorAsync("hooked", category, webhook: true);
        var intent = exchange.NewIntent(category);
        var vault = exchange.Vault();
        await vault.PostIntentAsync(intent.Keys, intent.SignedIntent);

        var published = exchange.Verify(vendor, await exchange.Receiver.NextAsync("hooked"));
        Assert.Equal(ExchangeEventTypes.IntentPublished, published.Type);
        var feedIntent = published.Data.Deserialize<FeedIntent>(IntentCrypto.JsonOptions)!;
        Assert.Equal(intent.Id, feedIntent.Id);
        var offer = exchange.NewOffer(vendor, intent.Document);
        var posted = await vendor.Client.MakeOfferAsync(feedIntent, offer, vendor.Keys, CancellationToken.None);

        var relayed = Assert.Single((await vault.GetOffersAsync(intent.Keys, intent.Id)).Offers);
        var opened = ExchangeVaultClient.OpenOffer(relayed, intent.Document, intent.Keys, exchange.Time.GetUtcNow())!;
        var acceptance = exchange.NewAcceptance(intent.Document, opened);
        await vault.AcceptAsync(intent.Keys, intent.Id, posted.OfferId, ExchangeVaultClient.SealAcceptance(acceptance, intent.Keys, opened));

        var webhook = await exchange.Receiver.NextAsync("hooked");
        var accepted = exchange.Verify(vendor, webhook);
        Assert.Equal(ExchangeEventTypes.OfferAccepted, accepted.Type);
        var exchangeEvent = accepted.Data.Deserialize<ExchangeEvent>(IntentCrypto.JsonOptions)!;
        Assert.Equal(acceptance.Invitation, ExchangeVendorClient.OpenAcceptance(exchangeEvent, intent.Document, vendor.Keys)?.Invitation);

        // A changed body does not verify.
        Assert.Throws<Symbolon.Client.WebhookVerificationException>(() =>
            new Symbolon.Client.WebhookVerifier(vendor.Registered.WebhookSecret!, timeProvider: exchange.Time).Verify(webhook.Body.Replace("offer.accepted", "offer.closed", StringComparison.Ordinal), webhook.Headers));
    }

    [Fact]
    public async Task A_vendor_whose_receiver_is_down_gets_every_webhook_in_order_when_it_is_back()
    {
        var category = Category();
        exchange.Receiver.Answer("down", 503);
        var vendor = await exchange.VendorAsync("down", category, webhook: true);
        var first = exchange.NewIntent(category);
        var second = exchange.NewIntent(category);
        var vault = exchange.Vault();
        await vault.PostIntentAsync(first.Keys, first.SignedIntent);
        await vault.PostIntentAsync(second.Keys, second.SignedIntent);

        await ExchangeFixture.EventuallyAsync(() => Task.FromResult(exchange.Receiver.Requests("down").Count >= 1), "a first, failed attempt");
        Assert.Equal(2, await exchange.QueryAsync(db => db.WebhookMessages.CountAsync(m => m.VendorId == vendor.Registered.VendorId)));

        exchange.Receiver.Answer("down", 204);
        exchange.Time.Advance(TimeSpan.FromMinutes(2));
        var one = exchange.Verify(vendor, await exchange.Receiver.NextAsync("down"));
        var two = exchange.Verify(vendor, await exchange.Receiver.NextAsync("down"));
        Assert.Equal([first.Id, second.Id], new[] { one, two }.Select(e => e.Data.GetProperty("id").GetString()));

        // Retries carry the same message id (receivers drop repeats by it): two messages, however many attempts.
        Assert.Equal(2, exchange.Receiver.Requests("down").Select(r => r.MessageId).Distinct().Count());
        await ExchangeFixture.EventuallyAsync(async () => await exchange.QueryAsync(db => db.WebhookMessages.CountAsync(m => m.VendorId == vendor.Registered.VendorId)) == 0, "the outbox empties");
    }

    [Fact]
    public async Task Discovery_OpenAPI_and_refusals_answer_as_documented()
    {
        var discovery = await exchange.Vault().DiscoverAsync();
        Assert.Equal("Test exchange", discovery.Name);
        Assert.Equal(new Uri(exchange.Address, "v1/").ToString(), discovery.ApiBase);
        Assert.Equal((1, IntentRules.MaxIntentBytes, IntentRules.MaxOfferBytes, ExchangeFixture.OffersPerMinute),
            (discovery.ProtocolVersion, discovery.MaxIntentBytes, discovery.MaxOfferBytes, discovery.OffersPerMinute));

        var openApi = await exchange.Http.GetFromJsonAsync<JsonElement>(new Uri(discovery.OpenApi));
        var paths = openApi.GetProperty("paths");
        foreach (var path in new[] { "/v1/intents", "/v1/intents/{id}", "/v1/intents/{id}/offers", "/v1/intents/{id}/acceptance", "/v1/vendors", "/v1/vendors/me/subscriptions", "/v1/feed", "/v1/vendors/me/events" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path + " is described");
        }

        var unknownKey = new ExchangeVendorClient(exchange.Http, "xv_" + IntentCrypto.Encode(new byte[32]));
        Assert.Equal(ExchangeProblemCodes.BadApiKey, (await Assert.ThrowsAsync<ExchangeProblemException>(() => unknownKey.GetFeedAsync())).Code);

        using var nowhere = await exchange.Http.GetAsync("v1/nowhere");
        Assert.Equal(HttpStatusCode.NotFound, nowhere.StatusCode);
        Assert.Equal(ExchangeProblemCodes.NoSuchEndpoint, (await nowhere.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        // A registration with a bad site, a bad key and a webhook address that is not http(s) names each field.
        var registration = new ExchangeVendorRegistration("Shop", "ftp://shop.example", "not-a-key", IntentKeys.Create().PublicKeys.Offer, "file:///etc/passwd");
        var problem = await Assert.ThrowsAsync<ExchangeProblemException>(() => new ExchangeVendorClient(exchange.Http).RegisterAsync(registration));
        Assert.Equal(ExchangeProblemCodes.InvalidRegistration, problem.Code);
        Assert.Equal(["sign_key", "site", "webhook_url"], problem.Errors.Keys.Order(StringComparer.Ordinal));

        // A key can be registered once.
        var taken = await exchange.VendorAsync("first-" + Guid.NewGuid().ToString("N")[..6], Category());
        var again = new ExchangeVendorRegistration("Copy", "https://copy.example", taken.Keys.PublicKeys.Sign, taken.Keys.PublicKeys.Offer);
        Assert.Equal(ExchangeProblemCodes.VendorKeyTaken, (await Assert.ThrowsAsync<ExchangeProblemException>(() => new ExchangeVendorClient(exchange.Http).RegisterAsync(again))).Code);

        // Only a hash of the API key is stored.
        Assert.Equal(0, await exchange.QueryAsync(db => db.Vendors.CountAsync(v => v.ApiKeyHash == taken.Registered.ApiKey)));
    }

    /// <summary>Problem SYM2820, naming the field and not the intent's id.</summary>
    private static async Task AssertClosedAsync(HttpResponseMessage response, string intentId)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            using var problem = JsonDocument.Parse(text);
            Assert.Equal(ExchangeProblemCodes.IntentClosed, problem.RootElement.GetProperty("code").GetString());
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("intent.id", out _));
            Assert.DoesNotContain(intentId, text, StringComparison.Ordinal);
        }
    }

    /// <summary>A request signed once with the intent's key, which the returned function sends again byte for byte (a replay).</summary>
    private Func<HttpRequestMessage> SignedRequest(TestIntent intent, HttpMethod method, string path, byte[] body)
    {
        var authorization = IntentCrypto.SignRequest(intent.Keys.SignKey, method.Method, path, body, exchange.Time.GetUtcNow());
        return () =>
        {
            var request = new HttpRequestMessage(method, new Uri(exchange.Address, path));
            if (body.Length > 0)
            {
                request.Content = new ByteArrayContent(body) { Headers = { ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") } };
            }

            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            return request;
        };
    }
}

public sealed class SqliteExchangeTests(SqliteExchangeFixture exchange) : ExchangeTests(exchange), IClassFixture<SqliteExchangeFixture>;

public sealed class PostgresExchangeTests(PostgresExchangeFixture exchange) : ExchangeTests(exchange), IClassFixture<PostgresExchangeFixture>;
