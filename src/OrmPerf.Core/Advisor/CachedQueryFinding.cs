namespace OrmPerf.Advisor;

/// <summary>
/// A query read through this process's OrmPerf query cache whose tables change so often that caching it does not pay:
/// most reads miss because a write invalidated the entry since the last one, so each pays a lookup and a store on top
/// of the query. Read by the in-process advisor from the cache's per-query counters.
/// </summary>
/// <param name="Statement">The SQL text (or a cached method's key name).</param>
/// <param name="Tags">The entry tags of its results (<c>table:name</c> for each table a Dapper query reads).</param>
/// <param name="Reads">Reads through the cache since its first read.</param>
/// <param name="Hits">Reads served from the cache.</param>
/// <param name="Misses">Reads that ran the query.</param>
/// <param name="TagInvalidations">Invalidations of its tags meanwhile (writes to its tables, here or on other nodes).</param>
/// <param name="Evidence">The numbers above in one sentence.</param>
public sealed record CachedQueryFinding(
    string Statement,
    IReadOnlyList<string> Tags,
    long Reads,
    long Hits,
    long Misses,
    long TagInvalidations,
    string Evidence)
{
    /// <summary>Hits per read.</summary>
    public double HitRatio => Reads == 0 ? 0 : (double)Hits / Reads;
}
