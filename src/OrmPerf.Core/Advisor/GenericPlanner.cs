using System.Globalization;
using System.Text.Json;
using Dapper;
using Npgsql;
using OrmPerf.Indexes;
using OrmPerf.Sql;

namespace OrmPerf.Advisor;

/// <summary>
/// Plans normalised statements (<c>$1</c> placeholders) on PostgreSQL 15, which lacks <c>EXPLAIN (GENERIC_PLAN)</c>:
/// <c>PREPARE</c> infers the parameters' types and, with <c>plan_cache_mode = force_generic_plan</c>,
/// <c>EXPLAIN EXECUTE</c> with NULLs shows the plan for any value. Runs inside the caller's read-only transaction,
/// each statement under a savepoint so one that cannot be planned does not end the others. Not thread-safe (one connection).
/// </summary>
internal sealed class GenericPlanner(NpgsqlConnection connection, string? hypoPgSchema)
{
    private int _prepared;

    /// <summary>Sets the generic plan mode for the transaction.</summary>
    public Task BeginAsync(CancellationToken cancellationToken) => ExecuteAsync("SET LOCAL plan_cache_mode = force_generic_plan", cancellationToken);

    /// <summary><c>EXPLAIN (FORMAT JSON, VERBOSE)</c> of the statement; the error's message when it cannot be planned.</summary>
    public async Task<(string? PlanJson, string? Error)> ExplainAsync(string query, CancellationToken cancellationToken)
    {
        if (!StatementShape.IsSingleStatement(query))
        {
            return (null, "more than one statement");
        }

        var name = "ormperf_advisor_" + (++_prepared).ToString(CultureInfo.InvariantCulture);
        var arguments = StatementShape.ParameterCount(query) is var count and > 0
            ? "(" + string.Join(", ", Enumerable.Repeat("NULL", count)) + ")"
            : "";
        await ExecuteAsync("SAVEPOINT ormperf_advisor", cancellationToken).ConfigureAwait(false);
        try
        {
            // Prepared anew each time: a prepared statement keeps its generic plan even after a hypothetical index appears.
            await ExecuteAsync($"PREPARE {name} AS {query.TrimEnd().TrimEnd(';')}", cancellationToken).ConfigureAwait(false);
            var plan = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                $"EXPLAIN (FORMAT JSON, VERBOSE) EXECUTE {name}{arguments}", cancellationToken: cancellationToken)).ConfigureAwait(false);
            await ExecuteAsync($"DEALLOCATE {name}", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync("RELEASE SAVEPOINT ormperf_advisor", cancellationToken).ConfigureAwait(false);
            return (plan, null);
        }
        catch (PostgresException e)
        {
            await ExecuteAsync("ROLLBACK TO SAVEPOINT ormperf_advisor", cancellationToken).ConfigureAwait(false);
            return (null, $"{e.SqlState}: {e.MessageText}");
        }
    }

    /// <summary>
    /// Creates the index as a HypoPG hypothetical index (visible to this session only), plans the statement again and
    /// drops it: the estimated cost with it, and whether the planner used it.
    /// </summary>
    public async Task<(double Cost, bool Used)?> TryHypotheticalAsync(string query, CoveringIndexSuggestion index, CancellationToken cancellationToken)
    {
        var schema = hypoPgSchema ?? throw new InvalidOperationException("HypoPG is not available.");
        // Built from the parts, each quoted; HypoPG takes no CONCURRENTLY, IF NOT EXISTS or name.
        var create = $"CREATE INDEX ON {SqlIdentifier.QuoteQualified(index.Table)} ({SqlIdentifier.QuoteList(index.KeyColumns)})"
            + (index.IncludeColumns.Count == 0 ? "" : $" INCLUDE ({SqlIdentifier.QuoteList(index.IncludeColumns)})");
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT indexrelid::bigint FROM {SqlIdentifier.Escape(schema)}.hypopg_create_index(@create)", new { create }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        try
        {
            var (plan, _) = await ExplainAsync(query, cancellationToken).ConfigureAwait(false);
            if (plan is null)
            {
                return null;
            }

            // HypoPG names its indexes "<oid>btree_...".
            var marker = "<" + id.ToString(CultureInfo.InvariantCulture) + ">";
            return (TotalCost(plan), plan.Contains(marker, StringComparison.Ordinal));
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"SELECT {SqlIdentifier.Escape(schema)}.hypopg_drop_index(@id::oid)", new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Whether any node of the plan scans the named index.</summary>
    public static bool UsesIndex(string planJson, string indexName)
    {
        using var document = JsonDocument.Parse(planJson);
        return document.RootElement.EnumerateArray().Any(statement => Scans(statement.GetProperty("Plan"), indexName));

        static bool Scans(JsonElement node, string indexName) =>
            (node.TryGetProperty("Index Name", out var index) && index.GetString() == indexName)
            || (node.TryGetProperty("Plans", out var children) && children.EnumerateArray().Any(child => Scans(child, indexName)));
    }

    /// <summary>The root node's estimated total cost.</summary>
    public static double TotalCost(string planJson)
    {
        using var document = JsonDocument.Parse(planJson);
        return document.RootElement[0].GetProperty("Plan").GetProperty("Total Cost").GetDouble();
    }

    private Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: cancellationToken));
}
