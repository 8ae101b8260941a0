using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Profile;

namespace Symbolon.Server.Tests;

public sealed class ProfileApiTests : IDisposable
{
    private readonly SymbolonApplicationFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Fields_of_every_kind_are_kept_with_labels_and_several_values()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Name, Name: new PersonName("Ada", "Lovelace", Prefix: "Countess")));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "work", "ada@engine.example"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "mobile", "+44 20 7946 0958"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: new PostalAddress("12 St James's Square", "London", null, "SW1Y 4JH", "gb")));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.BirthDate, Text: "1985-12-10"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Language, Text: "en-GB"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Preference, Text: "No paper mail"));

        var profile = await owner.GetFromJsonAsync<ProfileDocument>("/owner/api/v1/profile", SymbolonApplicationFactory.Json);
        Assert.Equal(
            ["name", "email", "email", "phone", "postal_address", "birth_date", "language", "preference"],
            profile!.Fields.Select(f => f.Kind));
        Assert.Equal(["home", "work"], profile.Fields.Where(f => f.Kind == "email").Select(f => f.Label));
        var address = profile.Fields.Single(f => f.Kind == "postal_address").Address!;
        Assert.Equal("GB", address.Country);
        Assert.All(profile.Fields, f => Assert.Equal("You", f.UpdatedBy.DisplayName));
    }

    [Fact]
    public async Task An_edit_appends_a_version_and_the_history_shows_who_changed_what_and_when()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        var field = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: new PostalAddress("1 Old Road", "Utrecht", null, "3511 AA", "NL")));
        _app.Time.Advance(TimeSpan.FromHours(3));

        var updated = await owner.PutAsJsonAsync($"/owner/api/v1/profile/fields/{field.Id}", new ProfileFieldUpdate("home", Address: new PostalAddress("2 New Street", "Amsterdam", null, "1011 AB", "NL"), ExpectedVersion: 1), SymbolonApplicationFactory.Json);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);

        var history = await owner.GetFromJsonAsync<ProfileFieldHistory>($"/owner/api/v1/profile/fields/{field.Id}/history", SymbolonApplicationFactory.Json);
        Assert.Equal([1, 2], history!.Versions.Select(v => v.Version));
        Assert.Equal("1 Old Road", history.Versions[0].Address!.Street);
        Assert.Equal("2 New Street", history.Versions[1].Address!.Street);
        Assert.Equal(["create", "update"], history.Versions.Select(v => v.Operation));
        Assert.Equal(TimeSpan.FromHours(3), history.Versions[1].ChangedAt - history.Versions[0].ChangedAt);
        Assert.All(history.Versions, v => Assert.Equal("owner", v.Actor.Kind));
    }

    [Fact]
    public async Task A_stale_expected_version_is_a_409_and_changes_nothing()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        var field = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "first@example.org"));
        await owner.PutAsJsonAsync($"/owner/api/v1/profile/fields/{field.Id}", new ProfileFieldUpdate("home", "second@example.org"), SymbolonApplicationFactory.Json);

        var stale = await owner.PutAsJsonAsync($"/owner/api/v1/profile/fields/{field.Id}", new ProfileFieldUpdate("home", "third@example.org", ExpectedVersion: 1), SymbolonApplicationFactory.Json);
        await VaultApiTests.AssertProblem(stale, HttpStatusCode.Conflict, ProblemCodes.VersionConflict);
        var current = await owner.GetFromJsonAsync<ProfileField>($"/owner/api/v1/profile/fields/{field.Id}", SymbolonApplicationFactory.Json);
        Assert.Equal("second@example.org", current!.Text);
    }

    [Fact]
    public async Task Delete_is_a_tombstone_kept_in_history_until_purged()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        var field = await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "work", "+31 20 555 0100"));
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/owner/api/v1/profile/fields/{field.Id}")).StatusCode);

        await VaultApiTests.AssertProblem(await owner.GetAsync($"/owner/api/v1/profile/fields/{field.Id}"), HttpStatusCode.NotFound, ProblemCodes.RecordNotFound);
        var history = await owner.GetFromJsonAsync<ProfileFieldHistory>($"/owner/api/v1/profile/fields/{field.Id}/history", SymbolonApplicationFactory.Json);
        Assert.True(history!.Deleted);
        Assert.Equal(["create", "delete"], history.Versions.Select(v => v.Operation));
        await VaultApiTests.AssertProblem(
            await owner.PutAsJsonAsync($"/owner/api/v1/profile/fields/{field.Id}", new ProfileFieldUpdate(Text: "+31 20 555 0199"), SymbolonApplicationFactory.Json),
            HttpStatusCode.NotFound,
            ProblemCodes.RecordNotFound);

        var purge = await owner.PostAsync("/owner/api/v1/purge", null);
        Assert.Equal(1, (await purge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("purged").GetInt32());
        await VaultApiTests.AssertProblem(await owner.GetAsync($"/owner/api/v1/profile/fields/{field.Id}/history"), HttpStatusCode.NotFound, ProblemCodes.RecordNotFound);
    }

    [Fact]
    public async Task Invalid_values_are_400s_that_name_the_field_and_why_without_echoing_the_value()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        var email = await Post(owner, """{"kind":"email","label":"home","text":"ZEBRA-not-an-email"}""");
        var problem = await VaultApiTests.AssertProblem(email, HttpStatusCode.BadRequest, ProblemCodes.InvalidValue);
        Assert.Contains("email address", problem.GetProperty("errors").GetProperty("text")[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ZEBRA", problem.ToString(), StringComparison.Ordinal);

        var country = await Post(owner, """{"kind":"postal_address","address":{"street":"1 Main","country":"XX"}}""");
        problem = await VaultApiTests.AssertProblem(country, HttpStatusCode.BadRequest, ProblemCodes.InvalidValue);
        Assert.True(problem.GetProperty("errors").TryGetProperty("address.country", out _));

        var kind = await Post(owner, """{"kind":"shoe_size","text":"44"}""");
        problem = await VaultApiTests.AssertProblem(kind, HttpStatusCode.BadRequest, ProblemCodes.InvalidValue);
        Assert.True(problem.GetProperty("errors").TryGetProperty("kind", out _));

        var wrongType = await Post(owner, """{"kind":"email","text":42}""");
        problem = await VaultApiTests.AssertProblem(wrongType, HttpStatusCode.BadRequest, ProblemCodes.InvalidValue);
        Assert.True(problem.GetProperty("errors").TryGetProperty("text", out _));

        var profile = await owner.GetFromJsonAsync<ProfileDocument>("/owner/api/v1/profile", SymbolonApplicationFactory.Json);
        Assert.Empty(profile!.Fields);
    }

    [Fact]
    public async Task Unknown_fields_malformed_json_missing_bodies_and_oversized_bodies_get_their_own_codes()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        var unknown = await VaultApiTests.AssertProblem(await Post(owner, """{"kind":"email","text":"a@b.example","colour":"red"}"""), HttpStatusCode.BadRequest, ProblemCodes.UnknownField);
        Assert.True(unknown.GetProperty("errors").TryGetProperty("colour", out _));

        var nested = await VaultApiTests.AssertProblem(await Post(owner, """{"kind":"name","name":{"given":"Ada","nick":"A"}}"""), HttpStatusCode.BadRequest, ProblemCodes.UnknownField);
        Assert.True(nested.GetProperty("errors").TryGetProperty("name.nick", out _));

        await VaultApiTests.AssertProblem(await Post(owner, """{"kind":"email", "text": """), HttpStatusCode.BadRequest, ProblemCodes.MalformedJson);

        var missing = await VaultApiTests.AssertProblem(await Post(owner, """{"label":"home"}"""), HttpStatusCode.BadRequest, ProblemCodes.InvalidValue);
        Assert.True(missing.GetProperty("errors").TryGetProperty("kind", out _));

        await VaultApiTests.AssertProblem(await Post(owner, ""), HttpStatusCode.BadRequest, ProblemCodes.MissingBody);

        var huge = "{\"kind\":\"preference\",\"text\":\"" + new string('x', 300 * 1024) + "\"}";
        await VaultApiTests.AssertProblem(await Post(owner, huge), HttpStatusCode.RequestEntityTooLarge, ProblemCodes.BodyTooLarge);
    }

    [Fact]
    public async Task A_second_birth_date_is_refused()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.BirthDate, Text: "1990-04-23"));
        await VaultApiTests.AssertProblem(await owner.PostAsJsonAsync("/owner/api/v1/profile/fields", new ProfileFieldInput(ProfileFieldKinds.BirthDate, Text: "1991-01-01"), SymbolonApplicationFactory.Json), HttpStatusCode.BadRequest, ProblemCodes.InvalidValue);
    }

    [Fact]
    public async Task The_profile_exports_as_vcard_4_and_jcard()
    {
        var (owner, _) = await _app.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Name, Name: new PersonName("Grace", "Hopper")));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "work", "grace@navy.example"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.BirthDate, Text: "1906-12-09"));

        var vcard = await owner.GetAsync("/owner/api/v1/profile/vcard");
        Assert.Equal("text/vcard", vcard.Content.Headers.ContentType!.MediaType);
        var text = await vcard.Content.ReadAsStringAsync();
        Assert.StartsWith("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Grace Hopper\r\nN:Hopper;Grace;;;\r\n", text, StringComparison.Ordinal);
        Assert.Contains("EMAIL;TYPE=work:grace@navy.example\r\n", text, StringComparison.Ordinal);
        Assert.Contains("BDAY:19061209\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("END:VCARD\r\n", text, StringComparison.Ordinal);

        var jcard = await owner.GetAsync("/owner/api/v1/profile/jcard");
        Assert.Equal("application/vcard+json", jcard.Content.Headers.ContentType!.MediaType);
        var json = JsonDocument.Parse(await jcard.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("vcard", json[0].GetString());
        var bday = json[1].EnumerateArray().Single(p => p[0].GetString() == "bday");
        Assert.Equal("1906-12-09", bday[3].GetString());
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string json) =>
        client.PostAsync("/owner/api/v1/profile/fields", new StringContent(json, Encoding.UTF8, "application/json"));
}
