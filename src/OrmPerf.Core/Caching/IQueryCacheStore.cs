namespace OrmPerf.Caching;

/// <summary>
/// A second-level store shared between processes (Redis in <c>OrmPerf.Redis</c>), holding entries as opaque payloads
/// produced by <see cref="QueryCacheEnvelope"/> under <see cref="QueryKey.Id"/>.
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

    /// <summary>Stores <paramref name="payload"/> under <paramref name="key"/> for <paramref name="timeToLive"/>.</summary>
    /// <param name="key">A <see cref="QueryKey.Id"/>.</param>
    /// <param name="payload">An envelope from <see cref="QueryCacheEnvelope.Serialize{T}"/>.</param>
    /// <param name="timeToLive">How long to keep it: the entry's duration plus its fail-safe window.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the payload is stored.</returns>
    ValueTask SetAsync(string key, ReadOnlyMemory<byte> payload, TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>Removes the payload stored under <paramref name="key"/>, if any.</summary>
    /// <param name="key">A <see cref="QueryKey.Id"/>.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the payload is gone.</returns>
    ValueTask RemoveAsync(string key, CancellationToken cancellationToken);
}
