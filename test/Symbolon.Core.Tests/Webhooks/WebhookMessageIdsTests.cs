using Symbolon.Core.Webhooks;

namespace Symbolon.Core.Tests.Webhooks;

public class WebhookMessageIdsTests
{
    [Fact]
    public void Ids_made_under_a_frozen_clock_are_strictly_increasing_version_7_uuids_close_to_the_clock()
    {
        // Far past any other test's clock, so the counter starts fresh in this millisecond.
        var frozen = new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var ids = Enumerable.Range(0, 10_000).Select(_ => WebhookMessageIds.Create(frozen)).ToList();

        Assert.Equal(ids, ids.Order());
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(7, id.Version));

        // 4,096 ids per millisecond: 10,000 ids take three milliseconds, not ten thousand (a few more when tests
        // running alongside take ids from the same process-wide counter meanwhile).
        var last = ids[^1].ToByteArray(bigEndian: true);
        var milliseconds = ((long)last[0] << 40) | ((long)last[1] << 32) | ((long)last[2] << 24) | ((long)last[3] << 16) | ((long)last[4] << 8) | last[5];
        Assert.InRange(milliseconds - frozen.ToUnixTimeMilliseconds(), 2, 10);
    }
}
