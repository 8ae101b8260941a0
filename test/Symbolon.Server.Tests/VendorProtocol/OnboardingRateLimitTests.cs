using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Relationships;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>A vault with low onboarding limits, so that a short burst reaches them.</summary>
public sealed class TightOnboardingLimits : SharedVault
{
    public TightOnboardingLimits()
    {
        App.Settings["RateLimits:RegistrationsPerHour"] = "3";
        App.Settings["RateLimits:PushedAuthorizationsPerMinute"] = "3";
        App.Settings["RateLimits:AgreementAcceptancesPerMinute"] = "2";
    }

    /// <summary>A client whose requests come from <paramref name="address"/> (each test uses addresses of its own).</summary>
    public HttpClient ClientFrom(string address, RegisteredVendor? vendor = null)
    {
        var client = new HttpClient(App.Server.CreateHandler(context => context.Connection.RemoteIpAddress = IPAddress.Parse(address))) { BaseAddress = new Uri("http://localhost") };
        if (vendor is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(vendor.ClientId)}:{Uri.EscapeDataString(vendor.ClientSecret)}")));
        }

        return client;
    }

    public async Task<RegisteredVendor> RegisterFromAsync(string address, string name)
    {
        using var client = ClientFrom(address);
        var response = await client.PostAsJsonAsync("/connect/register", Registration(name));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var registered = (await response.Content.ReadFromJsonAsync<ClientRegistrationResponse>())!;
        return new RegisteredVendor(registered.ClientId, registered.ClientSecret, null, VendorFlow.RedirectUri);
    }

    public static ClientRegistrationRequest Registration(string name) => new(name, [VendorFlow.RedirectUri], Agreements: ["SD-BASE"]);
}

/// <summary>
/// A stranger cannot flood the vault through the steps open to anyone: a burst of registrations, pushed authorization
/// requests or agreement acceptances from one address is cut off at the limit with 429, Retry-After and SYM2551, and
/// what was refused is not stored; other addresses are not affected.
/// </summary>
public sealed class OnboardingRateLimitTests(TightOnboardingLimits vault) : IClassFixture<TightOnboardingLimits>
{
    [Fact]
    public async Task A_burst_of_registrations_from_one_address_is_cut_off_at_the_limit_and_the_rest_is_not_stored()
    {
        using var flooder = vault.ClientFrom("203.0.113.1");
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => flooder.PostAsJsonAsync("/connect/register", TightOnboardingLimits.Registration("Flood Vendor"))));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.Created).ToList();
        Assert.Equal(5, refused.Count);
        foreach (var response in refused)
        {
            await AssertTooManyAsync(response, "client registrations");
        }

        var listed = (await vault.Owner.GetFromJsonAsync<List<RelationshipSummary>>("/owner/api/v1/relationships", SymbolonApplicationFactory.Json))!;
        Assert.Equal(3, listed.Count(r => r.VendorName == "Flood Vendor"));

        // Another address registers as before.
        await vault.RegisterFromAsync("203.0.113.2", "Honest Vendor");
    }

    [Fact]
    public async Task A_burst_of_pushed_authorization_requests_from_one_address_is_cut_off_at_the_limit()
    {
        var vendor = await vault.RegisterFromAsync("198.51.100.10", "Pushy Vendor");
        await vault.App.AcceptAgreementAsync(vendor);
        using var client = vault.ClientFrom("198.51.100.11", vendor);
        var details = VendorFlow.Details([Datatypes.Email]);
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            responses.Add(await client.PostAsync("/connect/par", new FormUrlEncodedContent(VendorFlow.AuthorizationParameters(vendor, details, VendorFlow.NewPkce().Challenge))));
        }

        Assert.All(responses.Take(3), r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        foreach (var response in responses.Skip(3))
        {
            await AssertTooManyAsync(response, "pushed authorization requests");
        }
    }

    [Fact]
    public async Task A_burst_of_agreement_acceptances_from_one_address_is_cut_off_at_the_limit()
    {
        var vendor = await vault.RegisterFromAsync("192.0.2.20", "Signing Vendor");
        using var anonymous = vault.App.CreateOwnerClient();
        var proffered = (await anonymous.GetFromJsonAsync<SymbolonMetadata>("/.well-known/symbolon"))!.Agreements.Single(a => a.Id == "SD-BASE");
        using var client = vault.ClientFrom("192.0.2.21", vendor);
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            responses.Add(await client.PostAsJsonAsync("/api/v1/agreements", new AgreementAcceptance("SD-BASE", proffered.TextSha256)));
        }

        Assert.All(responses.Take(2), r => Assert.NotEqual(HttpStatusCode.TooManyRequests, r.StatusCode));
        foreach (var response in responses.Skip(2))
        {
            await AssertTooManyAsync(response, "agreement acceptances");
        }
    }

    private static async Task AssertTooManyAsync(HttpResponseMessage response, string what)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 }, "Retry-After is missing");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(ProblemCodes.TooManyRequests, problem.RootElement.GetProperty("code").GetString());
        Assert.Contains(what, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_ipv6_client_counts_as_its_whole_64_and_an_ipv4_client_as_its_address()
    {
        static string Of(string address) => Symbolon.Server.OAuth.OnboardingRateLimits.PartitionOf(System.Net.IPAddress.Parse(address));
        Assert.Equal(Of("2001:db8:1:2::1"), Of("2001:db8:1:2:ffff:eeee:dddd:cccc"));
        Assert.NotEqual(Of("2001:db8:1:2::1"), Of("2001:db8:1:3::1"));
        Assert.Equal("192.0.2.7", Of("192.0.2.7"));
        Assert.Equal("192.0.2.7", Of("::ffff:192.0.2.7"));
        Assert.NotEqual(Of("192.0.2.7"), Of("192.0.2.8"));
    }
}
