namespace Symbolon.Contracts.Insights;

/// <summary>
/// One categorization rule. A transaction matches when every condition the rule sets holds; rules are tried in
/// order and the first match gives the category.
/// </summary>
/// <param name="Id">The rule's id.</param>
/// <param name="Category">The category it gives, for example <c>coffee</c>.</param>
/// <param name="Keywords">The description or the merchant contains one of these (case ignored; keywords of four letters or fewer match at the start of a word). Empty: no text condition.</param>
/// <param name="Merchant">The merchant is exactly this (case ignored); for a transaction without a merchant, its description is.</param>
/// <param name="Account">The transaction belongs to this account (case ignored).</param>
/// <param name="MinAmount">The signed amount is at least this (money going out is negative).</param>
/// <param name="MaxAmount">The signed amount is at most this.</param>
public sealed record CategoryRuleItem(
    Guid Id,
    string Category,
    IReadOnlyList<string> Keywords,
    string? Merchant,
    string? Account,
    decimal? MinAmount,
    decimal? MaxAmount);

/// <summary>A rule to create or the new state of a rule to change; see <see cref="CategoryRuleItem"/> for the fields.</summary>
/// <param name="Category">The category it gives.</param>
/// <param name="Keywords">The description or the merchant contains one of these.</param>
/// <param name="Merchant">The merchant is exactly this.</param>
/// <param name="Account">The transaction belongs to this account.</param>
/// <param name="MinAmount">The signed amount is at least this.</param>
/// <param name="MaxAmount">The signed amount is at most this.</param>
/// <param name="Position">Where to put a new rule (0 = first, the default); ignored when changing a rule.</param>
public sealed record CategoryRuleInput(
    string Category,
    IReadOnlyList<string>? Keywords = null,
    string? Merchant = null,
    string? Account = null,
    decimal? MinAmount = null,
    decimal? MaxAmount = null,
    int? Position = null);

/// <summary>The rules' new order: every rule's id exactly once, first rule first.</summary>
/// <param name="Ids">The rule ids in their new order.</param>
public sealed record CategoryRuleOrder(IReadOnlyList<Guid> Ids);

/// <summary>The rules and what applying them did.</summary>
/// <param name="Rules">Every rule, in order.</param>
/// <param name="Recategorized">Transactions whose category changed with this change (0 for a read).</param>
public sealed record CategoryRuleList(IReadOnlyList<CategoryRuleItem> Rules, int Recategorized);

/// <summary>Give one transaction, or every transaction like it, a category.</summary>
/// <param name="Category">The category.</param>
/// <param name="AllLikeIt">Also every transaction like it, past and future: creates a rule (same merchant, or same description when there is no merchant) ahead of the others.</param>
public sealed record RecategorizeInput(string Category, bool AllLikeIt = false);

/// <summary>The outcome of a recategorization.</summary>
/// <param name="Recategorized">Transactions whose category changed.</param>
/// <param name="Rule">The rule created for "all like it", else null.</param>
public sealed record RecategorizeResult(int Recategorized, CategoryRuleItem? Rule);

/// <summary>A category in use and how many transactions have it.</summary>
/// <param name="Category">The category.</param>
/// <param name="Transactions">Transactions with it.</param>
public sealed record CategoryCount(string Category, int Transactions);

/// <summary>The periods insights group by.</summary>
public static class InsightPeriods
{
    /// <summary>Calendar months.</summary>
    public const string Month = "month";

    /// <summary>ISO weeks, Monday to Sunday.</summary>
    public const string Week = "week";

    /// <summary>Every period kind.</summary>
    public static IReadOnlyList<string> All { get; } = [Month, Week];
}

/// <summary>What spend is grouped by.</summary>
public static class SpendGroupings
{
    /// <summary>By category.</summary>
    public const string Category = "category";

    /// <summary>By merchant (the statement's merchant, else its description).</summary>
    public const string Merchant = "merchant";

    /// <summary>Every grouping.</summary>
    public static IReadOnlyList<string> All { get; } = [Category, Merchant];
}

/// <summary>One period of a report.</summary>
/// <param name="Label">For example <c>2026-11</c> or <c>2026-W47</c>.</param>
/// <param name="Start">Its first day.</param>
/// <param name="End">Its last day.</param>
public sealed record InsightPeriod(string Label, DateOnly Start, DateOnly End);

/// <summary>Spend of one category or merchant, period by period.</summary>
/// <param name="Key">The category or merchant.</param>
/// <param name="Amounts">Money spent (positive) in each period, oldest first, as <see cref="SpendReport.Periods"/>.</param>
/// <param name="Counts">Transactions in each period.</param>
/// <param name="Current">Spent in the last (current) period.</param>
/// <param name="Previous">Spent in the period before it.</param>
/// <param name="ChangePercent">Change from the previous period in percent; null when nothing was spent then.</param>
public sealed record SpendGroup(string Key, IReadOnlyList<decimal> Amounts, IReadOnlyList<int> Counts, decimal Current, decimal Previous, decimal? ChangePercent);

/// <summary>Spend by category or merchant over consecutive periods, the last being the current one.</summary>
/// <param name="GroupBy">category or merchant.</param>
/// <param name="Period">month or week.</param>
/// <param name="Currency">The currency of every amount (transactions in other currencies are left out).</param>
/// <param name="Periods">The periods, oldest first.</param>
/// <param name="Groups">Groups with spend in the current or previous period first (largest current first), at most the limit asked for.</param>
/// <param name="Totals">Spend of all groups (also those beyond the limit) per period.</param>
/// <param name="OtherCurrencies">Currencies that also have transactions in these periods, to ask for separately.</param>
public sealed record SpendReport(
    string GroupBy,
    string Period,
    string Currency,
    IReadOnlyList<InsightPeriod> Periods,
    IReadOnlyList<SpendGroup> Groups,
    IReadOnlyList<decimal> Totals,
    IReadOnlyList<string> OtherCurrencies);

/// <summary>Visits to one merchant, from card lines, vendor receipts and check-ins, each visit counted once.</summary>
/// <param name="Merchant">The merchant's name (as a receipt or check-in names it, else as the statement does).</param>
/// <param name="Category">The category of its purchases.</param>
/// <param name="Visits">Visits counted once each.</param>
/// <param name="CardTransactions">Card or bank lines among them.</param>
/// <param name="Receipts">Vendor receipts among them.</param>
/// <param name="CheckIns">Check-ins among them.</param>
/// <param name="Merged">Visits seen in more than one source (a receipt and its card line, a check-in on the day of a purchase), counted once.</param>
/// <param name="LastVisit">The last visit's day.</param>
public sealed record MerchantVisits(string Merchant, string Category, int Visits, int CardTransactions, int Receipts, int CheckIns, int Merged, DateOnly LastVisit);

/// <summary>Which merchants the person went to most.</summary>
/// <param name="From">First day counted, when limited.</param>
/// <param name="To">Last day counted, when limited.</param>
/// <param name="Merchants">Merchants, most visits first.</param>
public sealed record VisitReport(DateOnly? From, DateOnly? To, IReadOnlyList<MerchantVisits> Merchants);

/// <summary>The kinds of charges the fees report tells apart.</summary>
public static class FeeKinds
{
    /// <summary>Account, card, foreign-transaction and other fees.</summary>
    public const string Fee = "fee";

    /// <summary>Late, overdraft and return penalties.</summary>
    public const string Penalty = "penalty";

    /// <summary>Interest charged.</summary>
    public const string Interest = "interest";
}

/// <summary>One fee, penalty or interest charge.</summary>
/// <param name="Id">The transaction's id.</param>
/// <param name="Date">Its booking date.</param>
/// <param name="Amount">The charge (positive).</param>
/// <param name="Description">The statement's text.</param>
/// <param name="Kind">fee, penalty or interest (<see cref="FeeKinds"/>).</param>
public sealed record FeeTransaction(string Id, DateOnly Date, decimal Amount, string Description, string Kind);

/// <summary>What one account (issuer) charged.</summary>
/// <param name="Account">The account or card as its statements name it.</param>
/// <param name="Currency">The currency of the charges.</param>
/// <param name="Total">Every charge added up.</param>
/// <param name="Fees">Fees.</param>
/// <param name="Penalties">Penalties.</param>
/// <param name="Interest">Interest.</param>
/// <param name="Transactions">The charges, newest first: all of them, or the newest few when the report was asked for with a limit (<see cref="TransactionCount"/> says how many there are).</param>
public sealed record FeeAccount(string Account, string Currency, decimal Total, decimal Fees, decimal Penalties, decimal Interest, IReadOnlyList<FeeTransaction> Transactions)
{
    /// <summary>How many charges the totals count; more than <see cref="Transactions"/> lists when a limit cut the list.</summary>
    public int TransactionCount { get; init; }
}

/// <summary>Fees, penalties and interest charged, per account.</summary>
/// <param name="From">First day counted, when limited.</param>
/// <param name="To">Last day counted, when limited.</param>
/// <param name="Accounts">Accounts, the largest total first.</param>
public sealed record FeeReport(DateOnly? From, DateOnly? To, IReadOnlyList<FeeAccount> Accounts);

/// <summary>The cadences recurring payments are detected at.</summary>
public static class Cadences
{
    /// <summary>About every 7 days.</summary>
    public const string Weekly = "weekly";

    /// <summary>About once a month.</summary>
    public const string Monthly = "monthly";

    /// <summary>About once a year.</summary>
    public const string Yearly = "yearly";
}

/// <summary>A payment that recurs: a subscription, a membership, a standing order.</summary>
/// <param name="Merchant">Who is paid.</param>
/// <param name="Category">Its category.</param>
/// <param name="Cadence">weekly, monthly or yearly (<see cref="Cadences"/>).</param>
/// <param name="Amount">The latest amount (positive).</param>
/// <param name="Currency">Its currency.</param>
/// <param name="Occurrences">Payments seen.</param>
/// <param name="First">The first payment's day.</param>
/// <param name="Last">The latest payment's day.</param>
/// <param name="NextExpected">When the next one is due.</param>
/// <param name="Active">Whether it is still running (the next payment is not overdue by more than half a cadence).</param>
/// <param name="PreviousAmount">The amount before the latest change, when the price changed.</param>
/// <param name="PriceIncreasedOn">The first day of the higher price, when the latest change was an increase.</param>
/// <param name="YearlyCost">What a year of it costs at the latest amount.</param>
public sealed record RecurringPayment(
    string Merchant,
    string Category,
    string Cadence,
    decimal Amount,
    string Currency,
    int Occurrences,
    DateOnly First,
    DateOnly Last,
    DateOnly NextExpected,
    bool Active,
    decimal? PreviousAmount,
    DateOnly? PriceIncreasedOn,
    decimal YearlyCost);

/// <summary>Recurring payments found in the transactions.</summary>
/// <param name="AsOf">The day "active" and "next expected" refer to.</param>
/// <param name="Payments">Active ones first, then by yearly cost.</param>
public sealed record RecurringReport(DateOnly AsOf, IReadOnlyList<RecurringPayment> Payments);
