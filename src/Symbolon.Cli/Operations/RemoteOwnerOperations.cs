using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Cli.Infrastructure;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vault;

namespace Symbolon.Cli.Operations;

/// <summary>
/// Owner operations through a running server's owner API (<c>/owner/api/v1</c>), signed in with a personal access
/// token from SYMBOLON_TOKEN or <c>{dataDir}/cli-token</c>. Problem responses become <see cref="CliException"/>s
/// with the server's title, detail and field errors.
/// </summary>
internal sealed partial class RemoteOwnerOperations : IOwnerOperations
{
    public const string CliTokenName = "symbolon CLI";
    private const string Api = "owner/api/v1/";

    private readonly CliContext _context;
    private readonly ServerTarget _server;
    private readonly HttpClient _http;

    public RemoteOwnerOperations(CliContext context, ServerTarget server)
    {
        _context = context;
        _server = server;
        var baseAddress = server.Url.AbsoluteUri.EndsWith('/') ? server.Url : new Uri(server.Url.AbsoluteUri + "/");

        // Note: no overall timeout: a backup of a large vault may stream for a long time; Ctrl+C ends it.
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("symbolon-cli", typeof(RemoteOwnerOperations).Assembly.GetName().Version?.ToString() ?? "0"));
    }

    public string Mode => "remote";

    public string Location => $"server at {_server.Url}";

    private string? Token => _context.Env.Get(EnvironmentVariables.Token) ?? CliTokenFile.Read(_context.DataDirectory);

    public async Task<CliStatus> GetStatusAsync(CancellationToken ct)
    {
        var status = await GetVaultStatusAsync(ct);
        var found = _server.Source.StartsWith("--", StringComparison.Ordinal) || _server.Source == EnvironmentVariables.Server
            ? $"named with {_server.Source}"
            : $"found through {_server.Source}";
        var access = _context.Env.Get(EnvironmentVariables.Token) is not null
            ? $"access token from {EnvironmentVariables.Token}"
            : CliTokenFile.Read(_context.DataDirectory) is not null
                ? $"access token from {CliTokenFile.PathIn(_context.DataDirectory)}"
                : "not signed in (run `symbolon unlock`)";
        return new CliStatus(Mode, _context.DataDirectory, $"{Location} ({found})", access, status);
    }

    public async Task<CreatedVaultResult> CreateVaultAsync(string passphrase, CancellationToken ct)
    {
        WarnIfPlainHttp();
        var created = await SendAsync<CreateVaultResponse>(HttpMethod.Post, "vault", new CreateVaultRequest(passphrase) { SignIn = false }, authenticated: false, ct);
        if (created.AccessToken.Token is { } token)
        {
            CliTokenFile.Write(_context.DataDirectory, token);
        }

        return new CreatedVaultResult(created.VaultId, created.RecoveryKey, SignedIn: created.AccessToken.Token is not null);
    }

    public async Task<UnlockResult> UnlockAsync(string passphrase, CancellationToken ct)
    {
        WarnIfPlainHttp();
        var unlocked = await SendAsync<UnlockResponse>(HttpMethod.Post, "vault/unlock", new UnlockRequest(passphrase, CliTokenName) { SignIn = false }, authenticated: false, ct);
        if (unlocked.AccessToken?.Token is not { } token)
        {
            throw new CliException("The server unlocked the vault but did not issue an access token.");
        }

        var path = CliTokenFile.Write(_context.DataDirectory, token);
        return new UnlockResult(unlocked.VaultId, unlocked.AccessToken.ExpiresAt ?? DateTimeOffset.MaxValue, null, path);
    }

    public async Task LockAsync(CancellationToken ct)
    {
        if (Token is null)
        {
            // Without a token the server cannot be asked to lock, nor does it say whether the vault is unlocked; with
            // no vault there is nothing to lock.
            if (!(await GetVaultStatusAsync(ct)).Exists)
            {
                return;
            }

            throw NotSignedIn();
        }

        await SendAsync(HttpMethod.Post, "vault/lock", null, authenticated: true, ct);

        // The token `symbolon unlock` saved is this CLI's sign-in: locking ends it on the server too. A token the
        // person passes in SYMBOLON_TOKEN is theirs to keep and is left alone.
        if (_context.Env.Get(EnvironmentVariables.Token) is null && CliTokenFile.Read(_context.DataDirectory) is not null)
        {
            await SendAsync(HttpMethod.Delete, "tokens/current", null, authenticated: true, ct);
        }
    }

    public async Task ChangePassphraseAsync(string currentPassphrase, string newPassphrase, bool revokeAccessTokens, CancellationToken ct)
    {
        WarnIfPlainHttp();
        await SendAsync(HttpMethod.Post, "vault/passphrase", new ChangePassphraseRequest(currentPassphrase, newPassphrase) { RevokeAccessTokens = revokeAccessTokens }, authenticated: true, ct);
    }

    public async Task RecoverAsync(string recoveryKey, string newPassphrase, CancellationToken ct)
    {
        WarnIfPlainHttp();
        await SendAsync<UnlockResponse>(HttpMethod.Post, "vault/recover", new RecoverRequest(recoveryKey, newPassphrase) { SignIn = false }, authenticated: false, ct);
    }

    public async Task EnsureAccessAsync(CancellationToken ct)
    {
        if (Token is null)
        {
            throw await NotSignedInAsync(ct);
        }
    }

    public Task<ProfileDocument> GetProfileAsync(CancellationToken ct) => SendAsync<ProfileDocument>(HttpMethod.Get, "profile", null, authenticated: true, ct);

    public Task<ProfileField> GetFieldAsync(Guid id, CancellationToken ct) => SendAsync<ProfileField>(HttpMethod.Get, $"profile/fields/{id}", null, authenticated: true, ct);

    public Task<ProfileField> AddFieldAsync(ProfileFieldInput input, CancellationToken ct) => SendAsync<ProfileField>(HttpMethod.Post, "profile/fields", input, authenticated: true, ct);

    public Task<ProfileField> UpdateFieldAsync(Guid id, ProfileFieldUpdate update, CancellationToken ct) => SendAsync<ProfileField>(HttpMethod.Put, $"profile/fields/{id}", update, authenticated: true, ct);

    public Task RemoveFieldAsync(Guid id, CancellationToken ct) => SendAsync(HttpMethod.Delete, $"profile/fields/{id}", null, authenticated: true, ct);

    public Task<ProfileFieldHistory> GetFieldHistoryAsync(Guid id, CancellationToken ct) => SendAsync<ProfileFieldHistory>(HttpMethod.Get, $"profile/fields/{id}/history", null, authenticated: true, ct);

    public async Task<IReadOnlyList<ProfileFieldHistory>> GetHistoryAsync(CancellationToken ct) => await SendAsync<List<ProfileFieldHistory>>(HttpMethod.Get, "profile/history", null, authenticated: true, ct);

    public async Task<string> GetVCardAsync(bool jcard, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, jcard ? "profile/jcard" : "profile/vcard", null, authenticated: true, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }

    public Task WriteExportAsync(Stream output, CancellationToken ct) => DownloadAsync("export", output, ct);

    public Task WriteBackupAsync(Stream output, CancellationToken ct) => DownloadAsync("backup", output, ct);

    public async Task<int> PurgeAsync(CancellationToken ct) => (await SendAsync<PurgeResponse>(HttpMethod.Post, "purge", null, authenticated: true, ct)).Purged;

    public Task<OwnerToken> CreateTokenAsync(string name, int? expiresInDays, CancellationToken ct) =>
        SendAsync<OwnerToken>(HttpMethod.Post, "tokens", new CreateTokenRequest(name, expiresInDays), authenticated: true, ct);

    public async Task<IReadOnlyList<OwnerToken>> ListTokensAsync(CancellationToken ct) => await SendAsync<List<OwnerToken>>(HttpMethod.Get, "tokens", null, authenticated: true, ct);

    public async Task RevokeTokenAsync(Guid id, CancellationToken ct)
    {
        try
        {
            await SendAsync(HttpMethod.Delete, $"tokens/{id}", null, authenticated: true, ct);
        }
        catch (CliException e) when (e.Code == ProblemCodes.RecordNotFound)
        {
            throw new CliException("There is no live access token with that id.", "See the ids with `symbolon token list`.");
        }
    }

    public Task<AutoLockSetting> GetAutoLockAsync(CancellationToken ct) =>
        SendAsync<AutoLockSetting>(HttpMethod.Get, "vault/auto-lock", null, authenticated: true, ct);

    public Task<AutoLockSetting> SetAutoLockAsync(int? minutes, CancellationToken ct) =>
        SendAsync<AutoLockSetting>(HttpMethod.Put, "vault/auto-lock", new SetAutoLockRequest(minutes), authenticated: true, ct);

    public async Task<VaultModeSetting> GetModeAsync(CancellationToken ct) =>
        await SendAsync<VaultModeSetting>(HttpMethod.Get, "vault/mode", null, authenticated: true, ct);

    public async Task<VaultModeSetting> SetModeAsync(string mode, CancellationToken ct) =>
        await SendAsync<VaultModeSetting>(HttpMethod.Put, "vault/mode", new SetVaultModeRequest(mode), authenticated: true, ct);

    public async Task<Contracts.Inbox.AwayReport> GetAwayReportAsync(CancellationToken ct) =>
        await SendAsync<Contracts.Inbox.AwayReport>(HttpMethod.Get, "inbox", null, authenticated: true, ct);

    public Task MarkAwayReportSeenAsync(CancellationToken ct) => SendAsync(HttpMethod.Post, "inbox/seen", null, authenticated: true, ct);

    public async Task<IReadOnlyList<OwnerSignInSession>> ListSignInsAsync(CancellationToken ct) =>
        await SendAsync<List<OwnerSignInSession>>(HttpMethod.Get, "sessions", null, authenticated: true, ct);

    public async Task EndSignInAsync(Guid id, CancellationToken ct)
    {
        try
        {
            await SendAsync(HttpMethod.Delete, $"sessions/{id}", null, authenticated: true, ct);
        }
        catch (CliException e) when (e.Code == ProblemCodes.RecordNotFound)
        {
            throw new CliException("No browser is signed in with that id.", "See the ids with `symbolon session list`.");
        }
    }

    public async Task<int> EndOtherSignInsAsync(CancellationToken ct) =>
        (await SendAsync<EndedSignIns>(HttpMethod.Delete, "sessions/others", null, authenticated: true, ct)).Ended;

    public async Task<IReadOnlyList<RelationshipSummary>> ListRelationshipsAsync(CancellationToken ct) =>
        await SendAsync<List<RelationshipSummary>>(HttpMethod.Get, "relationships", null, authenticated: true, ct);

    public Task<RelationshipDetail> GetRelationshipAsync(Guid id, CancellationToken ct) =>
        SendAsync<RelationshipDetail>(HttpMethod.Get, $"relationships/{id}", null, authenticated: true, ct);

    public Task<RelationshipGrant> RevokeGrantAsync(Guid grantId, CancellationToken ct) =>
        SendAsync<RelationshipGrant>(HttpMethod.Post, $"grants/{grantId}/revoke", null, authenticated: true, ct);

    public Task<RelationshipDetail> EndRelationshipAsync(Guid id, CancellationToken ct) =>
        SendAsync<RelationshipDetail>(HttpMethod.Post, $"relationships/{id}/end", null, authenticated: true, ct);

    public Task<SignedConsentReceipt> GetReceiptAsync(Guid grantId, CancellationToken ct) =>
        SendAsync<SignedConsentReceipt>(HttpMethod.Get, $"grants/{grantId}/receipt", null, authenticated: true, ct);

    public Task<AccessLogPage> GetAccessLogAsync(Guid? relationshipId, int limit, int offset, CancellationToken ct) =>
        SendAsync<AccessLogPage>(
            HttpMethod.Get,
            FormattableString.Invariant($"{(relationshipId is { } id ? $"relationships/{id}/access-log" : "access-log")}?limit={limit}&offset={offset}"),
            null,
            authenticated: true,
            ct);

    public async Task<IReadOnlyList<RequestSummary>> ListRequestsAsync(Guid? relationshipId, CancellationToken ct) =>
        await SendAsync<List<RequestSummary>>(HttpMethod.Get, relationshipId is { } id ? $"requests?relationshipId={id}" : "requests", null, authenticated: true, ct);

    public Task<RequestDetail> GetRequestAsync(Guid id, CancellationToken ct) =>
        SendAsync<RequestDetail>(HttpMethod.Get, $"requests/{id}", null, authenticated: true, ct);

    public Task<RequestDetail> CreateRequestAsync(RequestInput input, CancellationToken ct) =>
        SendAsync<RequestDetail>(HttpMethod.Post, "requests", input, authenticated: true, ct);

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The vault's status: with this CLI's token, all of it; without, only whether a vault exists.</summary>
    private Task<VaultStatus> GetVaultStatusAsync(CancellationToken ct) => SendAsync<VaultStatus>(HttpMethod.Get, "vault", null, authenticated: Token is not null, ct);

    private async Task DownloadAsync(string path, Stream output, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, authenticated: true, ct, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        await body.CopyToAsync(output, ct);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, bool authenticated, CancellationToken ct)
    {
        using var response = await SendAsync(method, path, body, authenticated, ct);
        return await response.Content.ReadFromJsonAsync<T>(CliJson.Wire, ct)
            ?? throw new CliException($"The server sent an empty answer to {method} /{Api}{path}.");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, bool authenticated, CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(method, Api + path);
        if (authenticated)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token ?? throw await NotSignedInAsync(ct));
        }

        if (body is not null)
        {
            // A body already made (an uploaded image) goes as it is; anything else as JSON.
            request.Content = body as HttpContent ?? JsonContent.Create(body, body.GetType(), options: CliJson.Wire);
        }

        var response = await _http.SendAsync(request, completion, ct);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var problem = await ReadProblemAsync(response, ct);
            if (problem.Code == ProblemCodes.Unauthenticated && authenticated)
            {
                throw new CliException(
                    "The server does not accept this CLI's access token.",
                    "It expired, was revoked, or belongs to another server.",
                    code: problem.Code);
            }

            throw problem;
        }
    }

    private static async Task<CliException> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<ProblemBody>(CliJson.Wire, ct);
            if (problem?.Title is { } title)
            {
                return new CliException(title, problem.Detail, problem.Errors, problem.Code);
            }
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            // Not a problem document (a proxy's error page, for example): the status says what there is to say.
        }

        return response.StatusCode == HttpStatusCode.NotFound
            ? new CliException("The server does not know this request.", $"It answered {status}. Is --server the address of a Symbolon server?")
            : new CliException($"The server answered {status}.");
    }

    /// <summary>Says why there is no token, in the most useful words: no vault, a locked vault, or not signed in.</summary>
    private async Task<CliException> NotSignedInAsync(CancellationToken ct)
    {
        var status = await GetVaultStatusAsync(ct);
        if (!status.Exists)
        {
            return new CliException("There is no vault yet.", $"The server at {_server.Url} has no vault.", code: ProblemCodes.VaultNotFound);
        }

        // Note: whether the vault is unlocked is its owner's to know; the server does not tell a caller without a token.
        return NotSignedIn();
    }

    private CliException NotSignedIn() => new(
        "This CLI is not signed in to the server.",
        $"There is no access token in {EnvironmentVariables.Token} or {CliTokenFile.PathIn(_context.DataDirectory)}. " +
        "`symbolon unlock` signs it in, and opens the vault if it is locked.",
        code: ProblemCodes.Unauthenticated);

    private void WarnIfPlainHttp()
    {
        if (_server.Url.Scheme == Uri.UriSchemeHttp && !_server.Url.IsLoopback)
        {
            _context.Env.Error.WriteLine($"Warning: {_server.Url.Host} is reached over plain HTTP, so the passphrase crosses the network unencrypted. Use an https:// address.");
        }
    }

    /// <summary>An RFC 9457 problem document as the server writes it.</summary>
    private sealed record ProblemBody(string? Title, string? Detail, string? Code, Dictionary<string, string[]>? Errors);
}
