using Symbolon.Core.Statements;

namespace Symbolon.Core.Tests.Statements;

/// <summary>
/// Recurring payments are looked for only among merchants paid no more often than weekly and in few distinct
/// amounts; the projection sets the others aside before anything is listed. It must keep exactly the (merchant,
/// currency) pairs that pass both tests, with every one of their payments, and nothing that comes in.
/// </summary>
public sealed class SteadyOutgoingTests
{
    private static readonly Guid Batch = Guid.Parse("0190a1b2-0000-7000-8000-0000000000a1");

    [Fact]
    public void Only_merchants_paid_seldom_enough_and_few_distinct_amounts_are_kept_with_all_their_payments()
    {
        var lines = new List<StatementLine>();

        // Nine monthly payments, three amounts: the bound is max(2, 9 / 3) = 3, so it stays.
        var netflix = new[] { 9.99m, 9.99m, 9.99m, 12.99m, 12.99m, 12.99m, 15.99m, 15.99m, 15.99m };
        for (var i = 0; i < netflix.Length; i++)
        {
            lines.Add(Line("NETFLIX.COM", -netflix[i], "EUR", day: 30 * i));
        }

        // The last amount once more, 15.990 written differently: still three distinct values.
        lines[^1] = Line("NETFLIX.COM", -15.990m, "EUR", day: 240);

        // Nine weekly payments, four amounts: one past the bound, set aside.
        var cart = new[] { 3.10m, 3.10m, 3.20m, 3.20m, 3.30m, 3.30m, 3.40m, 3.40m, 3.40m };
        for (var i = 0; i < cart.Length; i++)
        {
            lines.Add(Line("COFFEE CART", -cart[i], "EUR", day: 7 * i));
        }

        // Ten days running at one price: too often for any cadence (ten payments need 4.8 × 9 days), set aside.
        for (var i = 0; i < 10; i++)
        {
            lines.Add(Line("DAILY BAKERY", -2.40m, "EUR", day: i));
        }

        // Two payments a year apart, of different amounts: the bound is at least 2, so they stay (Detect decides later).
        lines.Add(Line("ANNUAL CARD FEE", -29m, "EUR", day: 0));
        lines.Add(Line("ANNUAL CARD FEE", -39m, "EUR", day: 365));

        // The same merchant in another currency is a pair of its own: one amount, weekly, just far enough apart
        // (2 gaps need 9.6 days).
        foreach (var day in new[] { 0, 5, 10 })
        {
            lines.Add(Line("COFFEE CART", -4m, "USD", day));
        }

        // Money coming in is never a payment.
        lines.Add(Line("NETFLIX.COM", 9.99m, "EUR", day: 3));
        lines.Add(Line("SALARY", 2500m, "EUR", day: 3));

        var projection = new TransactionProjection();
        projection.Append(Batch, 0, TransactionChunkCodec.Decode(TransactionChunkCodec.Encode(lines, 0, lines.Count)));

        var (steady, names) = projection.SteadyOutgoing();
        var kept = steady.Select(l => (names[l.MerchantGroup], projection.StringAt(l.Currency))).Distinct().Order().ToList();
        Assert.Equal([("Annual Card Fee", "EUR"), ("Coffee Cart", "USD"), ("Netflix Com", "EUR")], kept);

        // Every payment of the kept pairs, in position order, as Outgoing lists them.
        var (all, _) = projection.Outgoing();
        Assert.Equal(all.Where(l => kept.Contains((names[l.MerchantGroup], projection.StringAt(l.Currency)))), steady);
        Assert.Equal(9 + 2 + 3, steady.Count);
    }

    [Fact]
    public void An_empty_projection_has_no_steady_payments()
    {
        var (steady, _) = new TransactionProjection().SteadyOutgoing();
        Assert.Empty(steady);
    }

    private static StatementLine Line(string description, decimal amount, string currency, int day) => new()
    {
        Account = "visa",
        Date = new DateOnly(2026, 1, 1).AddDays(day),
        Amount = amount,
        Currency = currency,
        Description = description,
        Merchant = description,
        Position = "line 1",
    };
}
