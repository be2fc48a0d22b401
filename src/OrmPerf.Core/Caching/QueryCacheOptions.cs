using System.Text.Json;

namespace OrmPerf.Caching;

/// <summary>
/// Settings of one query cache: the default named instance for <c>AddQueryCache</c>, the one named after the key for
/// <c>AddKeyedQueryCache</c>. Validated when the host starts, every failure at once; bindable from configuration (all but
/// <see cref="SerializerOptions"/>).
/// </summary>
/// <remarks>Configure before the cache is built; not meant to be changed afterwards (not thread-safe).</remarks>
public sealed class QueryCacheOptions
{
    /// <summary>
    /// The cache's name, the <c>ormperf.cache.name</c> tag of its metrics (tells several caches apart). Default: <c>default</c>.
    /// </summary>
    public string Name { get; set; } = "default";

    /// <summary>The in-memory cache's capacity, in units of <see cref="QueryCacheEntryOptions.Size"/>. Default: 10,000.</summary>
    public long SizeLimit { get; set; } = 10_000;

    /// <summary>The entry options of calls that pass none. Default: one minute, no jitter, no fail-safe, size 1.</summary>
    public QueryCacheEntryOptions DefaultEntryOptions { get; set; } = new();

    /// <summary>
    /// How results are serialized for a second-level store (<see cref="IQueryCacheStore"/>); required, with a
    /// <see cref="JsonSerializerOptions.TypeInfoResolver"/>, when a store is used. Use a source-generated
    /// <c>JsonSerializerContext</c> in trimmed or AOT applications, or <c>DefaultJsonTypeInfoResolver</c> otherwise.
    /// Default: none.
    /// </summary>
    public JsonSerializerOptions? SerializerOptions { get; set; }
}
