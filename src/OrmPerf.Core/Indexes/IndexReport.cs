namespace OrmPerf.Indexes;

/// <summary>The result of <see cref="IIndexAdvisor.AnalyzeAsync"/>.</summary>
/// <param name="UnusedIndexes">Indexes scanned rarely or never, excluding unique, primary-key and constraint indexes; largest first.</param>
/// <param name="RedundantIndexes">Indexes that duplicate another or are a prefix of another.</param>
/// <param name="InvalidIndexes">Indexes left invalid, e.g. by a failed <c>CREATE INDEX CONCURRENTLY</c>: maintained on writes, never used.</param>
/// <param name="SequentialScanHeavyTables">Large tables read mostly by sequential scans: candidates for a missing index.</param>
/// <param name="StatisticsResetAt">When this database's statistics were last reset; null if never.</param>
/// <param name="ServerStartedAt">When the server started.</param>
/// <param name="StatisticsAge">
/// How long the counters have been accumulating: since the reset, or (never reset) at least since the server started.
/// Young statistics make "unused" weak evidence.
/// </param>
public sealed record IndexReport(
    IReadOnlyList<IndexUsage> UnusedIndexes,
    IReadOnlyList<RedundantIndex> RedundantIndexes,
    IReadOnlyList<IndexUsage> InvalidIndexes,
    IReadOnlyList<TableScanUsage> SequentialScanHeavyTables,
    DateTimeOffset? StatisticsResetAt,
    DateTimeOffset ServerStartedAt,
    TimeSpan StatisticsAge);
