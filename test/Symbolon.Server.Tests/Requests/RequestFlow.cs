using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Requests;
using Symbolon.Contracts.Vault;
using Symbolon.Contracts.Vendor;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests.Requests;

/// <summary>A vendor in a live relationship, as the request tests use it.</summary>
internal sealed record RequestVendor(RegisteredVendor Vendor, VendorTokens Tokens, HttpClient Api, Guid RelationshipId);

/// <summary>Intent methods for the request tests: a related vendor, a request sent, a reply posted.</summary>
internal static class RequestFlow
{
    /// <summary>
    /// A vendor granted only <c>append</c> on receipts: requests need no data grant, so its token reads no datatype
    /// and still reads and answers its requests.
    /// </summary>
    public static async Task<RequestVendor> RelatedVendorAsync(this SymbolonApplicationFactory factory, HttpClient owner, string name, string? webhookUri = null, string expiry = "90d")
    {
        var vendor = await factory.RegisterVendorAsync(name, webhookUri);
        await factory.AcceptAgreementAsync(vendor);
        var tokens = await factory.GrantAsync(owner, vendor, VendorFlow.Details([Datatypes.Receipts], [DataActions.Append]), new ConsentChoices(Expiry: expiry));
        var relationships = (await owner.GetFromJsonAsync<List<RelationshipSummary>>("/owner/api/v1/relationships", SymbolonApplicationFactory.Json))!;
        var relationship = relationships.Single(r => r.ClientId == vendor.ClientId);
        return new RequestVendor(vendor, tokens, factory.CreateBearerClient(tokens.AccessToken), relationship.Id);
    }

    public static async Task<RequestDetail> SendRequestAsync(HttpClient owner, RequestInput input)
    {
        var response = await owner.PostAsJsonAsync("/owner/api/v1/requests", input, SymbolonApplicationFactory.Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RequestDetail>(SymbolonApplicationFactory.Json))!;
    }

    public static async Task<RequestDetail> GetRequestAsync(HttpClient owner, Guid id) =>
        (await owner.GetFromJsonAsync<RequestDetail>($"/owner/api/v1/requests/{id}", SymbolonApplicationFactory.Json))!;

    public static async Task<List<VendorRequest>> VendorRequestsAsync(HttpClient api)
    {
        var response = await api.GetAsync("/api/v1/requests");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonSerializer.Deserialize<List<VendorRequest>>(body)!;
    }

    public static Task<HttpResponseMessage> ReplyAsync(HttpClient api, string requestId, RequestReplyInput reply, string? idempotencyKey = null) =>
        DataApiTests.SendAsync(api, HttpMethod.Post, $"/api/v1/requests/{requestId}/replies", reply, idempotencyKey);

    /// <summary>A personal access token client for the owner, for tests that move the clock past the cookie's 12 hours.</summary>
    public static async Task<HttpClient> LongLivedOwnerAsync(this SymbolonApplicationFactory factory, HttpClient owner)
    {
        var response = await owner.PostAsJsonAsync("/owner/api/v1/tokens", new CreateTokenRequest("request tests", 365), SymbolonApplicationFactory.Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var token = (await response.Content.ReadFromJsonAsync<OwnerToken>(SymbolonApplicationFactory.Json))!;
        return factory.CreateTokenClient(token.Token!);
    }
}
