namespace Symbolon.Core.Statements;

/// <summary>The categories the default rules give; rules can name any other category.</summary>
internal static class Categories
{
    public const string Uncategorized = "uncategorized";
    public const string Coffee = "coffee";
    public const string Groceries = "groceries";
    public const string Transport = "transport";
    public const string Subscriptions = "subscriptions";
    public const string Fees = "fees";
    public const string Restaurants = "restaurants";
    public const string Income = "income";

    /// <summary>What the person gives (EmanciPay): lines that paid a payment are put here when it settles.</summary>
    public const string Giving = "giving";
}

/// <summary>
/// One categorization rule: it matches when every condition it sets holds: the description or merchant contains one
/// of its keywords (ignoring case), the merchant is exactly <see cref="Merchant"/>, the account is
/// <see cref="Account"/>, the amount lies in its range. The first matching rule wins, so order is meaning. The
/// person's rules live in the vault (<c>Insights/CategoryRuleBook</c>); <see cref="CategoryRules.Defaults"/> seed them.
/// </summary>
internal sealed record CategoryRule(string Category, IReadOnlyList<string> Keywords, decimal? MinAmount = null, decimal? MaxAmount = null, string? Merchant = null, string? Account = null, Guid Id = default)
{
    public bool Matches(string description, string? merchant, decimal amount, string? account = null) =>
        MatchesText(description, merchant, account) && InRange(amount);

    /// <summary>The conditions on text (keywords, merchant, account); the same for every transaction with these strings.</summary>
    // Run for every distinct text of a vault on unlock, before the first page can be shown: compiled fully optimized
    // at once instead of starting in tier 0.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool MatchesText(string description, string? merchant, string? account)
    {
        if ((Merchant is not null && !string.Equals(Merchant, merchant ?? description, StringComparison.OrdinalIgnoreCase))
            || (Account is not null && !string.Equals(Account, account, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        if (Keywords.Count == 0)
        {
            return true;
        }

        foreach (var keyword in Keywords)
        {
            if (ContainsWord(description, keyword) || (merchant is not null && ContainsWord(merchant, keyword)))
            {
                return true;
            }
        }

        return false;
    }

    public bool InRange(decimal amount) => (MinAmount is null || amount >= MinAmount) && (MaxAmount is null || amount <= MaxAmount);

    // A short keyword (four letters or fewer) matches at the start of a word only, so "tfl" (London transport) does
    // not match "NETFLIX" nor "fee" "COFFEE"; longer ones match anywhere, as German compounds need
    // ("entgelt" in "Kontoführungsentgelt").
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool ContainsWord(string text, string keyword)
    {
        if (keyword.Length > 4)
        {
            return text.Contains(keyword, StringComparison.OrdinalIgnoreCase);
        }

        var from = 0;
        while (from <= text.Length - keyword.Length)
        {
            var at = text.IndexOf(keyword, from, StringComparison.OrdinalIgnoreCase);
            if (at < 0)
            {
                return false;
            }

            if (at == 0 || !char.IsLetterOrDigit(text[at - 1]))
            {
                return true;
            }

            from = at + 1;
        }

        return false;
    }
}

/// <summary>
/// The rules applied on import. A statement repeats the same few hundred texts thousands of times, so which rules'
/// keywords a (description, merchant) pair matches is computed once per pair; only the amount ranges are checked per line.
/// </summary>
internal sealed class CategoryRules(IReadOnlyList<CategoryRule> rules)
{
    public static IReadOnlyList<CategoryRule> Defaults { get; } =
    [
        new(Categories.Fees, ["fee", "gebühr", "gebuehr", "entgelt", "interest charge", "overdraft", "sollzins", "penalty", "late charge", "frais", "commission"]),
        new(Categories.Coffee, ["coffee", "café", "cafe ", "starbucks", "costa", "espresso", "kaffee", "tchibo", "nespresso", "pret a manger", "blue bottle"]),
        new(Categories.Groceries, ["rewe", "edeka", "aldi", "lidl", "tesco", "sainsbury", "carrefour", "albert heijn", "jumbo", "asda", "morrisons", "kroger", "penny", "whole foods", "trader joe", "kaufland", "netto", "migros", "coop", "safeway", "supermarket", "grocer"]),
        new(Categories.Transport, ["uber", "lyft", "bolt", "deutsche bahn", "db vertrieb", "bvg", "mvg", "tfl", "sncf", "ns reizen", "shell", "aral", "esso", "bp ", "parking", "taxi", "metro", "transit", "railway"]),
        new(Categories.Subscriptions, ["netflix", "spotify", "disney+", "apple.com/bill", "icloud", "amazon prime", "youtube premium", "github", "dropbox", "adobe", "patreon", "gym", "fitness"]),
        new(Categories.Restaurants, ["restaurant", "pizza", "mcdonald", "burger", "sushi", "kebab", "deliveroo", "lieferando", "doordash"]),
        new(Categories.Income, ["salary", "gehalt", "lohn", "payroll"], MinAmount: 0.01m),
    ];

    private static readonly CategoryRule[] NoRules = [];
    private readonly Dictionary<(string, string?, string?), CategoryRule[]> _textMatches = [];

    public IReadOnlyList<CategoryRule> Rules => rules;

    public static CategoryRules Default() => new(Defaults);

    public string Categorize(string description, string? merchant, decimal amount, string? account = null)
    {
        if (!_textMatches.TryGetValue((description, merchant, account), out var candidates))
        {
            var matching = rules.Where(r => r.MatchesText(description, merchant, account)).ToArray();
            candidates = matching.Length == 0 ? NoRules : matching;
            if (_textMatches.Count < 200_000)
            {
                _textMatches[(description, merchant, account)] = candidates;
            }
        }

        foreach (var rule in candidates)
        {
            if (rule.InRange(amount))
            {
                return rule.Category;
            }
        }

        return Categories.Uncategorized;
    }

    // Called once per import with a loop over every row: compiled fully optimized at once instead of starting in tier 0.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Apply(IReadOnlyList<StatementLine> lines)
    {
        foreach (var line in lines)
        {
            line.Category = Categorize(line.Description, line.Merchant, line.Amount, line.Account);
        }
    }
}
