using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Symbolon.Client;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Webhooks;

namespace Symbolon.Server.Tests;

/// <summary>The SDK's verifier against signatures made by the server's signer and by the specification's example.</summary>
public sealed class WebhookVerifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly string _secret = StandardWebhookSigner.NewSecret();
    private readonly string _body = JsonSerializer.Serialize(new WebhookEvent(
        WebhookEventTypes.GrantRevoked,
        Now,
        JsonSerializer.SerializeToElement(new GrantRevokedData("subject-1", "grant-1", false))));

    [Fact]
    public void The_Standard_Webhooks_example_verifies()
    {
        var verifier = new WebhookVerifier("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", timeProvider: new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1614265330)));

        verifier.VerifySignature("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "{\"test\": 2432232314}"u8);

        var changed = Assert.Throws<WebhookVerificationException>(() =>
            verifier.VerifySignature("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "{\"test\": 2432232315}"u8));
        Assert.Contains("No signature", changed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_webhook_signed_by_the_server_verifies_and_reads_as_its_event()
    {
        var (id, timestamp, signature) = Sign(_secret, _body, Now);

        var verified = new WebhookVerifier(_secret, timeProvider: _time).Verify(_body, Headers(id, timestamp, signature));

        Assert.Equal(WebhookEventTypes.GrantRevoked, verified.Type);
        Assert.Equal(new GrantRevokedData("subject-1", "grant-1", false), verified.GetGrantRevoked());
        Assert.Throws<InvalidOperationException>(() => verified.GetProfileUpdated());
    }

    [Fact]
    public void A_changed_body_timestamp_or_id_fails()
    {
        var verifier = new WebhookVerifier(_secret, timeProvider: _time);
        var (id, timestamp, signature) = Sign(_secret, _body, Now);

        AssertRefused(() => verifier.Verify(_body.Replace("grant-1", "grant-2", StringComparison.Ordinal), Headers(id, timestamp, signature)), "No signature");
        AssertRefused(() => verifier.Verify(_body + " ", Headers(id, timestamp, signature)), "No signature");
        AssertRefused(() => verifier.Verify(_body, Headers(id, (long.Parse(timestamp, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture), signature)), "No signature");
        AssertRefused(() => verifier.Verify(_body, Headers("msg_other", timestamp, signature)), "No signature");
    }

    [Fact]
    public void Another_secret_fails()
    {
        var (id, timestamp, signature) = Sign(StandardWebhookSigner.NewSecret(), _body, Now);

        AssertRefused(() => new WebhookVerifier(_secret, timeProvider: _time).Verify(_body, Headers(id, timestamp, signature)), "No signature");
    }

    [Fact]
    public void A_timestamp_older_or_further_ahead_than_the_tolerance_fails_and_one_within_it_passes()
    {
        var verifier = new WebhookVerifier(_secret, timeProvider: _time);
        var (id, timestamp, signature) = Sign(_secret, _body, Now);

        _time.Advance(TimeSpan.FromMinutes(5));
        verifier.Verify(_body, Headers(id, timestamp, signature));
        _time.Advance(TimeSpan.FromSeconds(1));
        AssertRefused(() => verifier.Verify(_body, Headers(id, timestamp, signature)), "301 s old");

        var (futureId, future, futureSignature) = Sign(_secret, _body, _time.GetUtcNow().AddMinutes(5).AddSeconds(1));
        AssertRefused(() => verifier.Verify(_body, Headers(futureId, future, futureSignature)), "in the future");

        var patient = new WebhookVerifier(_secret, TimeSpan.FromHours(1), _time);
        patient.Verify(_body, Headers(id, timestamp, signature));
    }

    [Theory]
    [InlineData("webhook-id")]
    [InlineData("webhook-timestamp")]
    [InlineData("webhook-signature")]
    public void A_missing_header_fails_and_names_it(string missing)
    {
        var (id, timestamp, signature) = Sign(_secret, _body, Now);
        var headers = new Dictionary<string, string>(Headers(id, timestamp, signature));
        headers.Remove(missing);

        AssertRefused(() => new WebhookVerifier(_secret, timeProvider: _time).Verify(_body, headers), $"'{missing}'");
    }

    [Theory]
    [InlineData("1.5e9")]
    [InlineData("-1")]
    [InlineData("soon")]
    [InlineData("99999999999999999999")]
    public void A_timestamp_that_is_not_whole_unix_seconds_fails(string timestamp)
    {
        AssertRefused(() => new WebhookVerifier(_secret, timeProvider: _time).Verify(_body, Headers("msg_1", timestamp, "v1,AAAA")), "Unix time");
    }

    [Fact]
    public void During_a_secret_rotation_either_of_two_signatures_passes_and_other_versions_are_skipped()
    {
        var next = StandardWebhookSigner.NewSecret();
        var (id, timestamp, oldSignature) = Sign(_secret, _body, Now);
        var newSignature = StandardWebhookSigner.Sign(StandardWebhookSigner.KeyOf(next), id, long.Parse(timestamp, CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes(_body));
        var both = $"v1a,c29tZXRoaW5nIGVsc2U= {oldSignature}  {newSignature}";

        new WebhookVerifier(_secret, timeProvider: _time).Verify(_body, Headers(id, timestamp, both));
        new WebhookVerifier(next, timeProvider: _time).Verify(_body, Headers(id, timestamp, both));
        AssertRefused(() => new WebhookVerifier(StandardWebhookSigner.NewSecret(), timeProvider: _time).Verify(_body, Headers(id, timestamp, both)), "No signature");
        AssertRefused(() => new WebhookVerifier(_secret, timeProvider: _time).Verify(_body, Headers(id, timestamp, "v1,not-base64 v2," + oldSignature[3..])), "No signature");
    }

    [Fact]
    public void Header_names_match_in_any_case_and_the_secret_prefix_is_optional()
    {
        var (id, timestamp, signature) = Sign(_secret, _body, Now);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal) { ["Webhook-Id"] = id, ["WEBHOOK-TIMESTAMP"] = timestamp, ["Webhook-Signature"] = signature };

        new WebhookVerifier(_secret["whsec_".Length..], timeProvider: _time).Verify(_body, headers);
    }

    [Fact]
    public void A_secret_that_is_not_base64_is_refused_at_once()
    {
        var error = Assert.Throws<ArgumentException>(() => new WebhookVerifier("whsec_not base64!"));
        Assert.Contains("whsec_", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signed_body_that_is_not_an_event_fails()
    {
        var (id, timestamp, signature) = Sign(_secret, "[1,2,3]", Now);

        AssertRefused(() => new WebhookVerifier(_secret, timeProvider: _time).Verify("[1,2,3]", Headers(id, timestamp, signature)), "not a webhook event");
    }

    private static (string Id, string Timestamp, string Signature) Sign(string secret, string body, DateTimeOffset at)
    {
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var seconds = at.ToUnixTimeSeconds();
        return (id, seconds.ToString(CultureInfo.InvariantCulture), StandardWebhookSigner.Sign(StandardWebhookSigner.KeyOf(secret), id, seconds, Encoding.UTF8.GetBytes(body)));
    }

    private static Dictionary<string, string> Headers(string id, string timestamp, string signature) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["webhook-id"] = id,
        ["webhook-timestamp"] = timestamp,
        ["webhook-signature"] = signature,
    };

    private static void AssertRefused(Action verify, string because)
    {
        var error = Assert.Throws<WebhookVerificationException>(verify);
        Assert.Contains(because, error.Message, StringComparison.Ordinal);
    }
}
