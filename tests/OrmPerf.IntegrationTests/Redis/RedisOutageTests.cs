using OrmPerf.Caching;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.Redis;
using StackExchange.Redis;

namespace OrmPerf.IntegrationTests.Redis;

/// <summary>The cache fails open while the real Redis server is stopped, and uses Redis again once it is back.</summary>
[Collection(ServerFaultsCollection.Name)]
public sealed class RedisOutageTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";

    [Fact]
    public async Task Reads_and_writes_succeed_from_the_database_while_Redis_is_down_and_Redis_is_used_again_after_it_returns()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT i, 'v0-' || i FROM generate_series(1, 20) i;");
        await using var nodeA = new RedisNode(schema.Primary, servers.Redis, _prefix, o =>
        {
            o.OperationTimeout = TimeSpan.FromMilliseconds(50);
            o.BreakDuration = TimeSpan.FromSeconds(1);
        });
        await using var nodeB = new RedisNode(schema.Primary, servers.Redis, _prefix);
        var failures = new List<Exception>();
        var wrong = new List<string>();
        using var metrics = new RedisMetrics(_prefix);
        try
        {
            await servers.ControlAsync("stop", "redis");
            for (var round = 1; round <= 5; round++)
            {
                await schema.ExecuteAsync($"UPDATE items SET name = 'v{round}-' || id");
                await Record(failures, () => nodeA.Cache.InvalidateTablesAsync(["items"], _cancellation).AsTask());
                for (var id = 1; id <= 20; id++)
                {
                    var expected = $"v{round}-{id}";
                    await Record(failures, async () =>
                    {
                        var name = await nodeA.DataSource.QueryFirstOrDefaultCachedAsync<string>(nodeA.Cache, ItemsTable.NameById, new { id }, cancellationToken: _cancellation);
                        if (name != expected)
                        {
                            wrong.Add($"{name} instead of {expected}");
                        }
                    });
                    await Record(failures, () => nodeA.Cache.SetAsync(QueryKey.Create<int>($"SELECT {id}"), id, cancellationToken: _cancellation).AsTask());
                    await Record(failures, () => nodeA.Cache.RemoveAsync(QueryKey.Create<int>($"SELECT {id}"), _cancellation).AsTask());
                }
            }
        }
        finally
        {
            await servers.ControlAsync("start", "redis");
        }

        var errorsDuringOutage = metrics.Errors;
        var recovered = await WaitForRecoveryAsync(nodeA, nodeB);

        Assert.True(errorsDuringOutage > 0, "no Redis call failed while Redis was stopped: the outage was not exercised");
        Assert.Empty(failures);
        Assert.Empty(wrong);
        Assert.True(recovered, "after Redis came back, a value written by node A never became readable from Redis by node B");
        Assert.True(metrics.CircuitTransitionsTo("open") >= 1, "the circuit never opened during the outage");
        Assert.True(metrics.CircuitTransitionsTo("closed") >= 1, "the circuit never closed after the outage");
    }

    [Fact]
    public async Task While_Redis_is_down_entries_stored_in_memory_stay_fresh_only_briefly_and_memory_is_emptied_when_it_returns()
    {
        await using var node = new RedisNode(servers.Primary, servers.Redis, _prefix, o => o.DisconnectedL1Duration = TimeSpan.FromSeconds(2));
        var tenMinutes = new QueryCacheEntryOptions { Duration = TimeSpan.FromMinutes(10) };
        var beforeOutage = QueryKey.Create<int>("SELECT 1");
        var duringOutage = QueryKey.Create<int>("SELECT 2");
        await node.Cache.SetAsync(beforeOutage, 1, tenMinutes, _cancellation);
        var limitWhileConnected = node.Backplane.LocalFreshnessLimit;
        TimeSpan? limitWhileDown;
        bool freshAtFirst, freshAfterLimit, olderEntryKept;
        try
        {
            await servers.ControlAsync("stop", "redis");
            limitWhileDown = await Poll.UntilAsync(() => ValueTask.FromResult(node.Backplane.LocalFreshnessLimit), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));
            await node.Cache.SetAsync(duringOutage, 2, tenMinutes, _cancellation);
            freshAtFirst = node.Cache.TryGet<int>(duringOutage, out _);
            await Task.Delay(TimeSpan.FromSeconds(2.5), _cancellation);
            freshAfterLimit = node.Cache.TryGet<int>(duringOutage, out _);
            olderEntryKept = node.Cache.TryGet<int>(beforeOutage, out _);
        }
        finally
        {
            await servers.ControlAsync("start", "redis");
        }

        var limitAfterReconnect = await Poll.UntilAsync(() => ValueTask.FromResult(node.Backplane.LocalFreshnessLimit), null, TimeSpan.FromSeconds(30));
        var olderEntryAfterReconnect = await Poll.UntilAsync(() => ValueTask.FromResult(node.Cache.TryGet<int>(beforeOutage, out _)), false, TimeSpan.FromSeconds(30));

        Assert.Null(limitWhileConnected);
        Assert.Equal(TimeSpan.FromSeconds(2), limitWhileDown);
        Assert.True(freshAtFirst);
        Assert.False(freshAfterLimit);
        Assert.True(olderEntryKept);
        Assert.Null(limitAfterReconnect);
        Assert.False(olderEntryAfterReconnect);
    }

    [Fact]
    public async Task A_node_that_missed_an_invalidation_while_Redis_was_down_reads_fresh_data_once_it_reconnects()
    {
        await using var schema = await ItemsTable.CreateAsync(servers);
        await using var nodeA = new RedisNode(schema.Primary, servers.Redis, _prefix);
        await using var nodeB = new RedisNode(schema.Primary, servers.Redis, _prefix);
        var entryOptions = new QueryCacheEntryOptions { Duration = TimeSpan.FromMinutes(10) };
        await ReadOnAAsync();
        string? whileDown;
        try
        {
            await servers.ControlAsync("stop", "redis");
            await schema.ExecuteAsync("UPDATE items SET name = 'new' WHERE id = 1");
            await nodeB.Cache.InvalidateTablesAsync(["items"], _cancellation);
            whileDown = await ReadOnAAsync();
        }
        finally
        {
            await servers.ControlAsync("start", "redis");
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var afterReconnect = await ReadOnAAsync();
        while (afterReconnect != "new" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, _cancellation);
            afterReconnect = await ReadOnAAsync();
        }

        // The lost message leaves node A stale while Redis is down (the test is not vacuous), but not after.
        Assert.Equal("old", whileDown);
        Assert.Equal("new", afterReconnect);

        ValueTask<string?> ReadOnAAsync() =>
            nodeA.DataSource.QueryFirstOrDefaultCachedAsync<string>(nodeA.Cache, ItemsTable.NameById, new { id = 1 }, entryOptions, cancellationToken: _cancellation);
    }

    [Fact]
    public async Task A_Redis_that_stops_answering_costs_a_read_its_operation_timeout_not_the_stall()
    {
        await using var node = new RedisNode(servers.Primary, servers.Redis, _prefix, o =>
        {
            o.OperationTimeout = TimeSpan.FromMilliseconds(200);
            o.MinimumThroughput = 100; // the breaker stays closed: each read must time out by itself
        });
        var key = QueryKey.Create<int>("SELECT 42");
        await using var admin = await ConnectionMultiplexer.ConnectAsync(servers.Redis + ",allowAdmin=true");
        using var metrics = new RedisMetrics(_prefix);
        var stall = TimeSpan.FromSeconds(4);
        int value;
        TimeSpan elapsed;
        try
        {
            // Redis keeps every client's commands waiting, connections open: a hung server, not a refused one.
            await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", (long)stall.TotalMilliseconds, "ALL");
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            value = await node.Cache.GetOrSetAsync(key, _ => ValueTask.FromResult(42), cancellationToken: _cancellation);
            elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        }
        finally
        {
            await admin.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");
        }

        var failedReads = await Poll.UntilAsync(() => ValueTask.FromResult(metrics.ErrorsOf("get")), 1L, TimeSpan.FromSeconds(10));
        Assert.Equal(42, value);
        Assert.Equal(1, failedReads);
        // 200 ms expected; the bound only has to tell the timeout from the 4 s stall on a loaded machine.
        Assert.True(elapsed < stall / 2, $"the read took {elapsed.TotalMilliseconds:F0} ms while Redis stalled for {stall.TotalMilliseconds:F0} ms");
    }

    /// <summary>Writes through node A until node B reads the value from Redis (its factory would throw) and a direct GET sees it.</summary>
    private async Task<bool> WaitForRecoveryAsync(RedisNode nodeA, RedisNode nodeB)
    {
        await using var direct = await ConnectionMultiplexer.ConnectAsync(servers.Redis);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (var attempt = 0; DateTime.UtcNow < deadline; attempt++)
        {
            var key = QueryKey.Create<string>($"SELECT 'after recovery {attempt}'");
            await nodeA.Cache.SetAsync(key, "after recovery", cancellationToken: _cancellation);
            var stored = await direct.GetDatabase().KeyExistsAsync($"{_prefix}q:{key.Id}");
            var fromRedis = await nodeB.Cache.GetOrSetAsync(key, _ => ValueTask.FromResult("factory"), cancellationToken: _cancellation);
            if (stored && fromRedis == "after recovery")
            {
                return true;
            }

            await Task.Delay(200, _cancellation);
        }

        return false;
    }

    private static async Task Record(List<Exception> failures, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception e)
        {
            failures.Add(e);
        }
    }
}
