using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>The replicas check follows the real replica being stopped and started, from the router's own probes.</summary>
[Collection(ServerFaultsCollection.Name)]
public sealed class RoutingHealthCheckFaultTests(TestServers servers)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_stopped_replica_shows_down_in_the_replicas_check_and_up_again_once_started()
    {
        await using var host = await RoutingHost.StartAsync(servers.Primary, o => o.Replicas.Add(new() { Name = "replica-health-stop", ConnectionString = servers.Replica }), services: RoutingHealth.AddChecks);
        await RoutingHealth.WaitForAsync(host.Services, "ormperf-replicas", HealthStatus.Healthy, Deadline);

        var stopped = false;
        try
        {
            await servers.ControlAsync("stop", "replica");
            stopped = true;
            var down = await RoutingHealth.WaitForAsync(host.Services, "ormperf-replicas", HealthStatus.Degraded, Deadline);
            Assert.Equal("down", RoutingHealth.StateOf(down, "replica-health-stop"));
            Assert.EndsWith("reads go to the primary.", down.Description, StringComparison.Ordinal);
            await RoutingHealth.WaitForAsync(host.Services, "ormperf-primary", HealthStatus.Healthy, Deadline);

            await servers.ControlAsync("start", "replica");
            stopped = false;
            var up = await RoutingHealth.WaitForAsync(host.Services, "ormperf-replicas", HealthStatus.Healthy, Deadline);
            Assert.Equal("up", RoutingHealth.StateOf(up, "replica-health-stop"));
        }
        finally
        {
            if (stopped)
            {
                await servers.ControlAsync("start", "replica");
            }
        }
    }
}
