namespace OrmPerf.Caching;

/// <summary>One cached query's counters in one <see cref="QueryCache"/> since the query was first read through it.</summary>
/// <param name="Statement">The SQL text (or, for a cached method, its key name) the query's keys were built from.</param>
/// <param name="Tags">The entry tags of its results (table tags for Dapper queries), as at its first read.</param>
/// <param name="Hits">Reads served from the cache.</param>
/// <param name="Misses">Reads that found no fresh entry (first reads, expired or invalidated entries, keys not seen before).</param>
/// <param name="TagInvalidations">Invalidations of its tags since its first read (a write to a table it reads, here or on another node).</param>
public sealed record CachedQueryStatistics(string Statement, IReadOnlyList<string> Tags, long Hits, long Misses, long TagInvalidations)
{
    /// <summary>Hits plus misses.</summary>
    public long Reads => Hits + Misses;

    /// <summary>Hits per read; 0 before the first read.</summary>
    public double HitRatio => Reads == 0 ? 0 : (double)Hits / Reads;
}
