using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Contracts.Inbox;
using Symbolon.Contracts.Statements;
using Symbolon.Contracts.Vault;

namespace Symbolon.Bench.Session;

/// <summary>
/// The owner API as a script or the CLI's remote mode uses it: create or unlock the vault for a personal access token,
/// then send it as a bearer token. One keep-alive connection pool, loopback only, every call bounded in time.
/// </summary>
internal sealed class OwnerClient : IDisposable
{
    public const string Passphrase = "bench horse battery staple";
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(5);

    private readonly HttpClient _http;

    public OwnerClient(Uri server, string? token = null)
        : this(server)
    {
        if (token is not null)
        {
            UseToken(token);
        }
    }

    public OwnerClient(Uri server)
    {
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = server,
            Timeout = CallTimeout,
        };
    }

    /// <summary><c>POST /owner/api/v1/vault</c>: creates the vault (unlocked) and keeps the access token it returns.</summary>
    public async Task CreateVaultAsync(CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync("/owner/api/v1/vault", new CreateVaultRequest(Passphrase), ct);
        await EnsureAsync(response, HttpStatusCode.Created, ct);
        var created = (await response.Content.ReadFromJsonAsync<CreateVaultResponse>(ct))!;
        UseToken(created.AccessToken.Token!);
    }

    /// <summary>
    /// Polls <c>GET /owner/api/v1/vault</c> until it answers 200. Note: <c>/healthz</c> answers while the server still
    /// brings its database schema up to date in the background; every other request waits for that, this one too.
    /// </summary>
    public async Task WaitForVaultStatusAsync(CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync("/owner/api/v1/vault", ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not answering yet.
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException("GET /owner/api/v1/vault did not answer 200 within 2 minutes.");
            }

            await Task.Delay(10, ct);
        }
    }

    /// <summary><c>POST /owner/api/v1/vault/unlock</c> asking for an access token, which later calls use.</summary>
    public async Task UnlockAsync(CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(Passphrase, "bench"), ct);
        await EnsureAsync(response, HttpStatusCode.OK, ct);
        var unlocked = (await response.Content.ReadFromJsonAsync<UnlockResponse>(ct))!;
        UseToken(unlocked.AccessToken!.Token!);
    }

    /// <summary><c>POST /owner/api/v1/vault/lock</c>: the keys leave memory; the access token stays valid.</summary>
    public async Task LockAsync(CancellationToken ct)
    {
        using var response = await _http.PostAsync("/owner/api/v1/vault/lock", null, ct);
        await EnsureAsync(response, HttpStatusCode.NoContent, ct);
    }

    /// <summary><c>GET /owner/api/v1/inbox</c>, the away report, read in full: items by state, when the pending ones arrived.</summary>
    public async Task<InboxReport> InboxAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync("/owner/api/v1/inbox", ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        await EnsureAsync(response, HttpStatusCode.OK, ct, body);
        var report = JsonSerializer.Deserialize<AwayReport>(body, WebJson)!;

        // The report counts by vendor and kind and lists only a few items, so the arrivals are those few.
        return new InboxReport(
            report.Groups.Sum(g => g.Pending),
            report.Groups.Sum(g => g.Applied),
            report.Groups.Sum(g => g.Refused),
            report.Groups.Sum(g => g.Unopenable),
            report.Refused.Sum(r => (long)r.Count),
            body.Length,
            []);
    }

    /// <summary>
    /// <c>GET /owner/api/v1/inbox</c>, counting the pending items only (the <c>"state":"pending"</c> members in the
    /// answer's bytes, so that polling costs the bench little next to the server); also the answer's size.
    /// </summary>
    public async Task<(int Pending, int Bytes)> PendingInboxItemsAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync("/owner/api/v1/inbox", ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        await EnsureAsync(response, HttpStatusCode.OK, ct, body);
        using var document = JsonDocument.Parse(body);
        return (document.RootElement.GetProperty("pending").GetInt32(), body.Length);
    }

    /// <summary><c>POST /owner/api/v1/inbox/seen</c>: settled items leave the away report.</summary>
    public async Task MarkInboxSeenAsync(CancellationToken ct)
    {
        using var response = await _http.PostAsync("/owner/api/v1/inbox/seen", null, ct);
        await EnsureAsync(response, HttpStatusCode.NoContent, ct);
    }

    /// <summary><c>POST /owner/api/v1/imports?format=csv&amp;map=…</c> with the file as the raw request body.</summary>
    public async Task<ImportSummary> ImportCsvAsync(string path, string map, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        using var content = new StreamContent(file, 1 << 20);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Headers.ContentLength = file.Length;
        var uri = $"/owner/api/v1/imports?format=csv&fileName={Uri.EscapeDataString(Path.GetFileName(path))}&map={Uri.EscapeDataString(map)}";
        using var response = await _http.PostAsync(uri, content, ct);
        await EnsureAsync(response, HttpStatusCode.OK, ct);
        return (await response.Content.ReadFromJsonAsync<ImportSummary>(ct))!;
    }

    /// <summary><c>POST /owner/api/v1/query</c>; the time runs from sending the request to the last byte of the answer.</summary>
    public async Task<QueryAnswer> QueryAsync(string sql, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await _http.PostAsJsonAsync("/owner/api/v1/query", new SqlQueryRequest(sql), ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await EnsureAsync(response, HttpStatusCode.OK, ct, body);
        var answer = JsonDocument.Parse(body).RootElement.Clone();
        return new QueryAnswer(elapsed, answer.GetProperty("elapsedMilliseconds").GetDouble(), answer.GetProperty("rows"), answer, body.Length);
    }

    /// <summary><c>GET /owner/api/v1/transactions?limit=…</c>, the first page of the transactions list; returns its item count.</summary>
    public async Task<int> FirstTransactionsPageAsync(int limit, CancellationToken ct)
    {
        using var response = await _http.GetAsync($"/owner/api/v1/transactions?limit={limit}", ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        await EnsureAsync(response, HttpStatusCode.OK, ct, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("items").GetArrayLength();
    }

    /// <summary>
    /// <c>GET</c> a web app page as a browser signed in with the owner's cookie asks for it (the cookie the unlock set);
    /// returns the time to the last byte and the page's size. A page still showing its loading skeleton is an error:
    /// the time would not be that of a page with its figures.
    /// </summary>
    public async Task<(double Milliseconds, long Bytes)> PageAsync(string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html");
        var started = Stopwatch.GetTimestamp();
        using var response = await _http.SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await EnsureAsync(response, HttpStatusCode.OK, ct, body);
        var html = System.Text.Encoding.UTF8.GetString(body);
        if (html.Contains("sym-skeleton-card", StringComparison.Ordinal) || html.Contains("insights-error", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"GET {path} answered without its figures (a loading skeleton or an error).");
        }

        return (elapsed, body.Length);
    }

    public void Dispose() => _http.Dispose();

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private void UseToken(string token) => _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected, CancellationToken ct, byte[]? body = null)
    {
        if (response.StatusCode != expected)
        {
            var text = body is null ? await response.Content.ReadAsStringAsync(ct) : System.Text.Encoding.UTF8.GetString(body);
            throw new InvalidOperationException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}, expected {(int)expected}: {text[..Math.Min(text.Length, 600)]}");
        }
    }
}

/// <summary>One answer of <c>POST /query</c>.</summary>
/// <param name="Milliseconds">Round trip as the client saw it: request sent to the last byte of the answer.</param>
/// <param name="ServerMilliseconds">The answer's own <c>elapsedMilliseconds</c>: bringing the query database up to date and running the statement.</param>
/// <param name="Rows">The answer's rows.</param>
/// <param name="Answer">The whole answer.</param>
/// <param name="Bytes">Size of the JSON answer.</param>
internal sealed record QueryAnswer(double Milliseconds, double ServerMilliseconds, JsonElement Rows, JsonElement Answer, int Bytes);

/// <summary>The away report (<c>GET /owner/api/v1/inbox</c>) in figures.</summary>
/// <param name="Pending">Items waiting to be applied.</param>
/// <param name="Applied">Items applied (not yet marked seen).</param>
/// <param name="Refused">Items refused when applied.</param>
/// <param name="Unopenable">Items whose sealed bytes did not open.</param>
/// <param name="TurnedAway">Writes the full inbox refused, summed over vendors.</param>
/// <param name="Bytes">The answer's size.</param>
/// <param name="PendingArrivals">When each pending item arrived, oldest first.</param>
internal sealed record InboxReport(int Pending, int Applied, int Refused, int Unopenable, long TurnedAway, int Bytes, IReadOnlyList<DateTimeOffset> PendingArrivals);
