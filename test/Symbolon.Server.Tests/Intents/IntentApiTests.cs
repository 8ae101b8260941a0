using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Client;
using Symbolon.Contracts.Conversations;
using Symbolon.Contracts.Intents;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Export;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Intents;
using Symbolon.Server.Tests.Requests;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests.Intents;

/// <summary>
/// Intents in the vault: made and previewed by the person, read and answered by the related vendors they were
/// addressed to (and no other), compared, declined, accepted and withdrawn.
/// </summary>
public sealed class IntentApiTests
{
    public static TheoryData<StorageKind> Providers => [StorageKind.Sqlite, StorageKind.Postgres];

    private static readonly DateOnly Deadline = new(2026, 12, 4);

    [Fact]
    public async Task Preview_shows_what_a_vendor_sees_and_bad_input_is_refused_naming_each_field_without_its_value()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();

        var preview = await PostAsync<IntentPreview>(owner, "/owner/api/v1/intents/preview", Boots(), HttpStatusCode.OK);
        Assert.Equal("Winter boots", preview.Document.GetProperty("title").GetString());
        Assert.Equal("3", preview.Document.GetProperty("where").GetProperty("postal_prefix").GetString());
        Assert.Equal(IntentAgreement.Id, preview.Document.GetProperty("terms").GetProperty("agreement").GetString());
        Assert.Equal(0, preview.Document.GetProperty("signals").GetArrayLength());
        var bought = Assert.Single(preview.Signals, s => s.Type == IntentSignalTypes.BoughtInCategoryBefore);
        Assert.False(bought.Available);
        Assert.Equal("Has bought in this category before.", bought.Statement);
        var budget = Assert.Single(preview.Signals, s => s.Type == IntentSignalTypes.BudgetConfirmed);
        Assert.False(budget.Available);
        Assert.Contains("payments", budget.Reason, StringComparison.Ordinal);

        // Nothing was stored by the preview.
        Assert.Empty((await owner.GetFromJsonAsync<List<IntentSummary>>("/owner/api/v1/intents", SymbolonApplicationFactory.Json))!);

        // Every bad field is named; none of the values comes back.
        var bad = Boots() with
        {
            Title = new string('x', 121),
            BudgetMax = -12.345m,
            Country = "Narnia",
            PostalPrefix = "35117",
            ExpiresInDays = 200,
            Quantity = 5000,
            Signals = [IntentSignalTypes.BudgetConfirmed],
            Exchanges = ["https://exchange.example"],
        };
        var response = await owner.PostAsJsonAsync("/owner/api/v1/intents", bad, SymbolonApplicationFactory.Json);
        var problem = await DataApiTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "SYM1003");
        var errors = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "title", "budgetMax", "country", "postalPrefix", "expiresInDays", "quantity", "signals[0]", "exchanges[0]" }, errors);
        var text = problem.GetRawText();
        foreach (var value in new[] { "xxxxxxxxxx", "12.345", "Narnia", "NARNIA", "35117", "5000", "exchange.example" })
        {
            Assert.DoesNotContain(value, text, StringComparison.Ordinal);
        }

        Assert.Empty((await owner.GetFromJsonAsync<List<IntentSummary>>("/owner/api/v1/intents", SymbolonApplicationFactory.Json))!);

        // A good one is signed with its own key, and the document is what the preview showed (bar id, keys, times).
        var created = await PostAsync<IntentDetail>(owner, "/owner/api/v1/intents", Boots(), HttpStatusCode.Created);
        Assert.Equal(IntentStatuses.Open, created.Summary.Status);
        Assert.StartsWith("int_", created.Summary.Id, StringComparison.Ordinal);
        var listed = Assert.Single((await owner.GetFromJsonAsync<List<IntentSummary>>("/owner/api/v1/intents", SymbolonApplicationFactory.Json))!);
        Assert.Equal((created.Summary.Id, "Winter boots", 150m, "EUR"), (listed.Id, listed.Title, listed.BudgetMax, listed.Currency));
        foreach (var member in new[] { "title", "description", "category", "attributes", "budget", "deadline", "where", "terms", "signals" })
        {
            Assert.Equal(preview.Document.GetProperty(member).GetRawText(), created.Document.GetProperty(member).GetRawText());
        }

        Assert.NotEqual(preview.Document.GetProperty("keys").GetRawText(), created.Document.GetProperty("keys").GetRawText());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Only_the_related_vendors_an_intent_is_addressed_to_read_it_and_offer_and_the_export_holds_it(StorageKind kind)
    {
        using var factory = new SymbolonApplicationFactory(kind);
        var (owner, _) = await factory.CreateVaultAsync();
        var picked = await factory.RelatedVendorAsync(owner, "Alder Boots", "https://alder.example/hooks");
        var other = await factory.RelatedVendorAsync(owner, "Birch Shoes", "https://birch.example/hooks");
        var intent = await PostAsync<IntentDetail>(owner, "/owner/api/v1/intents", Boots() with { RelationshipIds = [picked.RelationshipId] }, HttpStatusCode.Created);
        var id = intent.Summary.Id;

        // The picked vendor hears of it by webhook (id and expiry only); the other hears nothing.
        var hooks = await WebhooksAsync(factory);
        var created = Assert.Single(hooks, h => h.Type == WebhookEventTypes.IntentCreated);
        Assert.Equal(picked.RelationshipId, created.RelationshipId);
        Assert.Contains(id, created.Payload, StringComparison.Ordinal);
        Assert.DoesNotContain("boots", created.Payload, StringComparison.OrdinalIgnoreCase);

        // It reads the intent as signed; the other vendor gets 404 for reading and for offering.
        using (var read = await picked.Api.GetAsync($"/api/v1/intents/{id}"))
        {
            Assert.True(read.StatusCode == HttpStatusCode.OK, await read.Content.ReadAsStringAsync());
            var seen = JsonSerializer.Deserialize<RelationshipIntent>(await read.Content.ReadAsStringAsync())!;
            var verified = IntentCrypto.VerifyIntent(new SignedDocument(seen.Payload, seen.Signature));
            Assert.NotNull(verified);
            Assert.Equal((id, "Winter boots"), (verified.Id, verified.Title));
        }

        await DataApiTests.AssertProblemAsync(await other.Api.GetAsync($"/api/v1/intents/{id}"), HttpStatusCode.NotFound, "SYM2701");
        await DataApiTests.AssertProblemAsync(await OfferAsync(other.Api, id, GoodOffer()), HttpStatusCode.NotFound, "SYM2701");
        await DataApiTests.AssertProblemAsync(await picked.Api.GetAsync("/api/v1/intents/int_AAAAAAAAAAAAAAAAAAAAAA"), HttpStatusCode.NotFound, "SYM2701");

        // A bad offer names its fields (as the vendor sent them) and stores nothing; a good one is taken once.
        var bad = GoodOffer() with { Items = [new IntentOfferItem("Boots", 0, 10m)], Price = -1m, Currency = "eur", ExpiresAt = factory.Time.GetUtcNow().AddDays(-1) };
        var refused = await DataApiTests.AssertProblemAsync(await OfferAsync(picked.Api, id, bad), HttpStatusCode.BadRequest, "SYM1003");
        Assert.Superset(new HashSet<string> { "items[0].quantity", "price", "currency", "expires_at" }, refused.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet());
        using (var made = await OfferAsync(picked.Api, id, GoodOffer()))
        {
            Assert.True(made.StatusCode == HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        }

        await DataApiTests.AssertProblemAsync(await OfferAsync(picked.Api, id, GoodOffer()), HttpStatusCode.Conflict, "SYM2705");
        var offers = await OffersAsync(owner, id);
        var offer = Assert.Single(offers.Offers);
        Assert.Equal((IntentOfferSources.Relationship, picked.RelationshipId, "Alder Boots", 129m), (offer.Source, offer.RelationshipId, offer.VendorName, offer.Price));

        // The access log shows the reads and offers under "intents", the other vendor's refusals as 404.
        var log = (await owner.GetFromJsonAsync<AccessLogPage>($"/owner/api/v1/relationships/{picked.RelationshipId}/access-log?limit=100", SymbolonApplicationFactory.Json))!.Entries;
        Assert.Contains(log, e => e.Datatypes.Contains("intents") && e.Allowed && e.Action == "read");
        Assert.Contains(log, e => e.Datatypes.Contains("intents") && e.Allowed && e.Action == "offer" && e.StatusCode == 201);
        var otherLog = (await owner.GetFromJsonAsync<AccessLogPage>($"/owner/api/v1/relationships/{other.RelationshipId}/access-log?limit=100", SymbolonApplicationFactory.Json))!.Entries;
        Assert.Contains(otherLog, e => e.Datatypes.Contains("intents") && !e.Allowed && e.StatusCode == 404);

        // The intent and its offer are ordinary records: in the export, and nothing of them readable in the database.
        // Note: written through the exporter into memory; over HTTP the test server refuses the exporter's
        // synchronous flush of the tables section once the vault holds access-log rows (reported for the lead).
        await using (var exportScope = factory.Services.CreateAsyncScope())
        {
            using var stream = new MemoryStream();
            var session = Assert.Single(exportScope.ServiceProvider.GetRequiredService<IVaultSessions>().Unlocked);
            await exportScope.ServiceProvider.GetRequiredService<VaultExporter>().WriteAsync(session.Keys, stream);
            var json = JsonDocument.Parse(stream.ToArray());
            var types = json.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("type").GetString()).ToList();
            Assert.Contains("intent", types);
            Assert.Contains("intent.offer", types);
        }

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
        var sealedVersions = await db.RecordVersions.AsNoTracking().Where(v => v.Type.StartsWith("intent")).ToListAsync();
        Assert.Equal(2, sealedVersions.Count);
        Assert.All(sealedVersions, v => Assert.DoesNotContain("Winter boots", System.Text.Encoding.UTF8.GetString(v.Sealed!), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_vendor_whose_grant_expired_or_whose_token_was_revoked_cannot_read_or_offer()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var person = await factory.LongLivedOwnerAsync(owner);
        var expiring = await factory.RelatedVendorAsync(owner, "Expiring Emporium", expiry: "1d");
        var revoked = await factory.RelatedVendorAsync(owner, "Revoked Retail");
        var intent = await PostAsync<IntentDetail>(person, "/owner/api/v1/intents", Boots() with { RelationshipIds = [expiring.RelationshipId, revoked.RelationshipId], ExpiresInDays = 30 }, HttpStatusCode.Created);
        var id = intent.Summary.Id;
        Assert.Equal(HttpStatusCode.OK, (await expiring.Api.GetAsync($"/api/v1/intents/{id}")).StatusCode);

        using (var client = factory.CreateVendorClient(revoked.Vendor))
        {
            Assert.True((await client.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = revoked.Tokens.AccessToken }))).IsSuccessStatusCode);
        }

        await DataApiTests.AssertProblemAsync(await revoked.Api.GetAsync($"/api/v1/intents/{id}"), HttpStatusCode.Unauthorized, "SYM1401");
        await DataApiTests.AssertProblemAsync(await OfferAsync(revoked.Api, id, GoodOffer(factory)), HttpStatusCode.Unauthorized, "SYM1401");

        factory.Time.Advance(TimeSpan.FromHours(25));
        await DataApiTests.AssertProblemAsync(await expiring.Api.GetAsync($"/api/v1/intents/{id}"), HttpStatusCode.Unauthorized, "SYM1401");
        await DataApiTests.AssertProblemAsync(await OfferAsync(expiring.Api, id, GoodOffer(factory)), HttpStatusCode.Unauthorized, "SYM1401");
        Assert.Empty((await OffersAsync(person, id)).Offers);
    }

    [Fact]
    public async Task Offers_are_ranked_on_the_persons_data_with_sentences_then_declined_accepted_and_the_others_told_closed()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var cheap = await factory.RelatedVendorAsync(owner, "Cedar Boots", "https://cedar.example/hooks");
        var dear = await factory.RelatedVendorAsync(owner, "Dogwood Shoes", "https://dogwood.example/hooks");
        var third = await factory.RelatedVendorAsync(owner, "Elm Footwear", "https://elm.example/hooks");
        var intent = await PostAsync<IntentDetail>(owner, "/owner/api/v1/intents", Boots() with { RelationshipIds = [cheap.RelationshipId, dear.RelationshipId, third.RelationshipId] }, HttpStatusCode.Created);
        var id = intent.Summary.Id;

        // The dearer one offers first; the ranking still puts the one under budget and on time first.
        Assert.Equal(HttpStatusCode.Created, (await OfferAsync(dear.Api, id, GoodOffer() with { Price = 170m, Items = [new IntentOfferItem("Boots, size 44", 1, 170m)], DeliveryDate = Deadline.AddDays(3), Terms = "No exchanges." })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await OfferAsync(cheap.Api, id, GoodOffer())).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await OfferAsync(third.Api, id, GoodOffer() with { Price = 140m, DeliveryDate = null })).StatusCode);

        var offers = await OffersAsync(owner, id);
        Assert.Equal(["Cedar Boots", "Elm Footwear", "Dogwood Shoes"], offers.Offers.Select(o => o.VendorName));
        Assert.Equal([1, 2, 3], offers.Offers.Select(o => o.Rank));
        Assert.False(string.IsNullOrWhiteSpace(offers.RankingRule));
        var best = offers.Offers[0];
        Assert.Equal(new OfferCriterion(OfferCriteria.Price, OfferVerdicts.Good, "EUR 129, EUR 21 under your budget"), Criterion(best, OfferCriteria.Price));
        Assert.Equal(new OfferCriterion(OfferCriteria.Delivery, OfferVerdicts.Good, "Arrives by 2026-12-02, 2 days before your deadline"), Criterion(best, OfferCriteria.Delivery));
        Assert.Equal(OfferVerdicts.Good, Criterion(best, OfferCriteria.Terms).Verdict);
        Assert.Contains("returns", Criterion(best, OfferCriteria.Terms).Sentence, StringComparison.Ordinal);
        Assert.Equal(OfferVerdicts.Unknown, Criterion(best, OfferCriteria.History).Verdict);
        Assert.Equal(OfferVerdicts.Unknown, Criterion(best, OfferCriteria.Requests).Verdict);
        var worst = offers.Offers[2];
        Assert.Equal(new OfferCriterion(OfferCriteria.Price, OfferVerdicts.Poor, "EUR 170, EUR 20 over your budget"), Criterion(worst, OfferCriteria.Price));
        Assert.Equal(new OfferCriterion(OfferCriteria.Delivery, OfferVerdicts.Poor, "Arrives by 2026-12-07, 3 days after your deadline"), Criterion(worst, OfferCriteria.Delivery));
        Assert.Equal(OfferVerdicts.Fair, Criterion(worst, OfferCriteria.Terms).Verdict);
        Assert.Equal(OfferVerdicts.Unknown, Criterion(offers.Offers[1], OfferCriteria.Delivery).Verdict);

        // Declining marks it, once; nothing goes to the vendor.
        var hooksBefore = (await WebhooksAsync(factory)).Count;
        Assert.Equal(HttpStatusCode.NoContent, (await owner.PostAsync($"/owner/api/v1/intents/{id}/offers/{worst.Id}/decline", null)).StatusCode);
        await DataApiTests.AssertProblemAsync(await owner.PostAsync($"/owner/api/v1/intents/{id}/offers/{worst.Id}/decline", null), HttpStatusCode.Conflict, "SYM2704");
        Assert.Equal(hooksBefore, (await WebhooksAsync(factory)).Count);
        var afterDecline = await OffersAsync(owner, id);
        Assert.Equal(IntentOfferStatuses.Declined, afterDecline.Offers.Single(o => o.Id == worst.Id).Status);
        Assert.Equal(3, afterDecline.Offers[^1].Rank);

        // Accepting the best: it becomes the first entry of that vendor's conversation and the vendor hears
        // intent.accepted; the others hear intent.closed; the intent takes no more offers.
        var accepted = await PostAsync<IntentAcceptance>(owner, $"/owner/api/v1/intents/{id}/offers/{best.Id}/accept", new AcceptOfferInput([Datatypes.Name, Datatypes.PostalAddress]), HttpStatusCode.OK);
        Assert.Equal((cheap.RelationshipId, true), (accepted.RelationshipId, accepted.Delivered));
        var detail = (await owner.GetFromJsonAsync<IntentDetail>($"/owner/api/v1/intents/{id}", SymbolonApplicationFactory.Json))!;
        Assert.Equal((IntentStatuses.Accepted, best.Id), (detail.Summary.Status, detail.AcceptedOfferId));
        var thread = (await owner.GetFromJsonAsync<List<ThreadEntry>>($"/owner/api/v1/relationships/{cheap.RelationshipId}/thread", SymbolonApplicationFactory.Json))!;
        Assert.Contains(thread, e => e.Text is { } text && text.StartsWith("Offer accepted: EUR 129.00", StringComparison.Ordinal));
        var hooks = await WebhooksAsync(factory);
        var acceptedHook = Assert.Single(hooks, h => h.Type == WebhookEventTypes.IntentAccepted);
        Assert.Equal(cheap.RelationshipId, acceptedHook.RelationshipId);
        Assert.Equal(
            new[] { dear.RelationshipId, third.RelationshipId }.Order(),
            hooks.Where(h => h.Type == WebhookEventTypes.IntentClosed).Select(h => h.RelationshipId).Order());
        var final = await OffersAsync(owner, id);
        Assert.Equal(IntentOfferStatuses.Accepted, final.Offers.Single(o => o.Id == best.Id).Status);
        Assert.Equal(IntentOfferStatuses.Closed, final.Offers.Single(o => o.VendorName == "Elm Footwear").Status);
        await DataApiTests.AssertProblemAsync(await OfferAsync(third.Api, id, GoodOffer() with { OfferId = "off_again" }), HttpStatusCode.Conflict, "SYM2702");
        await DataApiTests.AssertProblemAsync(await owner.PostAsync($"/owner/api/v1/intents/{id}/withdraw", null), HttpStatusCode.Conflict, "SYM2702");
    }

    [Fact]
    public async Task Withdrawing_closes_the_intent_tells_the_vendors_and_an_intent_expires_by_itself()
    {
        using var factory = new SymbolonApplicationFactory();
        factory.Settings["Intents:PollInterval"] = "00:00:01";
        var (owner, _) = await factory.CreateVaultAsync();
        var person = await factory.LongLivedOwnerAsync(owner);
        var vendor = await factory.RelatedVendorAsync(owner, "Fir Footwear", "https://fir.example/hooks");
        var withdrawn = await PostAsync<IntentDetail>(person, "/owner/api/v1/intents", Boots() with { RelationshipIds = [vendor.RelationshipId] }, HttpStatusCode.Created);
        var expiring = await PostAsync<IntentDetail>(person, "/owner/api/v1/intents", Boots() with { Title = "Rain jacket", ExpiresInDays = 1, RelationshipIds = [vendor.RelationshipId] }, HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.Created, (await OfferAsync(vendor.Api, withdrawn.Summary.Id, GoodOffer())).StatusCode);

        var closed = await PostAsync<IntentDetail>(person, $"/owner/api/v1/intents/{withdrawn.Summary.Id}/withdraw", new { }, HttpStatusCode.OK);
        Assert.Equal(IntentStatuses.Withdrawn, closed.Summary.Status);
        Assert.Equal(0, closed.Summary.OpenOfferCount);
        Assert.Equal(IntentOfferStatuses.Closed, Assert.Single((await OffersAsync(person, withdrawn.Summary.Id)).Offers).Status);
        await DataApiTests.AssertProblemAsync(await OfferAsync(vendor.Api, withdrawn.Summary.Id, GoodOffer() with { OfferId = "off_late" }), HttpStatusCode.Conflict, "SYM2702");
        var hook = Assert.Single(await WebhooksAsync(factory), h => h.Type == WebhookEventTypes.IntentClosed);
        Assert.Contains("withdrawn", hook.Payload, StringComparison.Ordinal);

        // A day and a bit later the server's job closes the other one as expired, and the vendor hears of it.
        factory.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await SymbolonApplicationFactory.WaitUntilAsync(async () =>
        {
            factory.Time.Advance(TimeSpan.FromSeconds(2));
            var detail = (await person.GetFromJsonAsync<IntentDetail>($"/owner/api/v1/intents/{expiring.Summary.Id}", SymbolonApplicationFactory.Json))!;
            return detail.Summary.Status == IntentStatuses.Expired;
        }, "the intent expires");
        Assert.Equal(2, (await WebhooksAsync(factory)).Count(h => h.Type == WebhookEventTypes.IntentClosed));
    }

    [Fact]
    public async Task A_related_vendor_whose_offer_is_accepted_redeems_a_grant_of_exactly_what_the_person_chose_and_no_other_vendor_can()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Name, "home", Name: new PersonName("Ada", "Lovelace")));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: new PostalAddress("Lindengracht 88", "Haarlem", null, "2011 AB", "NL")));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        var chosen = await factory.RelatedVendorAsync(owner, "Cedar Boots", "https://cedar.example/hooks");
        var other = await factory.RelatedVendorAsync(owner, "Dogwood Shoes", "https://dogwood.example/hooks");
        var intent = await PostAsync<IntentDetail>(owner, "/owner/api/v1/intents", Boots() with { RelationshipIds = [chosen.RelationshipId, other.RelationshipId] }, HttpStatusCode.Created);
        var id = intent.Summary.Id;
        Assert.Equal(HttpStatusCode.Created, (await OfferAsync(chosen.Api, id, GoodOffer())).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await OfferAsync(other.Api, id, GoodOffer() with { Price = 139m })).StatusCode);
        Assert.Null((await VendorIntentAsync(chosen.Api, id)).Acceptance);

        // The person picks the name and only the postal code of the address, for 30 days.
        var best = (await OffersAsync(owner, id)).Offers.Single(o => o.VendorName == "Cedar Boots");
        var narrowing = new Dictionary<string, string> { [Datatypes.PostalAddress] = Narrowings.PostalCode };
        var accepted = await PostAsync<IntentAcceptance>(owner, $"/owner/api/v1/intents/{id}/offers/{best.Id}/accept", new AcceptOfferInput([Datatypes.Name, Datatypes.PostalAddress], narrowing, GrantDays: 30), HttpStatusCode.OK);
        Assert.Equal(chosen.RelationshipId, accepted.RelationshipId);
        Assert.NotNull(accepted.InvitationExpiresAt);

        // Only the vendor whose offer was accepted sees the acceptance and its code; the webhook carries no code.
        var seen = (await VendorIntentAsync(chosen.Api, id)).Acceptance!;
        Assert.Equal(("off_boots-1", accepted.InvitationExpiresAt), (seen.OfferId, seen.InvitationExpiresAt));
        Assert.Equal([Datatypes.Name, Datatypes.PostalAddress], seen.Datatypes);
        var code = seen.Invitation!;
        Assert.StartsWith("inv_", code, StringComparison.Ordinal);
        Assert.Null((await VendorIntentAsync(other.Api, id)).Acceptance);
        var hook = Assert.Single(await WebhooksAsync(factory), h => h.Type == WebhookEventTypes.IntentAccepted);
        Assert.Contains("invitation_expires_at", hook.Payload, StringComparison.Ordinal);
        Assert.DoesNotContain(code, hook.Payload, StringComparison.Ordinal);

        // The code is bound to the relationship: the other vendor's client gets the same answer as for a made-up code.
        using var http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var vault = await SymbolonVault.DiscoverAsync(http, new Uri("http://localhost/"), factory.Time);
        var otherClient = vault.CreateClient(new VendorCredentials(other.Vendor.ClientId, other.Vendor.ClientSecret));
        var chosenClient = vault.CreateClient(new VendorCredentials(chosen.Vendor.ClientId, chosen.Vendor.ClientSecret));
        Assert.StartsWith("invalid_grant: SYM2751", await RefusedAsync(() => otherClient.RedeemInvitationAsync(code, Ask([Datatypes.Name]))), StringComparison.Ordinal);
        Assert.StartsWith("invalid_grant: SYM2752", await RefusedAsync(() => chosenClient.RedeemInvitationAsync(code, Ask([Datatypes.Name, Datatypes.Email]))), StringComparison.Ordinal);

        // Redeemed once: a new grant of exactly that, narrowed, beside the vendor's old one.
        var session = await chosenClient.RedeemInvitationAsync(code, Ask([Datatypes.Name, Datatypes.PostalAddress]));
        var profile = (await session.GetProfileAsync()).Profile;
        Assert.Equal([Datatypes.Name, Datatypes.PostalAddress], profile.Fields.Select(f => f.Datatype).Order(StringComparer.Ordinal));
        var read = JsonSerializer.Serialize(profile);
        Assert.Contains("2011 AB", read, StringComparison.Ordinal);
        Assert.DoesNotContain("Lindengracht", read, StringComparison.Ordinal);
        Assert.DoesNotContain("ada@example.org", read, StringComparison.Ordinal);
        Assert.StartsWith("invalid_grant: SYM2751", await RefusedAsync(() => chosenClient.RedeemInvitationAsync(code, Ask([Datatypes.Name]))), StringComparison.Ordinal);
        Assert.Null((await VendorIntentAsync(chosen.Api, id)).Acceptance!.Invitation);
        var grants = (await owner.GetFromJsonAsync<RelationshipDetail>($"/owner/api/v1/relationships/{chosen.RelationshipId}", SymbolonApplicationFactory.Json))!.Grants;
        Assert.Equal(2, grants.Count);

        // The offer is the conversation's entry once: redeeming adds no second one.
        var thread = (await owner.GetFromJsonAsync<List<ThreadEntry>>($"/owner/api/v1/relationships/{chosen.RelationshipId}/thread", SymbolonApplicationFactory.Json))!;
        Assert.Single(thread, e => e.Text is { } text && text.StartsWith("Offer accepted:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_offer_made_while_the_person_is_away_waits_sealed_and_is_applied_or_refused_when_they_are_back()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var addressed = await factory.RelatedVendorAsync(owner, "Fir Footwear", "https://fir.example/hooks");
        var bystander = await factory.RelatedVendorAsync(owner, "Gum Tree Goods", "https://gum.example/hooks");
        var intent = await PostAsync<IntentDetail>(owner, "/owner/api/v1/intents", Boots() with { RelationshipIds = [addressed.RelationshipId] }, HttpStatusCode.Created);
        var id = intent.Summary.Id;
        Assert.Equal(HttpStatusCode.NoContent, (await owner.PostAsync("/owner/api/v1/vault/lock", null)).StatusCode);

        // Reading waits for the person; offering is queued, for any id alike, so the queue tells nothing.
        await DataApiTests.AssertProblemAsync(await addressed.Api.GetAsync($"/api/v1/intents/{id}"), HttpStatusCode.Locked, ProblemCodes.PersonAway);
        Assert.Equal(HttpStatusCode.Accepted, (await OfferAsync(addressed.Api, id, GoodOffer(factory))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await OfferAsync(bystander.Api, id, GoodOffer(factory))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await OfferAsync(addressed.Api, "int_AAAAAAAAAAAAAAAAAAAAAA", GoodOffer(factory))).StatusCode);

        // What can be checked without the intent is checked before anything is queued.
        await DataApiTests.AssertProblemAsync(await OfferAsync(addressed.Api, id, GoodOffer(factory) with { Currency = "euros", Terms = "x\u202Ey" }), HttpStatusCode.BadRequest, ProblemCodes.InvalidValue);

        // Back: the addressed vendor's offer is there, the other two were refused and their vendors told.
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase))).StatusCode);
        await SymbolonApplicationFactory.WaitUntilAsync(async () => (await WebhooksAsync(factory, "inbox.")).Count(h => h.Type == WebhookEventTypes.InboxRefused) == 2, "the queued offers are applied");
        var offer = Assert.Single((await OffersAsync(owner, id)).Offers);
        Assert.Equal(("Fir Footwear", IntentOfferStatuses.Open), (offer.VendorName, offer.Status));
        var refused = (await WebhooksAsync(factory, "inbox.")).Where(h => h.Type == WebhookEventTypes.InboxRefused).Select(h => h.RelationshipId).Order();
        Assert.Equal(new[] { addressed.RelationshipId, bystander.RelationshipId }.Order(), refused);
        Assert.Single(await WebhooksAsync(factory, "inbox."), h => h.Type == WebhookEventTypes.InboxApplied && h.RelationshipId == addressed.RelationshipId);
    }

    private static AuthorizationDetail[] Ask(string[] datatypes) =>
        [new AuthorizationDetail(Datatypes.AuthorizationDetailsType, datatypes, [DataActions.Read], "Deliver the boots you ordered", "SD-BASE")];

    private static async Task<string> RefusedAsync(Func<Task> redeem)
    {
        var e = await Assert.ThrowsAsync<SymbolonOAuthException>(redeem);
        return $"{e.Error}: {e.Description}";
    }

    private static async Task<RelationshipIntent> VendorIntentAsync(HttpClient api, string id)
    {
        var response = await api.GetAsync($"/api/v1/intents/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonSerializer.Deserialize<RelationshipIntent>(body)!;
    }

    internal static IntentInput Boots() => new(
        "Winter boots",
        "shoes",
        150m,
        "EUR",
        "NL",
        7,
        Description: "Waterproof, for walking in snow.",
        Size: "44",
        Quantity: 1,
        Condition: "new",
        Deadline: Deadline,
        PostalPrefix: "3");

    private static IntentOfferInput GoodOffer(SymbolonApplicationFactory? factory = null) => new(
        [new IntentOfferItem("Boots, size 44", 1, 129m)],
        129m,
        "EUR",
        (factory?.Time.GetUtcNow() ?? new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero)).AddDays(5),
        DeliveryDate: Deadline.AddDays(-2),
        Terms: "Free returns within 30 days.",
        OfferId: "off_boots-1");

    private static OfferCriterion Criterion(IntentOffer offer, string name) => Assert.Single(offer.Criteria, c => c.Name == name);

    internal static Task<HttpResponseMessage> OfferAsync(HttpClient api, string intentId, IntentOfferInput offer) =>
        DataApiTests.SendAsync(api, HttpMethod.Post, $"/api/v1/intents/{intentId}/offers", offer, null);

    internal static async Task<IntentOfferList> OffersAsync(HttpClient owner, string intentId) =>
        (await owner.GetFromJsonAsync<IntentOfferList>($"/owner/api/v1/intents/{intentId}/offers", SymbolonApplicationFactory.Json))!;

    internal static async Task<T> PostAsync<T>(HttpClient owner, string path, object body, HttpStatusCode expected)
    {
        var response = await owner.PostAsJsonAsync(path, body, SymbolonApplicationFactory.Json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<T>(text, SymbolonApplicationFactory.Json)!;
    }

    private static async Task<List<(string Type, Guid RelationshipId, string Payload)>> WebhooksAsync(SymbolonApplicationFactory factory, string prefix = "intent.")
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
        var rows = await db.WebhookMessages.AsNoTracking().Where(m => m.EventType.StartsWith(prefix)).ToListAsync();
        return [.. rows.OrderBy(m => m.Id).Select(m => (m.EventType, m.RelationshipId, m.Payload))];
    }
}
