using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Symbolon.Contracts.Card;
using Symbolon.Contracts.Vendor;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests.Card;

/// <summary>The card at the counter over raw HTTP, as any RFC 8628 client would drive it, and the person's side through the owner API.</summary>
public static class CardFlow
{
    public static async Task<CardCode> IssueCardCodeAsync(this HttpClient owner)
    {
        var response = await owner.PostAsync("/owner/api/v1/card/codes", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CardCode>(SymbolonApplicationFactory.Json))!;
    }

    /// <summary>The vendor's till posts the scanned code with what it asks for to the device authorization endpoint.</summary>
    public static async Task<HttpResponseMessage> RedeemCardAsync(this SymbolonApplicationFactory factory, RegisteredVendor vendor, string code, string details)
    {
        using var client = factory.CreateVendorClient(vendor);
        return await client.PostAsync("/connect/device", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["card_code"] = code,
            ["authorization_details"] = details,
        }));
    }

    /// <summary>Redeems and expects the device authorization response; returns the device code.</summary>
    public static async Task<string> RedeemCardOkAsync(this SymbolonApplicationFactory factory, RegisteredVendor vendor, string code, string details)
    {
        var response = await factory.RedeemCardAsync(vendor, code, details);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.True(body.GetProperty("expires_in").GetInt32() > 0);
        return body.GetProperty("device_code").GetString()!;
    }

    public static Task<HttpResponseMessage> PollAsync(this SymbolonApplicationFactory factory, RegisteredVendor vendor, string deviceCode) =>
        factory.TokenRequestAsync(vendor, new Dictionary<string, string>
        {
            ["grant_type"] = CardProtocol.DeviceCodeGrantType,
            ["device_code"] = deviceCode,
        });

    /// <summary>Polls once and returns the OAuth error, failing if tokens came back.</summary>
    public static async Task<string> PollErrorAsync(this SymbolonApplicationFactory factory, RegisteredVendor vendor, string deviceCode)
    {
        var response = await factory.PollAsync(vendor, deviceCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body.ToString());
        Assert.False(body.TryGetProperty("access_token", out _));
        return body.GetProperty("error").GetString()!;
    }

    /// <summary>Polls once and expects tokens; returns them and the relationship handle.</summary>
    public static async Task<(VendorTokens Tokens, string Subject)> PollTokensAsync(this SymbolonApplicationFactory factory, RegisteredVendor vendor, string deviceCode)
    {
        var response = await factory.PollAsync(vendor, deviceCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var subject = JsonDocument.Parse(text).RootElement.GetProperty(CardProtocol.SubjectParameter).GetString()!;
        return (await VendorFlow.ReadTokensAsync(new HttpResponseMessage { Content = new StringContent(text, System.Text.Encoding.UTF8, "application/json") }), subject);
    }

    public static async Task<IReadOnlyList<CardRequest>> PendingCardRequestsAsync(this HttpClient owner) =>
        (await owner.GetFromJsonAsync<IReadOnlyList<CardRequest>>("/owner/api/v1/card/requests?pending=true", SymbolonApplicationFactory.Json))!;

    public static async Task<CardRequest> ApproveCardRequestAsync(this HttpClient owner, Guid id, CardRequestApproval? approval = null)
    {
        var response = await owner.PostAsJsonAsync($"/owner/api/v1/card/requests/{id}/approve", approval ?? new CardRequestApproval(), SymbolonApplicationFactory.Json);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CardRequest>(SymbolonApplicationFactory.Json))!;
    }

    public static async Task<CardRequest> DeclineCardRequestAsync(this HttpClient owner, Guid id)
    {
        var response = await owner.PostAsync($"/owner/api/v1/card/requests/{id}/decline", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CardRequest>(SymbolonApplicationFactory.Json))!;
    }

    public static async Task SetCardRulesAsync(this HttpClient owner, CardRules rules)
    {
        var response = await owner.PutAsJsonAsync("/owner/api/v1/card/rules", rules, SymbolonApplicationFactory.Json);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A vendor registered and under SD-BASE, ready for the counter.</summary>
    public static async Task<RegisteredVendor> VendorAtTheCounterAsync(this SymbolonApplicationFactory factory, string name = "Blue Door Coffee")
    {
        var vendor = await factory.RegisterVendorAsync(name);
        await factory.AcceptAgreementAsync(vendor);
        return vendor;
    }
}
