using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Statements;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Vaults;
using Symbolon.Server.OAuth;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests;

/// <summary>The vault session: one runtime object per unlocked vault, and locking it leaves nothing behind.</summary>
public sealed class VaultSessionTests
{
    private const string Csv = """
        Date,Description,Amount
        2026-11-02,BLUE DOOR COFFEE,-3.40
        2026-11-03,NETFLIX.COM,-15.99
        """;

    [Fact]
    public async Task Locking_drops_the_keys_the_transactions_the_query_database_and_every_cache()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, vault) = await app.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "wren-7719@example.org"));
        using (var upload = new ByteArrayContent(Encoding.UTF8.GetBytes(Csv)))
        {
            upload.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            var imported = await owner.PostAsync("/owner/api/v1/imports?format=csv&map=" + Uri.EscapeDataString("date=Date,amount=Amount,description=Description"), upload);
            Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        }

        var query = await owner.PostAsJsonAsync("/owner/api/v1/query", new SqlQueryRequest("SELECT count(*) AS n, count(merchant) AS named FROM transactions"), SymbolonApplicationFactory.Json);
        var answer = await query.Content.ReadFromJsonAsync<SqlQueryResult>(SymbolonApplicationFactory.Json);
        Assert.Equal("2,2", string.Join(",", answer!.Rows[0].Select(v => v!.Value.ToString())));
        Assert.NotNull(answer.Limits);

        // A vendor read fills the session's profile snapshot; a pending consent is session state too.
        var vendor = await app.RegisterVendorAsync();
        await app.AcceptAgreementAsync(vendor);
        var tokens = await app.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Email]));
        using (var api = app.CreateBearerClient(tokens.AccessToken))
        {
            Assert.Contains("wren-7719@example.org", await api.GetStringAsync("/api/v1/profile"), StringComparison.Ordinal);
        }

        var sessions = app.Services.GetRequiredService<IVaultSessions>();
        var session = sessions.Find(vault.VaultId)!;
        PendingConsents.Of(session, app.Time).Add((id, expires) => new PendingConsent(id, vault.VaultId, Guid.NewGuid(), "c", "r", "v", null, null, "SD-BASE", "[]", [], expires));
        var keys = session.Keys;
        Assert.True(session.Transactions.IsLoaded);
        Assert.True(session.Transactions.HasAnalytics);
        Assert.True(session.StateCount >= 2);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.PostAsync("/owner/api/v1/vault/lock", null)).StatusCode);

        Assert.Null(sessions.Find(vault.VaultId));
        Assert.False(session.IsUnlocked);
        Assert.True(session.Locked.IsCancellationRequested);
        Assert.Equal(0, session.StateCount);
        Assert.False(session.Transactions.IsLoaded);
        Assert.False(session.Transactions.HasAnalytics);
        Assert.Throws<VaultLockedException>(() => session.Keys);
        Assert.Throws<ObjectDisposedException>(() => keys.DataKey.Length);
        Assert.Throws<VaultLockedException>(() => session.State(_ => new object()));

        // And from outside: the vendor is refused with "locked", not served from a cache.
        using var after = app.CreateBearerClient(tokens.AccessToken);
        Assert.Equal((HttpStatusCode)423, (await after.GetAsync("/api/v1/profile")).StatusCode);
    }
}
