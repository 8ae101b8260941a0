using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Symbolon.Browser.Tests;

/// <summary>
/// Cross-site request forgery from a page on another port of the same host (the sample shop, a dev server): for the
/// browser it is the same site, so it sends the SameSite=Strict session cookie with a no-cors fetch and with a form
/// post. The owner API must turn both away, and the web app itself must go on working.
/// </summary>
public sealed class CrossSiteTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    /// <summary>A statement the vault imports when it is posted with the owner's session (the import takes any content type).</summary>
    private const string ForgedStatement =
        "OFXHEADER:100\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>1</BANKACCTFROM><BANKTRANLIST><STMTTRN>" +
        "<DTPOSTED>20250101<TRNAMT>-999.00<FITID>FORGED<NAME>Forged</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>";

    [Fact]
    public async Task A_page_on_another_port_of_the_same_host_neither_imports_nor_purges_nor_locks_with_the_persons_session()
    {
        await using var app = await WebApp.StartAsync(browser, output);
        await app.RunAsync(nameof(A_page_on_another_port_of_the_same_host_neither_imports_nor_purges_nor_locks_with_the_persons_session), async () =>
        {
            await app.CreateVaultAndOpenProfileAsync();

            // A deleted field waits in history until the person purges it. The browser's own request context carries
            // the session cookie, like the page, but is no browser page: no Origin, no Fetch metadata.
            var api = app.Page.Context.APIRequest;
            var field = await api.PostAsync(app.Server.Url("/owner/api/v1/profile/fields"), new() { DataObject = new { kind = "email", text = "old@example.org" } });
            Assert.Equal(201, field.Status);
            var fieldId = (await field.JsonAsync())!.Value.GetProperty("id").GetString();
            Assert.Equal(204, (await api.DeleteAsync(app.Server.Url($"/owner/api/v1/profile/fields/{fieldId}"))).Status);

            await using var attacker = await AttackerSite.StartAsync(app.Server.BaseUrl);
            Assert.NotEqual(app.Server.BaseUrl.Port, attacker.BaseUrl.Port);
            var page = await app.Page.Context.NewPageAsync();
            var refusals = new List<int>();
            page.Response += (_, response) =>
            {
                if (response.Url.StartsWith(app.Server.BaseUrl.ToString(), StringComparison.Ordinal))
                {
                    lock (refusals)
                    {
                        refusals.Add(response.Status);
                    }
                }
            };

            // The page fires its no-cors fetches, then submits its form to the lock endpoint: the browser lands on the answer.
            await page.GotoAsync(attacker.BaseUrl.ToString());
            await page.WaitForURLAsync(app.Server.Url("/owner/api/v1/vault/lock"));
            Assert.Contains("SYM2401", await page.ContentAsync(), StringComparison.Ordinal);
            Assert.Equal("sent", await attacker.FetchesAsync());

            // Nothing imported, nothing purged, and the vault still open in the person's own tab.
            var imports = await api.GetAsync(app.Server.Url("/owner/api/v1/imports"));
            Assert.Equal(200, imports.Status);
            Assert.Equal(0, (await imports.JsonAsync())!.Value.GetArrayLength());
            await app.OpenAsync("/profile");
            await Expect(app.Group("name")).ToBeVisibleAsync();
            var purge = await api.PostAsync(app.Server.Url("/owner/api/v1/purge"));
            Assert.Equal(200, purge.Status);
            Assert.Equal(1, (await purge.JsonAsync())!.Value.GetProperty("purged").GetInt32());
            lock (refusals)
            {
                Assert.NotEmpty(refusals);
                Assert.All(refusals, status => Assert.Equal(403, status));
            }

            // The web app's own form post still locks the vault.
            await app.LockAsync();
            Assert.Equal(401, (await api.GetAsync(app.Server.Url("/owner/api/v1/profile"))).Status);
        });
    }

    /// <summary>The attacker's page: another Kestrel on another loopback port, so same-site but cross-origin.</summary>
    private sealed class AttackerSite : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly TaskCompletionSource<string> _fetched = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private AttackerSite(WebApplication app, Uri baseUrl)
        {
            _app = app;
            BaseUrl = baseUrl;
        }

        public Uri BaseUrl { get; private set; }

        public static async Task<AttackerSite> StartAsync(Uri vault)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var site = new AttackerSite(app, vault);
            var target = vault.ToString().TrimEnd('/');
            var page = $$"""
                <!DOCTYPE html>
                <html><body>
                <form id="lock" method="post" action="{{target}}/owner/api/v1/vault/lock" enctype="text/plain"><input name="x" value="y"></form>
                <script>
                const send = (path, body) => fetch('{{target}}' + path, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body });
                (async () => {
                  await send('/owner/api/v1/imports?format=ofx', {{JsonSerializer.Serialize(ForgedStatement)}}).catch(() => {});
                  await send('/owner/api/v1/purge', '').catch(() => {});
                  await send('/owner/api/v1/vault/lock', '').catch(() => {});
                  await fetch('/fetched', { method: 'POST' });
                  document.getElementById('lock').submit();
                })();
                </script>
                </body></html>
                """;
            app.MapGet("/", () => Results.Content(page, "text/html"));
            app.MapPost("/fetched", () =>
            {
                site._fetched.TrySetResult("sent");
                return Results.NoContent();
            });
            await app.StartAsync();
            site.BaseUrl = new Uri(app.Urls.First());
            return site;
        }

        /// <summary>Completes when the page's fetches have all been answered (by the vault's refusals).</summary>
        public Task<string> FetchesAsync() => _fetched.Task.WaitAsync(TimeSpan.FromSeconds(30));

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
