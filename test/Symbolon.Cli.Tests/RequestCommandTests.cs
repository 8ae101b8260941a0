using Symbolon.Cli.Infrastructure;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Cli.Tests;

/// <summary><c>request new | list | show</c> against a real vendor relationship, in remote and local mode.</summary>
public sealed class RequestCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Requests_are_sent_listed_and_shown_with_the_vendors_answer_in_remote_mode_and_then_in_local_mode()
    {
        string clientId;
        Guid accessId;
        await using (var server = await RunningServer.StartAsync(_cli.DataDirectory))
        {
            _cli.Environment["SYMBOLON_SERVER"] = server.Url.ToString();
            await _cli.InitAsync();
            using var vendor = await VendorOverHttp.RegisterAsync(server.Url, "Harbour Books");
            await vendor.GrantAsync(CliHarness.Passphrase, ["profile.email"], "Tell you when your book arrives");
            clientId = vendor.ClientId;

            var sent = (await _cli.RunAsync("request", "new", clientId, "access", "--text", "All you hold, please", "--json")).Succeeded().Json<RequestDetail>();
            accessId = sent.Summary.Id;
            Assert.Equal((RequestKinds.Access, RequestStatuses.Sent, "Harbour Books"), (sent.Summary.Kind, sent.Summary.Status, sent.Summary.Vendor.Name));
            Assert.NotNull(sent.Summary.DueAt);

            // The vendor reads it through the SDK and answers with an export.
            var seen = Assert.Single(await vendor.Session!.GetRequestsAsync());
            Assert.Equal("All you hold, please", seen.Text);
            await vendor.Session.ReplyToRequestAsync(seen.Id, new RequestReplyInput("Your data is attached.", RequestStatuses.Answered,
                Attachments: [new RequestAttachmentInput("books.csv", "text/csv", "title,date\nMoby-Dick,2026-11-01\n"u8.ToArray())]), "answer-1");

            var listed = Assert.Single((await _cli.RunAsync("request", "list", "--json")).Succeeded().Json<List<RequestSummary>>());
            Assert.Equal((accessId, RequestStatuses.Answered, false), (listed.Id, listed.Status, listed.Overdue));
            var shown = (await _cli.RunAsync("request", "show", accessId.ToString())).Succeeded().Stdout;
            Assert.Contains("Your data is attached.", shown, StringComparison.Ordinal);
            Assert.Contains("books.csv", shown, StringComparison.Ordinal);
            Assert.Contains("One month from receipt", shown, StringComparison.Ordinal);
        }

        // No server now: the CLI opens the storage itself.
        _cli.Environment.Remove("SYMBOLON_SERVER");
        var service = (await _cli.RunWithPassphraseAsync("request", "new", clientId, "service", "--title", "Torn cover", "--text", "The book arrived torn.", "--due", "2099-01-31")).Succeeded().Stdout;
        Assert.Contains("Sent service request to Harbour Books", service, StringComparison.Ordinal);
        Assert.Contains("Set by you", service, StringComparison.Ordinal);
        var all = (await _cli.RunWithPassphraseAsync("request", "list", "--vendor", clientId, "--json")).Succeeded().Json<List<RequestSummary>>();
        Assert.Equal(["Torn cover", "Copy of my data"], all.Select(r => r.Title));
        Assert.Contains("Harbour Books", (await _cli.RunWithPassphraseAsync("request", "list")).Succeeded().Stdout, StringComparison.Ordinal);
        Assert.Contains("Your data is attached.", (await _cli.RunWithPassphraseAsync("request", "show", accessId.ToString())).Succeeded().Stdout, StringComparison.Ordinal);

        // Mistakes get a clear message naming the field, never echoing it.
        var missing = (await _cli.RunWithPassphraseAsync("request", "new", clientId, "service", "--text", "no subject")).Failed();
        Assert.Contains("title", missing.Stderr, StringComparison.Ordinal);
        (await _cli.RunWithPassphraseAsync("request", "new", clientId, "gossip")).Failed(ExitCodes.Usage);
        (await _cli.RunWithPassphraseAsync("request", "show", "not-an-id")).Failed(ExitCodes.Usage);
    }

    public void Dispose() => _cli.Dispose();
}
