namespace OrmPerf.Advisor;

/// <summary>
/// Says which of OrmPerf's techniques to apply where, from what the server measured: <c>pg_stat_statements</c> (the
/// statements, their calls, time and rows), <c>pg_stat_user_tables</c> and <c>_indexes</c> (reads and writes per table,
/// index use), <c>pg_stat_activity</c> and the pool's settings. Every recommendation carries its evidence.
/// </summary>
/// <remarks>
/// <see cref="AnalyzeAsync"/> is read-only: plans are taken with <c>EXPLAIN</c> (never <c>ANALYZE</c>) inside a read-only transaction, and candidate
/// indexes are tried as HypoPG hypothetical indexes, which exist only in the advisor's session. The one exception is
/// <c>CREATE EXTENSION IF NOT EXISTS</c> for <c>pg_stat_statements</c> and <c>hypopg</c> when
/// <see cref="WorkloadAdvisorOptions.CreateExtensions"/> is set. Thread-safe.
/// </remarks>
public interface IWorkloadAdvisor
{
    /// <summary>Gathers the statistics and builds the report.</summary>
    /// <param name="options">Thresholds and the schemas to look at; null for the defaults.</param>
    /// <param name="progress">Told each phase as it starts (for a progress display); may be null.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    Task<WorkloadReport> AnalyzeAsync(WorkloadAdvisorOptions? options = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a recommended index (<c>CREATE INDEX CONCURRENTLY IF NOT EXISTS</c>: writes go on, but it waits for running
    /// transactions), analyzes its table, and plans the statement again to check that the plan now uses it.
    /// </summary>
    /// <param name="recommendation">One of <see cref="WorkloadReport.Indexes"/>; the statement is rebuilt from its parts, each name quoted.</param>
    /// <param name="cancellationToken">Cancels the statements (a cancelled concurrent build leaves an invalid index, which the next report names).</param>
    /// <exception cref="InvalidOperationException">The statement cannot be planned any more (its tables changed).</exception>
    Task<AppliedIndex> ApplyIndexAsync(IndexRecommendation recommendation, CancellationToken cancellationToken = default);
}
