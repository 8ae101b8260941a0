using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Symbolon.Bench.Reporting;
using Symbolon.Bench.VendorApi;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Server.Hosting;

namespace Symbolon.Bench.Wallet;

/// <summary>
/// Receipts appended per second through the vendor API (POST /api/v1/receipts with the bearer token, a fresh
/// Idempotency-Key each, full validation, sealing, the access-log line and the stored response in one transaction)
/// under concurrent clients, against the raw <see cref="RecordStore"/> append of the same receipt JSON into the same
/// vault and database by as many concurrent writers, measured in the same run and taking turns.
/// </summary>
internal static class ReceiptsScenario
{
    private sealed record Run(long Appends, long Failures, double Seconds, long[] LatencyTicks, TimeSpan Cpu)
    {
        public double PerSecond => Appends / Seconds;

        public double PercentileMs(double p)
        {
            if (LatencyTicks.Length == 0)
            {
                return double.NaN;
            }

            var index = (int)Math.Min(LatencyTicks.Length - 1, Math.Ceiling(p * LatencyTicks.Length) - 1);
            return LatencyTicks[Math.Max(0, index)] * 1000.0 / Stopwatch.Frequency;
        }
    }

    /// <summary>A three-line café receipt in EUR that adds up, as a point of sale would send it.</summary>
    internal static readonly ReceiptInput Receipt = new(
        "Blue Door Coffee",
        new DateTimeOffset(2026, 11, 22, 8, 15, 0, TimeSpan.FromHours(1)),
        "EUR",
        [
            new ReceiptLineInput("Flat white", 2, 3.20m, 0.58m, 6.40m),
            new ReceiptLineInput("Almond croissant", 1, 2.95m, 0.27m, 2.95m),
            new ReceiptLineInput("Filter coffee beans 250 g", 1, 8.50m, 0.77m, 8.50m),
        ],
        17.85m,
        1.62m,
        19.47m,
        "card",
        "Lindengracht 12, Haarlem",
        ReceiptNumber: "R-1001");

    public static async Task RunAsync(BenchReport report, string workDirectory, int concurrency, TimeSpan duration, int rounds, TextWriter log, CancellationToken ct)
    {
        log.WriteLine($"== receipts: {concurrency} concurrent clients, {duration.TotalSeconds:0} s per run, {rounds} rounds alternating with the raw record-store append");
        var dataDirectory = Path.Combine(workDirectory, "receipts");
        await using var symbolon = SymbolonHost.Build(["--urls", "http://127.0.0.1:0", "--data-dir", dataDirectory], builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        var uri = await symbolon.StartAndGetAddressAsync(ct);
        var token = await VendorSetup.GrantAsync(uri, [Datatypes.Receipts], [DataActions.Append], ct);
        var body = JsonSerializer.SerializeToUtf8Bytes(Receipt);

        // The raw baseline writes what the API stores: the validated receipt as the vault serializes it, attributed
        // to the same vendor, into the same vault (keys from the server's key ring) and database.
        var stored = VaultJson.Serialize(Core.Wallet.Receipts.Validate(Receipt));
        Guid vaultId;
        string clientId;
        using (var scope = symbolon.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
            vaultId = db.Vaults.Single().Id;
            clientId = db.Relationships.Single().ClientId;
        }

        var keys = symbolon.Services.GetRequiredService<IVaultSessions>().Get(vaultId).Keys;
        var actor = Actor.Vendor(clientId);
        var keySeed = 0L;

        async Task<bool> PostAsync(HttpClient client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/receipts") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("Idempotency-Key", "sale-" + Interlocked.Increment(ref keySeed).ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var response = await client.SendAsync(request, ct);
            await response.Content.LoadIntoBufferAsync(ct);
            return response.StatusCode == HttpStatusCode.Created;
        }

        async Task<bool> AppendAsync(IServiceProvider services)
        {
            using var scope = services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<RecordStore>().CreateAsync(keys, DatatypeCatalog.ReceiptRecordType, stored, actor, ct);
            return true;
        }

        // Warm both (JIT, connection pools, SQLite page cache) before anything is measured.
        await LoadAsync(concurrency, TimeSpan.FromSeconds(2), () => NewClient(uri, token), PostAsync, ct);
        await LoadAsync(concurrency, TimeSpan.FromSeconds(2), () => symbolon.Services, AppendAsync, ct);

        var api = new List<Run>();
        var raw = new List<Run>();
        for (var round = 1; round <= rounds; round++)
        {
            var order = round % 2 == 1 ? new[] { true, false } : [false, true];
            foreach (var isApi in order)
            {
                var run = isApi
                    ? await LoadAsync(concurrency, duration, () => NewClient(uri, token), PostAsync, ct)
                    : await LoadAsync(concurrency, duration, () => symbolon.Services, AppendAsync, ct);
                (isApi ? api : raw).Add(run);
                log.WriteLine($"   {(isApi ? "vendor API" : "raw store ")} #{round}: {run.PerSecond:0} receipts/s, p50 {run.PercentileMs(0.5):0.00} ms, p99 {run.PercentileMs(0.99):0.00} ms, {run.Failures} failures, CPU {run.Cpu.TotalSeconds:0.0} s");
            }
        }

        long storedCount;
        using (var scope = symbolon.Services.CreateScope())
        {
            storedCount = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>().Records.LongCount(r => r.Type == DatatypeCatalog.ReceiptRecordType);
        }

        var a = Median(api);
        var r = Median(raw);
        var ratio = a.PerSecond / r.PerSecond;
        report.AddRow(new SummaryRow(
            $"Receipts appended through the vendor API, POST /api/v1/receipts, {concurrency} concurrent clients",
            $"{Format.Rate(a.PerSecond)} receipts/s; p50 {Format.Milliseconds(a.PercentileMs(0.5))}, p99 {Format.Milliseconds(a.PercentileMs(0.99))}",
            $"raw RecordStore append, same JSON, {concurrency} writers: {Format.Rate(r.PerSecond)} receipts/s; p50 {Format.Milliseconds(r.PercentileMs(0.5))}",
            $"**{Format.Percent(ratio)}** of the raw append rate",
            "none set"));

        var section = report.Section($"Receipts appended: {concurrency} clients, {duration.TotalSeconds:0} s per run, median of {rounds} runs each");
        section.Add($"- Vendor API: `SymbolonHost` in the bench process on 127.0.0.1 (SQLite in a fresh data directory, vault unlocked); the vendor registered, accepted SD-BASE and got the person's consent over HTTP (receipts; append). Each request: opaque token looked up in OpenIddict's token store, grant and relationship read, the {body.Length}-byte receipt parsed strictly and validated (decimal sums, ISO 4217 minor units), the Idempotency-Key claimed, the receipt sealed and stored as a versioned record with its change-log row, the response sealed into the idempotency entry, the access-log row, one transaction.");
        section.Add($"- Baseline: `RecordStore.CreateAsync` of the same validated receipt JSON ({stored.Length} bytes) with the same vault keys, actor and database, {concurrency} concurrent writers each with its own scope and DbContext: sealing, the record, its version and change-log row, one save.");
        section.Add($"- Load: {concurrency} HttpClients (one connection each) or writers, back to back for the run's duration; every request carries a new Idempotency-Key. Receipts stored in the end: {Format.Count(storedCount)} (warm-ups included).");
        section.Add("");
        section.Add("| Run | API receipts/s | p50 | p99 | failures | raw appends/s | p50 | p99 |");
        section.Add("|---|---|---|---|---|---|---|---|");
        for (var i = 0; i < rounds; i++)
        {
            var x = api[i];
            var y = raw[i];
            section.Add($"| {i + 1} | {x.PerSecond:0} | {x.PercentileMs(0.5):0.00} ms | {x.PercentileMs(0.99):0.00} ms | {x.Failures} | {y.PerSecond:0} | {y.PercentileMs(0.5):0.00} ms | {y.PercentileMs(0.99):0.00} ms |");
        }
    }

    private static Run Median(List<Run> runs) => runs.OrderBy(r => r.PerSecond).ElementAt(runs.Count / 2);

    private static HttpClient NewClient(Uri address, string token)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<Run> LoadAsync<T>(int concurrency, TimeSpan duration, Func<T> worker, Func<T, Task<bool>> once, CancellationToken ct)
    {
        var workers = Enumerable.Range(0, concurrency).Select(_ => worker()).ToArray();
        try
        {
            var measurement = Measurement.Start();
            var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var tasks = workers.Select(w => Task.Run(async () =>
            {
                var latencies = new List<long>(4096);
                long failures = 0;
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    var started = Stopwatch.GetTimestamp();
                    if (await once(w))
                    {
                        latencies.Add(Stopwatch.GetTimestamp() - started);
                    }
                    else
                    {
                        failures++;
                    }
                }

                return (latencies, failures);
            }, ct)).ToArray();
            var results = await Task.WhenAll(tasks);
            var (wall, cpu) = measurement.Stop();
            var all = results.SelectMany(x => x.latencies).Order().ToArray();
            return new Run(all.Length, results.Sum(x => x.failures), wall.TotalSeconds, all, cpu);
        }
        finally
        {
            // Only the HttpClients are the load's own; the raw writers share the server's service provider.
            foreach (var client in workers.OfType<HttpClient>())
            {
                client.Dispose();
            }
        }
    }
}
