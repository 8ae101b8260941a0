using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Symbolon.Bench.Reporting;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Profile;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Core.Webhooks;
using Symbolon.Server.Hosting;
using Symbolon.Server.Storage;
using Symbolon.Server.Webhooks;

namespace Symbolon.Bench.Webhooks;

/// <summary>
/// "Change your address once" at scale: one profile change fanned out to many relationships that each hold a read
/// grant on it, delivered over real HTTP to a local receiver. Measured end to end in the real server (owner API PUT
/// to the last webhook received, the dispatcher woken by the commit), and step by step with the same Core code
/// (fan-out alone; delivery alone), against plain POSTs of the same bodies with the same concurrency.
/// </summary>
internal static class WebhookFanOutScenario
{
    private const string Passphrase = "correct horse battery staple";
    private static readonly TimeSpan PassTimeout = TimeSpan.FromMinutes(5);

    public static async Task RunAsync(BenchReport report, string workDirectory, int relationships, int passes, TextWriter log, CancellationToken ct)
    {
        log.WriteLine($"== webhooks: one profile change to {Format.Count(relationships)} relationships, SQLite, HTTP to a local receiver; {passes} passes after a warm-up pass");
        await using var receiver = await CountingReceiver.StartAsync(ct);
        var endToEnd = await EndToEndAsync(Path.Combine(workDirectory, "webhooks-server"), receiver, relationships, passes, log, ct);
        var steps = await StepsAsync(Path.Combine(workDirectory, "webhooks-core"), receiver, relationships, passes, log, ct);
        StorageSetup.ReleaseFiles();

        var n = relationships;
        report.AddRow(new SummaryRow(
            $"Webhook fan-out, end to end: 1 profile change → {Format.Count(n)} relationships (owner PUT → last webhook received)",
            $"{Format.Seconds(endToEnd.Wall.Median)}: **{Format.Rate(n / endToEnd.Wall.Median)} events/s**",
            $"POSTs of the same bodies, {WebhookDelivery.MaxInFlight} in flight: {Format.Rate(n / steps.Raw.Median)} events/s",
            $"**{Format.Ratio(steps.Raw.Median / endToEnd.Wall.Median)}** plain POSTs"));
        report.AddRow(new SummaryRow(
            $"Webhook fan-out step alone (change log → {Format.Count(n)} messages committed)",
            $"{Format.Milliseconds(steps.FanOut.Median * 1000)} ({Format.Rate(n / steps.FanOut.Median)} messages/s)",
            "—",
            "—"));
        report.AddRow(new SummaryRow(
            $"Webhook delivery alone (sign, POST, record; {Format.Count(n)} messages)",
            $"{Format.Seconds(steps.Delivery.Median)} ({Format.Rate(n / steps.Delivery.Median)} events/s)",
            $"POSTs of the same bodies: {Format.Seconds(steps.Raw.Median)} ({Format.Rate(n / steps.Raw.Median)} events/s)",
            $"**{Format.Ratio(steps.Raw.Median / steps.Delivery.Median)}** plain POSTs (by CPU time {Format.Ratio(steps.RawCpu.Median / steps.DeliveryCpu.Median)})"));

        var lines = report.Section($"Webhook fan-out: {Format.Count(n)} relationships, median of {passes} passes");
        lines.Add($"- Each relationship holds a read grant on `profile.postal_address` and a webhook URL on one local Kestrel receiver (in the bench process, so it shares the cores) that reads each body, checks nothing and answers 204.");
        lines.Add($"- End to end: the real server in process (`SymbolonHost.Build`, SQLite file in a temp data directory), the owner changes the address with `PUT /owner/api/v1/profile/fields/{{id}}`; the commit nudges the dispatcher, which fans the change out to {Format.Count(n)} messages in one transaction and delivers them ({WebhookDelivery.MaxInFlight} in flight, signed, each outcome recorded). Time from sending the PUT to the receiver's {Format.Count(n)}th request: {endToEnd.Wall} (CPU {endToEnd.Cpu}).");
        lines.Add($"- Step by step, the same Core code on another SQLite vault: `WebhookOutbox.FanOutAsync` until caught up: {steps.FanOut} (CPU {steps.FanOutCpu}); `WebhookDelivery.DeliverDueAsync` until nothing is due: {steps.Delivery} (CPU {steps.DeliveryCpu}).");
        lines.Add($"- Baseline: the same {Format.Count(n)} stored bodies POSTed to the same URLs with the same HTTP handler and {WebhookDelivery.MaxInFlight} in flight, without signing or database: {steps.Raw} (CPU {steps.RawCpu}); it takes turns with the delivery pass.");
        lines.Add("- CPU is the bench process's CPU time over the span (both cores; the receiver's work included, for the baseline too).");
    }

    private sealed record EndToEndResult(Samples Wall, Samples Cpu);

    private sealed record StepsResult(Samples FanOut, Samples FanOutCpu, Samples Delivery, Samples DeliveryCpu, Samples Raw, Samples RawCpu);

    private static async Task<EndToEndResult> EndToEndAsync(string dataDirectory, CountingReceiver receiver, int relationships, int passes, TextWriter log, CancellationToken ct)
    {
        // The receiver listens on loopback, which webhooks may reach only where the operator allows it.
        await using var app = SymbolonHost.Build(["--data-dir", dataDirectory, "--urls", "http://127.0.0.1:0", "--Webhooks:AllowPrivateAddresses=true"], builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        var address = await app.StartAndGetAddressAsync(ct);
        using var owner = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        var created = await owner.PostAsJsonAsync("/owner/api/v1/vault", new CreateVaultRequest(Passphrase), ct);
        created.EnsureSuccessStatusCode();
        var vault = (await created.Content.ReadFromJsonAsync<CreateVaultResponse>(ct))!;
        owner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", vault.AccessToken.Token);
        var added = await owner.PostAsJsonAsync("/owner/api/v1/profile/fields", new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: Address(0)), ct);
        added.EnsureSuccessStatusCode();
        var field = (await added.Content.ReadFromJsonAsync<ProfileField>(ct))!;

        var seeding = System.Diagnostics.Stopwatch.StartNew();
        var storage = app.Services.GetRequiredService<StorageOptions>();
        await SeedAsync(() => StorageSetup.CreateContext(storage), vault.VaultId, receiver, relationships, app.Services.GetRequiredService<WebhookSecrets>(), ct);

        log.WriteLine($"   end to end: server at {address}, {Format.Count(relationships)} relationships seeded in {seeding.Elapsed.TotalSeconds:0.0} s");
        var wall = new Samples("s");
        var cpu = new Samples("s");
        for (var pass = 0; pass <= passes; pass++)
        {
            var done = receiver.Expect(relationships);
            var measurement = Measurement.Start();
            var update = await owner.PutAsJsonAsync($"/owner/api/v1/profile/fields/{field.Id}", new ProfileFieldUpdate("home", Address: Address(pass + 1)), ct);
            update.EnsureSuccessStatusCode();
            await done.WaitAsync(PassTimeout, ct);
            var (elapsed, used) = measurement.Stop();
            log.WriteLine($"   end to end {(pass == 0 ? "warm-up" : "#" + pass)}: {elapsed.TotalSeconds:0.000} s, {relationships / elapsed.TotalSeconds:0} events/s (CPU {used.TotalSeconds:0.00} s)");
            if (pass > 0)
            {
                wall.Add(elapsed.TotalSeconds);
                cpu.Add(used.TotalSeconds);
            }

            // Let the dispatcher record the last outcomes before the next change.
            await WaitUntilDeliveredAsync(app, ct);
        }

        await app.StopAsync(ct);
        return new EndToEndResult(wall, cpu);
    }

    private static async Task<StepsResult> StepsAsync(string dataDirectory, CountingReceiver receiver, int relationships, int passes, TextWriter log, CancellationToken ct)
    {
        var storage = new StorageOptions { DataDirectory = dataDirectory };
        StorageSetup.PrepareDataDirectory(dataDirectory);
        await using (var db = StorageSetup.CreateContext(storage))
        {
            await StorageSetup.MigrateAsync(db, ct);
        }

        var time = TimeProvider.System;
        CreatedVault vault;
        ProfileField field;
        await using (var db = StorageSetup.CreateContext(storage))
        {
            vault = await new VaultService(db, time, NullLogger<VaultService>.Instance).CreateAsync(Passphrase, ct);
            field = await new ProfileService(new RecordStore(db, time), db, time).AddAsync(vault.Keys, new ProfileFieldInput(ProfileFieldKinds.PostalAddress, "home", Address: Address(0)), Actor.Owner, ct);
            await WebhookOutbox.FanOutAsync(db, vault.VaultId, time.GetUtcNow(), ct);
        }

        using var keys = vault.Keys;
        var secrets = new WebhookSecrets(DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(dataDirectory, "keys"))));
        await SeedAsync(() => StorageSetup.CreateContext(storage), vault.VaultId, receiver, relationships, secrets, ct);

        // The same handler settings as the server's webhook client (WebhookSetup).
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        var delivery = new WebhookDelivery(http, secrets, time, NullLogger<WebhookDelivery>.Instance);
        var result = new StepsResult(new("s"), new("s"), new("s"), new("s"), new("s"), new("s"));
        for (var pass = 0; pass <= passes; pass++)
        {
            await using (var db = StorageSetup.CreateContext(storage))
            {
                await new ProfileService(new RecordStore(db, time), db, time).UpdateAsync(keys, field.Id, new ProfileFieldUpdate("home", Address: Address(pass + 1)), Actor.Owner, ct);
            }

            var fanOut = Measurement.Start();
            var messages = 0;
            await using (var db = StorageSetup.CreateContext(storage))
            {
                FanOutResult step;
                do
                {
                    step = await WebhookOutbox.FanOutAsync(db, vault.VaultId, time.GetUtcNow(), ct);
                    messages += step.Messages;
                }
                while (step.More);
            }

            var fanOutTime = fanOut.Stop();
            if (messages != relationships)
            {
                throw new InvalidOperationException($"The fan-out made {messages} messages, not {relationships}.");
            }

            // The plain POSTs and the delivery take turns at going first.
            var bodies = await PendingBodiesAsync(storage, ct);
            (TimeSpan Wall, TimeSpan Cpu) raw = default, delivered = default;
            for (var turn = 0; turn < 2; turn++)
            {
                if ((turn + pass) % 2 == 0)
                {
                    raw = await PostPlainAsync(bodies, http, receiver, ct);
                }
                else
                {
                    delivered = await DeliverAsync(storage, delivery, receiver, relationships, ct);
                }
            }

            log.WriteLine($"   steps {(pass == 0 ? "warm-up" : "#" + pass)}: fan-out {fanOutTime.Wall.TotalMilliseconds:0} ms, delivery {delivered.Wall.TotalSeconds:0.000} s ({relationships / delivered.Wall.TotalSeconds:0} events/s), plain POSTs {raw.Wall.TotalSeconds:0.000} s ({relationships / raw.Wall.TotalSeconds:0} events/s)");
            if (pass > 0)
            {
                result.FanOut.Add(fanOutTime.Wall.TotalSeconds);
                result.FanOutCpu.Add(fanOutTime.Cpu.TotalSeconds);
                result.Delivery.Add(delivered.Wall.TotalSeconds);
                result.DeliveryCpu.Add(delivered.Cpu.TotalSeconds);
                result.Raw.Add(raw.Wall.TotalSeconds);
                result.RawCpu.Add(raw.Cpu.TotalSeconds);
            }
        }

        return result;
    }

    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> DeliverAsync(StorageOptions storage, WebhookDelivery delivery, CountingReceiver receiver, int relationships, CancellationToken ct)
    {
        var done = receiver.Expect(relationships);
        var measurement = Measurement.Start();
        await using (var db = StorageSetup.CreateContext(storage))
        {
            DeliveryRound round;
            do
            {
                round = await delivery.DeliverDueAsync(db, ct);
                if (round.Failed + round.GivenUp > 0)
                {
                    throw new InvalidOperationException($"{round.Failed + round.GivenUp} deliveries failed.");
                }
            }
            while (round.MoreDueNow);
        }

        var elapsed = measurement.Stop();
        await done.WaitAsync(TimeSpan.FromSeconds(5), ct);
        return elapsed;
    }

    /// <summary>The pending messages' bodies and URLs, for the baseline.</summary>
    private static async Task<List<(Uri Url, byte[] Body)>> PendingBodiesAsync(StorageOptions storage, CancellationToken ct)
    {
        await using var db = StorageSetup.CreateContext(storage);
        var pending = await (
            from m in db.WebhookMessages.AsNoTracking()
            join r in db.Relationships.AsNoTracking() on new { m.VaultId, Id = m.RelationshipId } equals new { r.VaultId, r.Id }
            where m.DeliveredAt == null && m.FailedAt == null
            select new { r.WebhookUri, m.Payload }).ToListAsync(ct);
        return [.. pending.Select(p => (new Uri(p.WebhookUri!), Encoding.UTF8.GetBytes(p.Payload)))];
    }

    /// <summary>The baseline: the same bodies POSTed as they are, with the delivery's concurrency.</summary>
    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> PostPlainAsync(List<(Uri Url, byte[] Body)> requests, HttpClient http, CountingReceiver receiver, CancellationToken ct)
    {
        var done = receiver.Expect(requests.Count);
        var measurement = Measurement.Start();
        var json = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = WebhookDelivery.MaxInFlight, CancellationToken = ct }, async (request, token) =>
        {
            using var content = new ByteArrayContent(request.Body);
            content.Headers.ContentType = json;
            using var response = await http.PostAsync(request.Url, content, token);
            response.EnsureSuccessStatusCode();
        });
        var elapsed = measurement.Stop();
        await done.WaitAsync(TimeSpan.FromSeconds(5), ct);
        return elapsed;
    }

    private static async Task SeedAsync(Func<SymbolonDbContext> newContext, Guid vaultId, CountingReceiver receiver, int relationships, WebhookSecrets secrets, CancellationToken ct)
    {
        var granted = GrantedDatatype.ToJson([new GrantedDatatype(Datatypes.PostalAddress, [DataActions.Read], Narrowings.Full, "delivery")]);
        var now = TimeProvider.System.GetUtcNow();
        foreach (var chunk in Enumerable.Range(0, relationships).Chunk(1000))
        {
            await using var db = newContext();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            foreach (var i in chunk)
            {
                var relationship = new RelationshipEntity
                {
                    VaultId = vaultId,
                    Id = Guid.CreateVersion7(),
                    ClientId = $"bench-vendor-{Guid.NewGuid():N}",
                    VendorName = $"Bench vendor {i}",
                    WebhookUri = receiver.UrlFor(i).ToString(),
                    WebhookSecretProtected = secrets.Create().Protected,
                    AcceptableAgreements = "SD-BASE",
                    Subject = PairwiseIds.NewSubject(),
                    PairwiseKey = RandomNumberGenerator.GetBytes(32),
                    CreatedAt = now,
                };
                db.Relationships.Add(relationship);
                db.Grants.Add(new GrantEntity
                {
                    VaultId = vaultId,
                    Id = Guid.CreateVersion7(),
                    RelationshipId = relationship.Id,
                    AgreementId = "SD-BASE",
                    Purpose = "delivery",
                    RequestedDetails = granted,
                    GrantedDetails = granted,
                    CreatedAt = now,
                    Receipt = [],
                    ReceiptSignature = [],
                });
            }

            await db.SaveChangesAsync(ct);
        }
    }

    private static async Task WaitUntilDeliveredAsync(WebApplication app, CancellationToken ct)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
            if (!await db.WebhookMessages.AnyAsync(m => m.DeliveredAt == null && m.FailedAt == null, ct))
            {
                return;
            }

            if (deadline.Elapsed > PassTimeout)
            {
                throw new TimeoutException("The server did not record every delivery.");
            }

            await Task.Delay(50, ct);
        }
    }

    private static PostalAddress Address(int pass) => new($"{pass + 1} Bench Street", "Utrecht", null, "3511 AA", "NL");
}
