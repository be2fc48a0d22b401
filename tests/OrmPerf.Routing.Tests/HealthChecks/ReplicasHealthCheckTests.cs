using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using NpgsqlTypes;
using OrmPerf.Connections;
using OrmPerf.Routing.HealthChecks;
using OrmPerf.Routing.Probing;

namespace OrmPerf.Routing.Tests.HealthChecks;

// The check reads the replicas' last probes; the probes are set by hand here, so every state is reached without servers.
public sealed class ReplicasHealthCheckTests
{
    private const string ConnectionString = "Host=127.0.0.1;Port=1";
    private static readonly ReplicaHealth Healthy = new(true, true, new NpgsqlLogSequenceNumber(100), TimeSpan.Zero, 0);

    [Fact]
    public async Task Lagging_not_a_standby_and_promoted_replicas_are_told_apart()
    {
        await using var servers = Create(NoReplicaFallback.UsePrimary, "caught-up", "lagging", "too-many-bytes", "split", "promoted");
        servers.Replicas[0].Health = Healthy;
        servers.Replicas[1].Health = Healthy with { Lag = TimeSpan.FromMinutes(1) };
        servers.Replicas[2].Health = Healthy with { LagBytes = 2048 };
        servers.Replicas[3].Health = Healthy with { InRecovery = false };
        servers.Replicas[4].Health = Healthy with { InRecovery = false, Promoted = true };

        var result = await CheckAsync(servers);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal(["up", "lagging", "lagging", "excluded", "up"], servers.Replicas.Select(r => StateOf(result, r.Name)));
        Assert.Equal(60.0, Describe(result, "lagging")["lagSeconds"]);
        Assert.Equal(true, Describe(result, "promoted")["promoted"]);
        Assert.Equal("2 of 5 read replicas serve reads (lagging lagging, too-many-bytes lagging, split excluded).", result.Description);
    }

    [Fact]
    public async Task A_replica_marked_down_by_a_failed_read_is_down_until_a_probe_succeeds()
    {
        await using var servers = Create(NoReplicaFallback.UsePrimary, "replica");
        servers.Replicas[0].Health = Healthy;
        await servers.Replicas[0].MarkDownAsync();

        var result = await CheckAsync(servers);

        Assert.Equal("down", StateOf(result, "replica"));
        Assert.Equal("0 of 1 read replicas serve reads (replica down); reads go to the primary.", result.Description);
    }

    [Theory]
    [InlineData(NoReplicaFallback.UsePrimary, HealthStatus.Degraded)]
    [InlineData(NoReplicaFallback.Fail, HealthStatus.Unhealthy)]
    public async Task No_qualifying_replica_degrades_unless_reads_then_fail(NoReplicaFallback fallback, HealthStatus expected)
    {
        await using var servers = Create(fallback, "replica");
        servers.Replicas[0].Health = ReplicaHealth.Unreachable;

        Assert.Equal(expected, (await CheckAsync(servers)).Status);
    }

    private static Task<HealthCheckResult> CheckAsync(ServerSet servers)
    {
        var check = new ReplicasHealthCheck(servers);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("ormperf-replicas", check, failureStatus: null, tags: null) };
        return check.CheckHealthAsync(context, TestContext.Current.CancellationToken);
    }

    private static IReadOnlyDictionary<string, object> Describe(HealthCheckResult result, string replica) =>
        Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(result.Data[replica]);

    private static object StateOf(HealthCheckResult result, string replica) => Describe(result, replica)["state"];

    private static ServerSet Create(NoReplicaFallback fallback, params string[] names)
    {
        var options = new ReadReplicaOptions { WhenNoReplicaQualifies = fallback, MaxReplicaLagBytes = 1024 };
        foreach (var name in names)
        {
            options.Replicas.Add(new ReplicaEndpoint { Name = name, ConnectionString = ConnectionString });
        }

        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = ConnectionString);
        var provider = services.BuildServiceProvider();
        return new ServerSet(options, provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<IOrmPerfDataSourceFactory>(), TimeProvider.System);
    }
}
