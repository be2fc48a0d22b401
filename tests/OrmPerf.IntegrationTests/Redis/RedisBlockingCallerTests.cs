using System.Diagnostics;
using Npgsql;
using OrmPerf.Caching;
using OrmPerf.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace OrmPerf.IntegrationTests.Redis;

/// <summary>
/// A caller that blocks on the two-level cache from a single-threaded synchronization context (a UI thread, classic
/// ASP.NET) does not deadlock: a database miss, a Redis hit and a cross-node invalidation never need that context.
/// </summary>
public sealed class RedisBlockingCallerTests(TestServers servers)
{
    [Fact]
    public async Task A_miss_a_Redis_hit_and_an_invalidation_complete_for_a_caller_that_blocks_its_own_context()
    {
        await using var schema = await ItemsTable.CreateAsync(servers);
        var prefix = $"test:{Guid.NewGuid():N}:";
        await using var nodeA = new RedisNode(schema.Primary, servers.Redis, prefix);
        await using var nodeB = new RedisNode(schema.Primary, servers.Redis, prefix);
        await using var direct = await ConnectionMultiplexer.ConnectAsync(servers.Redis);
        using var metrics = new RedisMetrics(prefix);

        var reads = await BlockingCaller.RunAsync(() =>
        {
            var fromDatabase = Read(nodeA);
            // Node A fills Redis after answering; once the entry is there, node B's empty L1 reads it from Redis.
            var server = direct.GetServers()[0];
            var waiting = Stopwatch.StartNew();
            while (!server.Keys(pattern: prefix + "q:*").Any() && waiting.Elapsed < TimeSpan.FromSeconds(5))
            {
                Thread.Sleep(20);
            }

            var fromRedis = Read(nodeB);
            using (var connection = new NpgsqlConnection(schema.Primary))
            {
                connection.Open();
                using var update = new NpgsqlCommand("UPDATE items SET name = 'new' WHERE id = 1", connection);
                update.ExecuteNonQuery();
            }

            nodeB.Cache.InvalidateTablesAsync(["items"]).AsTask().GetAwaiter().GetResult();
            return (fromDatabase, fromRedis, Read(nodeB));
        }).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(("old", "old", "new"), reads);
        Assert.True(metrics.Hits >= 1, "Node B did not read the entry from Redis.");
    }

    private static string? Read(RedisNode node) =>
        node.DataSource.QueryFirstOrDefaultCachedAsync<string>(node.Cache, ItemsTable.NameById, new { id = 1 }).AsTask().GetAwaiter().GetResult();
}
