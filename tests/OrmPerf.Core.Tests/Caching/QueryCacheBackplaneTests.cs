using Microsoft.Extensions.Options;
using OrmPerf.Caching;

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
        using var isolated = new QueryCache(Options.Create(new QueryCacheOptions()), TimeProvider.System);
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
        using var node = new QueryCache(Options.Create(new QueryCacheOptions()), TimeProvider.System, backplane: backplane);
        var key = QueryKey.Create<int>("SELECT 1");
        await node.SetAsync(key, 1, cancellationToken: _cancellation);

        backplane.Reconnect();

        Assert.False(node.TryGet<int>(key, out _));
    }

    private static QueryCache NewNode(List<InMemoryQueryCacheBackplane> hub) =>
        new(Options.Create(new QueryCacheOptions()), TimeProvider.System, backplane: new InMemoryQueryCacheBackplane(hub));
}
