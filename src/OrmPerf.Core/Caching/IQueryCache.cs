using OrmPerf.Sql;

namespace OrmPerf.Caching;

/// <summary>
/// A cache of query results keyed by <see cref="QueryKey"/>, with stampede protection (one factory run per key at a
/// time), tag and table invalidation, and fail-safe (serving an expired result for a bounded time when the factory fails).
/// </summary>
/// <remarks>All members are thread-safe.</remarks>
public interface IQueryCache
{
    /// <summary>The entry options of calls that pass none.</summary>
    QueryCacheEntryOptions DefaultEntryOptions { get; }

    /// <summary>
    /// Returns the cached result for <paramref name="key"/>, or runs <paramref name="factory"/> once for all concurrent
    /// callers of the same key, caches its result and returns it.
    /// </summary>
    /// <typeparam name="T">The result type; must be <see cref="QueryKey.ResultType"/>.</typeparam>
    /// <param name="key">The query's key.</param>
    /// <param name="factory">Computes the result. Its token is cancelled only when every waiting caller has given up.</param>
    /// <param name="options">Lifetime and tags of a new entry; <see langword="null"/> for the configured default.</param>
    /// <param name="cancellationToken">Stops this caller's wait; other callers still get the result.</param>
    /// <returns>The cached or computed result.</returns>
    ValueTask<T> GetOrSetAsync<T>(QueryKey key, Func<CancellationToken, ValueTask<T>> factory, QueryCacheEntryOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a fresh cached result without computing one.</summary>
    /// <typeparam name="T">The result type; must be <see cref="QueryKey.ResultType"/>.</typeparam>
    /// <param name="key">The query's key.</param>
    /// <param name="value">The result when found.</param>
    /// <returns>Whether a fresh, valid result was found.</returns>
    bool TryGet<T>(QueryKey key, out T value);

    /// <summary>Stores a result, replacing any cached one (in the second level too, if there is one).</summary>
    /// <typeparam name="T">The result type; must be <see cref="QueryKey.ResultType"/>.</typeparam>
    /// <param name="key">The query's key.</param>
    /// <param name="value">The result.</param>
    /// <param name="options">Lifetime and tags; <see langword="null"/> for the configured default.</param>
    /// <param name="cancellationToken">Cancels the write to a second-level store.</param>
    /// <returns>A task that completes when the result is stored.</returns>
    ValueTask SetAsync<T>(QueryKey key, T value, QueryCacheEntryOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Removes the result of one query (from the second level too, if there is one).</summary>
    /// <param name="key">The query's key.</param>
    /// <param name="cancellationToken">Cancels the removal from a second-level store.</param>
    /// <returns>A task that completes when the result is gone.</returns>
    ValueTask RemoveAsync(QueryKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Invalidates every result tagged with one of <paramref name="tags"/>, including results being computed right now
    /// (they are returned to their callers but not stored).
    /// </summary>
    /// <param name="tags">The tags.</param>
    /// <param name="cancellationToken">Cancels the invalidation of a second-level store.</param>
    /// <returns>A task that completes when the invalidation is visible to every later read.</returns>
    ValueTask InvalidateTagsAsync(IEnumerable<string> tags, CancellationToken cancellationToken = default);

    /// <summary>
    /// Invalidates every result whose SQL reads one of <paramref name="tables"/> (the tables named after FROM and JOIN),
    /// and every result whose tables could not be determined.
    /// </summary>
    /// <param name="tables">Table names, optionally schema-qualified or quoted.</param>
    /// <param name="cancellationToken">Cancels the invalidation of a second-level store.</param>
    /// <returns>A task that completes when the invalidation is visible to every later read.</returns>
    ValueTask InvalidateTablesAsync(IEnumerable<string> tables, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hits, misses and tag invalidations per cached query (SQL text or cached method) since its first read: the
    /// evidence that a query's tables change too often for caching it to pay.
    /// </summary>
    /// <returns>A snapshot, ordered by statement.</returns>
    IReadOnlyList<CachedQueryStatistics> GetQueryStatistics();
}
