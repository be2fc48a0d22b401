using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrmPerf.Caching;
using OrmPerf.Redis.Connections;
using OrmPerf.Redis.Diagnostics;
using StackExchange.Redis;

namespace OrmPerf.Redis.SecondLevel;

/// <summary>
/// The query cache's second level in Redis: one string per entry under the key prefix, expiring with the entry (its
/// fail-safe window included), so a Redis hit fills the in-memory cache with the deadlines the envelope carries. A
/// tagged read fetches the entry and its tags' invalidation times (<c>&lt;prefix&gt;tag:&lt;tag&gt;</c>) in one <c>MGET</c>
/// (on Redis Cluster, one per hash slot, sent together: <see cref="RedisMultiKeyReads"/>).
/// </summary>
/// <remarks>
/// Fails open (see <see cref="RedisCalls"/>): never throws but for the caller's cancellation. Reads and writes run in
/// <see cref="RedisDiagnostics.GetSpan"/> and <see cref="RedisDiagnostics.SetSpan"/> spans when someone listens. Thread-safe.
/// </remarks>
internal sealed class RedisQueryCacheStore(RedisCalls calls, RedisCacheOptions options, ILogger<RedisQueryCacheStore>? logger = null) : IQueryCacheStore
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly RedisKeys _keys = new(options.KeyPrefix);
    private readonly int _maxPayloadBytes = options.MaxPayloadBytes;
    private readonly TimeSpan _tagRetention = options.TagRetention;
    private readonly TimeSpan? _leaseDuration = options.LeaseDuration;

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) =>
        (await ReadAsync(key, [], cancellationToken).ConfigureAwait(false)).Payload;

    /// <summary>
    /// One <c>GET</c> of the entry, or for a tagged read one <c>MGET</c> of the entry and its tags' invalidation times: a
    /// hit costs one round trip, and one async method over the Redis call.
    /// </summary>
    // Runs on every second-level read, awaited once by our own code: its state machine is reused, not allocated.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<QueryCacheStoreRead> ReadAsync(string key, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        using var span = RedisDiagnostics.StartSpan(RedisDiagnostics.GetSpan, calls.PrefixTag);
        var entryKey = _keys.Entry(key);
        if (tags.Count == 0)
        {
            var (found, value) = await calls.TryAsync("get", entryKey, static (database, entryKey) => database.StringGetAsync(entryKey), cancellationToken, span).ConfigureAwait(false);
            return found ? new QueryCacheStoreRead(Counted(value), null) : default;
        }

        var keys = new RedisKey[tags.Count + 1];
        keys[0] = entryKey;
        for (var i = 0; i < tags.Count; i++)
        {
            keys[i + 1] = _keys.Tag(tags[i]);
        }

        var (succeeded, values) = await calls.TryAsync("get", keys, static (database, keys) => RedisMultiKeyReads.StringGetAsync(database, keys), cancellationToken, span).ConfigureAwait(false);
        if (!succeeded || Counted(values[0]) is not { } payload)
        {
            return default;
        }

        var invalidatedAt = DateTimeOffset.MinValue;
        for (var i = 1; i < values.Length; i++)
        {
            if (!values[i].IsNull)
            {
                var time = DateTimeOffset.FromUnixTimeMilliseconds((long)values[i]);
                invalidatedAt = time > invalidatedAt ? time : invalidatedAt;
            }
        }

        return new QueryCacheStoreRead(payload, invalidatedAt);
    }

    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> payload, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        if (payload.Length > _maxPayloadBytes)
        {
            Log.PayloadTooLarge(_logger, key, payload.Length, _maxPayloadBytes);
            RedisDiagnostics.OversizeCounter.Add(1, calls.PrefixTag);
            return;
        }

        using var span = RedisDiagnostics.StartSpan(RedisDiagnostics.SetSpan, calls.PrefixTag);
        var redisKey = _keys.Entry(key);
        // An entry must not outlive the invalidation times of its tags, or a node could read it after they expired.
        var expiry = timeToLive < _tagRetention ? timeToLive : _tagRetention;
        await calls.TryAsync("set", database => database.StringSetAsync(redisKey, payload, expiry), cancellationToken, span).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(string key, CancellationToken cancellationToken)
    {
        var redisKey = _keys.Entry(key);
        await calls.TryAsync("remove", database => database.KeyDeleteAsync(redisKey), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>SET &lt;prefix&gt;lease:&lt;key&gt; NX PX</c>: whoever sets it runs the query; the lease is not released but
    /// expires, as the others stop waiting as soon as the result is in Redis. A failed call runs the query (fail-open).
    /// </summary>
    public async ValueTask<TimeSpan?> TryAcquireLeaseAsync(string key, CancellationToken cancellationToken)
    {
        if (_leaseDuration is not { } duration)
        {
            return null;
        }

        var leaseKey = _keys.Lease(key);
        var (succeeded, acquired) = await calls.TryAsync("lease", database => database.StringSetAsync(leaseKey, RedisValue.EmptyString, duration, When.NotExists), cancellationToken).ConfigureAwait(false);
        return succeeded && !acquired ? duration : null;
    }

    public async ValueTask<bool> WasInvalidatedSinceAsync(IReadOnlyList<string> tags, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var tagKeys = new RedisKey[tags.Count];
        for (var i = 0; i < tags.Count; i++)
        {
            tagKeys[i] = _keys.Tag(tags[i]);
        }

        var (succeeded, times) = await calls.TryAsync("tags", tagKeys, static (database, tagKeys) => RedisMultiKeyReads.StringGetAsync(database, tagKeys), cancellationToken).ConfigureAwait(false);
        if (!succeeded)
        {
            // Not knowing is answered as "invalidated": a miss costs a query, a stale hit costs correctness.
            return true;
        }

        var created = createdAt.ToUnixTimeMilliseconds();
        foreach (var time in times)
        {
            if (!time.IsNull && (long)time >= created)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Counts a read entry as a hit or a miss; returns its payload.</summary>
    private byte[]? Counted(RedisValue entry)
    {
        (entry.IsNull ? RedisDiagnostics.MissCounter : RedisDiagnostics.HitCounter).Add(1, calls.PrefixTag);
        return entry.IsNull ? null : (byte[]?)entry;
    }
}
