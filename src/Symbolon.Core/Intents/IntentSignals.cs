using Symbolon.Contracts.Intents;
using Symbolon.Core.Insights;
using Symbolon.Core.Records;
using Symbolon.Core.Statements;
using Symbolon.Core.Vaults;
using Symbolon.Core.Wallet;
using Symbolon.Intents;

namespace Symbolon.Core.Intents;

/// <summary>
/// The signals an intent can carry, computed from the vault and shown before sending. Each is a yes claim with no
/// counts and no dates, so that it says the person is "for real" without saying anything that could single them out.
/// </summary>
internal sealed class IntentSignals(StatementImporter importer, Receipts receipts, RecordStore records)
{
    public const string BoughtStatement = "Has bought in this category before.";
    public const string BudgetStatement = "A payment pledge covers the budget.";

    public async Task<IReadOnlyList<IntentSignalOption>> OptionsAsync(VaultSession session, string category, CancellationToken ct = default)
    {
        var bought = !string.IsNullOrEmpty(category) && await HasBoughtInAsync(session, category, ct);
        return
        [
            new IntentSignalOption(
                IntentSignalTypes.BoughtInCategoryBefore,
                bought,
                BoughtStatement,
                bought ? null : "Your vault holds no purchase in this category (card transactions or receipts) to back it."),
            new IntentSignalOption(
                IntentSignalTypes.BudgetConfirmed,
                false,
                BudgetStatement,
                "Not available yet: it needs payment pledges, which the vault does not have until payments exist."),
        ];
    }

    /// <summary>
    /// True when money went out in <paramref name="category"/> (the insights category of a transaction, after the
    /// person's rules and overrides), or a vendor's receipt whose store the same rules put in that category.
    /// </summary>
    public async Task<bool> HasBoughtInAsync(VaultSession session, string category, CancellationToken ct = default)
    {
        var projection = await importer.ProjectionAsync(session, ct);
        var totals = projection.Totals(new TransactionFilter(Category: category));
        if (totals.Currencies.Any(c => c.Out < 0))
        {
            return true;
        }

        var stored = await receipts.ListAllAsync(session.Keys, ct);
        if (stored.Count == 0)
        {
            return false;
        }

        // A receipt's category is what the person's rules give its store's name, as they would a card line of it.
        var (_, ruleList) = await new CategoryRuleBook(records).ReadRulesAsync(session.Keys, ct);
        return stored.Any(r => r.Receipt.Total > 0
            && string.Equals(ruleList.FirstOrDefault(rule => rule.Matches(r.Receipt.StoreName, r.Receipt.StoreName, -r.Receipt.Total))?.Category, category, StringComparison.Ordinal));
    }
}
