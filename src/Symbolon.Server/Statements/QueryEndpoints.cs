using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Statements;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Statements;

/// <summary>Read-only SQL over the person's own transactions, run in memory (see <see cref="TransactionSql"/>).</summary>
internal static class QueryEndpoints
{
    public static RouteGroupBuilder MapQueryEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/").WithTags("Query").RequireAuthorization(OwnerAuthentication.Policy);
        group.MapPost("/query", QueryAsync).WithName("RunSqlQuery")
            .WithSummary("Runs one read-only SELECT over the vault's query database (transactions, receipts, receipt_lines, check_ins, loyalty_events, profile_fields), in memory; at most 10,000 rows, stopped after 30 seconds.");
        return group;
    }

    internal static async Task<Ok<SqlQueryResult>> QueryAsync(SqlQueryRequest request, VaultSession session, VaultQueries queries, CancellationToken ct)
    {
        if (request.MaxRows is < 1 or > TransactionSql.MaxRowsLimit)
        {
            throw ValidationFailedException.For("maxRows", $"Ask for 1 to {TransactionSql.MaxRowsLimit} rows.");
        }

        return TypedResults.Ok(await queries.RunAsync(session, request.Sql, request.MaxRows ?? TransactionSql.DefaultMaxRows, ct));
    }
}
