using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using CoffeeShop.Data;

namespace Symbolon.Browser.Tests;

/// <summary>
/// The coffee shop's webhook endpoint on its own: deliveries signed with the vault's secret (Standard Webhooks, as
/// the vault signs them) are stored once; forged, stale or misaddressed ones are refused and leave nothing behind.
/// </summary>
public sealed class CoffeeShopWebhookTests : IAsyncLifetime
{
    private const string Body = """{"type":"profile.updated","timestamp":"2026-11-23T06:00:00Z","data":{"subject":"pairwise-subject-1","changes":[{"cursor":"1","datatype":"profile.email","field_id":"f1","operation":"update","version":2,"changed_at":"2026-11-23T06:00:00Z"}]}}""";

    private readonly byte[] _vaultKey = RandomNumberGenerator.GetBytes(32);
    private CoffeeShopSite _shop = default!;
    private string _webhookUrl = default!;

    public async Task InitializeAsync()
    {
        // The shop starts without a vault; here it "met" one whose webhook secret the test knows.
        _shop = await CoffeeShopSite.StartAsync(new Uri("http://127.0.0.1:5178/"));
        await using var db = _shop.Database();
        db.Vaults.Add(new VaultRegistration
        {
            Issuer = "http://vault.test/",
            ClientId = "client-1",
            ClientSecret = "not-used-here",
            WebhookSecret = "whsec_" + Convert.ToBase64String(_vaultKey),
            WebhookKey = "k3y",
            Agreement = "SD-BASE",
            RegisteredAt = TimeProvider.System.GetUtcNow(),
        });
        await db.SaveChangesAsync();
        _webhookUrl = _shop.Url("webhooks/k3y");
    }

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task A_signed_delivery_is_stored_once_and_a_forged_stale_or_misaddressed_one_is_refused()
    {
        using var http = new HttpClient();
        var now = TimeProvider.System.GetUtcNow();

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(http, _webhookUrl, "msg_1", now, _vaultKey)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(http, _webhookUrl, "msg_1", now, _vaultKey)).StatusCode);
        var page = await http.GetStringAsync(_shop.Url("webhooks"));
        Assert.Contains("Email changed", page, StringComparison.Ordinal);

        var forged = await SendAsync(http, _webhookUrl, "msg_2", now, RandomNumberGenerator.GetBytes(32));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        var stale = await SendAsync(http, _webhookUrl, "msg_3", now.AddMinutes(-30), _vaultKey);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        var tampered = await SendAsync(http, _webhookUrl, "msg_4", now, _vaultKey, tamper: true);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(http, _shop.Url("webhooks/another"), "msg_5", now, _vaultKey)).StatusCode);

        await using var db = _shop.Database();
        var stored = Assert.Single(db.Webhooks);
        Assert.Equal(("msg_1", "profile.updated", "pairwise-subject-1", "Email changed"), (stored.MessageId, stored.Type, stored.Subject, stored.Summary));
    }

    [Fact]
    public async Task A_message_and_a_pushed_update_are_listed_without_their_text_or_value()
    {
        using var http = new HttpClient();
        var now = TimeProvider.System.GetUtcNow();
        const string message = """{"type":"message.created","timestamp":"2026-11-23T06:00:00Z","data":{"subject":"pairwise-subject-1","message_id":"m1","sent_at":"2026-11-23T06:00:00Z"}}""";
        const string pushed = """{"type":"update.pushed","timestamp":"2026-11-23T06:01:00Z","data":{"subject":"pairwise-subject-1","update_id":"u1","datatype":"profile.phone","field_id":"f9","pushed_at":"2026-11-23T06:01:00Z"}}""";
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(http, _webhookUrl, "msg_10", now, _vaultKey, body: message)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(http, _webhookUrl, "msg_11", now, _vaultKey, body: pushed)).StatusCode);

        var page = await http.GetStringAsync(_shop.Url("webhooks"));
        Assert.Contains("Wrote to the shop", page, StringComparison.Ordinal);
        Assert.Contains("Pushed a new phone", page, StringComparison.Ordinal);
        await using var db = _shop.Database();
        Assert.Equal(["message.created", "update.pushed"], db.Webhooks.OrderBy(w => w.MessageId).Select(w => w.Type).ToList());
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string url, string id, DateTimeOffset at, byte[] key, bool tamper = false, string body = Body)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(tamper ? body.Replace("profile.email", "profile.phone", StringComparison.Ordinal) : body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", $"v1,{signature}");
        return await http.SendAsync(request);
    }
}
