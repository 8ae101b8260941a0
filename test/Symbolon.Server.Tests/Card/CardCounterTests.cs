using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Contracts.Card;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Vendor;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests.Card;

/// <summary>The person's card at the counter: redeeming codes, approve-later polling (RFC 8628), standing rules and unlinkability.</summary>
public sealed class CardCounterTests
{
    private static readonly string ReadEmailPhoneAddNotes = JsonSerializer.Serialize(new[]
    {
        new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Email, Datatypes.Phone], [DataActions.Read], "Send your receipts", "SD-BASE"),
        new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Notes], [DataActions.Append], "Keep your stamps", "SD-BASE"),
    });

    private static readonly string AddNotes = VendorFlow.Details([Datatypes.Notes], [DataActions.Append], "Keep your stamps");
    private static readonly string ReadEmail = VendorFlow.Details([Datatypes.Email], [DataActions.Read], "Send your receipts");

    private static async Task<(SymbolonApplicationFactory Factory, HttpClient Owner)> VaultAsync(StorageKind storage = StorageKind.Sqlite)
    {
        var factory = new SymbolonApplicationFactory(storage);
        var (owner, _) = await factory.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "wren-4410@example.org"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "mobile", "+31 6 2290 4417"));
        return (factory, owner);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task A_till_redeems_the_card_waits_the_person_approves_with_choices_and_it_gets_only_what_was_granted(StorageKind storage)
    {
        var (factory, owner) = await VaultAsync(storage);
        using var _ = factory;
        var vendor = await factory.VendorAtTheCounterAsync();
        var card = await owner.IssueCardCodeAsync();
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", card.Display);
        Assert.Equal($"symbolon:card?v={Uri.EscapeDataString("http://localhost/")}&c={card.Code}", card.Payload);
        Assert.Equal(factory.Time.GetUtcNow().AddMinutes(5), card.ExpiresAt);

        var deviceCode = await factory.RedeemCardOkAsync(vendor, card.Display.ToLowerInvariant(), ReadEmailPhoneAddNotes);
        Assert.Equal("authorization_pending", await factory.PollErrorAsync(vendor, deviceCode));

        // The request waits in the person's app, in plain words.
        var pending = Assert.Single(await owner.PendingCardRequestsAsync());
        Assert.Equal("pending", pending.Status);
        Assert.Equal("SD-BASE", pending.Agreement);
        Assert.StartsWith("Blue Door Coffee wants to see your email addresses, your phone numbers", pending.Summary, StringComparison.Ordinal);
        Assert.EndsWith("— under SD-BASE", pending.Summary, StringComparison.Ordinal);

        // The person unticks the phone number, as on the consent page.
        var approvedAt = factory.Time.GetUtcNow();
        var approved = await owner.ApproveCardRequestAsync(pending.Id, new CardRequestApproval([Datatypes.Email, Datatypes.Notes], Expiry: "30d"));
        Assert.Equal("approved", approved.Status);
        Assert.False(approved.DecidedAutomatically);
        Assert.Empty(await owner.PendingCardRequestsAsync());

        factory.Time.Advance(TimeSpan.FromSeconds(5));
        var (tokens, subject) = await factory.PollTokensAsync(vendor, deviceCode);
        Assert.NotNull(tokens.RefreshToken);
        var granted = tokens.AuthorizationDetails.Deserialize<List<AuthorizationDetail>>()!;
        Assert.Equal(new[] { Datatypes.Email, Datatypes.Notes }.Order(), granted.SelectMany(d => d.Datatypes).Order());
        Assert.Equal(approvedAt.AddDays(30), granted[0].Expires);

        // The handle is the vendor's pairwise subject, the one in its signed agreement record.
        using (var api = factory.CreateVendorClient(vendor))
        {
            var agreement = await api.GetFromJsonAsync<AgreementRecord>("/api/v1/agreements/current");
            Assert.Equal(agreement!.Content.Person, subject);
        }

        using var bearer = factory.CreateBearerClient(tokens.AccessToken);
        var profile = await bearer.GetFromJsonAsync<VendorProfile>("/api/v1/profile");
        Assert.Equal([Datatypes.Email], profile!.Fields.Select(f => f.Datatype).Distinct());
        Assert.Equal(HttpStatusCode.Created, (await bearer.PostAsJsonAsync("/api/v1/notes", new VendorNoteInput("Stamp 1 of 10"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bearer.GetAsync("/api/v1/notes")).StatusCode);

        // A grant with its signed receipt exists, and the access log has the read.
        var grant = await owner.GetFromJsonAsync<RelationshipGrant>($"/owner/api/v1/grants/{approved.GrantId}", SymbolonApplicationFactory.Json);
        Assert.Equal("active", grant!.Status);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/owner/api/v1/grants/{approved.GrantId}/receipt")).StatusCode);
        var log = await owner.GetFromJsonAsync<AccessLogPage>($"/owner/api/v1/relationships/{approved.RelationshipId}/access-log", SymbolonApplicationFactory.Json);
        Assert.Contains(log!.Entries, e => e.Action == "read" && e.Allowed && e.GrantId == approved.GrantId);

        // Revoked afterwards: the very next call and the refresh are refused.
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"/owner/api/v1/grants/{approved.GrantId}/revoke", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/api/v1/profile")).StatusCode);
        var refresh = await factory.TokenRequestAsync(vendor, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.RefreshToken! });
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);

        // The device code worked once.
        factory.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("invalid_grant", await factory.PollErrorAsync(vendor, deviceCode));
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task A_poll_already_under_way_when_the_person_approves_gets_the_tokens(StorageKind storage)
    {
        var (factory, owner) = await VaultAsync(storage);
        using var _ = factory;
        var vendor = await factory.VendorAtTheCounterAsync();
        var card = await owner.IssueCardCodeAsync();
        var deviceCode = await factory.RedeemCardOkAsync(vendor, card.Display, ReadEmail);
        var pending = Assert.Single(await owner.PendingCardRequestsAsync());

        // The person taps "Share" while the till's poll is between its pace check and OpenIddict's look at the
        // device code (a window a busy machine widens): the poll must answer with tokens, not a refusal.
        CardRequest? approved = null;
        factory.InsideDeviceCodePoll = async () =>
        {
            factory.InsideDeviceCodePoll = null;
            approved = await owner.ApproveCardRequestAsync(pending.Id);
        };
        var (tokens, _) = await factory.PollTokensAsync(vendor, deviceCode);
        Assert.NotNull(approved);
        var granted = tokens.AuthorizationDetails.Deserialize<List<AuthorizationDetail>>()!;
        Assert.Equal([Datatypes.Email], granted.SelectMany(d => d.Datatypes));

        using var bearer = factory.CreateBearerClient(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/api/v1/profile")).StatusCode);
    }

    [Fact]
    public async Task Declining_answers_access_denied_and_another_vendor_cannot_poll_the_device_code()
    {
        var (factory, owner) = await VaultAsync();
        using var _ = factory;
        var vendor = await factory.VendorAtTheCounterAsync();
        var other = await factory.VendorAtTheCounterAsync("Harbour Books");
        var deviceCode = await factory.RedeemCardOkAsync(vendor, (await owner.IssueCardCodeAsync()).Code, ReadEmail);

        Assert.Equal("invalid_grant", await factory.PollErrorAsync(other, deviceCode));
        Assert.Equal("authorization_pending", await factory.PollErrorAsync(vendor, deviceCode));

        var declined = await owner.DeclineCardRequestAsync(Assert.Single(await owner.PendingCardRequestsAsync()).Id);
        Assert.Equal("declined", declined.Status);
        factory.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("access_denied", await factory.PollErrorAsync(vendor, deviceCode));

        // A decided request cannot be decided again.
        var again = await owner.PostAsJsonAsync($"/owner/api/v1/card/requests/{declined.Id}/approve", new CardRequestApproval(), SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("SYM1605", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var missing = await owner.PostAsync($"/owner/api/v1/card/requests/{Guid.NewGuid()}/decline", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("SYM1604", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Polling_faster_than_the_interval_is_told_to_slow_down_and_an_unanswered_request_expires()
    {
        var (factory, owner) = await VaultAsync();
        using var _ = factory;
        var vendor = await factory.VendorAtTheCounterAsync();
        var deviceCode = await factory.RedeemCardOkAsync(vendor, (await owner.IssueCardCodeAsync()).Code, ReadEmail);

        Assert.Equal("authorization_pending", await factory.PollErrorAsync(vendor, deviceCode));
        Assert.Equal("slow_down", await factory.PollErrorAsync(vendor, deviceCode));

        // The interval grew from 5 to 10 seconds: 5 is now too soon, 10 is fine.
        factory.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("slow_down", await factory.PollErrorAsync(vendor, deviceCode));
        factory.Time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal("authorization_pending", await factory.PollErrorAsync(vendor, deviceCode));

        factory.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("expired_token", await factory.PollErrorAsync(vendor, deviceCode));
        Assert.Empty(await owner.PendingCardRequestsAsync());
        var listed = await owner.GetFromJsonAsync<IReadOnlyList<CardRequest>>("/owner/api/v1/card/requests", SymbolonApplicationFactory.Json);
        Assert.Equal("expired", Assert.Single(listed!).Status);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task A_code_pairs_once_even_under_concurrent_redeems_and_an_expired_or_unknown_code_gets_a_clear_error(StorageKind storage)
    {
        var (factory, owner) = await VaultAsync(storage);
        using var _ = factory;
        var vendors = new List<RegisteredVendor>();
        for (var i = 0; i < 4; i++)
        {
            vendors.Add(await factory.VendorAtTheCounterAsync($"Shop {i}"));
        }

        // Four tills race with the same code: exactly one pairs.
        var card = await owner.IssueCardCodeAsync();
        var responses = await Task.WhenAll(vendors.Select(v => factory.RedeemCardAsync(v, card.Code, AddNotes)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await AssertCardErrorAsync(refused, "SYM1603", card.Code);
        }

        // Used once means used, for the same vendor too.
        var winner = vendors[Array.FindIndex(responses, r => r.StatusCode == HttpStatusCode.OK)];
        await AssertCardErrorAsync(await factory.RedeemCardAsync(winner, card.Code, AddNotes), "SYM1603", card.Code);

        var stale = await owner.IssueCardCodeAsync();
        factory.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        await AssertCardErrorAsync(await factory.RedeemCardAsync(vendors[0], stale.Code, AddNotes), "SYM1602", stale.Code);
        await AssertCardErrorAsync(await factory.RedeemCardAsync(vendors[0], "ZZZZ-ZZZZ-ZZZZ", AddNotes), "SYM1601", "ZZZZZZZZZZZZ");
        await AssertCardErrorAsync(await factory.RedeemCardAsync(vendors[0], "not a code", AddNotes), "SYM1601", "not a code");

        // A malformed request is refused before the code is spent.
        var fresh = await owner.IssueCardCodeAsync();
        var bad = await factory.RedeemCardAsync(vendors[0], fresh.Code, VendorFlow.Details(["profile.shoe_size"]));
        Assert.Equal("invalid_authorization_details", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        await factory.RedeemCardOkAsync(vendors[0], fresh.Code, AddNotes);

        // Only hashes are stored; the codes never reach the logs.
        Assert.DoesNotContain(factory.Logs, line => line.Contains(card.Code, StringComparison.Ordinal) || line.Contains(fresh.Code, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_vendors_scanning_the_same_person_get_different_handles_and_nothing_shared()
    {
        var (factory, owner) = await VaultAsync();
        using var _ = factory;
        var coffee = await factory.VendorAtTheCounterAsync("Blue Door Coffee");
        var books = await factory.VendorAtTheCounterAsync("Harbour Books");
        var first = await owner.IssueCardCodeAsync();
        var second = await owner.IssueCardCodeAsync();
        Assert.NotEqual(first.Code, second.Code);

        var coffeeCode = await factory.RedeemCardOkAsync(coffee, first.Code, ReadEmail);
        var booksCode = await factory.RedeemCardOkAsync(books, second.Code, ReadEmail);
        Assert.NotEqual(coffeeCode, booksCode);
        foreach (var request in await owner.PendingCardRequestsAsync())
        {
            await owner.ApproveCardRequestAsync(request.Id);
        }

        var (coffeeTokens, coffeeSubject) = await factory.PollTokensAsync(coffee, coffeeCode);
        var (booksTokens, booksSubject) = await factory.PollTokensAsync(books, booksCode);
        Assert.NotEqual(coffeeSubject, booksSubject);
        Assert.NotEqual(coffeeTokens.AccessToken, booksTokens.AccessToken);
        Assert.NotEqual(coffeeTokens.RefreshToken, booksTokens.RefreshToken);

        using var coffeeApi = factory.CreateBearerClient(coffeeTokens.AccessToken);
        using var booksApi = factory.CreateBearerClient(booksTokens.AccessToken);
        var coffeeProfile = (await coffeeApi.GetFromJsonAsync<VendorProfile>("/api/v1/profile"))!;
        var booksProfile = (await booksApi.GetFromJsonAsync<VendorProfile>("/api/v1/profile"))!;
        Assert.NotEqual(coffeeProfile.Subject, booksProfile.Subject);
        Assert.Equal(coffeeSubject, coffeeProfile.Subject);
        Assert.NotEqual(coffeeProfile.Fields.Single().Id, booksProfile.Fields.Single().Id);

        // One vendor's device code is nothing to the other.
        Assert.Equal("invalid_grant", await factory.PollErrorAsync(books, coffeeCode));
    }

    [Fact]
    public async Task A_vendor_the_person_already_granted_is_approved_at_once_under_the_same_handle()
    {
        var (factory, owner) = await VaultAsync();
        using var _ = factory;
        var vendor = await factory.RegisterVendorAsync();
        var agreement = await factory.AcceptAgreementAsync(vendor);
        await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Email, Datatypes.Phone]));

        var deviceCode = await factory.RedeemCardOkAsync(vendor, (await owner.IssueCardCodeAsync()).Code, ReadEmail);
        var (tokens, subject) = await factory.PollTokensAsync(vendor, deviceCode);
        Assert.Equal(agreement.Content.Person, subject);
        Assert.Empty(await owner.PendingCardRequestsAsync());
        var listed = Assert.Single((await owner.GetFromJsonAsync<IReadOnlyList<CardRequest>>("/owner/api/v1/card/requests", SymbolonApplicationFactory.Json))!);
        Assert.Equal("approved", listed.Status);
        Assert.True(listed.DecidedAutomatically);

        // The tokens are those of the grant already in force (email and phone), under the same revocation.
        using var api = factory.CreateBearerClient(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/profile")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"/owner/api/v1/grants/{listed.GrantId}/revoke", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/profile")).StatusCode);

        // Asking for more than was granted waits for the person.
        var more = await factory.RedeemCardOkAsync(vendor, (await owner.IssueCardCodeAsync()).Code, VendorFlow.Details([Datatypes.PostalAddress]));
        Assert.Equal("authorization_pending", await factory.PollErrorAsync(vendor, more));
    }

    [Fact]
    public async Task The_standing_rule_approves_append_only_requests_and_reading_still_waits_for_the_person()
    {
        var (factory, owner) = await VaultAsync();
        using var _ = factory;
        var vendor = await factory.VendorAtTheCounterAsync();
        Assert.False((await owner.GetFromJsonAsync<CardRules>("/owner/api/v1/card/rules", SymbolonApplicationFactory.Json))!.AutoApproveAppend);

        // Default: nothing is approved without the person, not even adding.
        var waiting = await factory.RedeemCardOkAsync(vendor, (await owner.IssueCardCodeAsync()).Code, AddNotes);
        Assert.Equal("authorization_pending", await factory.PollErrorAsync(vendor, waiting));

        await owner.SetCardRulesAsync(new CardRules(AutoApproveAppend: true));
        var appended = await factory.RedeemCardOkAsync(vendor, (await owner.IssueCardCodeAsync()).Code, AddNotes);
        var (tokens, _) = await factory.PollTokensAsync(vendor, appended);
        using (var api = factory.CreateBearerClient(tokens.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/notes", new VendorNoteInput("Stamp 2 of 10"))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/profile")).StatusCode);
        }

        // Reading, or adding to the profile, still waits.
        var reading = await factory.RedeemCardOkAsync(vendor, (await owner.IssueCardCodeAsync()).Code, ReadEmail);
        Assert.Equal("authorization_pending", await factory.PollErrorAsync(vendor, reading));
        var profileAppend = await factory.RedeemCardOkAsync(vendor, (await owner.IssueCardCodeAsync()).Code, VendorFlow.Details([Datatypes.Email], [DataActions.Append]));
        Assert.Equal("authorization_pending", await factory.PollErrorAsync(vendor, profileAppend));
        Assert.Equal(3, (await owner.PendingCardRequestsAsync()).Count);
    }

    private static async Task AssertCardErrorAsync(HttpResponseMessage response, string problemCode, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(CardProtocol.InvalidCardCodeError, body.GetProperty("error").GetString());
        Assert.StartsWith(problemCode + ":", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(code, text, StringComparison.OrdinalIgnoreCase);
        Assert.False(body.TryGetProperty("device_code", out _));
    }
}
