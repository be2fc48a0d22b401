namespace OrmPerf.Indexes;

/// <summary>
/// Reads PostgreSQL's statistics and plans to say which indexes earn their keep, which are missing, and whether a
/// query is answered from an index alone. Read-only, except <see cref="CreateSuggestedIndexAsync"/>. Thread-safe.
/// </summary>
public interface IIndexAdvisor
{
    /// <summary>Builds the report: unused, redundant and invalid indexes, sequential-scan-heavy tables, statistics age.</summary>
    /// <param name="options">Thresholds and the schemas to look at; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    Task<IndexReport> AnalyzeAsync(IndexAnalysisOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <c>EXPLAIN (FORMAT JSON)</c> for <paramref name="sql"/> with <paramref name="parameters"/> (Dapper-style) without
    /// executing it, and reports the plan's node types, in particular whether it is an index-only scan.
    /// </summary>
    /// <param name="sql">A query; trusted SQL, as for Dapper.</param>
    /// <param name="parameters">Its parameters, or null.</param>
    /// <param name="cancellationToken">Cancels the EXPLAIN.</param>
    Task<QueryPlan> ExplainAsync(string sql, object? parameters = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Suggests a covering index for <paramref name="sql"/> from its plan (<c>EXPLAIN (FORMAT JSON, VERBOSE)</c>, not
    /// executed): the first table the plan scans, its filter columns as keys (equality ones first, then ranges and
    /// patterns) and the other columns the query reads from it in <c>INCLUDE</c>.
    /// </summary>
    /// <param name="sql">A query; trusted SQL, as for Dapper.</param>
    /// <param name="parameters">Its parameters, or null.</param>
    /// <param name="cancellationToken">Cancels the EXPLAIN.</param>
    /// <returns>The suggestion, or null when the plan scans no table with a filter on plain columns.</returns>
    Task<CoveringIndexSuggestion?> SuggestCoveringIndexAsync(string sql, object? parameters = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the suggested index (<c>CONCURRENTLY</c>: writes go on, but it waits for running transactions), then,
    /// when <paramref name="vacuum"/> is set, runs <c>VACUUM (ANALYZE)</c> on its table so the visibility map lets the
    /// planner choose an index-only scan, and returns the query's new plan: check it with
    /// <see cref="QueryPlan.UsesIndexOnlyScanOn"/> and the suggestion's <see cref="CoveringIndexSuggestion.IndexName"/>.
    /// </summary>
    /// <param name="suggestion">From <see cref="SuggestCoveringIndexAsync"/>.</param>
    /// <param name="sql">The query the suggestion was made for.</param>
    /// <param name="parameters">Its parameters, or null.</param>
    /// <param name="vacuum">Vacuum and analyze the table after creating the index; on a large, busy table pass false and verify after autovacuum.</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    Task<QueryPlan> CreateSuggestedIndexAsync(CoveringIndexSuggestion suggestion, string sql, object? parameters = null, bool vacuum = true, CancellationToken cancellationToken = default);
}
