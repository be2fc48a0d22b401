using OrmPerf.Caching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Redis;

/// <summary>Cross-node stampede protection: a Redis lease lets one of the nodes missing a key run the query.</summary>
public sealed class RedisLeaseTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    public async Task Two_nodes_missing_the_same_key_at_once_run_the_query_once_with_a_lease(bool lease, int expectedRuns)
    {
        await using var nodeA = new RedisNode(servers.Primary, servers.Redis, _prefix, o => o.LeaseDuration = lease ? TimeSpan.FromSeconds(10) : null);
        await using var nodeB = new RedisNode(servers.Primary, servers.Redis, _prefix, o => o.LeaseDuration = lease ? TimeSpan.FromSeconds(10) : null);
        var key = QueryKey.Create<int>("SELECT count(*) FROM slow_table");
        var runs = 0;

        var reads = await Task.WhenAll(ReadAsync(nodeA), ReadAsync(nodeB));

        Assert.Equal(expectedRuns, runs);
        Assert.Equal([42, 42], reads);

        Task<int> ReadAsync(RedisNode node) => node.Cache.GetOrSetAsync(key, async token =>
        {
            Interlocked.Increment(ref runs);
            await Task.Delay(500, token);
            return 42;
        }, cancellationToken: _cancellation).AsTask();
    }
}
