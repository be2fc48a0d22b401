using Microsoft.Extensions.Time.Testing;
using OrmPerf.Caching;
using OrmPerf.Sql;

namespace OrmPerf.Core.Tests.Caching;

public sealed class QueryCacheBackplaneTests
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_removal_on_one_node_evicts_the_entry_from_the_other_node()
    {
        var hub = new List<InMemoryQueryCacheBackplane>();
        using var nodeA = NewNode(hub);
        using var nodeB = NewNode(hub);
        var key = QueryKey.Create<int>("SELECT 1");
        await nodeA.SetAsync(key, 1, cancellationToken: _cancellation);
        await nodeB.SetAsync(key, 1, cancellationToken: _cancellation);

        await nodeB.RemoveAsync(key, _cancellation);

        Assert.False(nodeA.TryGet<int>(key, out _));
    }

    [Fact]
    public async Task A_tag_invalidation_on_one_node_invalidates_the_other_node_only_through_the_backplane()
    {
        var hub = new List<InMemoryQueryCacheBackplane>();
        using var nodeA = NewNode(hub);
        using var nodeB = NewNode(hub);
        using var isolated = new QueryCache(new QueryCacheOptions(), TimeProvider.System);
        var key = QueryKey.Create<int>("SELECT 1");
        var tagged = new QueryCacheEntryOptions { Tags = SqlTableParser.TableTags("SELECT * FROM orders") };
        await nodeA.SetAsync(key, 1, tagged, _cancellation);
        await isolated.SetAsync(key, 1, tagged, _cancellation);

        await nodeB.InvalidateTablesAsync(["orders"], _cancellation);

        Assert.False(nodeA.TryGet<int>(key, out _));
        Assert.True(isolated.TryGet<int>(key, out _));
    }

    [Fact]
    public async Task A_node_whose_backplane_reconnects_drops_its_in_memory_entries()
    {
        var hub = new List<InMemoryQueryCacheBackplane>();
        var backplane = new InMemoryQueryCacheBackplane(hub);
        using var node = new QueryCache(new QueryCacheOptions(), TimeProvider.System, backplane: backplane);
        var key = QueryKey.Create<int>("SELECT 1");
        await node.SetAsync(key, 1, cancellationToken: _cancellation);

        backplane.Reconnect();

        Assert.False(node.TryGet<int>(key, out _));
    }

    [Fact]
    public async Task While_the_backplane_is_cut_off_an_entry_stored_in_memory_stays_fresh_only_for_the_backplanes_limit()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var backplane = new InMemoryQueryCacheBackplane([]);
        using var node = new QueryCache(new QueryCacheOptions(), time, backplane: backplane);
        var tenMinutes = new QueryCacheEntryOptions { Duration = TimeSpan.FromMinutes(10) };
        var beforeCut = QueryKey.Create<int>("SELECT 1");
        var duringCut = QueryKey.Create<int>("SELECT 2");
        await node.SetAsync(beforeCut, 1, tenMinutes, _cancellation);

        backplane.LocalFreshnessLimit = TimeSpan.FromSeconds(5);
        await node.SetAsync(duringCut, 2, tenMinutes, _cancellation);
        time.Advance(TimeSpan.FromSeconds(4.9));
        var freshWithinLimit = node.TryGet<int>(duringCut, out _);
        time.Advance(TimeSpan.FromSeconds(0.2));

        Assert.True(freshWithinLimit);
        Assert.False(node.TryGet<int>(duringCut, out _));
        Assert.True(node.TryGet<int>(beforeCut, out _));
    }

    [Fact]
    public async Task An_entry_stored_while_the_backplane_is_cut_off_keeps_its_fail_safe_window_after_the_limit()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var backplane = new InMemoryQueryCacheBackplane([]) { LocalFreshnessLimit = TimeSpan.FromSeconds(5) };
        using var node = new QueryCache(new QueryCacheOptions(), time, backplane: backplane);
        var options = new QueryCacheEntryOptions { Duration = TimeSpan.FromMinutes(10), FailSafeWindow = TimeSpan.FromMinutes(1) };
        var key = QueryKey.Create<int>("SELECT 1");
        await node.SetAsync(key, 1, options, _cancellation);
        time.Advance(TimeSpan.FromSeconds(30));

        var served = await node.GetOrSetAsync<int>(key, _ => throw new InvalidOperationException("database down"), options, _cancellation);
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, served);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await node.GetOrSetAsync<int>(key, _ => throw new InvalidOperationException("database down"), options, _cancellation));
    }

    private static QueryCache NewNode(List<InMemoryQueryCacheBackplane> hub) =>
        new(new QueryCacheOptions(), TimeProvider.System, backplane: new InMemoryQueryCacheBackplane(hub));
}
