using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

public sealed class CachedQueryCountersTests
{
    private static readonly QueryCacheEntryOptions Stock = new() { Tags = [QueryCacheTags.ForTable("stock")] };

    [Fact]
    public async Task Hits_misses_and_the_invalidations_of_its_tags_are_counted_per_statement()
    {
        using var cache = new QueryCache(new QueryCacheOptions(), TimeProvider.System);
        cache.InvalidateTagsLocal([QueryCacheTags.ForTable("stock")], default); // before the first read: not the query's

        for (var i = 0; i < 3; i++)
        {
            await cache.GetOrSetAsync(QueryKey.Create<int>("SELECT quantity FROM stock WHERE id = @id", new { id = 1 }), _ => ValueTask.FromResult(i), Stock, TestContext.Current.CancellationToken);
            await cache.GetOrSetAsync(QueryKey.Create<int>("SELECT quantity FROM stock WHERE id = @id", new { id = 1 }), _ => ValueTask.FromResult(i), Stock, TestContext.Current.CancellationToken);
            await cache.InvalidateTablesAsync(["stock"], TestContext.Current.CancellationToken);
        }

        Assert.True(cache.TryGet<int>(QueryKey.Create<int>("SELECT quantity FROM stock WHERE id = @id", new { id = 2 }), out _) is false);

        var statistics = Assert.Single(cache.GetQueryStatistics());
        Assert.Equal("SELECT quantity FROM stock WHERE id = @id", statistics.Statement);
        Assert.Equal(["table:stock"], statistics.Tags);
        Assert.Equal(3, statistics.Hits);
        Assert.Equal(4, statistics.Misses); // three fills and the TryGet of another key
        Assert.Equal(3, statistics.TagInvalidations);
        Assert.Equal(3.0 / 7, statistics.HitRatio, 6);
    }

    [Fact]
    public void A_statement_first_seen_without_entry_options_is_not_counted()
    {
        using var cache = new QueryCache(new QueryCacheOptions(), TimeProvider.System);

        cache.TryGet<int>(QueryKey.Create<int>("SELECT 1 FROM never_filled"), out _);

        Assert.Empty(cache.GetQueryStatistics());
    }

    [Fact]
    public async Task Only_the_first_256_statements_are_counted_so_SQL_built_per_call_cannot_grow_memory()
    {
        using var cache = new QueryCache(new QueryCacheOptions(), TimeProvider.System);

        for (var i = 0; i < CachedQueryCounters.Capacity + 50; i++)
        {
            await cache.GetOrSetAsync(QueryKey.Create<int>($"SELECT {i}"), _ => ValueTask.FromResult(1), Stock, TestContext.Current.CancellationToken);
        }

        Assert.Equal(CachedQueryCounters.Capacity, cache.GetQueryStatistics().Count);
    }
}
