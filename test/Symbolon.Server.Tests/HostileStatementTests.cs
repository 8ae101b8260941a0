using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Statements;
using Symbolon.Contracts.Vault;
using Symbolon.Server.Tests.Inbox;

namespace Symbolon.Server.Tests;

/// <summary>
/// Statements crafted to take the server down: nested far deeper than any statement (which overflowed the stack on
/// the OFX 2 path and burnt CPU on the camt path), and imports that never end. Each is refused with a problem, at
/// once or at the import's deadline, the server goes on serving, and nothing is stored.
/// </summary>
public sealed class HostileStatementTests
{
    private const int Depth = 200_000;

    /// <summary>The crafted files, generated here: about 1.4 MB each.</summary>
    public static TheoryData<string, string> Crafted => new()
    {
        { "ofx", "ofx 2 nested" },
        { "ofx", "ofx 1 nested" },
        { "camt", "camt nested in an entry" },
        { "camt", "camt nested in the statement" },
        { "ofx", "ofx 2 text split into CDATA sections" },
    };

    [Fact]
    public async Task Crafted_statements_are_refused_at_once_and_the_server_process_survives()
    {
        // Run as a process of its own: a stack overflow kills the process, which would take the test host with it.
        string dataDirectory;
        using (var factory = new SymbolonApplicationFactory { KeepDataDirectory = true })
        {
            dataDirectory = factory.DataDirectory;
            await factory.CreateVaultAsync();
        }

        try
        {
            await using var server = await InboxCrashTests.ServerProcess.StartAsync(dataDirectory);
            using var owner = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.Address };
            var unlocked = await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase), SymbolonApplicationFactory.Json);
            Assert.True(unlocked.IsSuccessStatusCode, await unlocked.Content.ReadAsStringAsync());

            foreach (var (format, kind) in Crafted.Select(row => ((string)row[0], (string)row[1])))
            {
                var file = Craft(kind);
                var started = Stopwatch.GetTimestamp();
                HttpResponseMessage response;
                try
                {
                    response = await owner.PostAsync($"/owner/api/v1/imports?format={format}", new ByteArrayContent(file));
                }
                catch (HttpRequestException e)
                {
                    Assert.Fail($"{kind}: the server dropped the connection ({e.Message}); running: {server.IsRunning}.");
                    throw;
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{kind}: {response.StatusCode} {text}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = JsonSerializer.Deserialize<JsonElement>(text);
                Assert.Equal(ProblemCodes.InvalidStatement, problem.GetProperty("code").GetString());
                Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));

                // A generous bound for a loaded machine: the files were refused within seconds, not minutes.
                Assert.True(elapsed < TimeSpan.FromSeconds(20), $"{kind} took {elapsed}.");
                Assert.True(server.IsRunning, $"{kind} took the server down.");
            }

            Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/owner/api/v1/vault")).StatusCode);
            Assert.Empty((await owner.GetFromJsonAsync<List<ImportSummary>>("/owner/api/v1/imports", SymbolonApplicationFactory.Json))!);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the temp cleaner.
            }
        }
    }

    [Fact]
    public async Task An_import_that_runs_past_its_deadline_stops_reading_frees_the_vault_and_stores_nothing()
    {
        using var app = new SymbolonApplicationFactory();
        app.Settings["Imports:MaxSeconds"] = "60";
        var (owner, _) = await app.CreateVaultAsync();
        using var endless = new EndlessCsv();

        var import = owner.PostAsync("/owner/api/v1/imports?format=csv&map=" + Uri.EscapeDataString("date=Date,amount=Amount,description=Description,dateFormat=yyyy-MM-dd,delimiter=comma,account=Giro"), new StreamContent(endless));
        await ReadingAsync(endless, import, app);

        // The import's deadline runs on the vault's clock: a minute passes, and the import stops.
        app.Time.Advance(TimeSpan.FromSeconds(61));
        var response = await import;
        var problem = await VendorProtocol.DataApiTests.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, ProblemCodes.ImportTookTooLong);
        Assert.Contains("60 seconds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Reading stopped: the body is read no further.
        await endless.AssertReadingStopsAsync();

        // Nothing stored, and the vault's import gate is free: the next import goes through.
        Assert.Empty((await owner.GetFromJsonAsync<List<ImportSummary>>("/owner/api/v1/imports", SymbolonApplicationFactory.Json))!);
        var next = await owner.PostAsync("/owner/api/v1/imports?format=csv&map=" + Uri.EscapeDataString("date=Date,amount=Amount,description=Description,dateFormat=yyyy-MM-dd,delimiter=comma,account=Giro"),
            new ByteArrayContent(Encoding.UTF8.GetBytes("Date,Amount,Description\n2026-11-01,-3.40,Coffee\n")));
        Assert.True(next.IsSuccessStatusCode, await next.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_import_the_client_abandons_stops_reading_and_stores_nothing()
    {
        using var app = new SymbolonApplicationFactory();
        var (owner, _) = await app.CreateVaultAsync();
        using var endless = new EndlessCamt();
        using var leave = new CancellationTokenSource();

        var import = owner.PostAsync("/owner/api/v1/imports?format=camt", new StreamContent(endless), leave.Token);
        await ReadingAsync(endless, import, app);
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => import);

        // The server stops reading (and parsing) once the client has left.
        await endless.AssertReadingStopsAsync();

        Assert.Empty((await owner.GetFromJsonAsync<List<ImportSummary>>("/owner/api/v1/imports", SymbolonApplicationFactory.Json))!);
    }

    /// <summary>Waits until the server has read half a megabyte of the body; an import that ended before says why.</summary>
    private static async Task ReadingAsync(EndlessBody body, Task<HttpResponseMessage> import, SymbolonApplicationFactory app)
    {
        var reading = body.WaitForAsync(512 * 1024);
        if (await Task.WhenAny(reading, import) == import)
        {
            var response = await import;
            Assert.Fail($"The import ended after {body.BytesRead} bytes: {response.StatusCode} {await response.Content.ReadAsStringAsync()} {string.Join('\n', app.Logs.Where(l => l.Contains("Unexpected", StringComparison.Ordinal)))}");
        }

        await reading;
    }

    private static byte[] Craft(string kind)
    {
        var text = new StringBuilder(3 * 1024 * 1024);
        switch (kind)
        {
            case "ofx 2 nested":
                text.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<?OFX OFXHEADER=\"200\" VERSION=\"220\"?>\n<OFX>");
                text.Insert(text.Length, "<A>", Depth).Insert(text.Length, "</A>", Depth).Append("</OFX>");
                break;
            case "ofx 1 nested":
                text.Append("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX>");
                text.Insert(text.Length, "<A>", Depth).Insert(text.Length, "</A>", Depth).Append("</OFX>");
                break;
            case "camt nested in an entry":
                text.Append(CamtHead).Append("<Ntry>");
                text.Insert(text.Length, "<a>", Depth).Insert(text.Length, "</a>", Depth).Append("</Ntry>").Append(CamtTail);
                break;
            case "camt nested in the statement":
                text.Append(CamtHead);
                text.Insert(text.Length, "<a>", Depth).Insert(text.Length, "</a>", Depth).Append(CamtTail);
                break;
            case "ofx 2 text split into CDATA sections":
                text.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<?OFX OFXHEADER=\"200\" VERSION=\"220\"?>\n<OFX><NAME>");
                text.Insert(text.Length, "x<![CDATA[y]]>", 100_000).Append("</NAME></OFX>");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private const string CamtHead = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id></Acct>
        """;

    private const string CamtTail = "</Stmt></BkToCstmrStmt></Document>";

    /// <summary>A request body that never ends, counting what the server reads of it.</summary>
    private abstract class EndlessBody : Stream
    {
        private readonly byte[] _head;
        private readonly byte[] _row;
        private long _read;
        private int _headSent;
        private int _rowOffset;
        private TaskCompletionSource? _waiting;
        private long _waitFor = long.MaxValue;

        protected EndlessBody(string head, string row)
        {
            _head = Encoding.UTF8.GetBytes(head);
            _row = Encoding.UTF8.GetBytes(row);
        }

        public long BytesRead => Interlocked.Read(ref _read);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesRead;
            set => throw new NotSupportedException();
        }

        /// <summary>Completes once the server has read <paramref name="bytes"/>.</summary>
        public Task WaitForAsync(long bytes)
        {
            var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting = waiting;
            Interlocked.Exchange(ref _waitFor, bytes);
            if (BytesRead >= bytes)
            {
                waiting.TrySetResult();
            }

            return waiting.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }

        /// <summary>
        /// Waits until nothing more is read for a tenth of a second (what was in flight drains first), and fails if
        /// reading goes on for ten seconds.
        /// </summary>
        public async Task AssertReadingStopsAsync()
        {
            var started = Stopwatch.GetTimestamp();
            long read;
            do
            {
                read = BytesRead;
                await Task.Delay(100);
            }
            while (read != BytesRead && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10));
            Assert.True(read == BytesRead, "The server went on reading the body.");
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var written = 0;
            while (written < count)
            {
                if (_headSent < _head.Length)
                {
                    var n = Math.Min(count - written, _head.Length - _headSent);
                    Array.Copy(_head, _headSent, buffer, offset + written, n);
                    _headSent += n;
                    written += n;
                    continue;
                }

                var m = Math.Min(count - written, _row.Length - _rowOffset);
                Array.Copy(_row, _rowOffset, buffer, offset + written, m);
                _rowOffset = (_rowOffset + m) % _row.Length;
                written += m;
            }

            if (Interlocked.Add(ref _read, written) >= Interlocked.Read(ref _waitFor))
            {
                _waiting?.TrySetResult();
            }

            return written;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class EndlessCsv() : EndlessBody("Date,Amount,Description\n", "2026-11-01,-3.40,Coffee at the corner\n");

    private sealed class EndlessCamt() : EndlessBody(
        CamtHead,
        "<Ntry><Amt Ccy=\"EUR\">3.40</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-11-01</Dt></BookgDt><AddtlNtryInf>Coffee</AddtlNtryInf></Ntry>\n");
}
