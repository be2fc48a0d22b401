using NpgsqlTypes;

namespace OrmPerf.Caching;

/// <summary>
/// What a <see cref="QueryCache"/> hands its <see cref="IQueryCacheBackplane"/>: applies other nodes' messages to this
/// process's in-memory cache only (neither published again nor sent to the second level). A class of its own so the
/// cache's public surface stays <see cref="IQueryCache"/>. Thread-safe (messages arrive on the backplane's threads).
/// </summary>
internal sealed class QueryCacheBackplaneReceiver(QueryCache cache) : IQueryCacheBackplaneReceiver
{
    public void EvictLocal(string key) => cache.EvictLocal(key);

    public void InvalidateTagsLocal(IReadOnlyList<string> tags) => cache.InvalidateTagsLocal(tags, default);

    public void InvalidateTagsLocal(IReadOnlyList<string> tags, NpgsqlLogSequenceNumber position) => cache.InvalidateTagsLocal(tags, position);

    public void EvictAllLocal() => cache.EvictAllLocal();
}
