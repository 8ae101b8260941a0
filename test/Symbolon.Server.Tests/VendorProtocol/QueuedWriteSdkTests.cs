using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Symbolon.Client;
using Symbolon.Contracts.Inbox;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;
using Symbolon.Server.Tests.Wallet;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>
/// The SDK against the real server while the person is away: each write that can wait comes back as the method's usual
/// type built from what was sent, with <c>Queued</c> set and the inbox id; reads are refused with <c>SYM1108</c> and a
/// <c>Retry-After</c>; a full inbox is <c>SYM1109</c>; after the unlock the writes are there, once.
/// </summary>
public sealed class QueuedWriteSdkTests
{
    [Fact]
    public async Task Writes_while_the_person_is_away_come_back_queued_reads_say_when_to_retry_and_the_unlock_applies_them()
    {
        using var factory = new SymbolonApplicationFactory { Settings = { ["Inbox:MaxItemsPerVendor"] = "6" } };
        var (owner, _) = await factory.CreateVaultAsync();
        var (registered, tokens, _) = await factory.WalletVendorAsync(owner, "Blue Door Coffee", [Datatypes.Receipts, Datatypes.Loyalty, Datatypes.CheckIns, Datatypes.Notes]);
        using var http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var vault = await SymbolonVault.DiscoverAsync(http, new Uri("http://localhost/"), factory.Time);
        var session = vault.CreateClient(new VendorCredentials(registered.ClientId, registered.ClientSecret))
            .ResumeSession(new TokenSet(tokens.AccessToken, null, factory.Time.GetUtcNow().AddHours(1), []));
        await owner.PostAsync("/owner/api/v1/vault/lock", null);

        var receipt = WalletFlow.Receipt("Flat white");
        var pushed = await session.PushReceiptAsync(receipt, "sale-1");
        Assert.NotNull(pushed.Queued);
        Assert.Equal(pushed.Queued.InboxId, pushed.Id);
        Assert.Same(receipt, pushed.Receipt);
        Assert.Equal(pushed.Id, (await session.PushReceiptAsync(receipt, "sale-1")).Id);

        var programme = new LoyaltyProgrammeInput("Coffee card", LoyaltyProgrammeKinds.Stamps, "stamps", 10, "A free coffee");
        var stamp = await session.PushLoyaltyEventAsync(new LoyaltyEventInput(LoyaltyEventKinds.StampEarned, Programme: programme), "stamp-1");
        Assert.Equal((1, 0), (stamp.Amount, stamp.BalanceAfter));
        Assert.NotNull(stamp.Queued);
        var visit = await session.RecordCheckInAsync(new VendorCheckInInput("Blue Door Coffee, Haarlem", Note: "Table 4"));
        Assert.Equal(("Blue Door Coffee, Haarlem", "Table 4"), (visit.Place, visit.Note));
        Assert.NotNull(visit.Queued);
        Assert.NotNull((await session.AppendNoteAsync("Your beans are in")).Queued);
        var message = await session.SendMessageAsync("Your order is ready");
        Assert.Equal((MessageAuthors.Vendor, "Your order is ready"), (message.From, message.Text));
        Assert.NotNull(message.Queued);

        var away = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.GetReceiptsAsync());
        Assert.Equal((ProblemCodes.PersonAway, 423, TimeSpan.FromSeconds(300)), (away.Code, away.Status, away.RetryAfter));
        Assert.NotNull((await session.AppendNoteAsync("Six")).Queued);
        var full = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.AppendNoteAsync("Seven"));
        Assert.Equal((ProblemCodes.InboxFull, 429), (full.Code, full.Status));

        await owner.PostAsJsonAsync("/owner/api/v1/vault/unlock", new UnlockRequest(SymbolonApplicationFactory.Passphrase));
        for (var i = 0; i < 400 && (await owner.GetFromJsonAsync<AwayReport>("/owner/api/v1/inbox", SymbolonApplicationFactory.Json))!.Items.Any(x => x.State == AwayItemStates.Pending); i++)
        {
            await Task.Delay(25);
        }

        var stored = Assert.Single(await session.GetReceiptsAsync());
        Assert.Null(stored.Queued);
        Assert.Equal(receipt.Lines, stored.Receipt.Lines);
        Assert.Equal(receipt with { Lines = stored.Receipt.Lines }, stored.Receipt);
        Assert.Equal(1, (await session.GetLoyaltyAsync()).Balance);
        Assert.Equal(["Your beans are in", "Six"], (await session.GetNotesAsync()).Select(n => n.Text));
        Assert.Equal("Table 4", Assert.Single(await session.GetCheckInsAsync()).Note);
        Assert.Equal("Your order is ready", Assert.Single(await session.GetMessagesAsync()).Text);
    }

    [Fact]
    public void The_outcome_of_a_queued_write_reads_from_either_inbox_event()
    {
        var at = new DateTimeOffset(2026, 12, 7, 9, 30, 0, TimeSpan.Zero);
        var data = JsonSerializer.SerializeToElement(new { subject = "sub", inbox_id = "inb_1", status = 409, resource_id = (string?)null, problem = ProblemCodes.InsufficientBalance });
        var refused = new WebhookEvent(WebhookEventTypes.InboxRefused, at, data).GetInboxOutcome();
        Assert.Equal(new InboxOutcomeData("sub", "inb_1", 409, null, ProblemCodes.InsufficientBalance), refused);
        Assert.Equal("inb_1", new WebhookEvent(WebhookEventTypes.InboxApplied, at, data).GetInboxOutcome().InboxId);
        Assert.Throws<InvalidOperationException>(() => new WebhookEvent(WebhookEventTypes.GrantRevoked, at, data).GetInboxOutcome());
    }
}
