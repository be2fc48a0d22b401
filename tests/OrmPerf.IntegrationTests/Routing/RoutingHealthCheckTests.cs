using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.Routing;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>The shipped health checks report the router's probes of the real primary and replica.</summary>
public sealed class RoutingHealthCheckTests(TestServers servers)
{
    private const string Nowhere = "Host=127.0.0.1;Port=1;Username=postgres;Timeout=2";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task With_the_primary_and_replica_up_both_checks_are_healthy_with_the_replicas_data()
    {
        await using var host = await RoutingHost.StartAsync(servers.Primary, o => o.Replicas.Add(new() { Name = "replica-health", ConnectionString = servers.Replica }), services: RoutingHealth.AddChecks);

        var primary = await RoutingHealth.WaitForAsync(host.Services, "ormperf-primary", HealthStatus.Healthy, Deadline);
        var replicas = await RoutingHealth.WaitForAsync(host.Services, "ormperf-replicas", HealthStatus.Healthy, Deadline);

        Assert.True(primary.Data.ContainsKey("walPosition"));
        Assert.Equal("up", RoutingHealth.StateOf(replicas, "replica-health"));
        Assert.Equal("1 of 1 read replicas serve reads.", replicas.Description);
    }

    [Fact]
    public async Task An_unreachable_replica_is_down_and_degrades_the_check_while_reads_fall_back_to_the_primary()
    {
        await using var host = await RoutingHost.StartAsync(servers.Primary, o =>
        {
            o.Replicas.Add(new() { Name = "replica-up", ConnectionString = servers.Replica });
            o.Replicas.Add(new() { Name = "replica-nowhere", ConnectionString = Nowhere });
        }, services: RoutingHealth.AddChecks);

        // Both probed: the reachable replica up, the other down.
        var replicas = await RoutingHealth.WaitForAsync(
            host.Services,
            "ormperf-replicas",
            entry => entry.Status == HealthStatus.Degraded && RoutingHealth.StateOf(entry, "replica-up") is "up" && RoutingHealth.StateOf(entry, "replica-nowhere") is "down",
            Deadline);

        Assert.StartsWith("1 of 2 read replicas serve reads (replica-nowhere down)", replicas.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_qualifying_replica_is_unhealthy_when_reads_fail_for_want_of_one()
    {
        await using var host = await RoutingHost.StartAsync(servers.Primary, o =>
        {
            o.Replicas.Add(new() { Name = "replica-nowhere", ConnectionString = Nowhere });
            o.WhenNoReplicaQualifies = NoReplicaFallback.Fail;
        }, services: RoutingHealth.AddChecks);

        var replicas = await RoutingHealth.WaitForAsync(host.Services, "ormperf-replicas", HealthStatus.Unhealthy, Deadline);

        Assert.Equal("down", RoutingHealth.StateOf(replicas, "replica-nowhere"));
        Assert.EndsWith("reads fail (WhenNoReplicaQualifies is Fail).", replicas.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_primary_is_unhealthy_with_the_error_type()
    {
        await using var host = await RoutingHost.StartAsync(Nowhere, o => o.Replicas.Add(new() { Name = "replica-health-p", ConnectionString = servers.Replica }), services: RoutingHealth.AddChecks);

        var primary = await RoutingHealth.WaitForAsync(host.Services, "ormperf-primary", HealthStatus.Unhealthy, Deadline);

        Assert.Equal(typeof(Npgsql.NpgsqlException).FullName, primary.Data["error"]);
        Assert.False(primary.Data.ContainsKey("walPosition"));
    }

    [Fact]
    public async Task Without_replicas_the_primary_check_still_reports_probes_and_the_replicas_check_is_healthy()
    {
        await using var host = await RoutingHost.StartAsync(servers.Primary, _ => { }, services: RoutingHealth.AddChecks);

        await RoutingHealth.WaitForAsync(host.Services, "ormperf-primary", HealthStatus.Healthy, Deadline);
        var replicas = await RoutingHealth.WaitForAsync(host.Services, "ormperf-replicas", HealthStatus.Healthy, Deadline);

        Assert.Equal("No read replicas are configured; reads go to the primary.", replicas.Description);
    }
}
