using System.Globalization;
using Symbolon.Contracts.Insights;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Problems;
using Symbolon.Core.Records;
using Symbolon.Core.Statements;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Insights;

/// <summary>A categories or insights request that cannot be answered; carries its stable problem code.</summary>
internal sealed class InsightProblemException(string code, int status, string title, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    : SymbolonProblemException(code, status, title, detail, message: detail, errors)
{
    public static InsightProblemException BadFilter(string field, string reason) =>
        new(ProblemCodes.InvalidInsightFilter, 400, "That filter cannot be used.", "See errors for each parameter and why.", new Dictionary<string, string[]> { [field] = [reason] });
}

/// <summary>What the rules record holds: every rule, in order.</summary>
internal sealed record CategoryRuleSet(IReadOnlyList<CategoryRule> Rules);

/// <summary>A single transaction's category chosen by the person, kept over whatever the rules say.</summary>
internal sealed record CategoryOverride(Guid Batch, int Row, string Category);

/// <summary>
/// Where categories come from, stored as encrypted records: one <c>insights.rules</c> record holds the ordered rule
/// list (each edit is a new version of it, so the history of the rules is kept and a reorder is one atomic write),
/// and one <c>insights.override</c> record per transaction the person recategorized by hand. The sealed transaction
/// chunks keep the category given at import; the projection's categories are recomputed from these records when the
/// vault is unlocked and whenever they change, so rules apply to past imports without rewriting any chunk.
/// </summary>
internal sealed class CategoryRuleBook(RecordStore records)
{
    public const string RulesRecordType = "insights.rules";
    public const string OverrideRecordType = "insights.override";

    /// <summary>The vault's rules, or the defaults (not yet stored) when the person never changed any.</summary>
    public async Task<(CurrentRecord? Record, IReadOnlyList<CategoryRule> Rules)> ReadRulesAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var record = (await records.ListAsync(keys, RulesRecordType, ct)).FirstOrDefault(r => r.Type == RulesRecordType);
        return record is null ? (null, CategoryRules.Defaults) : (record, VaultJson.Deserialize<CategoryRuleSet>(record.Json).Rules);
    }

    public async Task<CurrentRecord> SaveRulesAsync(VaultKeys keys, CurrentRecord? existing, IReadOnlyList<CategoryRule> rules, CancellationToken ct = default)
    {
        var json = VaultJson.Serialize(new CategoryRuleSet(rules));
        return existing is null
            ? await records.CreateAsync(keys, RulesRecordType, json, Actor.Owner, ct)
            : await records.UpdateAsync(keys, existing.Id, json, Actor.Owner, existing.Version, ct);
    }

    public async Task<Dictionary<(Guid Batch, int Row), (CurrentRecord Record, string Category)>> ReadOverridesAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var result = new Dictionary<(Guid, int), (CurrentRecord, string)>();
        foreach (var record in await records.ListAsync(keys, OverrideRecordType, ct))
        {
            if (record.Type == OverrideRecordType)
            {
                var value = VaultJson.Deserialize<CategoryOverride>(record.Json);
                result[(value.Batch, value.Row)] = (record, value.Category);
            }
        }

        return result;
    }

    /// <summary>Recomputes every transaction's category from the stored rules and overrides; returns how many changed.</summary>
    public async Task<int> ApplyAsync(VaultKeys keys, TransactionProjection projection, CancellationToken ct = default)
    {
        var (_, rules) = await ReadRulesAsync(keys, ct);
        var overrides = await ReadOverridesAsync(keys, ct);
        return projection.Recategorize(rules, overrides.ToDictionary(o => o.Key, o => o.Value.Category));
    }
}

/// <summary>
/// The person's operations on categories: list, create, change, reorder and delete rules, and recategorize one
/// transaction or all like it. Every change is stored first, then applied to the whole projection, under the vault's
/// import gate so that an import never stores lines categorized by rules that changed while it ran.
/// </summary>
internal sealed class CategoryService(RecordStore records, StatementImporter importer, TimeProvider time)
{
    public const int MaxRules = 500;
    public const int MaxKeywords = 50;

    private readonly CategoryRuleBook _book = new(records);

    /// <summary>The categories to offer when the person picks one: those transactions have and those the rules give, alphabetically.</summary>
    public static IReadOnlyList<string> Offered(TransactionProjection projection, IEnumerable<CategoryRuleItem> rules) =>
        [.. projection.CategoriesInUse().Concat(rules.Select(r => r.Category)).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The rules in order; the defaults are stored (seeded) the first time they are asked for, so they get ids to edit by.</summary>
    public async Task<IReadOnlyList<CategoryRuleItem>> ListAsync(VaultSession session, CancellationToken ct = default)
    {
        var keys = session.Keys;
        var (record, rules) = await _book.ReadRulesAsync(keys, ct);
        if (record is not null)
        {
            return [.. rules.Select(ToItem)];
        }

        var vault = session.Transactions;
        await vault.ImportGate.WaitAsync(ct);
        try
        {
            (record, rules) = await _book.ReadRulesAsync(keys, ct);
            if (record is null)
            {
                // Defaults carry no ids until they are stored; stored, they are the person's to edit.
                rules = [.. rules.Select(r => r with { Id = UuidV7.Create(time.GetUtcNow()) })];
                await _book.SaveRulesAsync(keys, null, rules, ct);
            }

            return [.. rules.Select(ToItem)];
        }
        finally
        {
            vault.ImportGate.Release();
        }
    }

    public async Task<CategoryRuleList> CreateAsync(VaultSession session, CategoryRuleInput input, CancellationToken ct = default)
    {
        var rule = Validate(input) with { Id = UuidV7.Create(time.GetUtcNow()) };
        return await ChangeAsync(session, rules =>
        {
            if (rules.Count >= MaxRules)
            {
                throw Invalid("rules", $"At most {MaxRules} rules; delete some first.");
            }

            var position = input.Position ?? 0;
            if (position < 0 || position > rules.Count)
            {
                throw Invalid("position", $"From 0 (first) to {rules.Count.ToString(CultureInfo.InvariantCulture)} (last).");
            }

            rules.Insert(position, rule);
            return rules;
        }, ct);
    }

    public async Task<CategoryRuleList> UpdateAsync(VaultSession session, Guid id, CategoryRuleInput input, CancellationToken ct = default)
    {
        var rule = Validate(input) with { Id = id };
        return await ChangeAsync(session, rules =>
        {
            var at = IndexOf(rules, id);
            rules[at] = rule;
            return rules;
        }, ct);
    }

    public async Task<CategoryRuleList> DeleteAsync(VaultSession session, Guid id, CancellationToken ct = default) =>
        await ChangeAsync(session, rules =>
        {
            rules.RemoveAt(IndexOf(rules, id));
            return rules;
        }, ct);

    public async Task<CategoryRuleList> ReorderAsync(VaultSession session, IReadOnlyList<Guid> ids, CancellationToken ct = default) =>
        await ChangeAsync(session, rules =>
        {
            if (ids.Count != rules.Count || ids.Distinct().Count() != ids.Count || ids.Any(id => rules.All(r => r.Id != id)))
            {
                throw new InsightProblemException(ProblemCodes.InvalidRuleOrder, 400, "That order does not fit the rules.",
                    "Send every rule's id exactly once, first rule first; list the rules again if they changed in the meantime.",
                    new Dictionary<string, string[]> { ["ids"] = [$"Every one of the {rules.Count.ToString(CultureInfo.InvariantCulture)} rule ids exactly once."] });
            }

            return [.. ids.Select(id => rules.First(r => r.Id == id))];
        }, ct);

    /// <summary>
    /// Gives one transaction a category (an override record), or every transaction like it (a rule ahead of the others
    /// matching the same merchant, or the same description when there is no merchant; a hand-made override of this
    /// transaction is removed so the new rule decides it).
    /// </summary>
    public async Task<RecategorizeResult> RecategorizeAsync(VaultSession session, Guid batch, int row, RecategorizeInput input, CancellationToken ct = default)
    {
        var keys = session.Keys;
        var category = CleanCategory(input.Category, "category");
        var vault = session.Transactions;
        var projection = await importer.ProjectionAsync(session, ct);
        await vault.ImportGate.WaitAsync(ct);
        try
        {
            var transaction = projection.Find(batch, row) ?? throw NotFound();
            var overrides = await _book.ReadOverridesAsync(keys, ct);
            overrides.TryGetValue((batch, row), out var existing);
            CategoryRuleItem? created = null;
            if (input.AllLikeIt)
            {
                var (record, rules) = await _book.ReadRulesAsync(keys, ct);
                var rule = new CategoryRule(category, [], Merchant: transaction.Merchant ?? transaction.Description, Id: UuidV7.Create(time.GetUtcNow()));
                await _book.SaveRulesAsync(keys, record, [rule, .. rules], ct);
                created = ToItem(rule);
                if (existing.Record is not null)
                {
                    await records.DeleteAsync(keys, existing.Record.Id, Actor.Owner, existing.Record.Version, ct);
                }
            }
            else if (existing.Record is null)
            {
                await records.CreateAsync(keys, CategoryRuleBook.OverrideRecordType, VaultJson.Serialize(new CategoryOverride(batch, row, category)), Actor.Owner, ct);
            }
            else if (existing.Category != category)
            {
                await records.UpdateAsync(keys, existing.Record.Id, VaultJson.Serialize(new CategoryOverride(batch, row, category)), Actor.Owner, existing.Record.Version, ct);
            }

            return new RecategorizeResult(await _book.ApplyAsync(keys, projection, ct), created);
        }
        finally
        {
            vault.ImportGate.Release();
        }
    }

    private async Task<CategoryRuleList> ChangeAsync(VaultSession session, Func<List<CategoryRule>, List<CategoryRule>> change, CancellationToken ct)
    {
        var keys = session.Keys;
        var vault = session.Transactions;
        var projection = await importer.ProjectionAsync(session, ct);
        await vault.ImportGate.WaitAsync(ct);
        try
        {
            var (record, rules) = await _book.ReadRulesAsync(keys, ct);

            // Defaults carry no ids until they are stored; they get theirs when first stored.
            var current = record is null ? [.. rules.Select(r => r with { Id = UuidV7.Create(time.GetUtcNow()) })] : rules.ToList();
            var next = change(current);
            await _book.SaveRulesAsync(keys, record, next, ct);
            var changed = await _book.ApplyAsync(keys, projection, ct);
            return new CategoryRuleList([.. next.Select(ToItem)], changed);
        }
        finally
        {
            vault.ImportGate.Release();
        }
    }

    private static int IndexOf(List<CategoryRule> rules, Guid id)
    {
        var at = rules.FindIndex(r => r.Id == id);
        return at >= 0 ? at : throw new InsightProblemException(ProblemCodes.CategoryRuleNotFound, 404, "No such rule.", "No category rule with that id exists; list the rules for their ids.");
    }

    public static InsightProblemException NotFound() =>
        new(ProblemCodes.TransactionNotFound, 404, "No such transaction.", "No imported transaction with that id exists in this vault; list the transactions for their ids.");

    public static CategoryRuleItem ToItem(CategoryRule rule) =>
        new(rule.Id, rule.Category, rule.Keywords, rule.Merchant, rule.Account, rule.MinAmount, rule.MaxAmount);

    /// <summary>Checks a rule; errors name each field and say why, never what was sent.</summary>
    public static CategoryRule Validate(CategoryRuleInput input)
    {
        var errors = new ValidationErrors();
        string? category = null;
        try
        {
            category = CleanCategory(input.Category, "category");
        }
        catch (InsightProblemException e) when (e.Errors is not null)
        {
            errors.Add("category", e.Errors["category"][0]);
        }

        var keywords = new List<string>();
        var given = input.Keywords ?? [];
        if (given.Count > MaxKeywords)
        {
            errors.Add("keywords", $"At most {MaxKeywords} keywords.");
        }

        for (var i = 0; i < given.Count && i < MaxKeywords; i++)
        {
            var keyword = given[i]?.Trim();
            var field = $"keywords[{i.ToString(CultureInfo.InvariantCulture)}]";
            if (string.IsNullOrEmpty(keyword))
            {
                errors.Add(field, "A keyword has at least one character.");
            }
            else if (keyword.Length > 100 || keyword.Any(char.IsControl))
            {
                errors.Add(field, "At most 100 characters, no control characters.");
            }
            else
            {
                keywords.Add(keyword);
            }
        }

        var merchant = Text(errors, "merchant", input.Merchant);
        var account = Text(errors, "account", input.Account);
        if (input.MinAmount is { } min && input.MaxAmount is { } max && min > max)
        {
            errors.Add("maxAmount", "At least minAmount.");
        }

        if (given.Count == 0 && merchant is null && account is null && input.MinAmount is null && input.MaxAmount is null)
        {
            errors.Add("keywords", "Give at least one condition: keywords, merchant, account or an amount range.");
        }

        if (errors.Any)
        {
            throw new InsightProblemException(ProblemCodes.InvalidCategoryRule, 400, "The rule cannot be saved like this.", "See errors for each field and why; nothing was changed.", errors.ToDictionary());
        }

        return new CategoryRule(category!, keywords, input.MinAmount, input.MaxAmount, merchant, account);
    }

    /// <summary>Categories are compared as written in lower case, trimmed: "Coffee " and "coffee" are one category.</summary>
    public static string CleanCategory(string? category, string field)
    {
        var clean = category?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(clean) || clean.Length > 40 || clean.Any(char.IsControl))
        {
            throw new InsightProblemException(ProblemCodes.InvalidCategoryRule, 400, "That category cannot be used.", "A category has 1 to 40 characters.",
                new Dictionary<string, string[]> { [field] = ["1 to 40 characters, no control characters."] });
        }

        return clean;
    }

    private static InsightProblemException Invalid(string field, string reason) =>
        new(ProblemCodes.InvalidCategoryRule, 400, "The rule cannot be saved like this.", "See errors for each field and why; nothing was changed.", new Dictionary<string, string[]> { [field] = [reason] });

    private static string? Text(ValidationErrors errors, string field, string? value)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (trimmed.Length > 200 || trimmed.Any(char.IsControl))
        {
            errors.Add(field, "At most 200 characters, no control characters.");
        }

        return trimmed;
    }
}
