using OrmPerf.Caching;
using OrmPerf.Sql;

namespace OrmPerf.Core.Tests.Caching;

public sealed class QueryCacheInvalidationTests
{
    private static readonly QueryCacheEntryOptions OrdersTagged = new() { Tags = SqlTableParser.TableTags("SELECT * FROM orders") };

    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Invalidating_a_tag_drops_its_entries_only()
    {
        using var context = new QueryCacheTestContext();
        var tagged = QueryKey.Create<int>("SELECT 1");
        var other = QueryKey.Create<int>("SELECT 2");
        await context.Cache.SetAsync(tagged, 1, new QueryCacheEntryOptions { Tags = ["user:7"] }, cancellationToken: _cancellation);
        await context.Cache.SetAsync(other, 2, new QueryCacheEntryOptions { Tags = ["user:8"] }, cancellationToken: _cancellation);

        await context.Cache.InvalidateTagsAsync(["user:7"], _cancellation);

        Assert.False(context.Cache.TryGet<int>(tagged, out _));
        Assert.True(context.Cache.TryGet<int>(other, out _));
    }

    [Fact]
    public async Task Invalidating_a_table_drops_reads_of_it_and_reads_of_unknown_tables()
    {
        using var context = new QueryCacheTestContext();
        var orders = QueryKey.Create<int>("SELECT count(*) FROM sales.orders");
        var customers = QueryKey.Create<int>("SELECT count(*) FROM customers");
        var unknown = QueryKey.Create<int>("SELECT count_orders()");
        foreach (var key in new[] { orders, customers, unknown })
        {
            await context.Cache.SetAsync(key, 1, new QueryCacheEntryOptions { Tags = SqlTableParser.TableTags(Sql(key)) }, cancellationToken: _cancellation);
        }

        await context.Cache.InvalidateTablesAsync(["ORDERS"], _cancellation);

        Assert.False(context.Cache.TryGet<int>(orders, out _));
        Assert.False(context.Cache.TryGet<int>(unknown, out _));
        Assert.True(context.Cache.TryGet<int>(customers, out _));

        string Sql(QueryKey key) => key == orders ? "SELECT count(*) FROM sales.orders" : key == customers ? "SELECT count(*) FROM customers" : "SELECT count_orders()";
    }

    [Fact]
    public async Task A_result_computed_before_an_invalidation_is_returned_but_not_stored()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<string>("SELECT status FROM orders WHERE id = 1");
        var factoryStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var read = context.Cache.GetOrSetAsync(key, async _ => { factoryStarted.SetResult(); return await release.Task; }, OrdersTagged, _cancellation).AsTask();
        await factoryStarted.Task.WaitAsync(_cancellation);
        await context.Cache.InvalidateTablesAsync(["orders"], _cancellation);
        release.SetResult("old");

        Assert.Equal("old", await read);
        Assert.False(context.Cache.TryGet<string>(key, out _));
        Assert.Equal("new", await context.Cache.GetOrSetAsync(key, _ => new ValueTask<string>("new"), OrdersTagged, _cancellation));
    }

    [Fact]
    public async Task A_caller_after_an_invalidation_does_not_join_a_factory_run_that_started_before_it()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<string>("SELECT status FROM orders WHERE id = 1");
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var before = context.Cache.GetOrSetAsync(key, async _ => await release.Task, OrdersTagged, _cancellation).AsTask();
        await context.Cache.InvalidateTablesAsync(["orders"], _cancellation);
        var after = await context.Cache.GetOrSetAsync(key, _ => new ValueTask<string>("new"), OrdersTagged, _cancellation);
        release.SetResult("old");

        Assert.Equal("new", after);
        Assert.Equal("old", await before);
        Assert.True(context.Cache.TryGet<string>(key, out var cached));
        Assert.Equal("new", cached);
    }
}
