using System.Net;
using System.Net.Sockets;
using Symbolon.Client;

namespace Symbolon.Server.Tests.Card;

/// <summary>
/// The SDK's <see cref="VaultAddressPolicy"/>: a card names any address, and a till contacts only what its policy
/// allows (https on the public internet by default), before anything is sent.
/// </summary>
public sealed class VaultAddressPolicyTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5000/internal")]
    [InlineData("https://127.0.0.1/")]
    [InlineData("https://localhost:8443/")]
    [InlineData("https://admin.localhost/")]
    [InlineData("https://[::1]/")]
    [InlineData("https://[::ffff:127.0.0.1]/")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://10.1.2.3/")]
    [InlineData("https://172.16.0.1/")]
    [InlineData("https://192.168.1.10/")]
    [InlineData("https://100.64.0.1/")]
    [InlineData("https://0.0.0.0/")]
    [InlineData("https://[fe80::1]/")]
    [InlineData("https://[fd00::1]/")]
    [InlineData("https://2130706433/")]
    [InlineData("https://0x7f.0.0.1/")]
    [InlineData("https://printer/")]
    [InlineData("https://metadata.google.internal/")]
    [InlineData("http://vault.example.org/")]
    public void A_card_naming_a_local_private_or_plain_http_vault_is_refused_by_the_default_policy(string vault)
    {
        var scanned = $"symbolon:card?v={Uri.EscapeDataString(vault)}&c=7KQ2M9XD4TPB";

        var error = Assert.Throws<FormatException>(() => SymbolonCardCode.Parse(scanned, VaultAddressPolicy.Default));
        Assert.False(SymbolonCardCode.TryParse(scanned, VaultAddressPolicy.Default, out var card));
        Assert.Null(card);
        Assert.DoesNotContain(vault.Split("://")[1].TrimEnd('/'), error.Message, StringComparison.OrdinalIgnoreCase);

        // Without a policy only the form is checked, as before.
        Assert.NotNull(SymbolonCardCode.Parse(scanned));
    }

    [Theory]
    [InlineData("https://vault.example.org/ada/")]
    [InlineData("https://93.184.215.14/")]
    [InlineData("https://[2606:4700::1111]/")]
    public void A_card_naming_a_public_https_vault_is_read(string vault)
    {
        var card = SymbolonCardCode.Parse($"symbolon:card?v={Uri.EscapeDataString(vault)}&c=7KQ2M9XD4TPB", VaultAddressPolicy.Default);

        Assert.Equal(new Uri(vault), card.VaultUrl);
        Assert.True(SymbolonCardCode.TryParse($"{vault} 7KQ2-M9XD-4TPB", VaultAddressPolicy.Default, out _));
    }

    [Fact]
    public void The_policy_is_loosened_rule_by_rule_and_an_allow_list_restricts_it()
    {
        var local = new Uri("http://127.0.0.1:5178/");
        Assert.False(new VaultAddressPolicy { AllowHttp = true }.IsAllowed(local, out var reason));
        Assert.Contains("private network", reason, StringComparison.Ordinal);
        Assert.False(new VaultAddressPolicy { AllowPrivateAddresses = true }.IsAllowed(local, out reason));
        Assert.Contains("https", reason, StringComparison.Ordinal);
        Assert.True(new VaultAddressPolicy { AllowHttp = true, AllowPrivateAddresses = true }.IsAllowed(local, out _));

        // A trusted vault passes whatever the rules say; another port or scheme on the same host does not.
        var demo = new VaultAddressPolicy { TrustedVaults = [local] };
        Assert.True(demo.IsAllowed(new Uri("http://127.0.0.1:5178/ada/"), out _));
        Assert.False(demo.IsAllowed(new Uri("http://127.0.0.1:5179/"), out _));
        Assert.False(demo.IsAllowed(new Uri("https://127.0.0.1:5178/"), out _));

        var listed = new VaultAddressPolicy { AllowedHosts = ["vault.example.org"] };
        Assert.True(listed.IsAllowed(new Uri("https://VAULT.example.org/ada/"), out _));
        Assert.False(listed.IsAllowed(new Uri("https://other.example.org/"), out reason));
        Assert.Contains("list of allowed vaults", reason, StringComparison.Ordinal);
        Assert.False(listed.IsAllowed(new Uri("http://vault.example.org/"), out _));
    }

    [Fact]
    public async Task Discovery_under_the_default_policy_sends_nothing_to_a_refused_address()
    {
        // A real listener on loopback: it must never see a connection.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var http = new HttpClient();

        foreach (var address in new[] { $"http://127.0.0.1:{port}/internal/", $"https://localhost:{port}/" })
        {
            var error = await Assert.ThrowsAsync<SymbolonOAuthException>(() => SymbolonVault.DiscoverAsync(http, new Uri(address), VaultAddressPolicy.Default, null, CancellationToken.None));
            Assert.Equal("vault_address_not_allowed", error.Error);
        }

        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task A_trusted_demo_vault_is_discovered_and_the_default_policy_refuses_it()
    {
        using var app = new SymbolonApplicationFactory();
        var http = app.CreateClient();
        var vault = new Uri("http://localhost/");

        // Its endpoints are on the same trusted origin, so they pass the check of the metadata too.
        var discovered = await SymbolonVault.DiscoverAsync(http, vault, new VaultAddressPolicy { TrustedVaults = [vault] }, null, CancellationToken.None);
        Assert.Equal(vault, discovered.Issuer);

        var error = await Assert.ThrowsAsync<SymbolonOAuthException>(() => SymbolonVault.DiscoverAsync(http, vault, VaultAddressPolicy.Default, null, CancellationToken.None));
        Assert.Equal("vault_address_not_allowed", error.Error);
    }
}
