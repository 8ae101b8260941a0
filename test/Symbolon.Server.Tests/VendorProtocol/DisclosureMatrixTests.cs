using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Relationships;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>
/// Several vendors × every datatype × every action × {granted, narrowed, not granted, expired, revoked}: a vendor
/// never receives a value it was not granted, in bodies, errors, headers (ETags) or the change feed, and ids of
/// other vendors' fields are 404 (not 403) for it. Every value in the vault is distinctive, and each response is
/// checked against the values the vendor may see, computed from its grant.
/// </summary>
public sealed class DisclosureMatrixTests
{
    private static readonly string[] AllActions = [DataActions.Read, DataActions.Append, DataActions.Update];

    /// <summary>How one vendor in the matrix is set up.</summary>
    public sealed record VendorSpec(string Name, string State, IReadOnlyDictionary<string, string[]> Grants, IReadOnlyDictionary<string, string>? Narrow = null, string Expiry = "90d");

    /// <summary>A value in the vault: its distinctive text, datatype, the part of an address it is, and who wrote it.</summary>
    private sealed record Secret(string Text, string Datatype, string? Part = null, string? Author = null);

    private sealed record Probe(string What, HttpResponseMessage Response, string Body);

    private sealed class Vendor(VendorSpec spec, RegisteredVendor registered, VendorTokens tokens)
    {
        public VendorSpec Spec { get; } = spec;
        public RegisteredVendor Registered { get; } = registered;
        public VendorTokens Tokens { get; set; } = tokens;
        public List<string> VisibleIds { get; } = [];
        public bool InForce => Spec.State is "granted" or "narrowed" or "partial";

        public GrantedDatatype? Granted(string datatype, string action)
        {
            if (!InForce || !Spec.Grants.TryGetValue(datatype, out var actions))
            {
                return null;
            }

            var narrowing = Spec.Narrow?.GetValueOrDefault(datatype) ?? Narrowings.Full;
            var effective = narrowing == Narrowings.Full ? actions : [.. actions.Where(a => a == DataActions.Read)];
            return effective.Contains(action) ? new GrantedDatatype(datatype, effective, narrowing, "") : null;
        }
    }

    private static Dictionary<string, string[]> Every() => DatatypeCatalog.All.ToDictionary(d => d.Id, d => d.Actions.ToArray());

    private static Dictionary<string, string[]> Only(params string[] datatypes) =>
        DatatypeCatalog.All.Where(d => datatypes.Contains(d.Id)).ToDictionary(d => d.Id, d => d.Actions.ToArray());

    public static IEnumerable<object[]> Slices() =>
    [
        [StorageKind.Sqlite, new[] { "granted", "postal", "country", "half-a", "half-b", "revoked", "expired" }],
        [StorageKind.Postgres, new[] { "granted", "postal", "half-a", "revoked" }],
    ];

    private static VendorSpec Spec(string key) => key switch
    {
        "granted" => new("Granted Grocer", "granted", Every()),
        "postal" => new("Postal Pharmacy", "narrowed", Every(), new Dictionary<string, string> { [Datatypes.PostalAddress] = Narrowings.PostalCode, [Datatypes.BirthDate] = Narrowings.Over18 }),
        "country" => new("Country Cinema", "narrowed", Every(), new Dictionary<string, string> { [Datatypes.PostalAddress] = Narrowings.Country }),
        "half-a" => new("Half A Hardware", "partial", Only(Datatypes.Name, Datatypes.Phone, Datatypes.BirthDate, Datatypes.Notes)),
        "half-b" => new("Half B Bikes", "partial", Only(Datatypes.Email, Datatypes.PostalAddress, Datatypes.Language, Datatypes.Preference)),
        "revoked" => new("Revoked Radio", "revoked", Every()),
        "expired" => new("Expired Eatery", "expired", Every(), Expiry: "1d"),
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };

    [Theory]
    [MemberData(nameof(Slices))]
    public async Task A_vendor_never_receives_a_value_it_was_not_granted(StorageKind storage, string[] vendorKeys)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        var (owner, _) = await factory.CreateVaultAsync();
        var secrets = new List<Secret>();
        await OwnerProfileAsync(owner, secrets);

        var vendors = new List<Vendor>();
        foreach (var spec in vendorKeys.Select(Spec))
        {
            var registered = await factory.RegisterVendorAsync(spec.Name);
            await factory.AcceptAgreementAsync(registered);
            // One entry per set of actions (a request holds at most 10 entries, fewer than there are datatypes).
            var details = JsonSerializer.Serialize(spec.Grants.GroupBy(g => string.Join(',', g.Value))
                .Select(g => new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [.. g.Select(x => x.Key)], g.First().Value, "Matrix purpose", "SD-BASE")));
            var tokens = await factory.GrantAsync(owner, registered, details, new ConsentChoices(Narrow: spec.Narrow, Expiry: spec.Expiry));
            vendors.Add(new Vendor(spec, registered, tokens));
        }

        // Vendors write before anything is revoked or expires, so there are notes and appended values by others.
        foreach (var vendor in vendors.Where(v => v.Granted(Datatypes.Notes, DataActions.Append) is not null || v.Spec.State is "revoked" or "expired"))
        {
            using var api = factory.CreateBearerClient(vendor.Tokens.AccessToken);
            var note = $"Note {Token(vendor)} kestrel-harbour";
            var response = await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput(note), null);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            secrets.Add(new Secret(note, Datatypes.Notes, Author: vendor.Registered.ClientId));
        }

        foreach (var vendor in vendors.Where(v => v.Spec.State == "revoked"))
        {
            await RevokeAsync(factory, vendor.Registered.ClientId);
        }

        // Every vendor's field ids, so each vendor can be tried with the others' ids.
        foreach (var vendor in vendors.Where(v => v.InForce || v.Spec.State == "expired"))
        {
            using var api = factory.CreateBearerClient(vendor.Tokens.AccessToken);
            vendor.VisibleIds.AddRange((await api.GetFromJsonAsync<VendorProfile>("/api/v1/profile"))!.Fields.Select(f => f.Id));
        }

        var probes = new Dictionary<Vendor, List<Probe>>();
        foreach (var vendor in vendors.Where(v => v.Spec.State != "expired"))
        {
            probes[vendor] = await ProbeAsync(factory, vendor, vendors, secrets);
        }

        // Expiry: a day later the expired vendor's grant is over; the others refresh and still work.
        factory.Time.Advance(TimeSpan.FromHours(25));
        foreach (var vendor in vendors)
        {
            var refresh = await factory.TokenRequestAsync(vendor.Registered, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = vendor.Tokens.RefreshToken! });
            var body = await refresh.Content.ReadAsStringAsync();
            if (vendor.InForce)
            {
                Assert.True(refresh.IsSuccessStatusCode, body);
                var json = JsonSerializer.Deserialize<JsonElement>(body);
                vendor.Tokens = vendor.Tokens with { AccessToken = json.GetProperty("access_token").GetString()!, RefreshToken = json.GetProperty("refresh_token").GetString() };
            }
            else
            {
                Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
                Assert.Equal("invalid_grant", JsonSerializer.Deserialize<JsonElement>(body).GetProperty("error").GetString());
                probes.GetValueOrDefault(vendor)?.Add(new Probe("refresh", refresh, body));
            }
        }

        foreach (var vendor in vendors.Where(v => v.Spec.State == "expired"))
        {
            probes[vendor] = await ProbeAsync(factory, vendor, vendors, secrets);
        }

        var pairwise = vendors.SelectMany(v => v.VisibleIds.Select(id => (id, v))).GroupBy(x => x.id).Where(g => g.Count() > 1).ToList();
        Assert.Empty(pairwise);

        foreach (var (vendor, list) in probes)
        {
            var forbidden = secrets.Where(s => !MaySee(vendor, s)).ToList();
            foreach (var probe in list)
            {
                var headers = string.Join('\n', probe.Response.Headers.Concat(probe.Response.Content.Headers).Select(h => $"{h.Key}: {string.Join(',', h.Value)}"));
                foreach (var secret in forbidden)
                {
                    Assert.False(probe.Body.Contains(secret.Text, StringComparison.Ordinal), $"{vendor.Spec.Name} ({vendor.Spec.State}) received {secret.Datatype} {secret.Part} in {probe.What}: {probe.Body}");
                    Assert.False(headers.Contains(secret.Text, StringComparison.Ordinal), $"{vendor.Spec.Name} received {secret.Datatype} in the headers of {probe.What}");
                }
            }

            // Positive control: what a vendor may see, it does see (so the absence checks above are not vacuous).
            if (vendor.InForce)
            {
                var profile = list.Single(p => p.What == "GET /api/v1/profile").Body;
                foreach (var secret in secrets.Where(s => MaySee(vendor, s) && s.Datatype != Datatypes.Notes && s.Author is null))
                {
                    Assert.True(profile.Contains(secret.Text, StringComparison.Ordinal), $"{vendor.Spec.Name} should see {secret.Datatype} {secret.Part}");
                }
            }
        }
    }

    /// <summary>Every read, every append and every update the API has, with this vendor's token.</summary>
    private static async Task<List<Probe>> ProbeAsync(SymbolonApplicationFactory factory, Vendor vendor, List<Vendor> all, List<Secret> secrets)
    {
        var probes = new List<Probe>();
        using var api = factory.CreateBearerClient(vendor.Tokens.AccessToken);
        async Task<Probe> Record(string what, Task<HttpResponseMessage> send)
        {
            var response = await send;
            var probe = new Probe(what, response, await response.Content.ReadAsStringAsync());
            probes.Add(probe);
            return probe;
        }

        var readsProfile = DatatypeCatalog.All.Any(d => d.IsProfile && vendor.Granted(d.Id, DataActions.Read) is not null);
        var profile = await Record("GET /api/v1/profile", api.GetAsync("/api/v1/profile"));
        Assert.Equal(!vendor.InForce ? HttpStatusCode.Unauthorized : readsProfile ? HttpStatusCode.OK : HttpStatusCode.Forbidden, profile.Response.StatusCode);
        if (profile.Response.StatusCode == HttpStatusCode.OK)
        {
            using var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/v1/profile");
            conditional.Headers.IfNoneMatch.Add(profile.Response.Headers.ETag!);
            var notModified = await Record("GET /api/v1/profile If-None-Match", api.SendAsync(conditional));
            Assert.Equal(HttpStatusCode.NotModified, notModified.Response.StatusCode);
            var view = JsonSerializer.Deserialize<VendorProfile>(profile.Body)!;
            Assert.All(view.Fields, f => Assert.NotNull(vendor.Granted(f.Datatype, DataActions.Read)));
            vendor.VisibleIds.AddRange(view.Fields.Select(f => f.Id).Where(id => !vendor.VisibleIds.Contains(id)));

            // Update every field it can see, with the value it sees (the same value, or a narrowed one that must be refused).
            foreach (var field in view.Fields)
            {
                var update = await Record($"PATCH {field.Datatype}", DataApiTests.SendAsync(api, HttpMethod.Patch, $"/api/v1/profile/fields/{field.Id}", new VendorFieldUpdate(field.Value, ExpectedVersion: field.Version), null));
                var allowed = vendor.Granted(field.Datatype, DataActions.Update) is not null && field.Narrowing == Narrowings.Full;
                Assert.True(update.Response.StatusCode == (allowed ? HttpStatusCode.OK : HttpStatusCode.Forbidden), $"{vendor.Spec.Name} PATCH {field.Datatype}: {update.Response.StatusCode} {update.Body}");
            }
        }

        // Ids other vendors hold for fields this vendor may or may not read: never found, never forbidden.
        foreach (var id in all.Where(v => v != vendor).SelectMany(v => v.VisibleIds).Distinct())
        {
            var foreign = await Record("PATCH another vendor's id", DataApiTests.SendAsync(api, HttpMethod.Patch, $"/api/v1/profile/fields/{id}", new VendorFieldUpdate(JsonSerializer.SerializeToElement("x")), null));
            Assert.Equal(vendor.InForce ? HttpStatusCode.NotFound : HttpStatusCode.Unauthorized, foreign.Response.StatusCode);
        }

        foreach (var datatype in DatatypeCatalog.All.Where(d => d.IsProfile && d.Actions.Contains(DataActions.Append)))
        {
            var (value, secret) = AppendValue(datatype.Id, vendor);
            var append = await Record($"POST {datatype.Id}", DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/profile/fields", new VendorFieldAppend(datatype.Id, value), null));
            var expected = !vendor.InForce ? HttpStatusCode.Unauthorized : vendor.Granted(datatype.Id, DataActions.Append) is not null ? HttpStatusCode.Created : HttpStatusCode.Forbidden;
            Assert.True(append.Response.StatusCode == expected, $"{vendor.Spec.Name} POST {datatype.Id}: {append.Response.StatusCode} {append.Body}");
            if (append.Response.StatusCode == HttpStatusCode.Created)
            {
                secrets.Add(secret with { Author = vendor.Registered.ClientId });
            }
        }

        var birth = await Record("POST birth date", DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/profile/fields", new VendorFieldAppend(Datatypes.BirthDate, JsonSerializer.SerializeToElement("1990-01-01")), null));
        Assert.Equal(vendor.InForce ? HttpStatusCode.Forbidden : HttpStatusCode.Unauthorized, birth.Response.StatusCode);

        var notes = await Record("GET /api/v1/notes", api.GetAsync("/api/v1/notes"));
        Assert.Equal(!vendor.InForce ? HttpStatusCode.Unauthorized : vendor.Granted(Datatypes.Notes, DataActions.Read) is not null ? HttpStatusCode.OK : HttpStatusCode.Forbidden, notes.Response.StatusCode);
        var addNote = await Record("POST /api/v1/notes", DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput($"Late note {Token(vendor)} osprey-lantern"), null));
        Assert.Equal(!vendor.InForce ? HttpStatusCode.Unauthorized : vendor.Granted(Datatypes.Notes, DataActions.Append) is not null ? HttpStatusCode.Created : HttpStatusCode.Forbidden, addNote.Response.StatusCode);
        if (addNote.Response.StatusCode == HttpStatusCode.Created)
        {
            secrets.Add(new Secret($"Late note {Token(vendor)} osprey-lantern", Datatypes.Notes, Author: vendor.Registered.ClientId));
        }

        await Record("GET /api/v1/grant", api.GetAsync("/api/v1/grant"));
        var after = "";
        for (var page = 0; page < 20; page++)
        {
            var changes = await Record("GET /api/v1/changes", api.GetAsync($"/api/v1/changes?limit=7{after}"));
            if (changes.Response.StatusCode != HttpStatusCode.OK)
            {
                Assert.Equal(vendor.InForce ? HttpStatusCode.Forbidden : HttpStatusCode.Unauthorized, changes.Response.StatusCode);
                break;
            }

            var feed = JsonSerializer.Deserialize<ChangeFeedPage>(changes.Body)!;
            Assert.All(feed.Changes, c => Assert.NotNull(vendor.Granted(c.Datatype, DataActions.Read)));
            Assert.All(feed.Changes, c => Assert.DoesNotContain(c.FieldId, all.Where(v => v != vendor).SelectMany(v => v.VisibleIds)));
            if (!feed.HasMore)
            {
                break;
            }

            after = "&after=" + feed.NextCursor;
        }

        return probes;
    }

    private static bool MaySee(Vendor vendor, Secret secret)
    {
        if (secret.Author == vendor.Registered.ClientId)
        {
            return true;
        }

        if (secret.Datatype == Datatypes.Notes)
        {
            return false;
        }

        var grant = vendor.Granted(secret.Datatype, DataActions.Read);
        return grant?.Narrowing switch
        {
            null => false,
            Narrowings.Full => true,
            Narrowings.PostalCode => secret.Part is "postal_code",
            _ => false,
        };
    }

    private static string Token(Vendor vendor) => new string(vendor.Spec.Name.Where(char.IsLetter).ToArray()).ToLowerInvariant();

    private static (JsonElement Value, Secret Secret) AppendValue(string datatype, Vendor vendor)
    {
        var token = Token(vendor);
        var digits = Math.Abs(StableHash(token) % 9000) + 1000;
        return datatype switch
        {
            Datatypes.Name => (JsonSerializer.SerializeToElement(new { given = "Appended" + token, family = "Wrenfield" }), new Secret("Appended" + token, datatype)),
            Datatypes.Email => (JsonSerializer.SerializeToElement($"appended-{token}@example.org"), new Secret($"appended-{token}@example.org", datatype)),
            Datatypes.Phone => (JsonSerializer.SerializeToElement($"+44 20 7946 {digits}"), new Secret($"7946 {digits}", datatype)),
            Datatypes.PostalAddress => (JsonSerializer.SerializeToElement(new { street = $"Appended {token} lane 7", locality = "Nethermoor", postal_code = "ZX9 1AA", country = "GB" }), new Secret($"Appended {token} lane 7", datatype, "street")),
            Datatypes.Language => (JsonSerializer.SerializeToElement("tlh"), new Secret("\"tlh\"", datatype)),
            Datatypes.Preference => (JsonSerializer.SerializeToElement($"Appended preference {token} saffron-kite"), new Secret($"Appended preference {token} saffron-kite", datatype)),
            _ => throw new ArgumentOutOfRangeException(nameof(datatype)),
        };
    }

    private static int StableHash(string text) => text.Aggregate(17, (h, c) => unchecked((h * 31) + c));

    private static async Task OwnerProfileAsync(HttpClient owner, List<Secret> secrets)
    {
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Name, Name: new PersonName("Zephyrine", "Quillfeather")));
        secrets.Add(new("Zephyrine", Datatypes.Name));
        secrets.Add(new("Quillfeather", Datatypes.Name));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "zq-unique-4471@example.org"));
        secrets.Add(new("zq-unique-4471", Datatypes.Email));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "mobile", "+31 6 9911 4471"));
        secrets.Add(new("9911 4471", Datatypes.Phone));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: new PostalAddress("Oudegracht 4471", "Utrechtville", "Stichtse Landen", "3511 ZQ", "NL")));
        secrets.Add(new("Oudegracht 4471", Datatypes.PostalAddress, "street"));
        secrets.Add(new("Utrechtville", Datatypes.PostalAddress, "locality"));
        secrets.Add(new("Stichtse Landen", Datatypes.PostalAddress, "region"));
        secrets.Add(new("3511 ZQ", Datatypes.PostalAddress, "postal_code"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.BirthDate, Text: "1984-02-29"));
        secrets.Add(new("1984-02-29", Datatypes.BirthDate));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Language, Text: "gsw-CH"));
        secrets.Add(new("gsw-CH", Datatypes.Language));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Preference, Text: "Prefers marmalade-lighthouse"));
        secrets.Add(new("marmalade-lighthouse", Datatypes.Preference));
    }

    /// <summary>Revokes the relationship's grants through the owner side's revocation (grant row, OpenIddict authorization and tokens).</summary>
    private static async Task RevokeAsync(SymbolonApplicationFactory factory, string clientId)
    {
        using var scope = factory.Services.CreateScope();
        var relationships = scope.ServiceProvider.GetRequiredService<RelationshipService>();
        var relationship = (await relationships.FindByClientIdAsync(clientId))!;
        var revocation = scope.ServiceProvider.GetRequiredService<GrantRevocation>();
        foreach (var grant in await relationships.ListGrantsAsync(relationship))
        {
            await revocation.RevokeGrantAsync(relationship.VaultId, grant.Id);
        }
    }
}
