namespace OrmPerf.Indexes;

/// <summary>
/// Reads PostgreSQL's statistics and plans to say which indexes earn their keep, which are missing, and whether a
/// query is answered from an index alone. Read-only. Thread-safe.
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
}
