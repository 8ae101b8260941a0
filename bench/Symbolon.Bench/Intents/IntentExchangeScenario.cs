using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Symbolon.Bench.Reporting;
using Symbolon.Bench.Session;
using Symbolon.Bench.Startup;
using Symbolon.Intents;

namespace Symbolon.Bench.Intents;

/// <summary>
/// The intent exchange as its users meet it, each figure against a bare HTTP relay of the same bytes in the same run
/// (<c>Symbolon.Bench.Baseline.dll --relay</c>: keeps posted bodies in memory, pages them back, and forwards a body to
/// a subscriber with one POST): sealed offers posted by a vendor under <c>wrk</c> and drained by the intent's holder
/// (the vault) page by page, and the time from a vault posting an intent to a subscribed vendor's webhook.
/// </summary>
internal static class IntentExchangeScenario
{
    public const int Threads = 2;
    private const int LatencySamples = 30;

    /// <summary>Distinct sealed offers per run; more than the exchange takes in a run here (its posting rate is in the hundreds per second).</summary>
    private const int OffersPerRun = 20_000;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly DateTimeOffset Now = TimeProvider.System.GetUtcNow();

    private sealed record LoadRun(Wrk.Result Wrk, double Seconds, long Posted, double DrainMs, int Drained)
    {
        public double PostRate => Drained / Seconds;

        public double DrainRate => Drained / (DrainMs / 1000);

        public double EndToEndRate => Drained / (Seconds + DrainMs / 1000);
    }

    public static async Task RunAsync(BenchReport report, string exchangeDll, string baselineDll, string wrk, string workDirectory, int connections, TimeSpan duration, int rounds, TextWriter log, CancellationToken ct)
    {
        log.WriteLine($"== intents: offers through the exchange under wrk -t{Threads} -c{connections} -d{duration.TotalSeconds:0}s then drained by the vault, {rounds} rounds alternating with a bare relay; intent to webhook, {LatencySamples} samples each");
        var pidFile = Path.Combine(workDirectory, "children.pids");
        var directory = Path.Combine(workDirectory, "exchange");
        Directory.CreateDirectory(directory);

        await using var subscriber = await Subscriber.StartAsync(ct);
        using var exchange = await ChildProcess.StartHealthyAsync(
            exchangeDll,
            ["--Exchange:OffersPerMinute=100000", "--Webhooks:AllowPrivateAddresses=true", $"--ConnectionStrings:Exchange=Data Source={Path.Combine(directory, "exchange.db")}"],
            directory,
            pidFile,
            ct);
        using var relay = await ChildProcess.StartHealthyAsync(baselineDll, ["--relay", "true"], workDirectory, pidFile, ct);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };

        using var vendorKeys = IntentKeys.Create();
        var vendorHttp = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = exchange.BaseUri };
        var vendor = new ExchangeVendorClient(vendorHttp);
        var registered = await vendor.RegisterAsync(new ExchangeVendorRegistration("Bench boots", "https://boots.example", vendorKeys.PublicKeys.Sign, vendorKeys.PublicKeys.Offer, new Uri(subscriber.BaseUri, "hook").ToString()), ct);
        vendor.ApiKey = registered.ApiKey;
        await vendor.SetSubscriptionsAsync([new ExchangeSubscription("shoes", "NL")], ct);
        var vault = new ExchangeVaultClient(new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = exchange.BaseUri });

        // ---- offers: posted under wrk, then drained by the intent's holder ----
        var exchangeRuns = new List<LoadRun>();
        var relayRuns = new List<LoadRun>();
        var offerBytes = 0;
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var isExchange in round % 2 == 1 ? new[] { true, false } : [false, true])
            {
                using var keys = IntentKeys.Create();
                var intent = Intent(keys);
                var signed = IntentCrypto.Sign(intent, keys.SignKey, IntentCrypto.IntentLabel);
                await vault.PostIntentAsync(keys, signed, null, ct);
                // The exchange answers a repeated envelope with the offer it already holds (a retry is safe), so every
                // request carries an offer of its own: sealed beforehand, one per line, cycled through by the script.
                var bodiesFile = Path.Combine(workDirectory, $"offers-{round}-{isExchange}.jsonl");
                offerBytes = await WriteOffersAsync(bodiesFile, intent, vendorKeys, OffersPerRun, ct);
                var url = isExchange ? new Uri(exchange.BaseUri, $"v1/intents/{intent.Id}/offers") : new Uri(relay.BaseUri, $"relay/{intent.Id}");
                var script = Path.Combine(workDirectory, $"offers-{round}-{isExchange}.lua");
                await File.WriteAllTextAsync(script, LuaScript(bodiesFile, isExchange ? registered.ApiKey : null), ct);
                var time = round == 0 ? WarmUp : duration;
                var result = await Wrk.RunAsync(wrk, url, null, Threads, connections, time, pidFile, script, [], ct);
                var posted = result.Count(201);
                var watch = Stopwatch.StartNew();
                var drained = isExchange ? await DrainExchangeAsync(vault, keys, intent.Id, ct) : await DrainRelayAsync(http, relay.BaseUri, intent.Id, ct);
                var run = new LoadRun(result, time.TotalSeconds, posted, watch.Elapsed.TotalMilliseconds, drained);
                log.WriteLine($"   {(round == 0 ? "warm-up " : "")}{(isExchange ? "exchange" : "relay   ")} #{round}: {run.PostRate:0} offers/s posted (p50 {result.P50Ms:0.00} ms, p99 {result.P99Ms:0.00} ms; others {result.Others(201)}), {drained} drained in {run.DrainMs:0} ms ({run.DrainRate:0}/s)");
                // Requests still in flight when wrk stops are taken but their answers not counted: never fewer back than answered.
                if (drained < posted)
                {
                    throw new InvalidOperationException($"{(isExchange ? "The exchange" : "The relay")} answered 201 to {posted} offers but gave back only {drained}.");
                }

                if (round > 0)
                {
                    (isExchange ? exchangeRuns : relayRuns).Add(run);
                }
            }
        }

        // ---- an intent posted by the vault until the subscribed vendor's webhook arrives ----
        var exchangeLatency = new List<double>();
        var relayLatency = new List<double>();
        double? firstExchange = null;
        for (var i = 0; i < LatencySamples * 2 + 2; i++)
        {
            var isExchange = i % 2 == 0;
            using var keys = IntentKeys.Create();
            var intent = Intent(keys);
            var request = new PostIntentRequest(IntentCrypto.Sign(intent, keys.SignKey, IntentCrypto.IntentLabel));
            var arrival = subscriber.Expect(isExchange ? intent.Id : null);
            var watch = Stopwatch.StartNew();
            if (isExchange)
            {
                await vault.PostIntentAsync(keys, request.Intent, null, ct);
            }
            else
            {
                using var response = await http.PostAsJsonAsync(new Uri(relay.BaseUri, $"relay-publish?to={Uri.EscapeDataString(new Uri(subscriber.BaseUri, "hook").ToString())}"), request, IntentCrypto.JsonOptions, ct);
                response.EnsureSuccessStatusCode();
            }

            await arrival.WaitAsync(TimeSpan.FromSeconds(30), ct);
            var ms = watch.Elapsed.TotalMilliseconds;
            if (i < 2)
            {
                firstExchange ??= isExchange ? ms : null;
                continue;
            }

            (isExchange ? exchangeLatency : relayLatency).Add(ms);
        }

        Report(report, connections, duration, rounds, offerBytes, exchangeRuns, relayRuns, exchangeLatency, relayLatency, firstExchange);
    }

    /// <summary>Seals <paramref name="count"/> distinct offers to the intent, one JSON body per line; returns the size of one.</summary>
    private static async Task<int> WriteOffersAsync(string file, IntentDocument intent, IntentKeys vendorKeys, int count, CancellationToken ct)
    {
        await using var writer = new StreamWriter(file, append: false, new UTF8Encoding(false));
        var size = 0;
        for (var i = 0; i < count; i++)
        {
            var offer = Offer(intent, vendorKeys) with { Id = $"off_bench{i}" };
            var line = JsonSerializer.Serialize(new OfferSubmission(IntentCrypto.SignAndSeal(offer, vendorKeys.SignKey, IntentCrypto.OfferLabel, intent.Keys.Offer, intent.Id)), IntentCrypto.JsonOptions);
            size = Encoding.UTF8.GetByteCount(line);
            await writer.WriteLineAsync(line.AsMemory(), ct);
        }

        return size;
    }

    private static async Task<int> DrainExchangeAsync(ExchangeVaultClient vault, IntentKeys keys, string intentId, CancellationToken ct)
    {
        var count = 0;
        string? after = null;
        while (true)
        {
            var page = await vault.GetOffersAsync(keys, intentId, after, ct);
            count += page.Offers.Count;
            if (page.Offers.Count == 0)
            {
                return count;
            }

            after = page.NextCursor;
        }
    }

    private static async Task<int> DrainRelayAsync(HttpClient http, Uri relay, string intentId, CancellationToken ct)
    {
        var count = 0;
        var after = 0;
        while (true)
        {
            using var page = JsonDocument.Parse(await http.GetByteArrayAsync(new Uri(relay, $"relay/{intentId}?after={after}"), ct));
            var offers = page.RootElement.GetProperty("offers").GetArrayLength();
            count += offers;
            if (offers == 0)
            {
                return count;
            }

            after = page.RootElement.GetProperty("next").GetInt32();
        }
    }

    private static void Report(
        BenchReport report, int connections, TimeSpan duration, int rounds, int offerBytes,
        List<LoadRun> exchangeRuns, List<LoadRun> relayRuns, List<double> exchangeLatency, List<double> relayLatency, double? firstExchange)
    {
        var e = exchangeRuns.OrderBy(r => r.EndToEndRate).ElementAt(exchangeRuns.Count / 2);
        var r = relayRuns.OrderBy(x => x.EndToEndRate).ElementAt(relayRuns.Count / 2);
        report.AddRow(new SummaryRow(
            $"Offers through the intent exchange to one vault: wrk -c{connections} posting sealed offers ({offerBytes} bytes) for {duration.TotalSeconds:0} s, then the vault drains them",
            $"{Format.Rate(e.EndToEndRate)} offers/s end to end ({Format.Rate(e.PostRate)}/s posted, {Format.Rate(e.DrainRate)}/s drained)",
            $"bare relay, same bytes: {Format.Rate(r.EndToEndRate)} offers/s ({Format.Rate(r.PostRate)}/s posted, {Format.Rate(r.DrainRate)}/s drained)",
            $"**{Format.Ratio(e.EndToEndRate / r.EndToEndRate)}** the relay (posting {Format.Ratio(e.PostRate / r.PostRate)}, draining {Format.Ratio(e.DrainRate / r.DrainRate)})",
            "no goal stated (issue 14 asks for the figure)"));
        var (em, ep) = (Percentile(exchangeLatency, 0.5), Percentile(exchangeLatency, 0.9));
        var (rm, rp) = (Percentile(relayLatency, 0.5), Percentile(relayLatency, 0.9));
        report.AddRow(new SummaryRow(
            "An intent posted by the vault until a subscribed vendor's webhook arrives",
            $"median {Format.Milliseconds(em)}, p90 {Format.Milliseconds(ep)} (first after start {Format.Milliseconds(firstExchange ?? double.NaN)})",
            $"bare relay forwarding the same bytes with one POST: median {Format.Milliseconds(rm)}, p90 {Format.Milliseconds(rp)}",
            $"**{Format.Ratio(em / rm)}** the relay's median",
            "no goal stated (issue 14 asks for the figure)"));

        var section = report.Section($"Intent exchange: offers under wrk ({rounds} rounds each, {duration.TotalSeconds:0} s) and intent-to-webhook latency ({exchangeLatency.Count} samples each)");
        section.Add("- Exchange: `Symbolon.Exchange.dll` (what `dotnet run --project src/Symbolon.Exchange` runs), its own process on 127.0.0.1, fresh SQLite file, `Exchange:OffersPerMinute=100000` so that the per-vendor rate limit (30 a minute by default) does not stop the load; webhooks to loopback allowed.");
        section.Add("- Relay: `Symbolon.Bench.Baseline.dll --relay` (an empty ASP.NET Core app, its own process): `POST /relay/{id}` keeps the body in memory and answers 201, `GET /relay/{id}?after=` pages 100 bodies back as they came, `POST /relay-publish?to=` forwards the body with one POST and answers when it was delivered.");
        section.Add($"- Offers: one vendor posts distinct sealed offers (`OfferSubmission`s of {offerBytes} bytes, {OffersPerRun:N0} sealed beforehand per run and cycled through; the exchange answers a repeated envelope with the offer it holds) with `wrk -t{Threads} -c{connections}`, counting 201 answers in a Lua script; then the intent's holder fetches every offer (pages of 100; the exchange's requests are signed with the intent key, as a vault makes them). End to end = offers drained ÷ (wrk time + drain time). Opening and checking offers is the vault's own work and is not in either figure.");
        section.Add("- Latency: a new intent (fresh keys, signed) posted with the vault's client, timed until the vendor's webhook receiver (Kestrel in the bench process) has the `intent.published` naming it; the relay posts the same request bytes on to the same receiver. One at a time, alternating; the first of each is left out and shown as \"first after start\".");
        section.Add("");
        section.Add("| Run | exchange posted/s | p99 | drained/s | end to end/s | relay posted/s | p99 | drained/s | end to end/s |");
        section.Add("|---|---|---|---|---|---|---|---|---|");
        for (var i = 0; i < exchangeRuns.Count; i++)
        {
            var x = exchangeRuns[i];
            var y = relayRuns[i];
            section.Add($"| {i + 1} | {x.PostRate:0} | {Format.Milliseconds(x.Wrk.P99Ms)} | {x.DrainRate:0} | {x.EndToEndRate:0} | {y.PostRate:0} | {Format.Milliseconds(y.Wrk.P99Ms)} | {y.DrainRate:0} | {y.EndToEndRate:0} |");
        }
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }

    private static IntentDocument Intent(IntentKeys keys) => new(
        1,
        IntentCrypto.NewId("int_"),
        "Winter boots",
        "Waterproof, size 44",
        "shoes",
        new IntentAttributes("44", 1, null, "new"),
        new IntentBudget(150m, "EUR"),
        null,
        new IntentPlace("NL", "35"),
        TimeProvider.System.GetUtcNow(),
        TimeProvider.System.GetUtcNow().AddDays(7),
        new IntentTerms(IntentAgreement.Id, IntentAgreement.TextSha256, ["SD-BASE"]),
        [],
        keys.PublicKeys);

    private static OfferDocument Offer(IntentDocument intent, IntentKeys vendor) => new(
        1,
        "off_bench",
        intent.Id,
        intent.Keys.Sign,
        new OfferVendor("Bench boots", "https://boots.example", vendor.PublicKeys.Sign, vendor.PublicKeys.Offer),
        [new OfferItem("Waterproof boots, size 44", 1, 129m)],
        new OfferPrice(129m, "EUR"),
        null,
        "30 days returns",
        null,
        Now,
        Now.AddDays(2),
        new OfferAcceptedTerms(IntentAgreement.Id, IntentAgreement.TextSha256));

    private static string LuaScript(string bodiesFile, string? token) => $$"""
        -- Written by the bench's intents scenario: POST distinct sealed offers (one per line of a file, each thread
        -- starting at its own line), count answers by status.
        local threads = {}
        local bodies = {}
        local next_body = 1
        local step = 1
        statuses = {}

        function setup(thread)
          table.insert(threads, thread)
          thread:set("thread_number", #threads)
        end

        function init(args)
          for line in io.lines("{{bodiesFile}}") do
            table.insert(bodies, line)
          end
          next_body = thread_number
          step = 2
          wrk.method = "POST"
          wrk.headers["Content-Type"] = "application/json"
          {{(token is null ? "" : $"wrk.headers[\"Authorization\"] = \"Bearer {token}\"")}}
        end

        function request()
          local body = bodies[next_body]
          next_body = next_body + step
          if next_body > #bodies then
            next_body = thread_number
          end
          return wrk.format(nil, nil, nil, body)
        end

        {{Wrk.StatusCounting}}
        """;

    /// <summary>The vendor's webhook receiver: answers 204 at once and completes whoever waits for the next (or a named) intent.</summary>
    private sealed class Subscriber : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly Lock _lock = new();
        private (string? IntentId, TaskCompletionSource Arrived)? _waiting;

        private Subscriber(WebApplication app, Uri baseUri)
        {
            _app = app;
            BaseUri = baseUri;
        }

        public Uri BaseUri { get; }

        public static async Task<Subscriber> StartAsync(CancellationToken ct)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            var port = ServerStartScenario.FreeLoopbackPort();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            var app = builder.Build();
            var subscriber = new Subscriber(app, new Uri($"http://127.0.0.1:{port}/"));
            app.MapPost("/hook", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                var body = await reader.ReadToEndAsync();
                subscriber.Arrived(body);
                return Results.NoContent();
            });
            await app.StartAsync(ct);
            return subscriber;
        }

        public Task Expect(string? intentId)
        {
            var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _waiting = (intentId, arrived);
            }

            return arrived.Task;
        }

        private void Arrived(string body)
        {
            lock (_lock)
            {
                if (_waiting is { } waiting && (waiting.IntentId is null || body.Contains(waiting.IntentId, StringComparison.Ordinal)))
                {
                    waiting.Arrived.TrySetResult();
                    _waiting = null;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
