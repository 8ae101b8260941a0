using System.Buffers.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using NSec.Cryptography;
using Symbolon.Client;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>The SDK against the real server: every call goes through <c>Symbolon.Client</c>'s public API.</summary>
public sealed class VendorSdkTests : IDisposable
{
    private static readonly Uri VaultUrl = new("http://localhost/");
    private static readonly Uri Callback = new(VendorFlow.RedirectUri);

    private readonly SymbolonApplicationFactory _app = new();
    private readonly HttpClient _http;

    public VendorSdkTests()
    {
        _http = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
    }

    public void Dispose()
    {
        _http.Dispose();
        _app.Dispose();
    }

    private static AuthorizationDetail[] Ask(params string[] datatypes) =>
        [new AuthorizationDetail(Datatypes.AuthorizationDetailsType, datatypes, [DataActions.Read], "Deliver your order", "SD-BASE")];

    private async Task<(HttpClient Owner, SymbolonVendorClient Vendor)> VaultWithVendorAsync(JsonElement? jwks = null)
    {
        var (owner, _) = await _app.CreateVaultAsync();
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Email, "home", "ada@example.org"));
        await SymbolonApplicationFactory.AddFieldAsync(owner, new ProfileFieldInput(ProfileFieldKinds.Phone, "mobile", "+31 6 1234 5678"));
        var vault = await SymbolonVault.DiscoverAsync(_http, VaultUrl, _app.Time);
        var credentials = await vault.RegisterAsync(new ClientRegistrationRequest("Blue Door Coffee", [Callback.ToString()], Jwks: jwks, Agreements: ["SD-BASE"]));
        return (owner, vault.CreateClient(credentials));
    }

    [Fact]
    public async Task A_vendor_on_the_sdk_accepts_terms_is_granted_reads_refreshes_and_revokes()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var jwks = JsonSerializer.SerializeToElement(new { keys = new[] { new { kty = "OKP", crv = "Ed25519", x = Base64Url.EncodeToString(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)) } } });
        var (owner, vendor) = await VaultWithVendorAsync(jwks);

        // Terms first, countersigned through the delegate; the vault keeps both signatures.
        var record = await vendor.AcceptAgreementAsync("SD-BASE", data => SignatureAlgorithm.Ed25519.Sign(key, data));
        Assert.NotNull(record.VendorSignature);
        Assert.Equal(vendor.Vault.FindAgreement("SD-BASE")!.TextSha256, record.Content.TextSha256);
        Assert.Equal(record.VendorSignature, (await vendor.GetAgreementAsync()).VendorSignature);

        var pending = await vendor.BeginAuthorizationAsync(Callback, Ask(Datatypes.Email, Datatypes.Phone));
        Assert.Equal(VaultUrl.Authority, pending.AuthorizationUri.Authority);
        var callback = await VendorFlow.ConsentOnPageAsync(owner, pending.AuthorizationUri, new ConsentChoices(Untick: [Datatypes.Phone]));
        var session = await vendor.CompleteAuthorizationAsync(callback, pending);
        Assert.Equal([Datatypes.Email], session.Tokens.GrantedDatatypes);
        Assert.True(session.Tokens.Allows(Datatypes.Email, DataActions.Read));
        Assert.False(session.Tokens.Allows(Datatypes.Phone, DataActions.Read));

        var first = await session.GetProfileAsync();
        Assert.False(first.NotModified);
        Assert.Equal("ada@example.org", Assert.Single(first.Profile.Fields).Value.GetString());
        var second = await session.GetProfileAsync();
        Assert.True(second.NotModified);
        Assert.Equal(first.ETag, second.ETag);
        Assert.Equal([Datatypes.Email], (await session.GetGrantAsync()).SelectMany(d => d.Datatypes));

        var introspection = await session.IntrospectAsync();
        Assert.True(introspection.Active);
        Assert.Equal(vendor.Credentials.ClientId, introspection.ClientId);
        Assert.Equal([Datatypes.Email], introspection.AuthorizationDetails.SelectMany(d => d.Datatypes));

        // Within a minute of the access token's expiry the session refreshes by itself, once, and rotates the refresh token.
        var before = session.Tokens;
        var refreshed = new List<TokenSet>();
        session.TokensRefreshed += (_, tokens) => refreshed.Add(tokens);
        _app.Time.Advance(TimeSpan.FromMinutes(9.5));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => session.GetProfileAsync()));
        var after = Assert.Single(refreshed);
        Assert.NotEqual(before.AccessToken, after.AccessToken);
        Assert.NotEqual(before.RefreshToken, after.RefreshToken);
        Assert.Equal(after, session.Tokens);

        // Revoking ends the session: the access token is refused with a typed problem.
        await session.RevokeAsync();
        Assert.False((await session.IntrospectAsync()).Active);
        var refused = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.GetProfileAsync());
        Assert.Equal(401, refused.Status);
        Assert.Equal(ProblemCodes.InvalidAccessToken, refused.Code);
        var noRefresh = await Assert.ThrowsAsync<SymbolonOAuthException>(() => session.RefreshAsync());
        Assert.Equal("invalid_grant", noRefresh.Error);
    }

    [Fact]
    public async Task The_sdk_refuses_a_callback_with_another_state_or_without_the_vaults_issuer()
    {
        var (owner, vendor) = await VaultWithVendorAsync();
        await vendor.AcceptAgreementAsync("SD-BASE");
        var pending = await vendor.BeginAuthorizationAsync(Callback, Ask(Datatypes.Email));
        var callback = await VendorFlow.ConsentOnPageAsync(owner, pending.AuthorizationUri, new ConsentChoices());
        var query = System.Web.HttpUtility.ParseQueryString(callback.Query);
        Assert.Equal(VaultUrl.ToString(), query["iss"]);

        var otherState = await Assert.ThrowsAsync<SymbolonOAuthException>(() => vendor.CompleteAuthorizationAsync(callback, pending with { State = "someone-elses-state" }));
        Assert.Equal("invalid_state", otherState.Error);

        var noIssuer = await Assert.ThrowsAsync<SymbolonOAuthException>(() => vendor.CompleteAuthorizationAsync(WithQuery(callback, "iss", null), pending));
        Assert.Equal("invalid_issuer", noIssuer.Error);

        var otherIssuer = await Assert.ThrowsAsync<SymbolonOAuthException>(() => vendor.CompleteAuthorizationAsync(WithQuery(callback, "iss", "https://attacker.example/"), pending));
        Assert.Equal("invalid_issuer", otherIssuer.Error);

        var elsewhere = await Assert.ThrowsAsync<SymbolonOAuthException>(() => vendor.CompleteAuthorizationAsync(new Uri("https://attacker.example/callback" + callback.Query), pending));
        Assert.Equal("invalid_callback", elsewhere.Error);

        // The refusals were the SDK's own: the untouched callback still completes with the same code.
        var session = await vendor.CompleteAuthorizationAsync(callback, pending);
        Assert.Equal([Datatypes.Email], session.Tokens.GrantedDatatypes);

        // A code is single use.
        var reused = await Assert.ThrowsAsync<SymbolonOAuthException>(() => vendor.CompleteAuthorizationAsync(callback, pending));
        Assert.Equal("invalid_grant", reused.Error);
        Assert.Equal(400, reused.Status);
    }

    [Fact]
    public async Task A_declined_request_and_refusals_become_typed_exceptions()
    {
        var (owner, vendor) = await VaultWithVendorAsync();

        // Before any agreement: the vault says so with a problem code, and refuses to push a request.
        var none = await Assert.ThrowsAsync<SymbolonProblemException>(() => vendor.GetAgreementAsync());
        Assert.Equal(ProblemCodes.RecordNotFound, none.Code);
        var noTerms = await Assert.ThrowsAsync<SymbolonOAuthException>(() => vendor.BeginAuthorizationAsync(Callback, Ask(Datatypes.Email)));
        Assert.Equal(400, noTerms.Status);

        // The vendor's people reviewed another text than the one proffered: the SDK does not accept it.
        var mismatch = await Assert.ThrowsAsync<InvalidOperationException>(() => vendor.AcceptAgreementAsync("SD-BASE", expectedTextSha256: new string('0', 64)));
        Assert.Contains("different text", mismatch.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => vendor.AcceptAgreementAsync("NOT-PROFFERED"));

        // Countersigning without a registered key is refused by the vault.
        var unsigned = await Assert.ThrowsAsync<SymbolonProblemException>(() => vendor.AcceptAgreementAsync("SD-BASE", data => new byte[64]));
        Assert.Equal(ProblemCodes.AgreementRefused, unsigned.Code);

        // Wrong credentials.
        var impostor = vendor.Vault.CreateClient(vendor.Credentials with { ClientSecret = "wrong" });
        var unauthenticated = await Assert.ThrowsAsync<SymbolonProblemException>(() => impostor.GetAgreementAsync());
        Assert.Equal(ProblemCodes.InvalidClient, unauthenticated.Code);
        Assert.Equal(401, unauthenticated.Status);

        // An unknown datatype is refused when the request is pushed.
        var unknown = await Assert.ThrowsAsync<SymbolonOAuthException>(() => vendor.BeginAuthorizationAsync(Callback, Ask("profile.shoe_size")));
        Assert.Equal("invalid_authorization_details", unknown.Error);

        // The person declines: the callback carries access_denied, with the right state and issuer.
        var pending = await vendor.BeginAuthorizationAsync(Callback, Ask(Datatypes.Email));
        var callback = await VendorFlow.ConsentOnPageAsync(owner, pending.AuthorizationUri, new ConsentChoices(Decline: true));
        var declined = await Assert.ThrowsAsync<SymbolonOAuthException>(() => vendor.CompleteAuthorizationAsync(callback, pending));
        Assert.Equal("access_denied", declined.Error);

        // Registration errors are RFC 7591 errors.
        var invalid = await Assert.ThrowsAsync<SymbolonOAuthException>(() => vendor.Vault.RegisterAsync(new ClientRegistrationRequest("Bad", ["http://vendor.example/callback"], Agreements: ["SD-BASE"])));
        Assert.Equal("invalid_redirect_uri", invalid.Error);
    }

    [Fact]
    public async Task Writes_notes_and_the_change_feed_through_the_sdk()
    {
        var (owner, vendor) = await VaultWithVendorAsync();
        await vendor.AcceptAgreementAsync("SD-BASE");
        var pending = await vendor.BeginAuthorizationAsync(Callback,
        [
            new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Email], [DataActions.Read, DataActions.Append, DataActions.Update], "Keep your account up to date", "SD-BASE"),
            new AuthorizationDetail(Datatypes.AuthorizationDetailsType, [Datatypes.Notes], [DataActions.Read, DataActions.Append], "Remember your preferences", "SD-BASE"),
        ]);
        var session = await vendor.CompleteAuthorizationAsync(await VendorFlow.ConsentOnPageAsync(owner, pending.AuthorizationUri, new ConsentChoices()), pending);
        Assert.True(session.Tokens.Allows(Datatypes.Email, DataActions.Update));

        // An append retried with the same Idempotency-Key is applied once.
        var appended = await session.AppendFieldAsync(new VendorFieldAppend(Datatypes.Email, JsonSerializer.SerializeToElement("orders@example.org"), "work"), "append-1");
        var retried = await session.AppendFieldAsync(new VendorFieldAppend(Datatypes.Email, JsonSerializer.SerializeToElement("orders@example.org"), "work"), "append-1");
        Assert.Equal(appended.Id, retried.Id);
        Assert.Equal(2, (await session.GetProfileAsync()).Profile.Fields.Count);

        var updated = await session.UpdateFieldAsync(appended.Id, new VendorFieldUpdate(JsonSerializer.SerializeToElement("shop@example.org"), ExpectedVersion: appended.Version));
        Assert.Equal("shop@example.org", updated.Value.GetString());
        Assert.Equal(appended.Version + 1, updated.Version);
        var stale = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.UpdateFieldAsync(appended.Id, new VendorFieldUpdate(JsonSerializer.SerializeToElement("late@example.org"), ExpectedVersion: appended.Version)));
        Assert.Equal(409, stale.Status);
        Assert.Equal(ProblemCodes.VersionConflict, stale.Code);

        var note = await session.AppendNoteAsync("Prefers oat milk.");
        Assert.Equal(note, Assert.Single(await session.GetNotesAsync()));

        // The feed names the changed field (pairwise id, no values) and ends where it stands.
        var changes = new List<FieldChange>();
        await foreach (var change in session.ReadChangesAsync())
        {
            changes.Add(change);
        }

        Assert.Contains(changes, c => c.FieldId == appended.Id && c.Version == updated.Version);
        var last = await session.GetChangesAsync(changes[^1].Cursor);
        Assert.Empty(last.Changes);
        Assert.False(last.HasMore);
        var paged = await session.GetChangesAsync(limit: 1);
        Assert.Single(paged.Changes);
        var badCursor = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.GetChangesAsync("not-a-cursor"));
        Assert.Equal(ProblemCodes.InvalidCursor, badCursor.Code);
    }

    private static Uri WithQuery(Uri uri, string name, string? value)
    {
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        query.Remove(name);
        if (value is not null)
        {
            query[name] = value;
        }

        return new UriBuilder(uri) { Query = query.ToString() }.Uri;
    }
}
