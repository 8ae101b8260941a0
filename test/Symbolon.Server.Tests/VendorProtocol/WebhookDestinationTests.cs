using System.Net;
using System.Net.Http.Json;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>A vault whose operator left Webhooks:AllowPrivateAddresses at its default (off).</summary>
public sealed class PublicWebhooksOnly : SharedVault
{
    public PublicWebhooksOnly() => App.Settings["Webhooks:AllowPrivateAddresses"] = "false";
}

/// <summary>
/// A vendor cannot point the vault's webhooks at the vault's own network (server-side request forgery): loopback,
/// link-local (cloud metadata) and private destinations are refused when registered, and a name that resolves to
/// one when the webhook is sent (DNS rebinding) is not connected to.
/// </summary>
public sealed class WebhookDestinationTests(PublicWebhooksOnly vault) : IClassFixture<PublicWebhooksOnly>
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/hooks")]
    [InlineData("https://127.0.0.1/hooks")]
    [InlineData("http://0x7f000001/hooks")]
    [InlineData("http://2130706433/hooks")]
    [InlineData("http://localhost:5000/hooks")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://10.0.0.7/hooks")]
    [InlineData("https://172.20.1.1/hooks")]
    [InlineData("https://192.168.1.1/hooks")]
    [InlineData("https://100.64.0.1/hooks")]
    [InlineData("https://0.0.0.0/hooks")]
    [InlineData("http://[::1]:8080/hooks")]
    [InlineData("https://[fc00::1]/hooks")]
    [InlineData("https://[fd12:3456::1]/hooks")]
    [InlineData("https://[fe80::1]/hooks")]
    [InlineData("https://[::ffff:127.0.0.1]/hooks")]
    [InlineData("https://[::ffff:169.254.169.254]/hooks")]
    [InlineData("https://[64:ff9b::a9fe:a9fe]/hooks")]
    public async Task Registration_refuses_a_webhook_on_a_loopback_link_local_or_private_address(string webhook)
    {
        using var client = vault.App.CreateOwnerClient();
        var response = await client.PostAsJsonAsync("/connect/register", Registration(webhook));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<OAuthError>())!;
        Assert.Equal("invalid_client_metadata", error.Error);
        Assert.Contains("symbolon_webhook_uri", error.ErrorDescription, StringComparison.Ordinal);
        Assert.Contains("private address", error.ErrorDescription, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://93.184.215.14/hooks")]
    [InlineData("https://[2606:4700::6810:84e5]/hooks")]
    public async Task Registration_accepts_a_webhook_on_a_public_address(string webhook)
    {
        using var client = vault.App.CreateOwnerClient();
        var response = await client.PostAsJsonAsync("/connect/register", Registration(webhook));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task A_stored_webhook_whose_name_now_resolves_to_loopback_is_not_connected_to()
    {
        // The vendor's record is written straight to the database, as if its name had resolved to a public address when
        // it registered; now "localhost" answers with 127.0.0.1, where a receiver listens.
        await using var receiver = await WebhookReceiver.StartAsync();
        var rebound = new UriBuilder(receiver.UrlFor("rebound")) { Host = "localhost" }.Uri;
        var vendor = await vault.App.SeedVendorAsync("rebound", rebound, [SeededGrant.Read(Datatypes.Email)]);

        await SymbolonApplicationFactory.AddFieldAsync(vault.Owner, new ProfileFieldInput(ProfileFieldKinds.Email, "rebound", "rebound@example.org"));

        await SymbolonApplicationFactory.WaitUntilAsync(async () => (await vault.App.OutboxAsync(vendor)).Any(m => m.Attempts > 0), "the first attempt");
        var message = Assert.Single(await vault.App.OutboxAsync(vendor));
        Assert.Equal(("Refused destination (private address)", (DateTimeOffset?)null), (message.LastError, message.DeliveredAt));
        Assert.Empty(receiver.Requests("rebound"));
    }

    private static ClientRegistrationRequest Registration(string webhook) =>
        new("Hooked Vendor", [VendorFlow.RedirectUri], WebhookUri: webhook, Agreements: ["SD-BASE"]);
}
