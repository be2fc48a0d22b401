namespace OrmPerf.Caching;

/// <summary>
/// How long one cached result lives and what invalidates it. Immutable; safe to share between threads and calls
/// (keep one static instance per query rather than allocating per call).
/// </summary>
/// <remarks>
/// Options passed to a call are checked by that call (an <see cref="ArgumentException"/> naming the bad property);
/// <see cref="QueryCacheOptions.DefaultEntryOptions"/> are checked with the cache's options, when the host starts.
/// Bindable from configuration as part of <see cref="QueryCacheOptions"/>.
/// </remarks>
public sealed record QueryCacheEntryOptions
{
    /// <summary>How long the result is fresh. Default: one minute.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A random extra time in [0, <see cref="Jitter"/>) added to <see cref="Duration"/>, so entries written together do not
    /// all expire (and hit the database) together. Default: none.
    /// </summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>
    /// How long after expiry the result may still be served when refreshing it fails (database down). Default: none.
    /// </summary>
    public TimeSpan FailSafeWindow { get; init; }

    /// <summary>
    /// After the factory failed and a stale result was served, how long that result is served as if fresh before the
    /// factory is tried again (one retry per period instead of every request waiting for a database that is down).
    /// Zero retries on every request. Default: 30 seconds.
    /// </summary>
    public TimeSpan FailSafeThrottle { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The entry's share of the in-memory cache's size limit. Default: 1.</summary>
    public long Size { get; init; } = 1;

    /// <summary>
    /// Tags that invalidate the entry through <see cref="IQueryCache.InvalidateTagsAsync"/>. Table tags
    /// (<see cref="QueryCacheTags.ForTable"/>) make <see cref="IQueryCache.InvalidateTablesAsync"/> reach it.
    /// </summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}
