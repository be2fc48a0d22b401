using StackExchange.Redis;

namespace OrmPerf.Redis;

/// <summary>
/// The names the cache uses in Redis, all under the key prefix: <c>q:</c> entries, <c>tag:</c> invalidation times, and
/// the backplane channel. Thread-safe (stateless).
/// </summary>
internal static class RedisKeys
{
    public static RedisKey Entry(string prefix, string key) => prefix + "q:" + key;

    public static RedisKey Lease(string prefix, string key) => prefix + "lease:" + key;

    public static RedisKey Tag(string prefix, string tag) => prefix + "tag:" + tag;

    public static RedisChannel Channel(string prefix) => RedisChannel.Literal(prefix + "invalidations");
}
