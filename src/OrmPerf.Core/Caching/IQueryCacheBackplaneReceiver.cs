using NpgsqlTypes;

namespace OrmPerf.Caching;

/// <summary>The side of a query cache that applies another node's messages from an <see cref="IQueryCacheBackplane"/>.</summary>
/// <remarks>Applying a message only changes this process's in-memory cache: it is neither published again nor sent to
/// the second level. Implementations must be thread-safe (messages arrive on the backplane's threads).</remarks>
public interface IQueryCacheBackplaneReceiver
{
    /// <summary>Evicts the in-memory entry under <paramref name="key"/>, if any.</summary>
    /// <param name="key">A <see cref="QueryKey.Id"/>.</param>
    void EvictLocal(string key);

    /// <summary>Invalidates <paramref name="tags"/> in this process, as <see cref="IQueryCache.InvalidateTagsAsync"/> does.</summary>
    /// <param name="tags">The tags.</param>
    void InvalidateTagsLocal(IReadOnlyList<string> tags);

    /// <summary>
    /// Invalidates <paramref name="tags"/> in this process for a write committed at <paramref name="position"/>: later
    /// fills of those tags read at or after it.
    /// </summary>
    /// <param name="tags">The tags.</param>
    /// <param name="position">The WAL position of the write; <see langword="default"/> when unknown.</param>
    void InvalidateTagsLocal(IReadOnlyList<string> tags, NpgsqlLogSequenceNumber position) => InvalidateTagsLocal(tags);

    /// <summary>Evicts every in-memory entry: the backplane was cut off and may have missed messages meanwhile.</summary>
    void EvictAllLocal();
}
