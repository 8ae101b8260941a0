using System.Net;
using System.Net.Http.Json;
using System.Text;
using Symbolon.Contracts.Intents;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vendor;
using Symbolon.Intents;
using Symbolon.Server.Tests.Requests;
using Symbolon.Server.Tests.VendorProtocol;
using Symbolon.Server.Tests.Wallet;

namespace Symbolon.Server.Tests.Intents;

/// <summary>
/// The vault and a real exchange (its host on a loopback port, over one SQLite file) through faults and the person's
/// choices: the exchange stopped and started again on the same port and database while intents are posted, polled
/// and deleted; a blocked vendor; the ranking on the person's own records; the linkability warning of the preview.
/// </summary>
public sealed class IntentExchangeSyncTests(RestartableExchangeFixture exchange) : IClassFixture<RestartableExchangeFixture>
{
    private const string Unreachable = "The exchange could not be reached; trying again later.";

    [Fact]
    public async Task An_intent_made_while_its_exchange_is_down_waits_then_is_posted_and_offers_held_through_failed_polls_arrive()
    {
        using var factory = new SymbolonApplicationFactory();
        var (_, person, address) = await VaultAsync(factory);
        var alder = await exchange.VendorAsync("alder", "shoes");

        // Down: the intent is made all the same and waits, with the reason in words and the vault trying again.
        await exchange.StopAsync();
        string id;
        try
        {
            id = (await IntentApiTests.PostAsync<IntentDetail>(person, "/owner/api/v1/intents", Boots(address), HttpStatusCode.Created)).Summary.Id;
            await TickUntilAsync(factory, async () => Assert.Single((await DetailAsync(person, id)).Exchanges).Attempts >= 2, "two postings fail");
            var waiting = Assert.Single((await DetailAsync(person, id)).Exchanges);
            Assert.Equal((IntentExchangeStates.Pending, Unreachable, (DateTimeOffset?)null), (waiting.State, waiting.LastError, waiting.PostedAt));
            Assert.Equal(IntentStatuses.Open, (await DetailAsync(person, id)).Summary.Status);
        }
        finally
        {
            await exchange.StartAsync();
        }

        // Back: it is posted at the next attempt (backoff) and reaches the subscribed vendor.
        var feed = await PostedAsync(factory, person, alder, id);
        var document = IntentCrypto.VerifyIntent(feed.Intent)!;
        Assert.Null(Assert.Single((await DetailAsync(person, id)).Exchanges).LastError);

        // An offer made before the exchange goes down again is held there while the vault's polls fail.
        await alder.Client.MakeOfferAsync(feed, exchange.NewOffer(alder, document, price: 131m), alder.Keys, CancellationToken.None);
        await exchange.StopAsync();
        try
        {
            await TickUntilAsync(factory, async () => Assert.Single((await DetailAsync(person, id)).Exchanges).LastError == Unreachable, "a poll fails");
            Assert.Equal(IntentExchangeStates.Posted, Assert.Single((await DetailAsync(person, id)).Exchanges).State);
            Assert.Empty((await IntentApiTests.OffersAsync(person, id)).Offers);
        }
        finally
        {
            await exchange.StartAsync();
        }

        // Another offer comes in before the vault's next poll; both arrive, nothing is lost, the error clears.
        await alder.Client.MakeOfferAsync(feed, exchange.NewOffer(alder, document, price: 127m), alder.Keys, CancellationToken.None);
        // (The offers are stored before the pass records the exchange's state: wait for both.)
        await TickUntilAsync(
            factory,
            async () => (await IntentApiTests.OffersAsync(person, id)).Offers.Count == 2 && Assert.Single((await DetailAsync(person, id)).Exchanges).LastError is null,
            "both offers are fetched and the error clears");
        Assert.Equal([127m, 131m], (await IntentApiTests.OffersAsync(person, id)).Offers.Select(o => o.Price));
        var polled = Assert.Single((await DetailAsync(person, id)).Exchanges);
        Assert.Equal((IntentExchangeStates.Posted, (string?)null), (polled.State, polled.LastError));
        Assert.Equal(0, (await DetailAsync(person, id)).RefusedOffers);
    }

    [Fact]
    public async Task Withdrawn_and_expired_intents_are_deleted_at_the_exchange_and_a_deletion_missed_while_it_is_down_is_sent_later()
    {
        using var factory = new SymbolonApplicationFactory();
        var (_, person, address) = await VaultAsync(factory);
        var birch = await exchange.VendorAsync("birch", "shoes");
        var withdrawn = (await IntentApiTests.PostAsync<IntentDetail>(person, "/owner/api/v1/intents", Boots(address), HttpStatusCode.Created)).Summary.Id;
        var expiring = (await IntentApiTests.PostAsync<IntentDetail>(person, "/owner/api/v1/intents", Boots(address) with { Title = "Rain boots", ExpiresInDays = 1 }, HttpStatusCode.Created)).Summary;
        var documents = new Dictionary<string, IntentDocument>();
        foreach (var id in new[] { withdrawn, expiring.Id })
        {
            var feed = await PostedAsync(factory, person, birch, id);
            documents[id] = IntentCrypto.VerifyIntent(feed.Intent)!;
            await birch.Client.MakeOfferAsync(feed, exchange.NewOffer(birch, documents[id]), birch.Keys, CancellationToken.None);
            await TickUntilAsync(factory, async () => (await IntentApiTests.OffersAsync(person, id)).Offers.Count == 1, "the offer is fetched");
        }

        // Withdrawn while the exchange is down: closed in the vault at once; the deletion fails and is owed.
        await exchange.StopAsync();
        try
        {
            var closed = await IntentApiTests.PostAsync<IntentDetail>(person, $"/owner/api/v1/intents/{withdrawn}/withdraw", new { }, HttpStatusCode.OK);
            Assert.Equal(IntentStatuses.Withdrawn, closed.Summary.Status);
            await TickUntilAsync(factory, async () => Assert.Single((await DetailAsync(person, withdrawn)).Exchanges).LastError == Unreachable, "the deletion fails");
            Assert.Equal(IntentExchangeStates.Closed, Assert.Single((await DetailAsync(person, withdrawn)).Exchanges).State);

            // Until shortly before the other intent expires (the exchange, started again, sweeps at once and then not for a day).
            Advance(factory, expiring.ExpiresAt - factory.Time.GetUtcNow() - TimeSpan.FromMinutes(10));
        }
        finally
        {
            await exchange.StartAsync();
        }

        // Back: the deletion is sent; the exchange holds neither the intent nor its offer, and serves neither.
        await TickUntilAsync(factory, async () => await exchange.IntentRowsAsync(withdrawn) == 0, "the withdrawn intent is deleted at the exchange");
        Assert.Equal(0, await exchange.OfferRowsAsync(withdrawn));
        Assert.DoesNotContain((await birch.Client.GetFeedAsync(limit: 100)).Intents, i => i.Id == withdrawn);
        Assert.Contains((await birch.Client.GetEventsAsync()).Events, e => e.IntentId == withdrawn && e.Type == ExchangeEventTypes.OfferClosed);
        Assert.Null(Assert.Single((await DetailAsync(person, withdrawn)).Exchanges).LastError);
        var gone = documents[withdrawn];
        Assert.Equal(HttpStatusCode.NotFound, (await exchange.PostAsVendorAsync(birch, $"v1/intents/{withdrawn}/offers", new OfferSubmission(
            IntentCrypto.SignAndSeal(exchange.NewOffer(birch, gone), birch.Keys.SignKey, IntentCrypto.OfferLabel, gone.Keys.Offer, withdrawn)))).StatusCode);

        // The other expires: the vault closes it and deletes it at the exchange (whose own sweep is a day away).
        Assert.Equal(1, await exchange.IntentRowsAsync(expiring.Id));
        Advance(factory, TimeSpan.FromMinutes(11));
        var seen = "";
        try
        {
            await TickUntilAsync(factory, async () =>
            {
                var detail = await DetailAsync(person, expiring.Id);
                var rows = await exchange.IntentRowsAsync(expiring.Id);
                seen = $"{detail.Summary.Status}, exchange {Assert.Single(detail.Exchanges)}, {rows} rows at the exchange";
                return detail.Summary.Status == IntentStatuses.Expired && rows == 0;
            }, "the expired intent is deleted at the exchange");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + " Last seen: " + seen, e);
        }
        Assert.Equal(0, await exchange.OfferRowsAsync(expiring.Id));
        Assert.Equal(IntentOfferStatuses.Closed, Assert.Single((await IntentApiTests.OffersAsync(person, expiring.Id)).Offers).Status);
        Assert.Contains((await birch.Client.GetEventsAsync()).Events, e => e.IntentId == expiring.Id && e.Type == ExchangeEventTypes.OfferClosed);
    }

    [Fact]
    public async Task A_blocked_vendor_gets_none_of_the_persons_new_intents_and_its_offers_that_still_arrive_are_dropped()
    {
        using var factory = new SymbolonApplicationFactory();
        var (_, person, address) = await VaultAsync(factory);
        var rowan = await exchange.VendorAsync("rowan", "shoes");
        var sorrel = await exchange.VendorAsync("sorrel", "shoes");
        var first = (await IntentApiTests.PostAsync<IntentDetail>(person, "/owner/api/v1/intents", Boots(address), HttpStatusCode.Created)).Summary.Id;
        var second = (await IntentApiTests.PostAsync<IntentDetail>(person, "/owner/api/v1/intents", Boots(address) with { Title = "Snow boots" }, HttpStatusCode.Created)).Summary.Id;
        var firstFeed = await PostedAsync(factory, person, rowan, first);
        var secondFeed = await PostedAsync(factory, person, rowan, second);

        // Rowan offers; the person blocks it from that offer.
        await rowan.Client.MakeOfferAsync(firstFeed, exchange.NewOffer(rowan, IntentCrypto.VerifyIntent(firstFeed.Intent)!), rowan.Keys, CancellationToken.None);
        await TickUntilAsync(factory, async () => (await IntentApiTests.OffersAsync(person, first)).Offers.Count == 1, "rowan's offer is fetched");
        var offer = Assert.Single((await IntentApiTests.OffersAsync(person, first)).Offers);
        var blocked = await IntentApiTests.PostAsync<BlockedIntentVendor>(person, "/owner/api/v1/intents/blocked", new BlockIntentVendorInput(first, offer.Id), HttpStatusCode.OK);
        Assert.Equal(("rowan", rowan.Keys.PublicKeys.Sign), (blocked.Name, blocked.SignKey));
        Assert.Equal(rowan.Keys.PublicKeys.Sign, Assert.Single((await person.GetFromJsonAsync<List<BlockedIntentVendor>>("/owner/api/v1/intents/blocked", SymbolonApplicationFactory.Json))!).SignKey);

        // The offer it was blocked from is neither shown, counted nor acceptable any more.
        Assert.Empty((await IntentApiTests.OffersAsync(person, first)).Offers);
        Assert.Equal(0, (await DetailAsync(person, first)).Summary.OpenOfferCount);
        var late = await person.PostAsJsonAsync($"/owner/api/v1/intents/{first}/offers/{offer.Id}/accept", new AcceptOfferInput([Datatypes.Name]), SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);

        // The second intent went out before the block, so the exchange still takes rowan's offer on it (as an
        // exchange ignoring blocklists would): the vault drops it, shows it nowhere and does not count it as refused.
        var secondDocument = IntentCrypto.VerifyIntent(secondFeed.Intent)!;
        await rowan.Client.MakeOfferAsync(secondFeed, exchange.NewOffer(rowan, secondDocument, price: 99m), rowan.Keys, CancellationToken.None);
        await sorrel.Client.MakeOfferAsync(FeedOf(await sorrel.Client.GetFeedAsync(limit: 100), second), exchange.NewOffer(sorrel, secondDocument, price: 140m), sorrel.Keys, CancellationToken.None);
        Assert.Equal(2, await exchange.OfferRowsAsync(second));
        await TickUntilAsync(factory, async () => (await IntentApiTests.OffersAsync(person, second)).Offers.Count > 0, "the second intent's offers are fetched");
        var shown = await IntentApiTests.OffersAsync(person, second);
        Assert.Equal(["sorrel"], shown.Offers.Select(o => o.VendorName));
        Assert.Equal(0, shown.Refused);
        var summary = (await DetailAsync(person, second)).Summary;
        Assert.Equal((1, 1), (summary.OfferCount, summary.OpenOfferCount));

        // A new intent carries the blocklist: rowan does not find it in its feed and its offer is answered as if the
        // intent did not exist; sorrel finds it and offers as ever.
        var third = (await IntentApiTests.PostAsync<IntentDetail>(person, "/owner/api/v1/intents", Boots(address) with { Title = "Hiking boots" }, HttpStatusCode.Created)).Summary.Id;
        var thirdFeed = await PostedAsync(factory, person, sorrel, third);
        Assert.DoesNotContain((await rowan.Client.GetFeedAsync(limit: 100)).Intents, i => i.Id == third);
        var thirdDocument = IntentCrypto.VerifyIntent(thirdFeed.Intent)!;
        var refused = await exchange.PostAsVendorAsync(rowan, $"v1/intents/{third}/offers", new OfferSubmission(
            IntentCrypto.SignAndSeal(exchange.NewOffer(rowan, thirdDocument), rowan.Keys.SignKey, IntentCrypto.OfferLabel, thirdDocument.Keys.Offer, third)));
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        await sorrel.Client.MakeOfferAsync(thirdFeed, exchange.NewOffer(sorrel, thirdDocument), sorrel.Keys, CancellationToken.None);
        Assert.Equal(1, await exchange.OfferRowsAsync(third));
        await TickUntilAsync(factory, async () => (await IntentApiTests.OffersAsync(person, third)).Offers.Count == 1, "sorrel's offer is fetched");
        Assert.Equal("sorrel", Assert.Single((await IntentApiTests.OffersAsync(person, third)).Offers).VendorName);
    }

    [Fact]
    public async Task Offers_rank_by_what_the_person_paid_each_vendor_before_and_how_it_answered_their_requests()
    {
        using var factory = new SymbolonApplicationFactory();
        factory.Settings["Intents:PollInterval"] = "00:00:01";
        var (owner, _) = await factory.CreateVaultAsync();
        var person = await factory.LongLivedOwnerAsync(owner);

        // Real records first, on the vault's own clock: Cedar answered a request after its due date, Dogwood on time (and
        // sent a receipt); a card statement shows a payment to Birch. Alder is a stranger.
        var cedar = await factory.RelatedVendorAsync(owner, "Cedar");
        var dogwood = await factory.RelatedVendorAsync(owner, "Dogwood");
        var due = factory.Time.GetUtcNow().AddMinutes(3);
        foreach (var vendor in new[] { cedar, dogwood })
        {
            await RequestFlow.SendRequestAsync(person, new RequestInput(vendor.RelationshipId, RequestKinds.Service, Title: "Broken zip", Text: "The zip of my boots broke.", DueAt: due));
        }

        Assert.Equal(HttpStatusCode.Created, (await RequestFlow.ReplyAsync(dogwood.Api, Assert.Single(await RequestFlow.VendorRequestsAsync(dogwood.Api)).Id, new RequestReplyInput("A new pair is on its way.", RequestStatuses.Answered))).StatusCode);
        Advance(factory, TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.Created, (await RequestFlow.ReplyAsync(cedar.Api, Assert.Single(await RequestFlow.VendorRequestsAsync(cedar.Api)).Id, new RequestReplyInput("Sorry for the wait.", RequestStatuses.Answered))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await DataApiTests.SendAsync(dogwood.Api, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt(store: "Dogwood"), null)).StatusCode);
        var csv = "Date,Description,Payee,Amount\n2026-10-02,BIRCH ONLINE 4471,Birch,-80.00\n2026-10-03,Corner Grocer,Corner Grocer,-11.00\n";
        using (var imported = await person.PostAsync("/owner/api/v1/imports?fileName=card.csv", new ByteArrayContent(Encoding.UTF8.GetBytes(csv))))
        {
            Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync());
        }

        // Then the open market: the four offer the same price, delivery and terms, Cedar first and Birch last.
        Assert.True(factory.Time.GetUtcNow() < exchange.Time.GetUtcNow());
        factory.Time.SetUtcNow(exchange.Time.GetUtcNow());
        var address = exchange.Address.AbsoluteUri.TrimEnd('/');
        Assert.Equal(HttpStatusCode.OK, (await person.PutAsJsonAsync("/owner/api/v1/intents/exchanges", new IntentExchangeSettings([address]), SymbolonApplicationFactory.Json)).StatusCode);
        var vendors = new List<TestVendor>();
        foreach (var name in new[] { "Cedar", "Alder", "Dogwood", "Birch" })
        {
            vendors.Add(await exchange.VendorAsync(name, "shoes"));
        }

        var id = (await IntentApiTests.PostAsync<IntentDetail>(person, "/owner/api/v1/intents", Boots(address), HttpStatusCode.Created)).Summary.Id;
        var feed = await PostedAsync(factory, person, vendors[0], id);
        var document = IntentCrypto.VerifyIntent(feed.Intent)!;
        foreach (var vendor in vendors)
        {
            await vendor.Client.MakeOfferAsync(feed, exchange.NewOffer(vendor, document), vendor.Keys, CancellationToken.None);
        }

        await TickUntilAsync(factory, async () => (await IntentApiTests.OffersAsync(person, id)).Offers.Count == 4, "the four offers are fetched");
        var offers = (await IntentApiTests.OffersAsync(person, id)).Offers;
        Assert.Equal(["Dogwood", "Birch", "Alder", "Cedar"], offers.Select(o => o.VendorName));
        Assert.Equal(new OfferCriterion(OfferCriteria.History, OfferVerdicts.Good, "You bought from this vendor before: 1 receipt, the last on 2026-11-22"), Criterion(offers[0], OfferCriteria.History));
        Assert.Equal(new OfferCriterion(OfferCriteria.Requests, OfferVerdicts.Good, "Answered your request before the due date"), Criterion(offers[0], OfferCriteria.Requests));
        Assert.Equal(new OfferCriterion(OfferCriteria.History, OfferVerdicts.Good, "You bought from this vendor before: once by card, EUR 80 in all, the last on 2026-10-02"), Criterion(offers[1], OfferCriteria.History));
        Assert.Equal(OfferVerdicts.Unknown, Criterion(offers[2], OfferCriteria.History).Verdict);
        Assert.Equal(OfferVerdicts.Unknown, Criterion(offers[2], OfferCriteria.Requests).Verdict);
        Assert.Equal(new OfferCriterion(OfferCriteria.Requests, OfferVerdicts.Poor, "Answered 0 of 1 of your requests before the due date; 1 late or overdue"), Criterion(offers[3], OfferCriteria.Requests));
    }

    [Fact]
    public async Task The_preview_warns_when_an_intent_goes_both_to_related_vendors_and_to_an_exchange()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var related = await factory.RelatedVendorAsync(owner, "Hazel");
        var address = exchange.Address.AbsoluteUri.TrimEnd('/');
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsJsonAsync("/owner/api/v1/intents/exchanges", new IntentExchangeSettings([address]), SymbolonApplicationFactory.Json)).StatusCode);
        var both = await IntentApiTests.PostAsync<IntentPreview>(owner, "/owner/api/v1/intents/preview", Boots(address) with { RelationshipIds = [related.RelationshipId] }, HttpStatusCode.OK);
        Assert.Equal([IntentWarnings.Linkable], both.Warnings);
        Assert.Contains("could link this intent to you", IntentWarnings.Linkable, StringComparison.Ordinal);
        foreach (var one in new[] { Boots(address), IntentApiTests.Boots() with { RelationshipIds = [related.RelationshipId] } })
        {
            Assert.Empty((await IntentApiTests.PostAsync<IntentPreview>(owner, "/owner/api/v1/intents/preview", one, HttpStatusCode.OK)).Warnings);
        }
    }

    private static IntentInput Boots(string address) => IntentApiTests.Boots() with { PostalPrefix = "35", Deadline = null, Exchanges = [address] };

    /// <summary>A vault on the exchange's clock (requests to the exchange carry the vault's time in their signature), with the exchange in its settings.</summary>
    private async Task<(HttpClient Owner, HttpClient Person, string Address)> VaultAsync(SymbolonApplicationFactory factory)
    {
        factory.Settings["Intents:PollInterval"] = "00:00:01";
        var (owner, _) = await factory.CreateVaultAsync();
        var person = await factory.LongLivedOwnerAsync(owner);
        factory.Time.SetUtcNow(exchange.Time.GetUtcNow());
        var address = exchange.Address.AbsoluteUri.TrimEnd('/');
        Assert.Equal(HttpStatusCode.OK, (await person.PutAsJsonAsync("/owner/api/v1/intents/exchanges", new IntentExchangeSettings([address]), SymbolonApplicationFactory.Json)).StatusCode);
        return (owner, person, address);
    }

    /// <summary>Ticks until the job has posted <paramref name="id"/> and <paramref name="vendor"/> finds it in its feed.</summary>
    private async Task<FeedIntent> PostedAsync(SymbolonApplicationFactory factory, HttpClient person, TestVendor vendor, string id)
    {
        FeedIntent? found = null;
        await TickUntilAsync(factory, async () =>
        {
            var state = Assert.Single((await DetailAsync(person, id)).Exchanges);
            Assert.True(state.State != IntentExchangeStates.Failed, state.LastError);
            found = state.State == IntentExchangeStates.Posted ? (await vendor.Client.GetFeedAsync(limit: 100)).Intents.FirstOrDefault(i => i.Id == id) : null;
            return found is not null;
        }, "the intent is posted");
        return found!;
    }

    private static FeedIntent FeedOf(FeedPage page, string id) => page.Intents.Single(i => i.Id == id);

    // The exchange's clock first: advancing the vault's fires its job at once, and a request signed at the new time must
    // not reach an exchange whose clock is still minutes behind (it would refuse it, as a real exchange would).
    private void Advance(SymbolonApplicationFactory factory, TimeSpan by)
    {
        exchange.Time.Advance(by);
        factory.Time.Advance(by);
    }

    private Task TickUntilAsync(SymbolonApplicationFactory factory, Func<Task<bool>> condition, string what) => exchange.TickUntilAsync(factory, condition, what);

    private static OfferCriterion Criterion(IntentOffer offer, string name) => Assert.Single(offer.Criteria, c => c.Name == name);

    private static async Task<IntentDetail> DetailAsync(HttpClient owner, string id) =>
        (await owner.GetFromJsonAsync<IntentDetail>($"/owner/api/v1/intents/{id}", SymbolonApplicationFactory.Json))!;
}
