using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

[Collection(QueryCacheMeasurementCollection.Name)]
public sealed class QueryCacheHitAllocationTests
{
    [Fact]
    public async Task A_hit_allocates_nothing()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<string>("SELECT name FROM users WHERE id = @id", new { id = 1 });
        var options = new QueryCacheEntryOptions { Tags = ["table:users", "user:1"] };
        Func<CancellationToken, ValueTask<string>> factory = _ => new ValueTask<string>("ann");
        await context.Cache.GetOrSetAsync(key, factory, options, TestContext.Current.CancellationToken);
        await context.Cache.InvalidateTagsAsync(["user:2"], TestContext.Current.CancellationToken); // generations now exist
        Hit(context.Cache, key, factory, options); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            Hit(context.Cache, key, factory, options);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void Hit(QueryCache cache, QueryKey key, Func<CancellationToken, ValueTask<string>> factory, QueryCacheEntryOptions options)
    {
        var result = cache.GetOrSetAsync(key, factory, options);
        if (!result.IsCompletedSuccessfully || !ReferenceEquals(result.Result, "ann"))
        {
            Assert.Fail("expected a completed hit");
        }
    }
}
