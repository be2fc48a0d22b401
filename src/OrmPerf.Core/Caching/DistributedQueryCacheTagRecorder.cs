using System.Buffers.Binary;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using OrmPerf.Diagnostics;

namespace OrmPerf.Caching;

/// <summary>
/// The <see cref="IQueryCacheBackplane"/> of <see cref="DistributedQueryCacheStore"/>: an <see cref="IDistributedCache"/>
/// cannot deliver messages, so it only records each tag invalidation's time in the store, for every node's second-level
/// reads to check. It delivers nothing to other nodes' in-memory caches. Fails open, as a backplane must: a time that
/// cannot be written is logged and dropped. Thread-safe if the distributed cache is.
/// </summary>
internal sealed class DistributedQueryCacheTagRecorder(IDistributedCache cache, DistributedQueryCacheStoreOptions options, TimeProvider time, ILogger logger) : IQueryCacheBackplane
{
    /// <summary>The key of <paramref name="tag"/>'s invalidation time.</summary>
    public static string TagKey(string prefix, string tag) => prefix + "tag:" + tag;

    /// <summary>Nothing to receive: the store has no channel.</summary>
    public void Attach(IQueryCacheBackplaneReceiver receiver)
    {
    }

    /// <summary>Nothing to record: the cache removed the entry from the store itself.</summary>
    public ValueTask PublishRemovalAsync(string key, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async ValueTask PublishTagInvalidationAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var now = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(now, time.GetUtcNow().ToUnixTimeMilliseconds());
        var retention = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = options.TagRetention };
        foreach (var tag in tags)
        {
            try
            {
                await cache.SetAsync(TagKey(options.KeyPrefix, tag), now, retention, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.SecondLevelFailed(logger, "record the invalidation time of tag", tag, e);
            }
        }
    }
}
