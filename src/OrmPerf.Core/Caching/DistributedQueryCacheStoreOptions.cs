namespace OrmPerf.Caching;

/// <summary>
/// Settings of the query cache's second level over an <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>
/// (<c>AddDistributedQueryCacheStore</c>), validated when the host starts; named after the cache's key, and bindable
/// from configuration.
/// </summary>
/// <remarks>Configure before the services are built; not meant to be changed afterwards (not thread-safe).</remarks>
public sealed class DistributedQueryCacheStoreOptions
{
    /// <summary>
    /// Prepended to every key (<c>&lt;prefix&gt;q:&lt;key id&gt;</c> entries, <c>&lt;prefix&gt;tag:&lt;tag&gt;</c> invalidation
    /// times), so several applications or caches can share one store. Default: <c>ormperf:</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = "ormperf:";

    /// <summary>
    /// How long a tag invalidation time is kept in the store, so a node that did not make the invalidation does not read
    /// an older entry; entries are kept for at most this long. Default: one day.
    /// </summary>
    public TimeSpan TagRetention { get; set; } = TimeSpan.FromDays(1);
}
