using System.Text;
using Symbolon.Core.Webhooks;

namespace Symbolon.Core.Tests.Webhooks;

public class StandardWebhookSignerTests
{
    [Fact]
    public void Signatures_match_the_Standard_Webhooks_test_vector()
    {
        // The example the Standard Webhooks reference libraries test against; matching it is what lets a vendor
        // verify with any of them instead of with our SDK.
        var key = StandardWebhookSigner.KeyOf("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        var signature = StandardWebhookSigner.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Encoding.UTF8.GetBytes("{\"test\": 2432232314}"));

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void New_secrets_are_whsec_and_32_random_bytes()
    {
        var first = StandardWebhookSigner.NewSecret();
        var second = StandardWebhookSigner.NewSecret();

        Assert.StartsWith("whsec_", first, StringComparison.Ordinal);
        Assert.Equal(32, StandardWebhookSigner.KeyOf(first).Length);
        Assert.NotEqual(first, second);
    }
}
