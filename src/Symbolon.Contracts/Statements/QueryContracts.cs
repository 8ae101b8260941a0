using System.Text.Json;

namespace Symbolon.Contracts.Statements;

/// <summary>A read-only SQL query over the person's own transactions.</summary>
/// <param name="Sql">One SELECT (or WITH ... SELECT) statement over the table <c>transactions</c>.</param>
/// <param name="MaxRows">Return at most this many rows (1 to 10,000; 1,000 when not given).</param>
public sealed record SqlQueryRequest(string Sql, int? MaxRows = null);

/// <summary>One column of a query's result.</summary>
/// <param name="Name">The column's name.</param>
/// <param name="Type">The SQL engine's type name, for example <c>VARCHAR</c> or <c>DECIMAL(38,4)</c>.</param>
public sealed record SqlQueryColumn(string Name, string Type);

/// <summary>The result of a read-only SQL query.</summary>
/// <param name="Columns">The result's columns, in order.</param>
/// <param name="Rows">The rows: one JSON value per column (numbers as numbers, dates as ISO 8601 text, null as null).</param>
/// <param name="Truncated">True when the query returned more rows than <paramref name="MaxRows"/>; only the first ones are here.</param>
/// <param name="MaxRows">The row limit that applied.</param>
/// <param name="ElapsedMilliseconds">How long the query took, including bringing the vault's query database up to date.</param>
public sealed record SqlQueryResult(
    IReadOnlyList<SqlQueryColumn> Columns,
    IReadOnlyList<IReadOnlyList<JsonElement?>> Rows,
    bool Truncated,
    int MaxRows,
    double ElapsedMilliseconds)
{
    /// <summary>What bounds every query of this vault (memory, threads, time); null from a server that does not say.</summary>
    public SqlQueryLimits? Limits { get; init; }
}

/// <summary>What bounds the person's queries: the query database's memory, the threads a query uses, and how long it may run.</summary>
/// <param name="MemoryLimitMiB">The most memory the vault's query database may use, in MiB; a query needing more fails (nothing spills to disk).</param>
/// <param name="Threads">How many threads one query uses.</param>
/// <param name="TimeoutSeconds">A query running longer than this is stopped.</param>
public sealed record SqlQueryLimits(int MemoryLimitMiB, int Threads, int TimeoutSeconds);
