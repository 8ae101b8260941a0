using System.Buffers.Text;
using System.Net;
using NSec.Cryptography;
using Symbolon.Contracts.Relationships;

namespace Symbolon.Cli.Tests;

/// <summary><c>relationships</c>, <c>receipts</c> and <c>access-log</c> against real grants, in remote and local mode.</summary>
public sealed class RelationshipCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Remote_mode_lists_shows_saves_a_verifiable_receipt_shows_the_access_log_and_revokes()
    {
        await using var server = await RunningServer.StartAsync(_cli.DataDirectory);
        // Named rather than discovered: discovery gives a server 3 s to answer /healthz and otherwise opens the storage
        // locally, which on a loaded machine would create the vault beside the server instead of in it.
        _cli.Environment["SYMBOLON_SERVER"] = server.Url.ToString();
        await _cli.InitAsync();
        (await _cli.RunWithPassphraseAsync("profile", "set", "email", "ada@example.org")).Succeeded();
        using var vendor = await VendorOverHttp.RegisterAsync(server.Url, "Blue Door Coffee");
        var (accessToken, refreshToken) = await vendor.GrantAsync(CliHarness.Passphrase, ["profile.email"], "Send your receipts");
        Assert.Equal(HttpStatusCode.OK, await vendor.ReadProfileAsync(accessToken));

        var list = (await _cli.RunAsync("relationships", "list", "--json")).Succeeded().Json<List<RelationshipSummary>>();
        var relationship = Assert.Single(list);
        Assert.Equal(("Blue Door Coffee", vendor.ClientId, "SD-BASE", 1), (relationship.VendorName, relationship.ClientId, relationship.AgreementId, relationship.ActiveGrants));
        Assert.Contains("Blue Door Coffee", (await _cli.RunAsync("relationships", "list")).Succeeded().Stdout, StringComparison.Ordinal);

        var shown = (await _cli.RunAsync("relationships", "show", vendor.ClientId)).Succeeded().Stdout;
        Assert.Contains("SD-BASE", shown, StringComparison.Ordinal);
        Assert.Contains("profile.email", shown, StringComparison.Ordinal);
        Assert.Contains("Send your receipts", shown, StringComparison.Ordinal);
        var grant = Assert.Single((await _cli.RunAsync("relationships", "show", relationship.Id.ToString(), "--json")).Succeeded().Json<RelationshipDetail>().Grants);

        var log = (await _cli.RunAsync("access-log", "--json")).Succeeded().Json<AccessLogPage>();
        var entry = Assert.Single(log.Entries);
        Assert.Equal(("read", true, "Send your receipts"), (entry.Action, entry.Allowed, entry.Purpose));
        Assert.Equal(["profile.email"], entry.Datatypes);

        Assert.Contains(grant.Id.ToString(), (await _cli.RunAsync("receipts")).Succeeded().Stdout, StringComparison.Ordinal);
        var file = _cli.PathOf("receipt.json");
        (await _cli.RunAsync("receipts", "--grant", grant.Id.ToString(), "--output", file)).Succeeded();
        var receipt = System.Text.Json.JsonSerializer.Deserialize<SignedConsentReceipt>(await File.ReadAllTextAsync(file), Infrastructure.CliJson.Wire)!;
        var key = PublicKey.Import(SignatureAlgorithm.Ed25519, Base64Url.DecodeFromChars(receipt.PublicKey), KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key, Base64Url.DecodeFromChars(receipt.SignedContent), Base64Url.DecodeFromChars(receipt.Signature)));
        Assert.Equal(grant.Id.ToString(), receipt.Receipt.GetProperty("receipt_id").GetString());

        Assert.Contains("Revoked grant", (await _cli.RunAsync("relationships", "revoke", grant.Id.ToString())).Succeeded().Stdout, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await vendor.ReadProfileAsync(accessToken));
        Assert.False(await vendor.IsActiveAsync(refreshToken));
        Assert.Equal(0, Assert.Single((await _cli.RunAsync("relationships", "list", "--json")).Succeeded().Json<List<RelationshipSummary>>()).ActiveGrants);
    }

    [Fact]
    public async Task Local_mode_ends_a_relationship_and_revokes_the_vendors_tokens_in_the_store()
    {
        string accessToken;
        string refreshToken;
        string clientId;
        await using (var server = await RunningServer.StartAsync(_cli.DataDirectory))
        {
            // Named rather than discovered: discovery gives a server 3 s to answer /healthz and otherwise opens the storage
            // locally, which on a loaded machine would create the vault beside the server instead of in it.
            _cli.Environment["SYMBOLON_SERVER"] = server.Url.ToString();
            await _cli.InitAsync();
            using var vendor = await VendorOverHttp.RegisterAsync(server.Url, "Harbour Books");
            (accessToken, refreshToken) = await vendor.GrantAsync(CliHarness.Passphrase, ["profile.email"], "Tell you when your book arrives");
            Assert.True(await vendor.IsActiveAsync(refreshToken));
            Assert.Equal(HttpStatusCode.OK, await vendor.ReadProfileAsync(accessToken));
            clientId = vendor.ClientId;
        }

        // No server now: the CLI opens the storage itself.
        _cli.Environment.Remove("SYMBOLON_SERVER");
        var ended = (await _cli.RunWithPassphraseAsync("relationships", "end", clientId)).Succeeded();
        Assert.Contains("Ended the relationship with Harbour Books", ended.Stdout, StringComparison.Ordinal);
        var detail = (await _cli.RunWithPassphraseAsync("relationships", "show", clientId, "--json")).Succeeded().Json<RelationshipDetail>();
        Assert.NotNull(detail.Relationship.EndedAt);
        Assert.All(detail.Grants, g => Assert.Equal(GrantStatuses.Revoked, g.Status));
        Assert.Contains("Tell you when your book arrives", (await _cli.RunWithPassphraseAsync("access-log", "--relationship", clientId)).Succeeded().Stdout, StringComparison.Ordinal);

        // Back online, OpenIddict itself holds both tokens revoked, not only the grant check.
        await using var again = await RunningServer.StartAsync(_cli.DataDirectory);
        _cli.Environment["SYMBOLON_SERVER"] = again.Url.ToString();
        (await _cli.RunWithPassphraseAsync("unlock")).Succeeded();
        var registered = (await _cli.RunAsync("relationships", "list", "--json")).Succeeded().Json<List<RelationshipSummary>>();
        Assert.Equal(clientId, Assert.Single(registered).ClientId);
        using var probe = new HttpClient { BaseAddress = again.Url };
        probe.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await probe.GetAsync("/api/v1/profile")).StatusCode);
        Assert.Equal(0, await CountLiveTokensAsync());
    }

    public void Dispose() => _cli.Dispose();

    /// <summary>Tokens OpenIddict still holds valid, read straight from the SQLite store.</summary>
    private async Task<long> CountLiveTokensAsync()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_cli.DataDirectory, "symbolon.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM oauth_tokens WHERE Status = 'valid'";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
