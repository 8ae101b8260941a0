using System.Net;
using System.Net.Http.Json;
using Symbolon.Contracts.Intents;
using Symbolon.Contracts.Vendor;
using Symbolon.Intents;
using Symbolon.Server.Tests.Requests;

namespace Symbolon.Server.Tests.Intents;

/// <summary>
/// The vault and a real exchange (its host on a loopback port): the server's job posts the intent, polls the offers,
/// refuses forged, wrong-intent, replayed and expired ones (counted, never shown), and hands the sealed acceptance to
/// the exchange, which the vendor opens with its own key.
/// </summary>
public sealed class IntentExchangeRoundTripTests(SqliteExchangeFixture exchange) : IClassFixture<SqliteExchangeFixture>
{
    [Fact]
    public async Task An_intent_goes_out_through_the_exchange_only_sound_offers_come_back_and_the_acceptance_reaches_the_vendor()
    {
        using var factory = new SymbolonApplicationFactory();
        factory.Settings["Intents:PollInterval"] = "00:00:01";
        var (owner, _) = await factory.CreateVaultAsync();
        var person = await factory.LongLivedOwnerAsync(owner);

        // Both clocks show the same time: requests to the exchange carry the vault's time in their signature.
        factory.Time.SetUtcNow(exchange.Time.GetUtcNow());
        var address = exchange.Address.AbsoluteUri.TrimEnd('/');
        Assert.Equal(HttpStatusCode.OK, (await person.PutAsJsonAsync("/owner/api/v1/intents/exchanges", new IntentExchangeSettings([address]), SymbolonApplicationFactory.Json)).StatusCode);
        var alder = await exchange.VendorAsync("alder", "shoes");
        var birch = await exchange.VendorAsync("birch", "shoes");
        var input = IntentApiTests.Boots() with { PostalPrefix = "35", Deadline = null, Exchanges = [address] };
        var intent = await IntentApiTests.PostAsync<IntentDetail>(person, "/owner/api/v1/intents", input, HttpStatusCode.Created);
        var id = intent.Summary.Id;
        Assert.Equal(IntentExchangeStates.Pending, Assert.Single(intent.Exchanges).State);

        // The job posts it; a subscribed vendor finds it in its feed, signed by the intent's key.
        await TickUntilAsync(factory, async () =>
        {
            var state = Assert.Single((await DetailAsync(person, id)).Exchanges);
            Assert.True(state.State != IntentExchangeStates.Failed, state.LastError);
            return state.State == IntentExchangeStates.Posted && (await alder.Client.GetFeedAsync()).Intents.Any(i => i.Id == id);
        }, "the intent is posted");
        var feed = (await alder.Client.GetFeedAsync()).Intents.Single(i => i.Id == id);
        var document = IntentCrypto.VerifyIntent(feed.Intent)!;
        Assert.Equal(("Winter boots", "35"), (document.Title, document.Where.PostalPrefix));
        Assert.Equal(IntentExchangeStates.Posted, Assert.Single((await DetailAsync(person, id)).Exchanges).State);

        // One sound offer, and four that must never be shown.
        var good = exchange.NewOffer(alder, document, price: 129m);
        await alder.Client.MakeOfferAsync(feed, good, alder.Keys, CancellationToken.None);
        var replayed = IntentCrypto.SignAndSeal(good, alder.Keys.SignKey, IntentCrypto.OfferLabel, document.Keys.Offer, id);
        Assert.Equal(HttpStatusCode.Created, (await exchange.PostAsVendorAsync(alder, $"v1/intents/{id}/offers", new OfferSubmission(replayed))).StatusCode);
        var expired = exchange.NewOffer(alder, document) with { ExpiresAt = exchange.Time.GetUtcNow().AddMinutes(-1) };
        Assert.Equal(HttpStatusCode.Created, (await exchange.PostAsVendorAsync(alder, $"v1/intents/{id}/offers", new OfferSubmission(
            IntentCrypto.SignAndSeal(expired, alder.Keys.SignKey, IntentCrypto.OfferLabel, document.Keys.Offer, id)))).StatusCode);
        using (var stranger = IntentKeys.Create())
        {
            // Signed with a key that is not the one birch registered: forged.
            var forged = exchange.NewOffer(birch, document) with { Vendor = new OfferVendor("birch", "https://birch.example", stranger.PublicKeys.Sign, stranger.PublicKeys.Offer) };
            Assert.Equal(HttpStatusCode.Created, (await exchange.PostAsVendorAsync(birch, $"v1/intents/{id}/offers", new OfferSubmission(
                IntentCrypto.SignAndSeal(forged, stranger.SignKey, IntentCrypto.OfferLabel, document.Keys.Offer, id)))).StatusCode);
        }

        var otherIntent = exchange.NewIntent("shoes");
        var wrong = exchange.NewOffer(birch, otherIntent.Document);
        Assert.Equal(HttpStatusCode.Created, (await exchange.PostAsVendorAsync(birch, $"v1/intents/{id}/offers", new OfferSubmission(
            IntentCrypto.SignAndSeal(wrong, birch.Keys.SignKey, IntentCrypto.OfferLabel, document.Keys.Offer, id)))).StatusCode);

        await TickUntilAsync(factory, async () => (await DetailAsync(person, id)).RefusedOffers == 4, "the offers are polled");
        var offers = await IntentApiTests.OffersAsync(person, id);
        var shown = Assert.Single(offers.Offers);
        Assert.Equal((IntentOfferSources.Exchange, "alder", 129m, address, alder.Keys.PublicKeys.Sign), (shown.Source, shown.VendorName, shown.Price, shown.Exchange, shown.VendorKey));
        Assert.Equal("EUR 129, EUR 21 under your budget", shown.Criteria.Single(c => c.Name == OfferCriteria.Price).Sentence);
        Assert.Equal(4, offers.Refused);

        // Accepting: the vault seals the acceptance to alder's key; the job hands it to the exchange; alder opens it.
        var accepted = await IntentApiTests.PostAsync<IntentAcceptance>(person, $"/owner/api/v1/intents/{id}/offers/{shown.Id}/accept", new AcceptOfferInput([Datatypes.Name, Datatypes.PostalAddress], GrantDays: 30), HttpStatusCode.OK);
        Assert.Equal((address, (Guid?)null), (accepted.Exchange, accepted.RelationshipId));
        var acceptedAt = factory.Time.GetUtcNow();
        ExchangeEvent? offerAccepted = null;
        await TickUntilAsync(factory, async () =>
        {
            offerAccepted = (await alder.Client.GetEventsAsync()).Events.FirstOrDefault(e => e.IntentId == id && e.Type == ExchangeEventTypes.OfferAccepted);
            return offerAccepted is not null;
        }, "the acceptance reaches the vendor");
        var acceptance = ExchangeVendorClient.OpenAcceptance(offerAccepted!, document, alder.Keys);
        Assert.NotNull(acceptance);
        Assert.Equal(id, acceptance.IntentId);
        Assert.Equal(good.Id, acceptance.OfferId);
        Assert.Equal("http://localhost", acceptance.VaultUrl.TrimEnd('/'));
        Assert.StartsWith("inv_", acceptance.Invitation, StringComparison.Ordinal);
        Assert.Equal([Datatypes.Name, Datatypes.PostalAddress], acceptance.Grant.Datatypes);
        Assert.Equal(acceptedAt.AddDays(30), acceptance.Grant.ExpiresAt);
        Assert.Equal(IntentStatuses.Accepted, (await DetailAsync(person, id)).Summary.Status);

        // Birch offered and was not chosen: it hears only that the intent closed; the exchange holds nothing of it.
        Assert.DoesNotContain((await birch.Client.GetEventsAsync()).Events, e => e.IntentId == id && e.Envelope is not null);
        await TickUntilAsync(factory, async () => await exchange.IntentRowsAsync(id) == 0, "the exchange deletes the intent");
    }

    private Task TickUntilAsync(SymbolonApplicationFactory factory, Func<Task<bool>> condition, string what) => exchange.TickUntilAsync(factory, condition, what);

    private static async Task<IntentDetail> DetailAsync(HttpClient owner, string id) =>
        (await owner.GetFromJsonAsync<IntentDetail>($"/owner/api/v1/intents/{id}", SymbolonApplicationFactory.Json))!;
}
