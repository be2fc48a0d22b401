using System.Net;
using System.Net.Sockets;
using OrmPerf.Caching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Redis;

/// <summary>The exact counts of the <c>OrmPerf.Redis</c> meter's instruments, against the real Redis.</summary>
public sealed class RedisMetricsTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";

    [Fact]
    public async Task Reads_count_hits_and_misses_and_removals_and_invalidations_count_messages_sent_and_received()
    {
        using var metrics = new RedisMetrics(_prefix);
        await using var nodeA = new RedisNode(servers.Primary, servers.Redis, _prefix);
        await using var nodeB = new RedisNode(servers.Primary, servers.Redis, _prefix);
        var tagged = new QueryCacheEntryOptions { Tags = [QueryCacheTags.ForTable("items")] };
        var untaggedKey = QueryKey.Create<int>("SELECT 1");
        var taggedKey = QueryKey.Create<int>("SELECT count(*) FROM items");

        // One miss on each read path (GET without tags, MGET with them), then one hit on each from the other node.
        await nodeA.Cache.GetOrSetAsync(QueryKey.Create<int>("SELECT 2"), _ => ValueTask.FromResult(2), cancellationToken: _cancellation);
        await nodeA.Cache.GetOrSetAsync(QueryKey.Create<int>("SELECT count(*) FROM items WHERE id > 1"), _ => ValueTask.FromResult(0), tagged, _cancellation);
        await nodeB.Cache.SetAsync(untaggedKey, 1, cancellationToken: _cancellation);
        await nodeB.Cache.SetAsync(taggedKey, 1, tagged, _cancellation);
        await nodeA.Cache.GetOrSetAsync<int>(untaggedKey, _ => throw new InvalidOperationException("must come from Redis"), cancellationToken: _cancellation);
        await nodeA.Cache.GetOrSetAsync<int>(taggedKey, _ => throw new InvalidOperationException("must come from Redis"), tagged, _cancellation);
        await nodeA.Cache.RemoveAsync(untaggedKey, _cancellation);
        await nodeA.Cache.InvalidateTablesAsync(["items"], _cancellation);
        var received = await Poll.UntilAsync(() => ValueTask.FromResult(metrics.MessagesReceived), 2L, TimeSpan.FromSeconds(10));

        Assert.Equal(2, metrics.Misses);
        Assert.Equal(2, metrics.Hits);
        Assert.Equal(2, metrics.MessagesSent);
        Assert.Equal(2, received);
        Assert.Equal(0, metrics.Errors);
        Assert.Equal(0, metrics.CircuitTransitionsTo("open"));
    }

    [Fact]
    public async Task Calls_to_an_unreachable_Redis_count_as_errors_and_open_the_circuit_once()
    {
        using var metrics = new RedisMetrics(_prefix);
        await using var node = new RedisNode(servers.Primary, $"127.0.0.1:{UnusedPort()}", _prefix, o =>
        {
            o.MinimumThroughput = 2;
            o.BreakDuration = TimeSpan.FromMinutes(1);
        });

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(i, await node.Cache.GetOrSetAsync(QueryKey.Create<int>($"SELECT {i}"), _ => ValueTask.FromResult(i), cancellationToken: _cancellation));
        }

        // Each get-or-set made one failed read and, after answering, one failed write: two failed, then four refused.
        var errors = await Poll.UntilAsync(() => ValueTask.FromResult(metrics.Errors), 6L, TimeSpan.FromSeconds(10));
        Assert.Equal(6, errors);
        Assert.Equal(1, metrics.CircuitTransitionsTo("open"));
        Assert.Equal(0, metrics.CircuitTransitionsTo("half_open"));
        Assert.Equal(0, metrics.Hits + metrics.Misses);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
