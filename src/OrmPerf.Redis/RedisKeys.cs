using System.Text;
using StackExchange.Redis;

namespace OrmPerf.Redis;

/// <summary>
/// The names the cache uses in Redis, all under the key prefix: <c>q:</c> entries, <c>lease:</c> leases, <c>tag:</c>
/// invalidation times, and the backplane channel. Thread-safe (immutable).
/// </summary>
/// <remarks>
/// Each namespace is kept as encoded bytes and put in front of the caller's key by <see cref="RedisKey.Prepend"/>,
/// which keeps both parts and writes them one after the other: no key string is built per call.
/// </remarks>
/// <param name="prefix">The application's key prefix (<see cref="RedisCacheOptions.KeyPrefix"/>).</param>
internal sealed class RedisKeys(string prefix)
{
    private readonly RedisKey _entries = Encoding.UTF8.GetBytes(prefix + "q:");
    private readonly RedisKey _leases = Encoding.UTF8.GetBytes(prefix + "lease:");
    private readonly RedisKey _tags = Encoding.UTF8.GetBytes(prefix + "tag:");

    /// <summary>The backplane's pub/sub channel.</summary>
    public RedisChannel Channel { get; } = RedisChannel.Literal(prefix + "invalidations");

    public RedisKey Entry(string key) => new RedisKey(key).Prepend(_entries);

    public RedisKey Lease(string key) => new RedisKey(key).Prepend(_leases);

    public RedisKey Tag(string tag) => new RedisKey(tag).Prepend(_tags);
}
