using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Symbolon.Client;
using Symbolon.Contracts.Inbox;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Profile;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;
using Symbolon.Contracts.Wallet;
using Symbolon.Core.Inbox;
using Symbolon.Core.Storage;
using Symbolon.Server.Tests.Requests;
using Symbolon.Server.Tests.VendorProtocol;
using Symbolon.Server.Tests.Wallet;

namespace Symbolon.Server.Tests.Inbox;

/// <summary>
/// Strict mode: while the person is away the vault holds no key, so vendor writes that can wait are sealed to its public
/// key and queued (202); on unlock they are applied in arrival order through the live write's code, exactly once.
/// </summary>
public sealed class SealedInboxTests
{
    private const string Planted = "Marzipan kestrel-5519";

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task A_receipt_pushed_while_away_is_queued_sealed_and_stored_once_after_unlock(StorageKind storage)
    {
        using var factory = new SymbolonApplicationFactory(storage);
        var (owner, _) = await factory.CreateVaultAsync();
        var (_, _, coffee) = await factory.WalletVendorAsync(owner, "Blue Door Coffee");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.PostAsync("/owner/api/v1/vault/lock", null)).StatusCode);

        // Queued: 202 with an inbox id; a retry with the same key is the same item, another body with it is refused.
        var receipt = WalletFlow.Receipt(Planted);
        var first = await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", receipt, "sale-7");
        var body = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.Accepted, body);
        var queued = JsonSerializer.Deserialize<QueuedWrite>(body)!;
        Assert.Equal("queued", queued.Status);
        var retry = await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", receipt, "sale-7");
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(queued.InboxId, JsonSerializer.Deserialize<QueuedWrite>(await retry.Content.ReadAsStringAsync())!.InboxId);
        await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", receipt with { ReceiptNumber = "R-9" }, "sale-7"), HttpStatusCode.UnprocessableEntity, ProblemCodes.IdempotencyKeyReused);

        // Checked as a live write would be, before anything is queued.
        var bad = await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", receipt with { Total = 1m }, "sale-8");
        await DataApiTests.AssertProblemAsync(bad, HttpStatusCode.BadRequest, ProblemCodes.InvalidReceipt);

        // A stamp and a note without a key queue too; reads wait for the person (423, Retry-After, "away").
        Assert.Equal(HttpStatusCode.Accepted, (await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/loyalty/events", new LoyaltyEventInput(LoyaltyEventKinds.StampEarned, Programme: new LoyaltyProgrammeInput("Coffee card", LoyaltyProgrammeKinds.Stamps, "stamps", 10, "A free coffee")), null)).StatusCode);
        var read = await coffee.GetAsync("/api/v1/receipts");
        await DataApiTests.AssertProblemAsync(read, HttpStatusCode.Locked, ProblemCodes.PersonAway);
        Assert.Equal(TimeSpan.FromSeconds(300), read.Headers.RetryAfter?.Delta);

        // The vendor API's document says so.
        var openApi = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/api/v1/openapi.json"));
        Assert.True(openApi.RootElement.GetProperty("paths").GetProperty("/api/v1/receipts").GetProperty("post").GetProperty("responses").TryGetProperty("202", out _));

        // Sealed: the planted value is nowhere in the database before the unlock.
        await AssertNotStoredAsync(factory, Planted);
        Assert.Equal(2, await CountAsync(factory, InboxItemState.Pending));

        // Unlock: applied once, in order, visible in the purchase history and the away report.
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase))).StatusCode);
        await WaitUntilAsync(async () => await CountAsync(factory, InboxItemState.Pending) == 0);
        var history = (await owner.GetFromJsonAsync<List<WalletReceipt>>("/owner/api/v1/receipts", SymbolonApplicationFactory.Json))!;
        Assert.Equal(Planted, Assert.Single(history).Receipt.Lines[0].Description);
        var report = (await owner.GetFromJsonAsync<AwayReport>("/owner/api/v1/inbox", SymbolonApplicationFactory.Json))!;
        Assert.Equal([(Datatypes.Receipts, AwayItemStates.Applied), (Datatypes.Loyalty, AwayItemStates.Applied)], report.Items.Select(i => (i.Kind, i.State)));
        Assert.All(report.Items, i => Assert.Equal("Blue Door Coffee", i.Vendor));
        Assert.Equal(queued.InboxId, report.Items[0].Id.ToString());

        // The retry after unlock replays the stored answer; nothing is stored twice.
        var after = await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", receipt, "sale-7");
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        Assert.Single((await coffee.GetFromJsonAsync<List<VendorReceipt>>("/api/v1/receipts"))!);
        Assert.Equal(1, (await coffee.GetFromJsonAsync<VendorLoyalty>("/api/v1/loyalty"))!.Balance);

        // Every step is in the vendor's access log: queued (202), applied (201), the refusal of the bad receipt.
        var log = await factory.AccessLogAsync();
        Assert.Contains(log, l => l.Datatypes == Datatypes.Receipts && l.StatusCode == 202 && l.Allowed);
        Assert.Contains(log, l => l.Datatypes == Datatypes.Receipts && l.StatusCode == 201 && l.Allowed);
        Assert.Contains(log, l => l.Datatypes == Datatypes.Receipts && l.StatusCode == 400 && !l.Allowed);

        // Seen: the report empties; the sealed bytes of applied items are gone.
        Assert.Equal(HttpStatusCode.NoContent, (await owner.PostAsync("/owner/api/v1/inbox/seen", null)).StatusCode);
        Assert.Empty((await owner.GetFromJsonAsync<AwayReport>("/owner/api/v1/inbox", SymbolonApplicationFactory.Json))!.Items);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.All(await scope.ServiceProvider.GetRequiredService<SymbolonDbContext>().InboxItems.ToListAsync(), i => Assert.Null(i.Sealed));
        }

        await owner.PostAsync("/owner/api/v1/vault/lock", null);
        await AssertNotStoredAsync(factory, Planted);
    }

    [Fact]
    public async Task Profile_values_and_request_replies_queue_with_the_token_or_the_client_secret_and_a_reply_to_a_request_closed_meanwhile_is_refused()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var vendor = await factory.RegisterVendorAsync("Gazette Weekly");
        await factory.AcceptAgreementAsync(vendor);
        var tokens = await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Email], [DataActions.Append]), new ConsentChoices());
        var relationship = (await owner.GetFromJsonAsync<List<RelationshipSummary>>("/owner/api/v1/relationships", SymbolonApplicationFactory.Json))!.Single(r => r.ClientId == vendor.ClientId);
        var access = await RequestFlow.SendRequestAsync(owner, new RequestInput(relationship.Id, RequestKinds.Access, Text: "Everything you hold"));
        var erasure = await RequestFlow.SendRequestAsync(owner, new RequestInput(relationship.Id, RequestKinds.Erasure, Text: "Delete my data"));
        var service = await RequestFlow.SendRequestAsync(owner, new RequestInput(relationship.Id, RequestKinds.Service, Title: "Late paper", Text: "Saturday's paper came on Monday"));

        using var http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var vault = await SymbolonVault.DiscoverAsync(http, new Uri("http://localhost/"), factory.Time);
        var client = vault.CreateClient(new VendorCredentials(vendor.ClientId, vendor.ClientSecret));
        var session = client.ResumeSession(new TokenSet(tokens.AccessToken, null, factory.Time.GetUtcNow().AddHours(1), []));
        var ids = (await session.GetRequestsAsync()).Select(r => r.Id).ToList();
        await owner.PostAsync("/owner/api/v1/vault/lock", null);

        // A profile value: checked as it will be stored, then queued; the SDK gives back what was sent.
        var field = await session.AppendFieldAsync(new VendorFieldAppend(Datatypes.Email, JsonSerializer.SerializeToElement(Planted.Replace(' ', '.') + "@example.org"), "newsletter"), "email-1");
        Assert.Equal((0, "newsletter"), (field.Version, field.Label));
        Assert.Equal(field.Queued!.InboxId, field.Id);
        var badEmail = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.AppendFieldAsync(new VendorFieldAppend(Datatypes.Email, JsonSerializer.SerializeToElement("not an address"))));
        Assert.Equal((ProblemCodes.InvalidValue, 400), (badEmail.Code, badEmail.Status));

        // Replies: with the token (an export attached) and with the client's own id and secret.
        var export = Encoding.UTF8.GetBytes("{\"subscriber\":\"" + Planted + "\"}");
        var answered = await session.ReplyToRequestAsync(ids[0], new RequestReplyInput("Here is everything", RequestStatuses.Answered, Attachments: [new RequestAttachmentInput("export.json", "application/json", export)]), "reply-1");
        Assert.Equal((ids[0], RequestStatuses.Answered), (answered.Id, answered.Status));
        var attached = Assert.Single(Assert.Single(answered.Replies).Attachments);
        Assert.Equal(("export.json", export.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(export))), (attached.FileName, attached.Size, attached.Sha256));
        Assert.NotNull((await client.ReplyToRequestAsync(ids[1], new RequestReplyInput("Deleted", RequestStatuses.Answered), "reply-2")).Queued);
        Assert.NotNull((await client.ReplyToRequestAsync(ids[2], new RequestReplyInput("Sorry, we will refund it"), "reply-3")).Queued);
        var badReply = await Assert.ThrowsAsync<SymbolonProblemException>(() => client.ReplyToRequestAsync(ids[2], new RequestReplyInput("x", Attachments: [new RequestAttachmentInput("a.exe", "application/x-msdownload", [1])])));
        Assert.Equal(ProblemCodes.InvalidRequestReply, badReply.Code);

        // Sealed while the person is away; then the service request is closed before the inbox opens (as from
        // another device, the moment the vault unlocks): that reply is refused, the others apply once.
        await AssertNotStoredAsync(factory, Planted);
        Assert.Equal(4, await CountAsync(factory, InboxItemState.Pending));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
            await db.Requests.Where(r => r.Id == service.Summary.Id).ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RequestStatuses.Closed));
        }

        await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase));
        await WaitUntilAsync(async () => await CountAsync(factory, InboxItemState.Pending) == 0);
        var report = (await owner.GetFromJsonAsync<AwayReport>("/owner/api/v1/inbox", SymbolonApplicationFactory.Json))!;
        Assert.Equal(
            [("profile", AwayItemStates.Applied), ("requests", AwayItemStates.Applied), ("requests", AwayItemStates.Applied), ("requests", AwayItemStates.Refused)],
            report.Items.Select(i => (i.Kind, i.State)));
        Assert.Equal("You closed the request it answers.", report.Items[3].Problem);

        var email = Assert.Single((await owner.GetFromJsonAsync<ProfileDocument>("/owner/api/v1/profile", SymbolonApplicationFactory.Json))!.Fields, f => f.Kind == ProfileFieldKinds.Email);
        Assert.Equal(("Gazette Weekly", vendor.ClientId, 1), (email.UpdatedBy.DisplayName, email.UpdatedBy.Id, email.Version));
        var accessNow = await RequestFlow.GetRequestAsync(owner, access.Summary.Id);
        Assert.Equal(RequestStatuses.Answered, accessNow.Summary.Status);
        Assert.Equal(attached.Sha256, Assert.Single(Assert.Single(accessNow.Replies).Attachments).Sha256);
        Assert.Equal("Deleted", Assert.Single((await RequestFlow.GetRequestAsync(owner, erasure.Summary.Id)).Replies).Text);
        Assert.Empty((await RequestFlow.GetRequestAsync(owner, service.Summary.Id)).Replies);

        // A retry of a queued reply after the unlock is the stored answer, not a second reply.
        var retried = await session.ReplyToRequestAsync(ids[0], new RequestReplyInput("Here is everything", RequestStatuses.Answered, Attachments: [new RequestAttachmentInput("export.json", "application/json", export)]), "reply-1");
        Assert.Null(retried.Queued);
        Assert.Single(retried.Replies);
    }

    [Fact]
    public async Task A_tampered_item_is_kept_aside_a_revoked_grant_refuses_its_write_and_the_rest_apply_in_order()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, _) = await factory.CreateVaultAsync();
        var (_, _, coffee) = await factory.WalletVendorAsync(owner, "Blue Door Coffee");
        var (bakery, _, bakeryApi) = await factory.WalletVendorAsync(owner, "Corner Bakery", datatypes: [Datatypes.Receipts, Datatypes.Loyalty, Datatypes.CheckIns, Datatypes.Notes]);
        await owner.PostAsync("/owner/api/v1/vault/lock", null);

        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt($"Coffee {i}", number: $"R-{i}"), $"sale-{i}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Accepted, (await DataApiTests.SendAsync(bakeryApi, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput("Your bread is ready"), null)).StatusCode);
        var visit = await DataApiTests.SendAsync(bakeryApi, HttpMethod.Post, "/api/v1/checkins", new VendorCheckInInput("Corner Bakery, Haarlem"), null);
        Assert.Equal(HttpStatusCode.Accepted, visit.StatusCode);

        // One byte of the second receipt flipped; the bakery's grants revoked while the person is away.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SymbolonDbContext>();
            var second = await db.InboxItems.OrderBy(i => i.Sequence).Skip(1).FirstAsync();
            second.Sealed![^5] ^= 0x40;
            db.Entry(second).Property(i => i.Sealed).IsModified = true;
            await db.SaveChangesAsync();
        }

        await WalletApiTests.RevokeGrantsAsync(factory, bakery);

        await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase));
        await WaitUntilAsync(async () => await CountAsync(factory, InboxItemState.Pending) == 0);
        var report = (await owner.GetFromJsonAsync<AwayReport>("/owner/api/v1/inbox", SymbolonApplicationFactory.Json))!;
        Assert.Equal(
            [AwayItemStates.Applied, AwayItemStates.Unopenable, AwayItemStates.Applied, AwayItemStates.Refused, AwayItemStates.Refused],
            report.Items.Select(i => i.State));
        Assert.Contains("revoked", report.Items[3].Problem, StringComparison.Ordinal);
        Assert.NotNull(report.Items[1].Problem);

        var history = (await owner.GetFromJsonAsync<List<WalletReceipt>>("/owner/api/v1/receipts", SymbolonApplicationFactory.Json))!;
        Assert.Equal(["Coffee 1", "Coffee 3"], history.Select(r => r.Receipt.Lines[0].Description).Order(StringComparer.Ordinal));

        // The unopenable item keeps its bytes for the person to look into; marking seen does not drop it.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var items = await scope.ServiceProvider.GetRequiredService<SymbolonDbContext>().InboxItems.OrderBy(i => i.Sequence).ToListAsync();
            Assert.NotNull(items[1].Sealed);
            Assert.Null(items[0].Sealed);
        }
    }

    [Fact]
    public async Task While_the_inbox_drains_new_writes_queue_behind_it_and_a_retry_of_a_live_write_replays_its_answer()
    {
        using var factory = new SymbolonApplicationFactory();
        var (owner, created) = await factory.CreateVaultAsync();
        var (_, _, coffee) = await factory.WalletVendorAsync(owner, "Blue Door Coffee");
        var live = await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt("Live"), "live-1");
        Assert.Equal(HttpStatusCode.Created, live.StatusCode);
        await owner.PostAsync("/owner/api/v1/vault/lock", null);
        Assert.Equal(HttpStatusCode.Accepted, (await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt("Away", number: "R-2"), "away-1")).StatusCode);

        // The applier held back: the vault is unlocked, an item still waits.
        var applying = factory.Services.GetRequiredService<Symbolon.Server.Inbox.InboxGate>().Applying(created.VaultId);
        await applying.WaitAsync();
        try
        {
            await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase));
            var after = await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt("After", number: "R-3"), "after-1");
            Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
            var retry = await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt("Live"), "live-1");
            Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
            Assert.Equal(await live.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        }
        finally
        {
            applying.Release();
        }

        // Released: both apply, in arrival order, and writes go live again.
        await WaitUntilAsync(async () => await CountAsync(factory, InboxItemState.Pending) == 0);
        var history = (await owner.GetFromJsonAsync<List<WalletReceipt>>("/owner/api/v1/receipts", SymbolonApplicationFactory.Json))!;
        Assert.Equal(["After", "Away", "Live"], history.Select(r => r.Receipt.Lines[0].Description).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.Created, (await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt("Later", number: "R-4"), "later-1")).StatusCode);
    }

    [Fact]
    public async Task A_full_inbox_refuses_by_count_and_by_bytes_and_the_person_sees_the_vendor_turned_away()
    {
        using var factory = new SymbolonApplicationFactory { Settings = { ["Inbox:MaxItemsPerVendor"] = "2", ["Inbox:MaxBytes"] = "8000" } };
        var (owner, _) = await factory.CreateVaultAsync();
        var (_, _, coffee) = await factory.WalletVendorAsync(owner, "Blue Door Coffee");
        var (_, _, bakery) = await factory.WalletVendorAsync(owner, "Corner Bakery");
        await owner.PostAsync("/owner/api/v1/vault/lock", null);

        Assert.Equal(HttpStatusCode.Accepted, (await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt("A"), "a")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt("B"), "b")).StatusCode);
        await DataApiTests.AssertProblemAsync(await DataApiTests.SendAsync(coffee, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt("C"), "c"), HttpStatusCode.TooManyRequests, ProblemCodes.InboxFull);

        // The bakery may still write, but a sale of 150 lines is more bytes than the inbox has left in all.
        var lines = Enumerable.Range(1, 150).Select(n => new ReceiptLineInput($"Bread {n}", 1, 1.00m, 0m, 1.00m)).ToList();
        var big = new ReceiptInput("Corner Bakery", new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero), "EUR", lines, 150m, 0m, 150m, "card");
        Assert.Equal(HttpStatusCode.Accepted, (await DataApiTests.SendAsync(bakery, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt("Roll", store: "Corner Bakery"), "small")).StatusCode);
        var response = await DataApiTests.SendAsync(bakery, HttpMethod.Post, "/api/v1/receipts", big, "big");
        await DataApiTests.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, ProblemCodes.InboxBytesFull);
        await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase));
        var report = (await owner.GetFromJsonAsync<AwayReport>("/owner/api/v1/inbox", SymbolonApplicationFactory.Json))!;
        Assert.Equal(["Blue Door Coffee", "Corner Bakery"], report.Refused.Select(r => r.Vendor));
        Assert.Equal(1, report.Refused[0].Count);
    }

    [Fact]
    public async Task Sealed_bytes_open_only_with_the_vault_key_and_envelope_they_were_sealed_to()
    {
        using var vault = NSec.Cryptography.Key.Create(NSec.Cryptography.KeyAgreementAlgorithm.X25519);
        using var other = NSec.Cryptography.Key.Create(NSec.Cryptography.KeyAgreementAlgorithm.X25519);
        var publicKey = vault.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        var sealedBytes = InboxSeal.Seal(publicKey, "envelope"u8, Encoding.UTF8.GetBytes(Planted));
        Assert.False(Contains(sealedBytes, Encoding.UTF8.GetBytes(Planted)));
        Assert.Equal(Planted, Encoding.UTF8.GetString(InboxSeal.Open(vault, "envelope"u8, sealedBytes)!));
        Assert.Null(InboxSeal.Open(other, "envelope"u8, sealedBytes));
        Assert.Null(InboxSeal.Open(vault, "another"u8, sealedBytes));
        Assert.Null(InboxSeal.Open(vault, "envelope"u8, sealedBytes.AsSpan(0, 40)));

        // Two seals of the same bytes differ (a fresh ephemeral key each time).
        Assert.NotEqual(sealedBytes, InboxSeal.Seal(publicKey, "envelope"u8, Encoding.UTF8.GetBytes(Planted)));
        await Task.CompletedTask;
    }

    private static async Task<int> CountAsync(SymbolonApplicationFactory factory, InboxItemState state)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SymbolonDbContext>().InboxItems.CountAsync(i => i.State == state);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 400; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail("The inbox was not applied in 10 s.");
    }

    // The database's bytes: the SQLite file and its WAL, or every PostgreSQL table's rows as text (bytea as hex).
    private static async Task AssertNotStoredAsync(SymbolonApplicationFactory factory, string value)
    {
        if (factory.PostgresConnectionString is { } connectionString)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var tables = new List<string>();
            await using (var list = new NpgsqlCommand("SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'public'", connection))
            await using (var reader = await list.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            var hex = Convert.ToHexString(Encoding.UTF8.GetBytes(value)).ToLowerInvariant();
            foreach (var table in tables)
            {
#pragma warning disable CA2100 // Table names come from the catalogue, quoted by the server.
                await using var dump = new NpgsqlCommand($"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {table} t", connection);
#pragma warning restore CA2100
                var text = (string)(await dump.ExecuteScalarAsync())!;
                Assert.DoesNotContain(value, text, StringComparison.Ordinal);
                Assert.DoesNotContain(hex, text, StringComparison.Ordinal);
            }

            return;
        }

        foreach (var file in Directory.GetFiles(factory.DataDirectory, "symbolon.db*"))
        {
            byte[] bytes;
            await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[stream.Length];
                await stream.ReadExactlyAsync(bytes);
            }

            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(value)), $"'{value}' found in {Path.GetFileName(file)}");
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
