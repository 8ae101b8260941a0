using Symbolon.Contracts.Insights;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Insights;
using Symbolon.Core.Statements;
using Symbolon.Core.Tests.Infrastructure;

namespace Symbolon.Core.Tests.Insights;

public class CategoryRuleTests
{
    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.Postgres)]
    public async Task Recategorizing_all_like_it_applies_to_past_and_future_imports_and_survives_lock_and_unlock(StorageKind kind)
    {
        await using var vault = await TestVault.CreateAsync(kind);
        var data = new InsightData(vault);
        await data.ImportAsync(InsightData.File("card.csv"), InsightData.CardMapping);
        var rewe = (await data.RowsAsync()).First(r => r.Merchant == "REWE");
        Assert.Equal("groceries", rewe.Category);

        var result = await data.Categories(c => c.RecategorizeAsync(data.Session, rewe.BatchId, rewe.Row, new RecategorizeInput("Supermarket ", AllLikeIt: true)));

        Assert.Equal(3, result.Recategorized);
        Assert.Equal(("supermarket", "REWE"), (result.Rule!.Category, result.Rule.Merchant));
        Assert.All((await data.RowsAsync()).Where(r => r.Merchant == "REWE"), r => Assert.Equal("supermarket", r.Category));

        // A later statement: its REWE line gets the new category on import.
        var later = "Date,Description,Merchant,Amount,Currency\n2026-11-22,REWE MARKT 1234 BERLIN,REWE,-12.00,EUR\n"u8.ToArray();
        await data.ImportAsync(later, InsightData.CardMapping);
        Assert.Equal(4, (await data.RowsAsync()).Count(r => r.Category == "supermarket"));

        data.LockAndUnlock();
        Assert.Equal(4, (await data.RowsAsync()).Count(r => r.Category == "supermarket"));
        var rules = await data.Categories(c => c.ListAsync(data.Session));
        Assert.Equal(Shape(result.Rule), Shape(rules[0]));
    }

    [Fact]
    public async Task Recategorizing_one_transaction_changes_only_it_and_survives_lock_and_unlock()
    {
        await using var vault = await TestVault.CreateAsync();
        var data = new InsightData(vault);
        await data.ImportAsync(InsightData.File("card.csv"), InsightData.CardMapping);
        var starbucks = (await data.RowsAsync()).Where(r => r.Merchant == "STARBUCKS").ToList();

        var result = await data.Categories(c => c.RecategorizeAsync(data.Session, starbucks[0].BatchId, starbucks[0].Row, new RecategorizeInput("gifts")));
        Assert.Equal((1, null), (result.Recategorized, result.Rule));

        data.LockAndUnlock();
        var after = (await data.RowsAsync()).Where(r => r.Merchant == "STARBUCKS").ToList();
        Assert.Equal(["gifts", "coffee", "coffee", "coffee"], after.Select(r => r.Category));

        // Changing it again updates the same choice; a rule for "all like it" then decides it too.
        await data.Categories(c => c.RecategorizeAsync(data.Session, starbucks[0].BatchId, starbucks[0].Row, new RecategorizeInput("treats")));
        Assert.Equal("treats", (await data.RowsAsync()).First(r => r.Merchant == "STARBUCKS").Category);
        await data.Categories(c => c.RecategorizeAsync(data.Session, starbucks[1].BatchId, starbucks[1].Row, new RecategorizeInput("chains", AllLikeIt: true)));
        data.LockAndUnlock();
        Assert.Equal(["treats", "chains", "chains", "chains"], (await data.RowsAsync()).Where(r => r.Merchant == "STARBUCKS").Select(r => r.Category));
    }

    [Fact]
    public async Task Rules_are_seeded_edited_reordered_and_deleted_and_every_change_applies_to_the_past()
    {
        await using var vault = await TestVault.CreateAsync();
        var data = new InsightData(vault);
        await data.ImportAsync(InsightData.File("card.csv"), InsightData.CardMapping);

        var seeded = await data.Categories(c => c.ListAsync(data.Session));
        Assert.Equal(CategoryRules.Defaults.Select(r => r.Category), seeded.Select(r => r.Category));
        Assert.Equal(seeded.Select(Shape), (await data.Categories(c => c.ListAsync(data.Session))).Select(Shape)); // stored once, same ids after

        // Small Starbucks purchases (5 EUR or less) are "small coffee", by merchant and amount range.
        var created = await data.Categories(c => c.CreateAsync(data.Session, new CategoryRuleInput("small coffee", Merchant: "starbucks", MinAmount: -5m, MaxAmount: 0m)));
        Assert.Equal(1, created.Recategorized); // the 4.90 one
        var rule = created.Rules[0];

        // By account: everything on the Visa card over 50 EUR is "big".
        var big = await data.Categories(c => c.CreateAsync(data.Session, new CategoryRuleInput("big", Account: "visa", MaxAmount: -50m, Position: 1)));
        Assert.Equal(2, big.Recategorized); // REWE 63.00 and 57.90
        Assert.Equal(["small coffee", "big"], big.Rules.Take(2).Select(r => r.Category));

        // Last in order, the defaults match first: nothing is "small coffee" any more.
        var ids = big.Rules.Select(r => r.Id).Where(id => id != rule.Id).Append(rule.Id).ToList();
        var reordered = await data.Categories(c => c.ReorderAsync(data.Session, ids));
        Assert.Equal(1, reordered.Recategorized);
        Assert.DoesNotContain(await data.RowsAsync(), r => r.Category == "small coffee");

        var changed = await data.Categories(c => c.UpdateAsync(data.Session, big.Rules[1].Id, new CategoryRuleInput("big", Account: "visa", MaxAmount: -60m)));
        Assert.Equal(1, changed.Recategorized); // 57.90 is groceries again

        var deleted = await data.Categories(c => c.DeleteAsync(data.Session, big.Rules[1].Id));
        Assert.Equal(1, deleted.Recategorized);
        data.LockAndUnlock();
        Assert.DoesNotContain(await data.RowsAsync(), r => r.Category is "big" or "small coffee");
        Assert.Equal(seeded.Count + 1, (await data.Categories(c => c.ListAsync(data.Session))).Count);
    }

    [Fact]
    public async Task Invalid_rules_and_orders_are_refused_naming_the_fields()
    {
        await using var vault = await TestVault.CreateAsync();
        var data = new InsightData(vault);

        var e = await Assert.ThrowsAsync<InsightProblemException>(() => data.Categories(c => c.CreateAsync(data.Session, new CategoryRuleInput(" ", MinAmount: 5m, MaxAmount: 1m))));
        Assert.Equal(ProblemCodes.InvalidCategoryRule, e.Code);
        Assert.Equal(["category", "maxAmount"], e.Errors!.Keys.Order());

        var none = await Assert.ThrowsAsync<InsightProblemException>(() => data.Categories(c => c.CreateAsync(data.Session, new CategoryRuleInput("coffee"))));
        Assert.Equal(["keywords"], none.Errors!.Keys);

        var rules = await data.Categories(c => c.ListAsync(data.Session));
        var order = await Assert.ThrowsAsync<InsightProblemException>(() => data.Categories(c => c.ReorderAsync(data.Session, [.. rules.Skip(1).Select(r => r.Id)])));
        Assert.Equal(ProblemCodes.InvalidRuleOrder, order.Code);
        var missing = await Assert.ThrowsAsync<InsightProblemException>(() => data.Categories(c => c.DeleteAsync(data.Session, Guid.NewGuid())));
        Assert.Equal(ProblemCodes.CategoryRuleNotFound, missing.Code);
        var unknown = await Assert.ThrowsAsync<InsightProblemException>(() => data.Categories(c => c.RecategorizeAsync(data.Session, Guid.NewGuid(), 0, new RecategorizeInput("x"))));
        Assert.Equal(ProblemCodes.TransactionNotFound, unknown.Code);
        Assert.Equal(rules.Select(Shape), (await data.Categories(c => c.ListAsync(data.Session))).Select(Shape)); // nothing changed
    }

    private static string Shape(CategoryRuleItem rule) =>
        $"{rule.Id} {rule.Category} [{string.Join('|', rule.Keywords)}] {rule.Merchant} {rule.Account} {rule.MinAmount} {rule.MaxAmount}";
}
