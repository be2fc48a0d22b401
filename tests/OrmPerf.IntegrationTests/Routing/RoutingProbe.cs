using System.Diagnostics;
using Dapper;
using OrmPerf.Routing;
using OrmPerf.Routing.Consistency;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>Asks a routed connection where it landed, and waits, with a deadline, for routing to change.</summary>
internal static class RoutingProbe
{
    /// <summary>Whether a read routed now lands on a replica (<c>pg_is_in_recovery()</c> on the connection).</summary>
    public static async Task<bool> ReadLandsOnReplicaAsync(IConnectionRouter router, ConsistencyToken? token = null)
    {
        await using var connection = await router.OpenConnectionAsync(Intent.Read, token, TestContext.Current.CancellationToken);
        return await connection.ExecuteScalarAsync<bool>("SELECT pg_is_in_recovery()");
    }

    /// <summary>Polls until reads land on the replica (<paramref name="onReplica"/> true) or on the primary; fails after the deadline.</summary>
    public static async Task<TimeSpan> WaitUntilReadsLandOnReplicaAsync(IConnectionRouter router, bool onReplica, TimeSpan deadline, ConsistencyToken? token = null)
    {
        var clock = Stopwatch.StartNew();
        while (await ReadLandsOnReplicaAsync(router, token) != onReplica)
        {
            Assert.True(clock.Elapsed < deadline, $"Reads did not move to the {(onReplica ? "replica" : "primary")} within {deadline}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return clock.Elapsed;
    }
}
