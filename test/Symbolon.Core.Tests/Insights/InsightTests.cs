using Symbolon.Contracts.Insights;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Insights;
using Symbolon.Core.Tests.Infrastructure;

namespace Symbolon.Core.Tests.Insights;

/// <summary>Insight answers on the fixed data set (TestData/), against totals computed by hand.</summary>
public class InsightTests
{
    private static readonly DateOnly Today = new(2026, 11, 23);

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Spend_by_category_this_month_compares_with_last_month(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var data = new InsightData(vault);
        await data.LoadAllAsync();

        var report = await data.Insights(i => i.SpendAsync(data.Session, new SpendQuery(Date: Today, Periods: 3)));

        Assert.Equal("EUR", report.Currency);
        Assert.Equal(["2026-09", "2026-10", "2026-11"], report.Periods.Select(p => p.Label));
        Assert.Equal(new DateOnly(2026, 11, 30), report.Periods[^1].End);
        // Nov: groceries 42.10 + 57.90; fees 1.75 + 12.40 + 25.00; subscriptions 15.99 + 10.99; coffee 4.50 + 3.80 + 5.20 + 5.20.
        Assert.Equal(["groceries", "fees", "subscriptions", "coffee"], report.Groups.Select(g => g.Key));
        var coffee = report.Groups.Single(g => g.Key == "coffee");
        Assert.Equal([5.20m, 9.10m, 18.70m], coffee.Amounts);
        Assert.Equal([1, 2, 4], coffee.Counts);
        Assert.Equal(105.5m, coffee.ChangePercent); // (18.70 − 9.10) / 9.10
        // Oct fees: interest 10.10 (card) + 4.90 + 3.21 (giro).
        Assert.Equal(18.21m, report.Groups.Single(g => g.Key == "fees").Previous);
        Assert.Equal(0m, report.Groups.Single(g => g.Key == "subscriptions").ChangePercent);
        Assert.Equal([29.18m, 117.29m, 184.83m], report.Totals);
        Assert.Empty(report.OtherCurrencies);
    }

    [Fact]
    public async Task Spend_of_one_category_by_merchant_and_by_week()
    {
        await using var vault = await TestVault.CreateAsync();
        var data = new InsightData(vault);
        await data.LoadAllAsync();

        var merchants = await data.Insights(i => i.SpendAsync(data.Session, new SpendQuery(SpendGroupings.Merchant, Date: Today, Periods: 2, Category: "coffee")));
        Assert.Equal(["Starbucks", "Blue Door Coffee Berlin"], merchants.Groups.Select(g => g.Key));
        Assert.Equal([4.90m, 10.40m], merchants.Groups[0].Amounts);
        Assert.Equal([4.20m, 8.30m], merchants.Groups[1].Amounts);

        // ISO week 46 of 2026 is Monday 9 to Sunday 15 November: Starbucks twice, Spotify.
        var weeks = await data.Insights(i => i.SpendAsync(data.Session, new SpendQuery(Period: InsightPeriods.Week, Date: new DateOnly(2026, 11, 15), Periods: 2)));
        Assert.Equal(["2026-W45", "2026-W46"], weeks.Periods.Select(p => p.Label));
        Assert.Equal(new DateOnly(2026, 11, 9), weeks.Periods[1].Start);
        Assert.Equal([4.50m + 42.10m + 3.80m, 5.20m + 5.20m + 10.99m], weeks.Totals);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Visits_merge_receipts_check_ins_and_card_lines_counting_each_purchase_once(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var data = new InsightData(vault);
        await data.LoadAllAsync();

        var report = await data.Insights(i => i.VisitsAsync(data.Session, new VisitQuery()));

        // Blue Door: card 3 Oct; receipt 1 Nov + card 2 Nov (one purchase); card 5 Nov + check-in (one visit);
        // receipt 8 Nov (its card line of 5 Nov is too early) + check-in; check-in 14 Nov alone. Five visits.
        var blueDoor = report.Merchants[0];
        Assert.Equal(new MerchantVisits("Blue Door Coffee", "coffee", 5, 3, 2, 3, 3, new DateOnly(2026, 11, 14)), blueDoor);
        Assert.Equal(new MerchantVisits("Starbucks", "coffee", 4, 4, 0, 0, 0, new DateOnly(2026, 11, 12)), report.Merchants[1]);
        Assert.Equal(new MerchantVisits("Rewe", "groceries", 3, 3, 0, 0, 0, new DateOnly(2026, 11, 17)), report.Merchants[2]);
        Assert.Equal(new MerchantVisits("Corner Bakery", "uncategorized", 1, 0, 0, 1, 0, new DateOnly(2026, 11, 14)), report.Merchants[3]);
        Assert.Equal(4, report.Merchants.Count); // subscriptions, fees and income are not visits

        var coffeeInNovember = await data.Insights(i => i.VisitsAsync(data.Session, new VisitQuery(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), "coffee")));
        Assert.Equal([("Blue Door Coffee", 4), ("Starbucks", 2)], coffeeInNovember.Merchants.Select(m => (m.Merchant, m.Visits)));
    }

    [Fact]
    public async Task Fees_penalties_and_interest_are_totalled_per_account_with_their_transactions()
    {
        await using var vault = await TestVault.CreateAsync();
        var data = new InsightData(vault);
        await data.LoadAllAsync();

        var report = await data.Insights(i => i.FeesAsync(data.Session, null, null));

        Assert.Equal(["Visa", "Giro"], report.Accounts.Select(a => a.Account));
        var visa = report.Accounts[0];
        Assert.Equal((49.25m, 1.75m, 25.00m, 22.50m), (visa.Total, visa.Fees, visa.Penalties, visa.Interest));
        Assert.Equal(
            [("LATE PAYMENT FEE", FeeKinds.Penalty, 25.00m), ("INTEREST CHARGE ON PURCHASES", FeeKinds.Interest, 12.40m), ("FOREIGN TRANSACTION FEE", FeeKinds.Fee, 1.75m), ("INTEREST CHARGE ON PURCHASES", FeeKinds.Interest, 10.10m)],
            visa.Transactions.Select(t => (t.Description, t.Kind, t.Amount)));
        var giro = report.Accounts[1];
        Assert.Equal((8.11m, 4.90m, 0m, 3.21m), (giro.Total, giro.Fees, giro.Penalties, giro.Interest));

        var november = await data.Insights(i => i.FeesAsync(data.Session, new DateOnly(2026, 11, 1), null));
        Assert.Equal(39.15m, Assert.Single(november.Accounts).Total);

        // A limit lists the newest charges only; the totals and the count still hold every one.
        var newest = await data.Insights(i => i.FeesAsync(data.Session, null, null, 2));
        var listed = newest.Accounts[0];
        Assert.Equal((49.25m, 4, 4), (listed.Total, listed.TransactionCount, visa.TransactionCount));
        Assert.Equal(visa.Transactions.Take(2), listed.Transactions);
        await Assert.ThrowsAsync<InsightProblemException>(() => data.Insights(i => i.FeesAsync(data.Session, null, null, 0)));
    }

    [Fact]
    public async Task Recurring_payments_are_detected_with_cadence_next_date_and_price_increase()
    {
        await using var vault = await TestVault.CreateAsync();
        var data = new InsightData(vault);
        await data.LoadAllAsync();

        var report = await data.Insights(i => i.RecurringAsync(data.Session, Today));

        Assert.Equal(2, report.Payments.Count); // coffee, groceries and two interest charges do not recur
        var netflix = report.Payments[0];
        Assert.Equal(
            new RecurringPayment("Netflix", "subscriptions", Cadences.Monthly, 15.99m, "EUR", 4, new DateOnly(2026, 8, 1), new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1), true, 12.99m, new DateOnly(2026, 10, 1), 191.88m),
            netflix);
        var spotify = report.Payments[1];
        Assert.Equal(
            new RecurringPayment("Spotify", "subscriptions", Cadences.Monthly, 10.99m, "EUR", 4, new DateOnly(2026, 8, 15), new DateOnly(2026, 11, 15), new DateOnly(2026, 12, 15), true, null, null, 131.88m),
            spotify);

        // Months later without a payment, they are no longer active.
        var later = await data.Insights(i => i.RecurringAsync(data.Session, new DateOnly(2027, 3, 1)));
        Assert.All(later.Payments, p => Assert.False(p.Active));
    }

    [Fact]
    public async Task Bad_filters_name_the_parameter()
    {
        await using var vault = await TestVault.CreateAsync();
        var data = new InsightData(vault);

        var e = await Assert.ThrowsAsync<InsightProblemException>(() => data.Insights(i => i.SpendAsync(data.Session, new SpendQuery("vendor", "fortnight", Periods: 0, Currency: "euro", Limit: 0))));
        Assert.Equal(ProblemCodes.InvalidInsightFilter, e.Code);
        Assert.Equal(["currency", "groupBy", "limit", "period", "periods"], e.Errors!.Keys.Order());

        var range = await Assert.ThrowsAsync<InsightProblemException>(() => data.Insights(i => i.VisitsAsync(data.Session, new VisitQuery(new DateOnly(2026, 2, 1), new DateOnly(2026, 1, 1)))));
        Assert.Equal(["to"], range.Errors!.Keys);
    }
}
