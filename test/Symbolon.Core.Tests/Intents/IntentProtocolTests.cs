using System.Text;
using System.Text.Json;
using Symbolon.Intents;

namespace Symbolon.Core.Tests.Intents;

public sealed class IntentProtocolTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    internal static IntentDocument Intent(IntentKeys keys) => new(
        1,
        IntentCrypto.NewId("int_"),
        "Winter boots",
        "Waterproof, size 44",
        "shoes",
        new IntentAttributes("44", 1, null, "new"),
        new IntentBudget(150m, "EUR"),
        DateOnly.FromDateTime(Now.UtcDateTime.AddDays(4)),
        new IntentPlace("NL", "35"),
        Now,
        Now.AddDays(7),
        new IntentTerms(IntentAgreement.Id, IntentAgreement.TextSha256, ["SD-BASE"]),
        [],
        keys.PublicKeys);

    internal static OfferDocument Offer(IntentDocument intent, IntentKeys vendor) => new(
        1,
        "off_1",
        intent.Id,
        intent.Keys.Sign,
        new OfferVendor("Boot shop", "https://boots.example", vendor.PublicKeys.Sign, vendor.PublicKeys.Offer),
        [new OfferItem("Waterproof boots, 44", 1, 129m)],
        new OfferPrice(129m, "EUR"),
        DateOnly.FromDateTime(Now.UtcDateTime.AddDays(3)),
        "30 days returns",
        null,
        Now,
        Now.AddDays(2),
        new OfferAcceptedTerms(IntentAgreement.Id, IntentAgreement.TextSha256));

    [Fact]
    public void A_signed_intent_checks_and_any_changed_byte_does_not()
    {
        using var keys = IntentKeys.Create();
        var intent = Intent(keys);
        Assert.Empty(IntentRules.CheckIntent(intent, Now));
        var signed = IntentCrypto.Sign(intent, keys.SignKey, IntentCrypto.IntentLabel);
        Assert.Equal(intent.Id, IntentCrypto.VerifyIntent(signed)!.Id);

        var payload = IntentCrypto.Decode(signed.Payload)!;
        var changed = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(payload).Replace("150", "15", StringComparison.Ordinal));
        Assert.Null(IntentCrypto.VerifyIntent(signed with { Payload = IntentCrypto.Encode(changed) }));

        // Signed as another kind of document: the domain label differs.
        var asOffer = IntentCrypto.Sign(intent, keys.SignKey, IntentCrypto.OfferLabel);
        Assert.Null(IntentCrypto.VerifyIntent(asOffer));

        // Someone else's key named in the document.
        using var other = IntentKeys.Create();
        var forged = IntentCrypto.Sign(intent with { Keys = other.PublicKeys }, keys.SignKey, IntentCrypto.IntentLabel);
        Assert.Null(IntentCrypto.VerifyIntent(forged));
    }

    [Fact]
    public void An_offer_sealed_to_the_intent_opens_only_with_its_key_and_context_and_binds_to_the_intent()
    {
        using var keys = IntentKeys.Create();
        using var vendor = IntentKeys.Create();
        var intent = Intent(keys);
        var offer = Offer(intent, vendor);
        Assert.Empty(IntentRules.CheckOffer(offer, intent, Now));

        var envelope = IntentCrypto.SignAndSeal(offer, vendor.SignKey, IntentCrypto.OfferLabel, intent.Keys.Offer, intent.Id);
        var opened = IntentCrypto.OpenSigned(envelope, keys.BoxKey, intent.Id);
        Assert.Equal("off_1", IntentCrypto.VerifyOffer(opened, intent, vendor.PublicKeys.Sign)!.Id);

        Assert.Null(IntentCrypto.OpenSigned(envelope, keys.BoxKey, "int_other"));
        Assert.Null(IntentCrypto.OpenSigned(envelope, vendor.BoxKey, intent.Id));
        var bytes = IntentCrypto.Decode(envelope.Ciphertext)!;
        bytes[5] ^= 1;
        Assert.Null(IntentCrypto.Open(envelope with { Ciphertext = IntentCrypto.Encode(bytes) }, keys.BoxKey, intent.Id));

        // Relayed under another vendor's registered key, or answering another intent.
        Assert.Null(IntentCrypto.VerifyOffer(opened, intent, keys.PublicKeys.Sign));
        using var otherKeys = IntentKeys.Create();
        Assert.Null(IntentCrypto.VerifyOffer(opened, Intent(otherKeys)));
        Assert.Contains("expires_at", IntentRules.CheckOffer(offer, intent, Now.AddDays(3)).Keys);
    }

    [Fact]
    public void Keys_survive_export_and_import()
    {
        using var keys = IntentKeys.Create();
        var raw = keys.Export();
        using var back = IntentKeys.Import(raw);
        Assert.Equal(keys.PublicKeys, back.PublicKeys);
    }

    [Fact]
    public void Requests_signed_with_the_intent_key_check_within_the_clock_window_only()
    {
        using var keys = IntentKeys.Create();
        var body = "{}"u8.ToArray();
        var header = IntentCrypto.SignRequest(keys.SignKey, "GET", "/v1/intents/x/offers?after=1", body, Now);
        Assert.True(IntentCrypto.VerifyRequest(header, keys.PublicKeys.Sign, "GET", "/v1/intents/x/offers?after=1", body, Now.AddMinutes(4)));
        Assert.False(IntentCrypto.VerifyRequest(header, keys.PublicKeys.Sign, "GET", "/v1/intents/x/offers?after=2", body, Now));
        Assert.False(IntentCrypto.VerifyRequest(header, keys.PublicKeys.Sign, "DELETE", "/v1/intents/x/offers?after=1", body, Now));
        Assert.False(IntentCrypto.VerifyRequest(header, keys.PublicKeys.Sign, "GET", "/v1/intents/x/offers?after=1", body, Now.AddMinutes(6)));
        using var other = IntentKeys.Create();
        Assert.False(IntentCrypto.VerifyRequest(header, other.PublicKeys.Sign, "GET", "/v1/intents/x/offers?after=1", body, Now));
    }

    [Fact]
    public void Blocklists_match_the_blocked_vendor_only_and_differ_between_intents()
    {
        using var blocked = IntentKeys.Create();
        using var other = IntentKeys.Create();
        var first = IntentCrypto.CreateBlocklist([blocked.PublicKeys.Sign]);
        var second = IntentCrypto.CreateBlocklist([blocked.PublicKeys.Sign]);
        Assert.True(IntentCrypto.IsBlocked(first, blocked.PublicKeys.Sign));
        Assert.False(IntentCrypto.IsBlocked(first, other.PublicKeys.Sign));
        Assert.NotEqual(first.Entries[0], second.Entries[0]);
    }

    [Fact]
    public void Bad_intents_name_the_field_and_never_the_value()
    {
        using var keys = IntentKeys.Create();
        var bad = Intent(keys) with
        {
            Title = new string('x', 500),
            Budget = new IntentBudget(-3m, "eur"),
            Where = new IntentPlace("NL", "35117"),
            ExpiresAt = Now.AddDays(200),
        };
        var errors = IntentRules.CheckIntent(bad, Now);
        Assert.Equal(["budget.currency", "budget.max", "expires_at", "title", "where.postal_prefix"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(errors.Values.SelectMany(v => v), m => m.Contains("35117", StringComparison.Ordinal));

        // Unknown members and wrong JSON types are not documents at all.
        Assert.Null(IntentCrypto.TryParse<IntentDocument>("""{"v":1,"extra":true}"""u8));
        var json = JsonSerializer.Serialize(Intent(keys), IntentCrypto.JsonOptions).Replace("\"quantity\":1", "\"quantity\":\"1\"", StringComparison.Ordinal);
        Assert.Null(IntentCrypto.TryParse<IntentDocument>(Encoding.UTF8.GetBytes(json)));
    }
}
