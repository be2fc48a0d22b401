using OrmPerf.Caching;
using OrmPerf.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace OrmPerf.IntegrationTests.Redis;

/// <summary>Two nodes sharing one real Redis (second level and backplane) and one real PostgreSQL.</summary>
public sealed class RedisTwoNodeTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";

    [Fact]
    public async Task A_table_invalidated_on_node_B_is_read_fresh_by_node_A()
    {
        await using var schema = await ItemsTable.CreateAsync(servers);
        await using var nodeA = new RedisNode(schema.Primary, servers.Redis, _prefix);
        await using var nodeB = new RedisNode(schema.Primary, servers.Redis, _prefix);
        var before = await nodeA.DataSource.QueryFirstOrDefaultCachedAsync<string>(nodeA.Cache, ItemsTable.NameById, new { id = 1 }, cancellationToken: _cancellation);

        await schema.ExecuteAsync("UPDATE items SET name = 'new' WHERE id = 1");
        await nodeB.Cache.InvalidateTablesAsync(["items"], _cancellation);

        var after = await Poll.UntilAsync(() => nodeA.DataSource.QueryFirstOrDefaultCachedAsync<string>(nodeA.Cache, ItemsTable.NameById, new { id = 1 }, cancellationToken: _cancellation), "new");
        Assert.Equal("old", before);
        Assert.Equal("new", after);
    }

    [Fact]
    public async Task A_node_started_after_a_table_invalidation_does_not_read_the_older_entry_from_Redis()
    {
        await using var schema = await ItemsTable.CreateAsync(servers);
        await using var nodeA = new RedisNode(schema.Primary, servers.Redis, _prefix);
        await using var nodeB = new RedisNode(schema.Primary, servers.Redis, _prefix);
        await nodeA.DataSource.QueryFirstOrDefaultCachedAsync<string>(nodeA.Cache, ItemsTable.NameById, new { id = 1 }, cancellationToken: _cancellation);
        await using (var direct = await ConnectionMultiplexer.ConnectAsync(servers.Redis))
        {
            // Node A writes Redis after answering: wait for the entry.
            var server = direct.GetServers()[0];
            await Poll.UntilAsync(() => ValueTask.FromResult(server.Keys(pattern: _prefix + "q:*").Any()), true);
        }

        await schema.ExecuteAsync("UPDATE items SET name = 'new' WHERE id = 1");
        // Until the table is invalidated, a new node reads the older entry from Redis: the test below is not vacuous.
        var beforeInvalidation = await Poll.UntilAsync(ReadOnNewNodeAsync, "old");

        await nodeB.Cache.InvalidateTablesAsync(["items"], _cancellation);
        var afterInvalidation = await ReadOnNewNodeAsync();

        Assert.Equal("old", beforeInvalidation);
        Assert.Equal("new", afterInvalidation);

        async ValueTask<string?> ReadOnNewNodeAsync()
        {
            await using var node = new RedisNode(schema.Primary, servers.Redis, _prefix);
            return await node.DataSource.QueryFirstOrDefaultCachedAsync<string>(node.Cache, ItemsTable.NameById, new { id = 1 }, cancellationToken: _cancellation);
        }
    }

    [Fact]
    public async Task A_key_removed_on_node_B_is_evicted_from_node_A()
    {
        await using var nodeA = new RedisNode(servers.Primary, servers.Redis, _prefix);
        await using var nodeB = new RedisNode(servers.Primary, servers.Redis, _prefix);
        var key = QueryKey.Create<int>("SELECT 42");
        await nodeA.Cache.SetAsync(key, 42, cancellationToken: _cancellation);
        var cachedBefore = nodeA.Cache.TryGet<int>(key, out _);

        await nodeB.Cache.RemoveAsync(key, _cancellation);

        var evicted = await Poll.UntilAsync(() => ValueTask.FromResult(!nodeA.Cache.TryGet<int>(key, out _)), true);
        Assert.True(cachedBefore);
        Assert.True(evicted);
    }

    [Fact]
    public async Task Node_B_reads_node_A_result_from_Redis_without_running_its_factory_and_keeps_it_in_memory()
    {
        await using var nodeA = new RedisNode(servers.Primary, servers.Redis, _prefix);
        await using var nodeB = new RedisNode(servers.Primary, servers.Redis, _prefix);
        var key = QueryKey.Create<string>("SELECT 'shared'");
        await nodeA.Cache.SetAsync(key, "shared", cancellationToken: _cancellation);

        var fromRedis = await nodeB.Cache.GetOrSetAsync<string>(key, _ => throw new InvalidOperationException("node B must not run the query"), cancellationToken: _cancellation);

        Assert.Equal("shared", fromRedis);
        Assert.True(nodeB.Cache.TryGet<string>(key, out var inMemory));
        Assert.Equal("shared", inMemory);
    }

    [Fact]
    public async Task An_entry_over_the_size_limit_is_served_in_memory_but_not_stored_in_Redis()
    {
        await using var nodeA = new RedisNode(servers.Primary, servers.Redis, _prefix, o => o.MaxPayloadBytes = 200);
        await using var nodeB = new RedisNode(servers.Primary, servers.Redis, _prefix);
        var key = QueryKey.Create<string>("SELECT repeat('x', 1000)");
        var large = new string('x', 1000);
        await nodeA.Cache.SetAsync(key, large, cancellationToken: _cancellation);
        var factoryRuns = 0;

        var onB = await nodeB.Cache.GetOrSetAsync(key, _ => ValueTask.FromResult(large + Interlocked.Increment(ref factoryRuns)), cancellationToken: _cancellation);

        Assert.True(nodeA.Cache.TryGet<string>(key, out _));
        Assert.Equal(1, factoryRuns);
        Assert.Equal(large + "1", onB);
    }
}
