using Npgsql;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.Routing;
using OrmPerf.Routing.Diagnostics;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>Which replica a read picks, and what happens when one cannot be reached.</summary>
public sealed class ReplicaSelectionTests(TestServers servers)
{
    // Nothing listens on port 1: opening there fails at once, like a replica whose server is gone.
    private const string Unreachable = "Host=127.0.0.1;Port=1;Username=postgres;Database=ormperf";

    [Fact]
    public async Task Least_in_flight_sends_the_next_read_to_the_replica_with_fewer_open_connections()
    {
        using var meters = new RoutingMeterRecorder();
        var (first, second) = ("lif-" + Guid.NewGuid().ToString("N")[..8], "lif-" + Guid.NewGuid().ToString("N")[..8]);
        await using var host = await RoutingHost.StartAsync(servers.Primary, o =>
        {
            o.Replicas.Add(new() { Name = first, ConnectionString = servers.Replica });
            o.Replicas.Add(new() { Name = second, ConnectionString = servers.Replica });
            o.Balancing = ReplicaBalancing.LeastInFlight;
        });
        await using var scope = host.NewScope();

        var held = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                held.Add(await scope.Router.OpenConnectionAsync(Intent.Read, TestContext.Current.CancellationToken));
            }

            Assert.Equal(2, meters.Total(RoutingDiagnostics.Reads, first));
            Assert.Equal(2, meters.Total(RoutingDiagnostics.Reads, second));
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_replica_that_fails_to_open_is_marked_down_and_the_read_succeeds_elsewhere()
    {
        using var meters = new RoutingMeterRecorder();
        var dead = "dead-" + Guid.NewGuid().ToString("N")[..8];
        await using var host = await RoutingHost.StartAsync(servers.Primary, o =>
        {
            o.Replicas.Add(new() { Name = dead, ConnectionString = Unreachable });
            o.Replicas.Add(new() { Name = "alive", ConnectionString = servers.Replica });
        });
        await using var scope = host.NewScope();

        for (var i = 0; i < 6; i++)
        {
            Assert.True((await scope.Router.QueryAsync<bool>("SELECT pg_is_in_recovery()", cancellationToken: TestContext.Current.CancellationToken)).Single());
        }

        Assert.Equal(0, meters.Total(RoutingDiagnostics.Reads, dead));
        Assert.Equal(3, meters.Gauge(RoutingDiagnostics.CircuitState, dead));
    }

    [Fact]
    public async Task With_fail_as_fallback_a_read_without_a_qualifying_replica_throws_and_writes_still_work()
    {
        await using var host = await RoutingHost.StartAsync(servers.Primary, o =>
        {
            o.Replicas.Add(new() { Name = "gone", ConnectionString = Unreachable });
            o.WhenNoReplicaQualifies = NoReplicaFallback.Fail;
        });
        await using var scope = host.NewScope();

        var error = await Assert.ThrowsAsync<NoReplicaAvailableException>(
            async () => await scope.Router.OpenConnectionAsync(Intent.Read, TestContext.Current.CancellationToken));
        Assert.Contains("WhenNoReplicaQualifies is Fail", error.Message);

        await using var write = await scope.Router.OpenConnectionAsync(Intent.Write, TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", write);
        Assert.False((bool)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
    }
}
