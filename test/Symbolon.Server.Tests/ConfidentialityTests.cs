using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.EntityFrameworkCore.Models;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Storage;
using Symbolon.Server.Storage;
using Symbolon.Server.Tests.Card;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests;

/// <summary>The database file alone reveals no personal value, and neither do the logs or error messages.</summary>
public sealed class ConfidentialityTests
{
    [Fact]
    public async Task No_personal_value_appears_in_the_database_file_its_wal_or_a_backup()
    {
        var values = DistinctiveValues().ToList();
        byte[] backup;
        using (var app = new SymbolonApplicationFactory())
        {
            var dataDirectory = app.DataDirectory;
            var (owner, _) = await app.CreateVaultAsync();
            var fieldIds = new List<Guid>();
            foreach (var input in Inputs(values))
            {
                fieldIds.Add((await SymbolonApplicationFactory.AddFieldAsync(owner, input)).Id);
            }

            // Updates and deletes leave old versions and tombstones behind: those must be sealed too.
            await owner.PutAsJsonAsync($"/owner/api/v1/profile/fields/{fieldIds[0]}", new ProfileFieldUpdate(Name: new PersonName("Ζωή", "QUOKKA-RENAMED-7781")), SymbolonApplicationFactory.Json);
            await owner.DeleteAsync($"/owner/api/v1/profile/fields/{fieldIds[1]}");
            values.Add("QUOKKA-RENAMED-7781");

            backup = await owner.GetByteArrayAsync("/owner/api/v1/backup");
            var export = await owner.GetStringAsync("/owner/api/v1/export");
            Assert.All(values, v => Assert.Contains(JsonEncodedText.Encode(v).ToString(), export, StringComparison.Ordinal));

            await owner.PostAsync("/owner/api/v1/vault/lock", null);

            // Nothing personal in the logs either, at any level, including EF Core's SQL logging.
            var logs = string.Join("\n", app.Logs);
            Assert.Contains("Executed DbCommand", logs, StringComparison.Ordinal);
            Assert.Contains("Request starting", logs, StringComparison.Ordinal);
            Assert.All(values, v => Assert.DoesNotContain(v, logs, StringComparison.Ordinal));
            Assert.DoesNotContain(SymbolonApplicationFactory.Passphrase, logs, StringComparison.Ordinal);

            var files = ReadStoreFiles(dataDirectory);
            files["backup"] = backup;
            Assert.True(files["symbolon.db"].Length > 0);
            foreach (var (name, bytes) in files)
            {
                foreach (var value in values.Append(SymbolonApplicationFactory.Passphrase))
                {
                    Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(value)), $"'{value}' found as UTF-8 in {name}");
                    Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(value)), $"'{value}' found as UTF-16 in {name}");
                }
            }
        }
    }

    [Fact]
    public async Task No_credential_of_the_oauth_or_card_flows_appears_in_the_logs_at_any_level()
    {
        // The factory collects every category at Trace, the level at which OpenIddict prints tokens it creates and
        // validates; an operator can turn any category up that far.
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        var secrets = new List<string>();
        var vendor = await app.RegisterVendorAsync("Blue Door Coffee");
        await app.AcceptAgreementAsync(vendor);
        secrets.Add(vendor.ClientSecret);

        // Authorization code flow: code, verifier, tokens; a read, an introspection, a refresh and a revocation.
        var (code, verifier, _) = await VendorFlow.AuthorizeAsync(app, owner, vendor, VendorFlow.Details([Datatypes.Email]), new ConsentChoices());
        var tokens = await app.ExchangeCodeAsync(vendor, code, verifier);
        secrets.AddRange([code, verifier, tokens.AccessToken, tokens.RefreshToken!]);
        using (var api = app.CreateBearerClient(tokens.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/grant")).StatusCode);
        }

        using var vendorClient = app.CreateVendorClient(vendor);
        var introspection = await vendorClient.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = tokens.AccessToken }));
        Assert.True((await introspection.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("active").GetBoolean());
        var refreshed = await VendorFlow.ReadTokensAsync(await app.TokenRequestAsync(vendor, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.RefreshToken! }));
        secrets.AddRange([refreshed.AccessToken, refreshed.RefreshToken!]);
        Assert.Equal(HttpStatusCode.OK, (await vendorClient.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = refreshed.RefreshToken! }))).StatusCode);

        // The card at the counter (RFC 8628): the card code, the device and user codes, a pending poll, the tokens.
        var till = await app.VendorAtTheCounterAsync("Harbour Books");
        secrets.Add(till.ClientSecret);
        var card = await owner.IssueCardCodeAsync();
        var redeemed = await app.RedeemCardAsync(till, card.Code, VendorFlow.Details([Datatypes.Email]));
        var device = await redeemed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(redeemed.StatusCode == HttpStatusCode.OK, device.ToString());
        var deviceCode = device.GetProperty("device_code").GetString()!;
        secrets.AddRange([card.Code, card.Display, deviceCode, device.GetProperty("user_code").GetString()!]);
        Assert.Equal("authorization_pending", await app.PollErrorAsync(till, deviceCode));
        await owner.ApproveCardRequestAsync(Assert.Single(await owner.PendingCardRequestsAsync()).Id);
        app.Time.Advance(TimeSpan.FromSeconds(5));
        var (cardTokens, _) = await app.PollTokensAsync(till, deviceCode);
        secrets.AddRange([cardTokens.AccessToken, cardTokens.RefreshToken!]);
        using (var api = app.CreateBearerClient(cardTokens.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/grant")).StatusCode);
        }

        // What OpenIddict stores behind each reference token, the handles it hands out included.
        using (var scope = app.Services.CreateScope())
        {
            var stored = await scope.ServiceProvider.GetRequiredService<SymbolonDbContext>().Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking().ToListAsync();
            secrets.AddRange(stored.SelectMany(t => new[] { t.ReferenceId, t.Payload }).OfType<string>());
        }

        var logs = string.Join("\n", app.Logs);
        Assert.Contains("OpenIddict.Server.OpenIddictServerDispatcher", logs, StringComparison.Ordinal);
        Assert.Contains("[redacted]", logs, StringComparison.Ordinal);
        Assert.All(secrets.Where(s => s.Length >= 8).Distinct(), secret => Assert.False(logs.Contains(secret, StringComparison.Ordinal), $"A credential of {secret.Length} characters was logged."));
    }

    [Fact]
    public async Task Error_responses_never_echo_a_submitted_value()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        var cases = new[]
        {
            """{"kind":"email","text":"PANGOLIN-SECRET-99 at example"}""",
            """{"kind":"phone","text":"PANGOLIN-SECRET-99"}""",
            """{"kind":"birth_date","text":"PANGOLIN-SECRET-99"}""",
            """{"kind":"language","text":"PANGOLIN-SECRET-99!"}""",
            """{"kind":"postal_address","address":{"country":"PANGOLIN-SECRET-99"}}""",
            """{"kind":"email","text":"x@y.example","PANGOLIN-SECRET-99":1}""",
        };
        foreach (var body in cases)
        {
            var response = await owner.PostAsync("/owner/api/v1/profile/fields", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            if (!body.Contains("\"PANGOLIN-SECRET-99\":1", StringComparison.Ordinal))
            {
                // An unknown member's name is not a value, so it may be named; values never are.
                Assert.DoesNotContain("PANGOLIN", text, StringComparison.Ordinal);
            }
        }

        Assert.DoesNotContain("PANGOLIN-SECRET-99 at example", string.Join("\n", app.Logs), StringComparison.Ordinal);
    }

    internal static Dictionary<string, byte[]> ReadStoreFiles(string dataDirectory)
    {
        StorageSetup.ReleaseFiles();
        var files = new Dictionary<string, byte[]>();
        foreach (var name in new[] { "symbolon.db", "symbolon.db-wal", "symbolon.db-shm" })
        {
            var path = Path.Combine(dataDirectory, name);
            if (File.Exists(path))
            {
                // Note: read with sharing so a connection the pool has not closed yet does not block the test.
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                files[name] = memory.ToArray();
            }
        }

        return files;
    }

    private static IEnumerable<string> DistinctiveValues()
    {
        for (var i = 0; i < 100; i++)
        {
            yield return $"CANARY{i:D3}XQ";
        }
    }

    private static IEnumerable<ProfileFieldInput> Inputs(List<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i];
            yield return (i % 6) switch
            {
                0 => new ProfileFieldInput(ProfileFieldKinds.Name, "home", Name: new PersonName(v, "Ørsted")),
                1 => new ProfileFieldInput(ProfileFieldKinds.Email, "work", $"{v}@example.org"),
                2 => new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: new PostalAddress($"{v} Straße 1", "Köln", null, "50667", "DE")),
                3 => new ProfileFieldInput(ProfileFieldKinds.Preference, null, $"Prefers {v} on Sundays"),
                4 => new ProfileFieldInput(ProfileFieldKinds.Name, "work", Name: new PersonName("Zoë", v)),
                _ => new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "work", Address: new PostalAddress("Main", v, null, null, "NL")),
            };
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
