using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrmPerf.Routing.Tests;

// The checks read the router's state, so registrations and names are tested without servers.
public sealed class AddRoutingHealthChecksTests
{
    private const string ConnectionString = "Host=127.0.0.1;Port=1";

    [Fact]
    public async Task A_keyed_primarys_checks_are_named_after_its_key_and_report_its_own_replicas()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddKeyedOrmPerf("orders", o => o.ConnectionString = ConnectionString).AddReadReplicas();
        services.AddHealthChecks().AddOrmPerfReplicas("orders").AddOrmPerfPrimary("orders");
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["ormperf-primary-orders", "ormperf-replicas-orders"], report.Entries.Keys.Order());
        Assert.Equal("No read replicas are configured; reads go to the primary.", report.Entries["ormperf-replicas-orders"].Description);
        Assert.Equal("The router has not probed the primary yet.", report.Entries["ormperf-primary-orders"].Description);
        Assert.True(provider.GetRequiredKeyedService<ServerSet>("orders").WatchPrimary);
    }

    [Fact]
    public async Task A_check_of_a_primary_without_AddReadReplicas_fails_naming_what_to_call()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddKeyedOrmPerf("orders", o => o.ConnectionString = ConnectionString).AddReadReplicas();
        services.AddHealthChecks().AddOrmPerfReplicas("billing");
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken));

        Assert.Contains("AddReadReplicas was not called on the primary registered with AddKeyedOrmPerf under 'billing'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_primary_check_the_router_does_not_watch_a_primary_without_replicas()
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = ConnectionString).AddReadReplicas();
        await using var provider = services.BuildServiceProvider();

        Assert.False(provider.GetRequiredService<ServerSet>().WatchPrimary);
    }
}
