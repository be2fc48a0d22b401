using Microsoft.Extensions.DependencyInjection;
using OrmPerf.Connections;
using OrmPerf.IntegrationTests.Infrastructure;
using Npgsql;
using OrmPerf.Routing;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>A routed read open on a healthy replica costs what a direct open of its data source costs (issue 6's goal).</summary>
public sealed class RouterOpenOverheadTests(TestServers servers)
{
    private const int Opens = 200;
    private const int Rounds = 5;

    [Fact]
    public async Task A_routed_read_open_allocates_no_more_than_a_direct_open()
    {
        await using var host = await RoutingHost.StartAsync(servers.Primary, o => o.Replicas.Add(new() { Name = "replica-overhead", ConnectionString = servers.Replica }));
        await using var scope = host.NewScope();
        await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(scope.Router, onReplica: true, TimeSpan.FromSeconds(10));
        await using var direct = host.Services.GetRequiredService<IOrmPerfDataSourceFactory>().Create(servers.Replica, "replica-overhead-direct");

        // The least of several rounds: early in a test run the first rounds still run unoptimised (tier-0) code, which
        // allocates what optimised code keeps on the stack, so a single round would mostly measure which side ran first.
        long routed = long.MaxValue, straight = long.MaxValue;
        for (var round = 0; round < Rounds; round++)
        {
            routed = Math.Min(routed, AllocatedBy(() => scope.Router.OpenConnectionAsync(Intent.Read, TestContext.Current.CancellationToken)));
            straight = Math.Min(straight, AllocatedBy(() => direct.OpenConnectionAsync(TestContext.Current.CancellationToken)));
            await Task.Delay(TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken); // time for the JIT to tier up
        }

        // A little slack: the health probe shares the replica's pool, so now and then an open has to wait for a connection.
        Assert.True(routed <= straight * 1.1, $"{Opens} routed opens allocated {routed} B, {Opens} direct opens {straight} B (least of {Rounds} rounds).");
    }

    // Synchronous on purpose: the allocation counter is per thread, and an await may resume on another one. A pooled open
    // normally completes synchronously; one that does not is waited for on this thread.
    private static long AllocatedBy(Func<ValueTask<NpgsqlConnection>> open)
    {
        WarmUp(open);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Opens; i++)
        {
            OpenAndClose(open);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    // Several idle connections in the pool, so an open that overlaps a health probe still finds one instead of
    // opening a new physical connection (whose allocations would swamp what is measured).
    private static void WarmUp(Func<ValueTask<NpgsqlConnection>> open)
    {
        var connections = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                connections.Add(open().AsTask().GetAwaiter().GetResult());
            }
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }
    }

    private static void OpenAndClose(Func<ValueTask<NpgsqlConnection>> open)
    {
        var opening = open();
        using var connection = opening.IsCompletedSuccessfully ? opening.Result : opening.AsTask().GetAwaiter().GetResult();
    }
}
