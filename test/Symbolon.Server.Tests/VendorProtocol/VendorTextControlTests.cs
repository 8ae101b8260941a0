using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vendor;
using Symbolon.Server.Tests.Requests;
using Symbolon.Server.Tests.Wallet;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>
/// Text a vendor writes reaches the person's terminal through the CLI: control characters (ESC, BEL, C1) and
/// bidirectional overrides are refused where the vendor writes them, with a problem naming the field, and nothing
/// is stored.
/// </summary>
public sealed class VendorTextControlTests(VendorTextControlTests.RelatedVendor shared) : IClassFixture<VendorTextControlTests.RelatedVendor>
{
    /// <summary>Characters that drive a terminal or reorder text: each one alone is refused.</summary>
    public static TheoryData<string> Hostile => new()
    {
        "\u001B]0;owned\u0007",
        "\u001B[2J",
        "\u0007",
        "\u009B31m",
        "\u0085",
        "\u007F",
        "\u202E",
        "\u202A",
        "\u2066",
        "\u2069",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Registration_refuses_a_client_name_with_control_characters(string hostile)
    {
        using var client = shared.App.CreateOwnerClient();

        var response = await client.PostAsJsonAsync("/connect/register", new ClientRegistrationRequest(
            $"Blue{hostile} Door Coffee", [VendorFlow.RedirectUri], Agreements: ["SD-BASE"]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_client_metadata", error.GetProperty("error").GetString());
        Assert.StartsWith("client_name", error.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Messages_notes_receipts_loyalty_programmes_and_request_replies_with_control_characters_are_refused_naming_the_field(string hostile)
    {
        var (api, requestId) = (shared.Api, shared.RequestId);

        await RefusedAsync(await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/messages", new VendorMessageInput($"Your beans{hostile} are ready"), null), ProblemCodes.InvalidValue, "text");
        await RefusedAsync(await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput($"Prefers{hostile} oat milk"), null), ProblemCodes.InvalidValue, "text");
        await RefusedAsync(await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/receipts", WalletFlow.Receipt() with { StoreName = $"Blue{hostile} Door" }, null), ProblemCodes.InvalidReceipt, "store_name");
        var receipt = WalletFlow.Receipt();
        await RefusedAsync(await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/receipts", receipt with { Lines = [receipt.Lines[0] with { Description = $"Flat{hostile} white" }, .. receipt.Lines.Skip(1)] }, null), ProblemCodes.InvalidReceipt, "lines[0].description");
        var stamp = new LoyaltyEventInput(LoyaltyEventKinds.StampEarned, Programme: new LoyaltyProgrammeInput($"Coffee{hostile} card", LoyaltyProgrammeKinds.Stamps, "stamps", 10, "A free coffee"));
        await RefusedAsync(await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/loyalty/events", stamp, null), null, "programme.name");
        await RefusedAsync(await RequestFlow.ReplyAsync(shared.RequestApi, requestId, new RequestReplyInput($"We are{hostile} on it", RequestStatuses.InProgress)), null, "text");

        // Line breaks and tabs stay allowed in texts of several lines.
        Assert.Equal(HttpStatusCode.Created, (await DataApiTests.SendAsync(api, HttpMethod.Post, "/api/v1/notes", new VendorNoteInput("Prefers oat milk.\n\tNo sugar."), null)).StatusCode);
    }

    /// <summary>The shared vault with one vendor that may write everything tested here, and a request to reply to.</summary>
    public sealed class RelatedVendor : SharedVault
    {
        public HttpClient Api { get; private set; } = null!;

        public string RequestId { get; private set; } = "";

        protected override async Task SeedAsync(HttpClient owner)
        {
            var vendor = await App.RelatedVendorAsync(owner, "Blue Door Coffee");
            await RequestFlow.SendRequestAsync(owner, new RequestInput(vendor.RelationshipId, RequestKinds.Access));
            RequestId = Assert.Single(await RequestFlow.VendorRequestsAsync(vendor.Api)).Id;
            (_, _, Api) = await App.WalletVendorAsync(owner, "Corner Bakery", [Datatypes.Receipts, Datatypes.Loyalty, Datatypes.Notes]);
            _requests = vendor.Api;
        }

        private HttpClient? _requests;

        public HttpClient RequestApi => _requests!;
    }

    private static async Task RefusedAsync(HttpResponseMessage response, string? code, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{field}: {response.StatusCode} {text}");
        var problem = JsonSerializer.Deserialize<JsonElement>(text);
        if (code is not null)
        {
            Assert.Equal(code, problem.GetProperty("code").GetString());
        }

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var reasons), $"{field}: {text}");
        Assert.Contains("control characters", reasons.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\u001B", text, StringComparison.Ordinal);
    }
}
