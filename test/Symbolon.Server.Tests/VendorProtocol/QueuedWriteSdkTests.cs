using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Symbolon.Client;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>
/// The SDK's reading of the sealed inbox's answers, against a scripted vault: a write queued while the person is away
/// (<c>202 Accepted</c>) comes back as the method's usual type built from what was sent, with <c>Queued</c> set; a read
/// refused meanwhile carries its <c>Retry-After</c>. The server's side is tested against the real server elsewhere.
/// </summary>
public sealed class QueuedWriteSdkTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 12, 7, 9, 30, 0, TimeSpan.Zero);

    private static async Task<(VendorSession Session, ScriptedVault Vault)> SessionAsync(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        var scripted = new ScriptedVault(answer);
        var http = new HttpClient(scripted);
        var vault = await SymbolonVault.DiscoverAsync(http, ScriptedVault.Issuer);
        var client = vault.CreateClient(new VendorCredentials("client", "secret"));
        return (client.ResumeSession(new TokenSet("access", null, DateTimeOffset.MaxValue, [])), scripted);
    }

    private static HttpResponseMessage Queued(string inboxId) => new(HttpStatusCode.Accepted)
    {
        Content = new StringContent(JsonSerializer.Serialize(new QueuedWrite(inboxId, ReceivedAt)), Encoding.UTF8, "application/json"),
    };

    [Fact]
    public async Task Writes_queued_while_the_person_is_away_come_back_as_sent_with_the_inbox_id_and_queued_set()
    {
        var (session, vault) = await SessionAsync(request => Queued("inb_" + request.RequestUri!.AbsolutePath.Split("/api/v1/")[1].Replace('/', '_')));

        var receipt = new ReceiptInput("Blue Door Coffee", ReceivedAt.AddMinutes(-1), "EUR", [new ReceiptLineInput("Flat white", 1, 3.50m, 0.29m, 3.50m)], 3.50m, 0.29m, 3.50m, "card");
        var pushed = await session.PushReceiptAsync(receipt, "receipt-1");
        Assert.Equal("inb_receipts", pushed.Id);
        Assert.Same(receipt, pushed.Receipt);
        Assert.Equal(ReceivedAt, pushed.RecordedAt);
        Assert.Equal(new QueuedWrite("inb_receipts", ReceivedAt), pushed.Queued);
        Assert.Equal("receipt-1", vault.Requests[^1].Headers.GetValues("Idempotency-Key").Single());

        // A stamp without an amount counts one, as the vault counts it; the balance is not known yet.
        var programme = new LoyaltyProgrammeInput("Blue Door coffee card", LoyaltyProgrammeKinds.Stamps, "stamps", 10, "A free coffee");
        var stamp = await session.PushLoyaltyEventAsync(new LoyaltyEventInput(LoyaltyEventKinds.StampEarned, Programme: programme, Note: "Receipt 1"));
        Assert.Equal(("inb_loyalty_events", LoyaltyEventKinds.StampEarned, 1, 0, "Receipt 1", ReceivedAt), (stamp.Id, stamp.Kind, stamp.Amount, stamp.BalanceAfter, stamp.Note, stamp.At));
        Assert.NotNull(stamp.Queued);

        // A redemption is negative, as the vault records it; a reward without its own text takes the programme's.
        var reward = await session.PushLoyaltyEventAsync(new LoyaltyEventInput(LoyaltyEventKinds.RewardIssued, 10, programme));
        Assert.Equal((-10, 0, "A free coffee"), (reward.Amount, reward.BalanceAfter, reward.Reward));
        var redeemed = await session.PushLoyaltyEventAsync(new LoyaltyEventInput(LoyaltyEventKinds.StampsRedeemed, 3));
        Assert.Equal((-3, (string?)null), (redeemed.Amount, redeemed.Reward));

        var visit = await session.RecordCheckInAsync(new VendorCheckInInput("Blue Door Coffee, Utrecht", Note: "Table 4"));
        Assert.Equal(("inb_checkins", "Blue Door Coffee, Utrecht", ReceivedAt, "Table 4"), (visit.Id, visit.Place, visit.At, visit.Note));
        Assert.NotNull(visit.Queued);
        var earlier = ReceivedAt.AddHours(-2);
        Assert.Equal(earlier, (await session.RecordCheckInAsync(new VendorCheckInInput("Blue Door Coffee", earlier))).At);

        var note = await session.AppendNoteAsync("Prefers oat milk");
        Assert.Equal(("inb_notes", "Prefers oat milk", ReceivedAt), (note.Id, note.Text, note.CreatedAt));
        Assert.NotNull(note.Queued);

        var message = await session.SendMessageAsync("Your beans are in.", marketing: true);
        Assert.Equal(("inb_messages", MessageAuthors.Vendor, "Your beans are in.", true, ReceivedAt), (message.Id, message.From, message.Text, message.Marketing, message.SentAt));
        Assert.NotNull(message.Queued);

        // The JSON of a result stays the stored shape: Queued is the SDK's, not the wire's.
        Assert.DoesNotContain("queued", JsonSerializer.Serialize(note), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_202_without_an_inbox_id_is_a_problem_not_a_result()
    {
        var (session, _) = await SessionAsync(_ => new HttpResponseMessage(HttpStatusCode.Accepted) { Content = new StringContent("{}", Encoding.UTF8, "application/json") });
        var problem = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.AppendNoteAsync("Prefers oat milk"));
        Assert.Equal(202, problem.Status);
    }

    [Fact]
    public async Task Refusals_while_the_person_is_away_carry_their_code_and_retry_after()
    {
        var (session, _) = await SessionAsync(request => request.RequestUri!.AbsolutePath switch
        {
            "/api/v1/receipts" when request.Method == HttpMethod.Get => Problem(423, ProblemCodes.PersonAway, retry => retry.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(300))),
            "/api/v1/loyalty" => Problem(423, ProblemCodes.PersonAway, retry =>
            {
                retry.Date = ReceivedAt;
                retry.RetryAfter = new RetryConditionHeaderValue(ReceivedAt.AddMinutes(2));
            }),
            "/api/v1/receipts" => Problem(413, ProblemCodes.InboxBytesFull),
            _ => Problem(429, ProblemCodes.InboxFull),
        });

        var away = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.GetReceiptsAsync());
        Assert.Equal((423, ProblemCodes.PersonAway, (TimeSpan?)TimeSpan.FromMinutes(5)), (away.Status, away.Code, away.RetryAfter));
        var dated = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.GetLoyaltyAsync());
        Assert.Equal(TimeSpan.FromMinutes(2), dated.RetryAfter);

        var full = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.AppendNoteAsync("Prefers oat milk"));
        Assert.Equal((429, ProblemCodes.InboxFull, (TimeSpan?)null), (full.Status, full.Code, full.RetryAfter));
        var receipt = new ReceiptInput("Blue Door Coffee", ReceivedAt, "EUR", [new ReceiptLineInput("Espresso", 1, 2.60m, 0.21m, 2.60m)], 2.60m, 0.21m, 2.60m, "cash");
        var bytes = await Assert.ThrowsAsync<SymbolonProblemException>(() => session.PushReceiptAsync(receipt, "receipt-2"));
        Assert.Equal(ProblemCodes.InboxBytesFull, bytes.Code);
    }

    [Fact]
    public void The_outcome_of_a_queued_write_reads_from_either_inbox_event()
    {
        var data = JsonSerializer.SerializeToElement(new { subject = "sub", inbox_id = "inb_1", status = 409, resource_id = (string?)null, problem = ProblemCodes.InsufficientBalance });
        var refused = new WebhookEvent(WebhookEventTypes.InboxRefused, ReceivedAt, data).GetInboxOutcome();
        Assert.Equal(new InboxOutcomeData("sub", "inb_1", 409, null, ProblemCodes.InsufficientBalance), refused);
        Assert.Equal("inb_1", new WebhookEvent(WebhookEventTypes.InboxApplied, ReceivedAt, data).GetInboxOutcome().InboxId);
        Assert.Throws<InvalidOperationException>(() => new WebhookEvent(WebhookEventTypes.GrantRevoked, ReceivedAt, data).GetInboxOutcome());
    }

    private static HttpResponseMessage Problem(int status, string code, Action<HttpResponseHeaders>? headers = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent(JsonSerializer.Serialize(new ProblemDocument(Title: "Refused.", Status: status, Code: code), JsonSerializerOptions.Web), Encoding.UTF8, "application/problem+json"),
        };
        headers?.Invoke(response.Headers);
        return response;
    }

    /// <summary>Serves the two metadata documents a discovery needs and hands every data-API call to a script.</summary>
    private sealed class ScriptedVault(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public static readonly Uri Issuer = new("https://vault.example.org/");

        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            var issuer = Issuer.ToString();
            object? document = request.RequestUri!.AbsolutePath switch
            {
                "/.well-known/oauth-authorization-server" => new AuthorizationServerMetadata(issuer, issuer + "authorize", issuer + "token", issuer + "par",
                    CodeChallengeMethodsSupported: ["S256"], AuthorizationDetailsTypesSupported: [Datatypes.AuthorizationDetailsType]),
                "/.well-known/symbolon" => new SymbolonMetadata(issuer, issuer + "api/v1/", 1, issuer + "register", issuer + "api/v1/agreements", [], [], WebhookEventTypes.All),
                _ => null,
            };
            return Task.FromResult(document is null
                ? answer(request)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(JsonSerializer.Serialize(document), Encoding.UTF8, "application/json") });
        }
    }
}
