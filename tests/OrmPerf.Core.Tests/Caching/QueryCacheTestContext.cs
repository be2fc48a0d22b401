using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

/// <summary>A query cache on a fake clock, with a fake logger and a unique name to filter its metrics by.</summary>
internal sealed class QueryCacheTestContext : IDisposable
{
    public QueryCacheTestContext(QueryCacheEntryOptions? defaults = null, IQueryCacheStore? store = null, FakeTimeProvider? time = null)
    {
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Cache = new QueryCache(
            new QueryCacheOptions
            {
                Name = Name,
                DefaultEntryOptions = defaults ?? new QueryCacheEntryOptions(),
                SerializerOptions = new JsonSerializerOptions { TypeInfoResolver = new DefaultJsonTypeInfoResolver() },
            },
            Time,
            Logger,
            store);
    }

    public string Name { get; } = "test-" + Guid.NewGuid().ToString("N");

    public FakeTimeProvider Time { get; }

    public FakeLogger<QueryCache> Logger { get; } = new();

    public QueryCache Cache { get; }

    public void Dispose() => Cache.Dispose();
}
