using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrmPerf.Caching;
using StackExchange.Redis;

namespace OrmPerf.Redis;

/// <summary>
/// The query cache's second level in Redis: one string per entry under the key prefix, expiring with the entry (its
/// fail-safe window included), so a Redis hit fills the in-memory cache with the deadlines the envelope carries.
/// </summary>
/// <remarks>Fails open (see <see cref="RedisCalls"/>): never throws but for the caller's cancellation. Thread-safe.</remarks>
internal sealed class RedisQueryCacheStore(RedisCalls calls, IOptions<RedisCacheOptions> options, ILogger<RedisQueryCacheStore>? logger = null) : IQueryCacheStore
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly string _prefix = options.Value.KeyPrefix;
    private readonly int _maxPayloadBytes = options.Value.MaxPayloadBytes;

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var redisKey = RedisKeyFor(key);
        var (succeeded, value) = await calls.TryAsync("get", (database, token) => database.StringGetAsync(redisKey).WaitAsync(token), cancellationToken).ConfigureAwait(false);
        if (!succeeded)
        {
            return null;
        }

        (value.IsNull ? RedisCacheDiagnostics.MissCounter : RedisCacheDiagnostics.HitCounter).Add(1);
        return value.IsNull ? null : (byte[]?)value;
    }

    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> payload, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        if (payload.Length > _maxPayloadBytes)
        {
            RedisLog.PayloadTooLarge(_logger, key, payload.Length, _maxPayloadBytes);
            RedisCacheDiagnostics.OversizeCounter.Add(1);
            return;
        }

        var redisKey = RedisKeyFor(key);
        await calls.TryAsync("set", (database, token) => database.StringSetAsync(redisKey, payload, timeToLive).WaitAsync(token), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(string key, CancellationToken cancellationToken)
    {
        var redisKey = RedisKeyFor(key);
        await calls.TryAsync("remove", (database, token) => database.KeyDeleteAsync(redisKey).WaitAsync(token), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The Redis key of a query-cache key: prefix, then <c>q:</c>, so entries never collide with the backplane's names.</summary>
    internal RedisKey RedisKeyFor(string key) => _prefix + "q:" + key;
}
