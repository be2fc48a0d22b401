namespace OrmPerf.Caching;

/// <summary>Settings of the query cache, validated when added (<c>AddQueryCache</c>) and at start.</summary>
/// <remarks>Configure before the cache is built; not meant to be changed afterwards (not thread-safe).</remarks>
public sealed class QueryCacheOptions
{
    /// <summary>
    /// The cache's name, the <c>ormperf.cache.name</c> tag of its metrics (tells several caches apart). Default: <c>default</c>.
    /// </summary>
    public string Name { get; set; } = "default";

    /// <summary>The in-memory cache's capacity, in units of <see cref="QueryCacheEntryOptions.Size"/>. Default: 10,000.</summary>
    public long SizeLimit { get; set; } = 10_000;

    /// <summary>The entry options of calls that pass none. Default: one minute, no jitter, no fail-safe, size 1.</summary>
    public QueryCacheEntryOptions DefaultEntryOptions { get; set; } = new();
}
