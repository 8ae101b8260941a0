using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Insights;
using Symbolon.Contracts.Problems;
using Symbolon.Core.Insights;
using Symbolon.Core.Statements;
using Symbolon.Core.Vaults;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Insights;

/// <summary>
/// Owner API for categories (rules, recategorizing) and insights (spend, visits, fees, recurring payments). Query
/// values are read as text and checked here, so a bad filter is answered with <c>SYM2101</c> naming the parameter.
/// </summary>
internal static class InsightEndpoints
{
    public static RouteGroupBuilder MapInsightEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/").WithTags("Insights").RequireAuthorization(OwnerAuthentication.Policy);
        group.MapGet("/category-rules", ListRules).WithName("ListCategoryRules").WithSummary("The categorization rules, in order (the first that matches a transaction gives its category).");
        group.MapPost("/category-rules", CreateRule).WithName("CreateCategoryRule").WithSummary("Adds a rule (first, unless a position is given) and applies the rules to every transaction.");
        group.MapPut("/category-rules/order", ReorderRules).WithName("ReorderCategoryRules").WithSummary("Puts the rules in a new order and applies them to every transaction.");
        group.MapPut("/category-rules/{id:guid}", UpdateRule).WithName("UpdateCategoryRule").WithSummary("Changes a rule and applies the rules to every transaction.");
        group.MapDelete("/category-rules/{id:guid}", DeleteRule).WithName("DeleteCategoryRule").WithSummary("Deletes a rule and applies the others to every transaction.");
        group.MapGet("/categories", ListCategories).WithName("ListCategories").WithSummary("The categories in use with their number of transactions.");
        group.MapPut("/transactions/{id}/category", Recategorize).WithName("RecategorizeTransaction")
            .WithSummary("Gives one transaction a category, or all like it (a new rule that also applies to past and future imports).");
        group.MapGet("/insights/spend", Spend).WithName("GetSpendInsight")
            .WithSummary("Money spent by category or merchant per month or week, with the change from the period before.");
        group.MapGet("/insights/visits", Visits).WithName("GetVisitInsight")
            .WithSummary("Visits per merchant from card lines, vendor receipts and check-ins, each visit counted once.");
        group.MapGet("/insights/fees", Fees).WithName("GetFeeInsight").WithSummary("Fees, penalties and interest charged, per account, with the transactions behind them (?limit= lists only the newest of them per account; the totals count all).");
        group.MapGet("/insights/recurring", Recurring).WithName("GetRecurringInsight")
            .WithSummary("Recurring payments and subscriptions: amount, cadence, next expected date, price increases.");
        return group;
    }

    internal static async Task<Ok<CategoryRuleList>> ListRules(VaultSession session, CategoryService categories, CancellationToken ct) =>
        TypedResults.Ok(new CategoryRuleList(await categories.ListAsync(session, ct), 0));

    internal static async Task<Created<CategoryRuleList>> CreateRule(CategoryRuleInput input, VaultSession session, CategoryService categories, CancellationToken ct) =>
        TypedResults.Created("/owner/api/v1/category-rules", await categories.CreateAsync(session, input, ct));

    internal static async Task<Ok<CategoryRuleList>> UpdateRule(Guid id, CategoryRuleInput input, VaultSession session, CategoryService categories, CancellationToken ct) =>
        TypedResults.Ok(await categories.UpdateAsync(session, id, input, ct));

    internal static async Task<Ok<CategoryRuleList>> DeleteRule(Guid id, VaultSession session, CategoryService categories, CancellationToken ct) =>
        TypedResults.Ok(await categories.DeleteAsync(session, id, ct));

    internal static async Task<Ok<CategoryRuleList>> ReorderRules(CategoryRuleOrder order, VaultSession session, CategoryService categories, CancellationToken ct) =>
        TypedResults.Ok(await categories.ReorderAsync(session, order.Ids ?? [], ct));

    internal static async Task<Ok<IReadOnlyList<CategoryCount>>> ListCategories(VaultSession session, StatementImporter importer, CancellationToken ct)
    {
        var projection = await importer.ProjectionAsync(session, ct);
        return TypedResults.Ok<IReadOnlyList<CategoryCount>>([.. projection.CategoryCounts().Select(c => new CategoryCount(c.Category, c.Count))]);
    }

    internal static async Task<Ok<RecategorizeResult>> Recategorize(string id, RecategorizeInput input, VaultSession session, CategoryService categories, CancellationToken ct)
    {
        var keys = session.Keys;
        if (!TransactionIds.TryParse(id, out var batch, out var row))
        {
            throw CategoryService.NotFound();
        }

        return TypedResults.Ok(await categories.RecategorizeAsync(session, batch, row, input, ct));
    }

    internal static async Task<Ok<SpendReport>> Spend(
        string? groupBy, string? period, string? date, string? periods, string? category, string? currency, string? limit,
        VaultSession session, InsightService insights, CancellationToken ct)
    {
        var keys = session.Keys;
        var query = new SpendQuery(
            groupBy?.Trim().ToLowerInvariant() ?? SpendGroupings.Category,
            period?.Trim().ToLowerInvariant() ?? InsightPeriods.Month,
            Date(date, "date"),
            Int(periods, "periods") ?? 6,
            category,
            currency,
            Int(limit, "limit") ?? 20);
        return TypedResults.Ok(await insights.SpendAsync(session, query, ct));
    }

    internal static async Task<Ok<VisitReport>> Visits(string? from, string? to, string? category, string? limit, VaultSession session, InsightService insights, CancellationToken ct)
    {
        var keys = session.Keys;
        return TypedResults.Ok(await insights.VisitsAsync(session, new VisitQuery(Date(from, "from"), Date(to, "to"), category, Int(limit, "limit") ?? 20), ct));
    }

    internal static async Task<Ok<FeeReport>> Fees(string? from, string? to, string? limit, VaultSession session, InsightService insights, CancellationToken ct) =>
        TypedResults.Ok(await insights.FeesAsync(session, Date(from, "from"), Date(to, "to"), Int(limit, "limit"), ct));

    internal static async Task<Ok<RecurringReport>> Recurring(string? asOf, VaultSession session, InsightService insights, CancellationToken ct)
    {
        var keys = session.Keys;
        return TypedResults.Ok(await insights.RecurringAsync(session, Date(asOf, "asOf"), ct));
    }

    private static DateOnly? Date(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw InsightProblemException.BadFilter(field, "A date as yyyy-MM-dd.");
    }

    private static int? Int(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InsightProblemException(ProblemCodes.InvalidInsightFilter, 400, "That filter cannot be used.", "See errors for each parameter and why.",
                new Dictionary<string, string[]> { [field] = ["A whole number."] });
    }
}
