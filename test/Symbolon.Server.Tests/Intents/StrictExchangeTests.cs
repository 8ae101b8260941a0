using System.Net;
using Symbolon.Intents;

namespace Symbolon.Server.Tests.Intents;

/// <summary>The operator's defaults that the shared fixtures relax: registrations per address and webhook destinations.</summary>
public sealed class StrictExchangeTests(StrictExchangeFixture exchange) : IClassFixture<StrictExchangeFixture>
{
    [Fact]
    public async Task Registrations_are_limited_per_address_and_webhooks_to_private_addresses_are_refused()
    {
        ExchangeVendorRegistration Registration(string? webhook = null)
        {
            using var keys = IntentKeys.Create();
            return new ExchangeVendorRegistration("Shop", "https://shop.example", keys.PublicKeys.Sign, keys.PublicKeys.Offer, webhook);
        }

        foreach (var url in new[] { "http://127.0.0.1:9/hooks", "http://localhost/hooks", "http://10.1.2.3/hooks", "http://169.254.169.254/latest", "http://[::1]/hooks" })
        {
            var refused = await Assert.ThrowsAsync<ExchangeProblemException>(() => new ExchangeVendorClient(exchange.Http).RegisterAsync(Registration(url)));
            Assert.Equal(ExchangeProblemCodes.InvalidRegistration, refused.Code);
            Assert.Equal(["webhook_url"], refused.Errors.Keys);
            Assert.DoesNotContain("10.1.2.3", refused.Message + string.Concat(refused.Errors["webhook_url"]), StringComparison.Ordinal);
        }

        // Refused registrations count too: the limit is on attempts, and these five used up the address's allowance.
        Assert.Equal(5, StrictExchangeFixture.RegistrationsPerHour);
        var limited = await Assert.ThrowsAsync<ExchangeProblemException>(() => new ExchangeVendorClient(exchange.Http).RegisterAsync(Registration()));
        Assert.Equal((ExchangeProblemCodes.RateLimited, HttpStatusCode.TooManyRequests), (limited.Code, limited.Status));
        Assert.NotNull(limited.RetryAfter);

        // A new hour, a new allowance.
        exchange.Time.Advance(TimeSpan.FromHours(1));
        var registered = await new ExchangeVendorClient(exchange.Http).RegisterAsync(Registration());
        Assert.StartsWith("xv_", registered.ApiKey, StringComparison.Ordinal);
        Assert.Null(registered.WebhookSecret);
    }
}
