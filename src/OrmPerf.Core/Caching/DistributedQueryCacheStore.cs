using System.Buffers.Binary;
using Microsoft.Extensions.Caching.Distributed;

namespace OrmPerf.Caching;

/// <summary>
/// The query cache's second level over any <see cref="IDistributedCache"/> (SQL Server, Cosmos DB, NCache, Redis through
/// Microsoft's package, or in memory): one entry per cached result under <c>&lt;prefix&gt;q:&lt;key id&gt;</c>, expiring with
/// it. Tag invalidation times are entries of their own (<c>&lt;prefix&gt;tag:&lt;tag&gt;</c>, 8 bytes of Unix milliseconds),
/// written by <see cref="DistributedQueryCacheTagRecorder"/> and checked on every tagged read, so no node reads an entry
/// older than an invalidation another node made.
/// </summary>
/// <remarks>
/// An <see cref="IDistributedCache"/> has no batch read, leases nor pub/sub: a tagged read costs one call per tag after
/// the entry, and other nodes' in-memory entries are not evicted (they live out their duration); for one round trip per
/// hit and cross-node eviction use OrmPerf.Redis. Failures are the cache's to handle (logged, answered as a miss).
/// Thread-safe if the distributed cache is.
/// </remarks>
internal sealed class DistributedQueryCacheStore(IDistributedCache cache, DistributedQueryCacheStoreOptions options) : IQueryCacheStore
{
    private readonly string _entries = options.KeyPrefix + "q:";
    private readonly TimeSpan _tagRetention = options.TagRetention;

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) =>
        await cache.GetAsync(_entries + key, cancellationToken).ConfigureAwait(false);

    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> payload, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        // An entry must not outlive the invalidation times of its tags, or a node could read it after they expired.
        var expiry = timeToLive < _tagRetention ? timeToLive : _tagRetention;
        await cache.SetAsync(_entries + key, payload.ToArray(), new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = expiry }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(string key, CancellationToken cancellationToken) =>
        await cache.RemoveAsync(_entries + key, cancellationToken).ConfigureAwait(false);

    public async ValueTask<bool> WasInvalidatedSinceAsync(IReadOnlyList<string> tags, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var created = createdAt.ToUnixTimeMilliseconds();
        foreach (var tag in tags)
        {
            var time = await cache.GetAsync(DistributedQueryCacheTagRecorder.TagKey(options.KeyPrefix, tag), cancellationToken).ConfigureAwait(false);
            // Stores keep milliseconds: an invalidation in the entry's own millisecond counts as newer (a miss, never a stale hit).
            if (time is { Length: sizeof(long) } && BinaryPrimitives.ReadInt64LittleEndian(time) >= created)
            {
                return true;
            }
        }

        return false;
    }
}
