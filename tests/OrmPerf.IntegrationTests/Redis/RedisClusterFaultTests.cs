using OrmPerf.Caching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Redis;

/// <summary>One master of the Redis Cluster stopped: the cache fails open, and uses all of the cluster again once it is back.</summary>
[Collection(ServerFaultsCollection.Name)]
public sealed class RedisClusterFaultTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";

    [Fact]
    public async Task With_one_master_stopped_reads_succeed_from_the_factory_and_after_it_returns_every_entry_is_shared_again()
    {
        using var metrics = new RedisMetrics(_prefix);
        await using var nodeA = new RedisNode(servers.Primary, servers.RedisCluster, _prefix, o =>
        {
            o.OperationTimeout = TimeSpan.FromMilliseconds(200);
            o.BreakDuration = TimeSpan.FromSeconds(1);
        });
        await using var nodeB = new RedisNode(servers.Primary, servers.RedisCluster, _prefix, o => o.OperationTimeout = TimeSpan.FromMilliseconds(200));
        // Thirty keys and three tags: some of each on every master, so the stopped one holds some.
        var options = new QueryCacheEntryOptions { Duration = TimeSpan.FromMilliseconds(1), Tags = ["orders", "customers", "products"] };
        var keys = Enumerable.Range(0, 30).Select(i => QueryKey.Create<int>($"SELECT {i}")).ToArray();
        var wrong = new List<string>();
        long errorsDuringOutage;
        try
        {
            await servers.ControlAsync("stop", "cluster2");
            for (var round = 0; round < 3; round++)
            {
                for (var i = 0; i < keys.Length; i++)
                {
                    var expected = (round * 100) + i;
                    var value = await nodeA.Cache.GetOrSetAsync(keys[i], _ => ValueTask.FromResult(expected), options, _cancellation);
                    if (value != expected)
                    {
                        wrong.Add($"{value} instead of {expected}");
                    }

                    await nodeA.Cache.RemoveAsync(keys[i], _cancellation);
                }

                await nodeA.Cache.InvalidateTagsAsync(["orders"], _cancellation);
            }

            errorsDuringOutage = metrics.Errors;
        }
        finally
        {
            await servers.ControlAsync("start", "cluster2");
        }

        // Recovery: what node A stores, node B (whose factory answers -1) reads from Redis, for every key.
        var shared = await Poll.UntilAsync(async () =>
        {
            var hits = 0;
            for (var i = 0; i < keys.Length; i++)
            {
                var stored = 1000 + i;
                await nodeA.Cache.SetAsync(keys[i], stored, options with { Duration = TimeSpan.FromMinutes(5) }, _cancellation);
                hits += await nodeB.Cache.GetOrSetAsync(keys[i], _ => ValueTask.FromResult(-1), options, _cancellation) == stored ? 1 : 0;
            }

            return hits;
        }, keys.Length, TimeSpan.FromSeconds(60));

        Assert.Empty(wrong);
        Assert.True(errorsDuringOutage > 0, "no Redis call failed while a master was stopped: the outage was not exercised");
        Assert.Equal(keys.Length, shared);
    }
}
