namespace OrmPerf.Advisor;

/// <summary>A statement called often, returning few rows, over tables that rarely change: a query-cache candidate.</summary>
/// <param name="Statement">The normalised statement.</param>
/// <param name="Calls">Its calls.</param>
/// <param name="RowsPerCall">Rows it returned per call on average.</param>
/// <param name="MeanMilliseconds">Its mean execution time (the round trip comes on top).</param>
/// <param name="Tables">The tables it reads (the cache's invalidation tags).</param>
/// <param name="TableWriteStatements">Calls of write statements on those tables.</param>
/// <param name="ExpectedHitRatio">One minus write statements per call: the hit ratio at best, when every write invalidates and keys repeat.</param>
/// <param name="Evidence">The numbers above in one sentence.</param>
public sealed record CacheRecommendation(
    string Statement,
    long Calls,
    double RowsPerCall,
    double MeanMilliseconds,
    IReadOnlyList<string> Tables,
    long TableWriteStatements,
    double ExpectedHitRatio,
    string Evidence);
