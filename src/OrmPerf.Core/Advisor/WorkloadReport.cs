using OrmPerf.Indexes;

namespace OrmPerf.Advisor;

/// <summary>What <see cref="IWorkloadAdvisor"/> found: one list per technique, each entry with its evidence.</summary>
/// <param name="StatementStatisticsAvailable">Whether <c>pg_stat_statements</c> could be read; without it only index hygiene and pool sizing are reported.</param>
/// <param name="HypotheticalIndexesAvailable">Whether HypoPG verified the index candidates; without it they are unverified suggestions.</param>
/// <param name="Notes">Why something could not be measured (a missing extension, a statement that could not be planned).</param>
/// <param name="StatementsAnalyzed">Statements in scope that were read from <c>pg_stat_statements</c>.</param>
/// <param name="Indexes">Candidate indexes for the statements that take the most time.</param>
/// <param name="UnusedIndexes">Indexes never scanned since the statistics were reset (not primary keys or constraints), with their size.</param>
/// <param name="RedundantIndexes">Duplicate and prefix-redundant indexes, with their size.</param>
/// <param name="InvalidIndexes">Indexes left invalid by a failed <c>CREATE INDEX CONCURRENTLY</c>.</param>
/// <param name="CacheCandidates">Statements worth caching.</param>
/// <param name="ViewCandidates">Aggregates worth a materialized view.</param>
/// <param name="MaterializedViews">Existing materialized views refreshed more often than their tables change, or rarely read.</param>
/// <param name="Pool">The connection pool's size against the server's limit and the sessions seen.</param>
/// <param name="StatisticsAge">How long the server has been counting (since its statistics were reset, or it started).</param>
/// <param name="LibraryCountersRead">
/// Whether OrmPerf's own counters in this process were read (pool waits, per-query cache counters): true when the advisor
/// runs inside the application. Without them, <see cref="PoolVerdict.TooSmall"/> and <see cref="CachedQueriesNotPaying"/>
/// cannot be reported.
/// </param>
/// <param name="CachedQueriesNotPaying">Queries read through this process's query cache whose tables change so often that caching them does not pay.</param>
public sealed record WorkloadReport(
    bool StatementStatisticsAvailable,
    bool HypotheticalIndexesAvailable,
    IReadOnlyList<string> Notes,
    int StatementsAnalyzed,
    IReadOnlyList<IndexRecommendation> Indexes,
    IReadOnlyList<IndexUsage> UnusedIndexes,
    IReadOnlyList<RedundantIndex> RedundantIndexes,
    IReadOnlyList<IndexUsage> InvalidIndexes,
    IReadOnlyList<CacheRecommendation> CacheCandidates,
    IReadOnlyList<ViewRecommendation> ViewCandidates,
    IReadOnlyList<MaterializedViewFinding> MaterializedViews,
    PoolSizing Pool,
    TimeSpan StatisticsAge,
    bool LibraryCountersRead,
    IReadOnlyList<CachedQueryFinding> CachedQueriesNotPaying)
{
    /// <summary>True when nothing is recommended: no index to add or drop, nothing to cache, uncache or materialize, and the pool fits.</summary>
    public bool NeedsNothing =>
        Indexes.Count == 0 && UnusedIndexes.Count == 0 && RedundantIndexes.Count == 0 && InvalidIndexes.Count == 0
        && CacheCandidates.Count == 0 && CachedQueriesNotPaying.Count == 0 && ViewCandidates.Count == 0 && MaterializedViews.Count == 0
        && Pool.Verdict == PoolVerdict.Fits;
}
