using OrmPerf.Caching;
using OrmPerf.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace OrmPerf.IntegrationTests.Redis;

/// <summary>
/// The second level and the backplane on a Redis Cluster of three masters (<c>eng/services.sh</c>), with a plain key
/// prefix: no hash tags chosen by the user, so entries and tag keys spread over the masters.
/// </summary>
public sealed class RedisClusterTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";

    [Fact]
    public async Task Entries_and_their_tags_spread_over_the_masters_and_another_node_hits_them_in_Redis()
    {
        await using var nodeA = new RedisNode(servers.Primary, servers.RedisCluster, _prefix);
        await using var nodeB = new RedisNode(servers.Primary, servers.RedisCluster, _prefix);
        var options = new QueryCacheEntryOptions { Duration = TimeSpan.FromMinutes(5), Tags = ["orders", "customers", "products"] };
        var keys = Enumerable.Range(0, 30).Select(i => QueryKey.Create<int>($"SELECT {i}")).ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            var value = i;
            await nodeA.Cache.GetOrSetAsync(keys[i], _ => ValueTask.FromResult(value), options, _cancellation);
        }

        // Node A writes Redis after answering: node B reads until every entry is there.
        var fromRedis = await Poll.UntilAsync(async () =>
        {
            var hits = 0;
            for (var i = 0; i < keys.Length; i++)
            {
                var value = await nodeB.Cache.GetOrSetAsync(keys[i], _ => ValueTask.FromResult(-1), options with { Duration = TimeSpan.FromMilliseconds(1) }, _cancellation);
                hits += value == i ? 1 : 0;
            }

            return hits;
        }, keys.Length);

        Assert.Equal(keys.Length, fromRedis);
        Assert.Equal(3, await MastersHoldingAsync("q:*"));
    }

    [Fact]
    public async Task A_tag_invalidated_on_one_node_is_invalidated_on_the_other_through_the_cluster()
    {
        await using var nodeA = new RedisNode(servers.Primary, servers.RedisCluster, _prefix);
        await using var nodeB = new RedisNode(servers.Primary, servers.RedisCluster, _prefix);
        var options = new QueryCacheEntryOptions { Duration = TimeSpan.FromMinutes(5), Tags = ["orders", "customers"] };
        var key = QueryKey.Create<string>("SELECT 'tagged'");
        await nodeA.Cache.GetOrSetAsync(key, _ => ValueTask.FromResult("v1"), options, _cancellation);
        await nodeB.Cache.GetOrSetAsync(key, _ => ValueTask.FromResult("v1"), options, _cancellation);

        await nodeB.Cache.InvalidateTagsAsync(["customers"], _cancellation);

        // The message reaches node A over the cluster's pub/sub; its memory no longer holds the entry.
        var evictedOnA = await Poll.UntilAsync(() => ValueTask.FromResult(!nodeA.Cache.TryGet<string>(key, out _)), true);
        var onA = await nodeA.Cache.GetOrSetAsync(key, _ => ValueTask.FromResult("v2"), options, _cancellation);
        // A node started later reads Redis: the invalidation time kept there (another slot) rejects the older entry.
        await using var nodeC = new RedisNode(servers.Primary, servers.RedisCluster, _prefix);
        var olderRejected = await Poll.UntilAsync(() => nodeC.Cache.GetOrSetAsync(key, _ => ValueTask.FromResult("v3"), options with { Duration = TimeSpan.FromMilliseconds(1) }, _cancellation), "v2");

        Assert.True(evictedOnA);
        Assert.Equal("v2", onA);
        Assert.Equal("v2", olderRejected);
    }

    /// <summary>How many masters hold a key of this test under <paramref name="pattern"/> (after the prefix).</summary>
    private async Task<int> MastersHoldingAsync(string pattern)
    {
        await using var direct = await ConnectionMultiplexer.ConnectAsync(servers.RedisCluster);
        return direct.GetServers().Count(server => !server.IsReplica && server.Keys(pattern: _prefix + pattern).Any());
    }
}
