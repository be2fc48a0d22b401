namespace OrmPerf.Caching;

/// <summary>
/// A second-level store shared between processes (Redis in <c>OrmPerf.Redis</c>), holding entries as opaque payloads
/// (the cache's own versioned JSON envelope) under <see cref="QueryKey.Id"/>.
/// </summary>
/// <remarks>
/// <para>The store never interprets a payload: the envelope carries the canonical-key digest (checked on read against
/// hash collisions), the freshness deadlines and the tags, so one store serves every result type safely.</para>
/// <para>Implementations must be thread-safe.</para>
/// </remarks>
public interface IQueryCacheStore
{
    /// <summary>Reads the payload stored under <paramref name="key"/>.</summary>
    /// <param name="key">A <see cref="QueryKey.Id"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The payload, or <see langword="null"/> when there is none.</returns>
    ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the payload stored under <paramref name="key"/> together with, where the store can do it in the same round
    /// trip, when one of <paramref name="tags"/> (the tags the entry is expected to carry) was last invalidated, so a
    /// tagged hit costs one call instead of two. The cache falls back to <see cref="WasInvalidatedSinceAsync"/> when
    /// the entry's tags were not all checked.
    /// </summary>
    /// <param name="key">A <see cref="QueryKey.Id"/>.</param>
    /// <param name="tags">The tags the caller's entry options give the entry.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>
    /// The payload and the tags' last invalidation time. Default: <see cref="GetAsync"/>'s payload, tags not checked.
    /// </returns>
    async ValueTask<QueryCacheStoreRead> ReadAsync(string key, IReadOnlyList<string> tags, CancellationToken cancellationToken) =>
        new(await GetAsync(key, cancellationToken).ConfigureAwait(false), null);

    /// <summary>
    /// Called after a miss, before the cache runs the query: tries to take a short lease on computing the entry under
    /// <paramref name="key"/>, so that of several processes missing it at once about one runs the query while the others
    /// poll the store for its result.
    /// </summary>
    /// <param name="key">A <see cref="QueryKey.Id"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// <see langword="null"/> when this process should run the query now (it took the lease, the store has no leases, or
    /// cannot tell); otherwise how long another process's lease may last, during which the cache waits for its result
    /// and after which it runs the query itself. Default: <see langword="null"/>.
    /// </returns>
    ValueTask<TimeSpan?> TryAcquireLeaseAsync(string key, CancellationToken cancellationToken) => new((TimeSpan?)null);

    /// <summary>Stores <paramref name="payload"/> under <paramref name="key"/> for <paramref name="timeToLive"/>.</summary>
    /// <param name="key">A <see cref="QueryKey.Id"/>.</param>
    /// <param name="payload">The cache's envelope of one entry, stored as is.</param>
    /// <param name="timeToLive">How long to keep it: the entry's duration plus its fail-safe window.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the payload is stored.</returns>
    ValueTask SetAsync(string key, ReadOnlyMemory<byte> payload, TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>Removes the payload stored under <paramref name="key"/>, if any.</summary>
    /// <param name="key">A <see cref="QueryKey.Id"/>.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the payload is gone.</returns>
    ValueTask RemoveAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Whether another process invalidated one of <paramref name="tags"/> at or after <paramref name="createdAt"/>, for a
    /// store that records invalidations (so a process that missed them does not serve a stale entry). The cache asks it
    /// for every tagged entry it reads from the store, and treats a failure as "invalidated".
    /// </summary>
    /// <param name="tags">The tags of an entry read from the store.</param>
    /// <param name="createdAt">When the entry was created.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Whether the entry may predate an invalidation. Default: <see langword="false"/> (the store records none).</returns>
    ValueTask<bool> WasInvalidatedSinceAsync(IReadOnlyList<string> tags, DateTimeOffset createdAt, CancellationToken cancellationToken) => new(false);
}
