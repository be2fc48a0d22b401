using NpgsqlTypes;

namespace OrmPerf.Caching;

/// <summary>
/// Spreads removals and tag invalidations between processes (Redis pub/sub in <c>OrmPerf.Redis</c>), so every node
/// evicts what another node removed or invalidated from its in-memory cache.
/// </summary>
/// <remarks>
/// <para>A backplane must not deliver a node's own messages back to it, and must fail open: a publish that cannot be
/// sent is dropped, never thrown to the caller. Implementations must be thread-safe.</para>
/// </remarks>
public interface IQueryCacheBackplane
{
    /// <summary>Starts delivering other nodes' messages to <paramref name="receiver"/>; the cache calls it once, when built.</summary>
    /// <param name="receiver">The local cache.</param>
    void Attach(IQueryCacheBackplaneReceiver receiver);

    /// <summary>
    /// How long an entry stored in memory now may stay fresh at most, or <see langword="null"/> for as long as its options
    /// say. A backplane cut off from the other nodes cannot deliver their invalidations, so it answers a short limit
    /// until it is connected again. The cache reads it on every in-memory write; it must be cheap. Default: no limit.
    /// </summary>
    TimeSpan? LocalFreshnessLimit => null;

    /// <summary>Tells the other nodes that the entry under <paramref name="key"/> was removed.</summary>
    /// <param name="key">A <see cref="QueryKey.Id"/>.</param>
    /// <param name="cancellationToken">Cancels the publish.</param>
    /// <returns>A task that completes when the message is sent or dropped.</returns>
    ValueTask PublishRemovalAsync(string key, CancellationToken cancellationToken);

    /// <summary>Tells the other nodes that <paramref name="tags"/> were invalidated.</summary>
    /// <param name="tags">The tags.</param>
    /// <param name="cancellationToken">Cancels the publish.</param>
    /// <returns>A task that completes when the message is sent or dropped.</returns>
    ValueTask PublishTagInvalidationAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the other nodes that <paramref name="tags"/> were invalidated by a write committed at
    /// <paramref name="position"/>, so their fills of those tags read at or after it. A backplane that cannot carry the
    /// position sends a plain invalidation (the default).
    /// </summary>
    /// <param name="tags">The tags.</param>
    /// <param name="position">The WAL position of the write; <see langword="default"/> when unknown.</param>
    /// <param name="cancellationToken">Cancels the publish.</param>
    /// <returns>A task that completes when the message is sent or dropped.</returns>
    ValueTask PublishTagInvalidationAsync(IReadOnlyList<string> tags, NpgsqlLogSequenceNumber position, CancellationToken cancellationToken) =>
        PublishTagInvalidationAsync(tags, cancellationToken);
}
