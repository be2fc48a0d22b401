using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OrmPerf.Routing.Tests;

// Data sources connect only when opened, so registrations are tested without servers.
public sealed class AddReadReplicasTests
{
    private const string Orders = "Host=127.0.0.1;Port=1;Database=orders";
    private const string Billing = "Host=127.0.0.1;Port=1;Database=billing";

    [Fact]
    public void The_options_bind_from_configuration_with_the_replica_list()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Routing:Replicas:0:Name"] = "eu-west-a",
                ["Routing:Replicas:0:ConnectionString"] = "Host=10.0.0.2",
                ["Routing:Replicas:1:Name"] = "eu-west-b",
                ["Routing:Replicas:1:ConnectionString"] = "Host=10.0.0.3",
                ["Routing:MaxReplicaLag"] = "00:00:03",
                ["Routing:MaxReplicaLagBytes"] = "1048576",
                ["Routing:Balancing"] = "LeastInFlight",
                ["Routing:WhenNoReplicaQualifies"] = "Fail",
                ["Routing:ReadYourWrites"] = "TimeWindow",
                ["Routing:ReadYourWritesWindow"] = "00:00:04",
                ["Routing:ProbeInterval"] = "00:00:00.500",
                ["Routing:ProbeTimeout"] = "00:00:01",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = Orders).AddReadReplicas(o => configuration.GetSection("Routing").Bind(o));

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<ReadReplicaOptions>>().Get(Options.DefaultName);

        Assert.Equal(["eu-west-a", "eu-west-b"], options.Replicas.Select(r => r.Name));
        Assert.Equal(["Host=10.0.0.2", "Host=10.0.0.3"], options.Replicas.Select(r => r.ConnectionString));
        Assert.Equal(TimeSpan.FromSeconds(3), options.MaxReplicaLag);
        Assert.Equal(1048576, options.MaxReplicaLagBytes);
        Assert.Equal(ReplicaBalancing.LeastInFlight, options.Balancing);
        Assert.Equal(NoReplicaFallback.Fail, options.WhenNoReplicaQualifies);
        Assert.Equal(ReadYourWritesMode.TimeWindow, options.ReadYourWrites);
        Assert.Equal(TimeSpan.FromSeconds(4), options.ReadYourWritesWindow);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.ProbeInterval);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ProbeTimeout);
    }

    [Fact]
    public async Task Each_keyed_primary_has_its_own_router_over_its_own_primary_and_replicas()
    {
        var services = new ServiceCollection();
        services.AddKeyedOrmPerf("orders", o => o.ConnectionString = Orders).AddReadReplicas("Host=10.0.0.2;Port=1");
        services.AddKeyedOrmPerf("billing", o => o.ConnectionString = Billing).AddReadReplicas(o =>
            o.Replicas.Add(new ReplicaEndpoint { Name = "billing-replica", ConnectionString = Billing }));

        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var orders = Assert.IsType<ConnectionRouter>(scope.ServiceProvider.GetRequiredKeyedService<IConnectionRouter>("orders"));
        var billing = Assert.IsType<ConnectionRouter>(scope.ServiceProvider.GetRequiredKeyedService<IConnectionRouter>("billing"));

        Assert.Same(provider.GetRequiredKeyedService<NpgsqlDataSource>("orders"), orders.Servers.Primary);
        Assert.Same(provider.GetRequiredKeyedService<NpgsqlDataSource>("billing"), billing.Servers.Primary);
        Assert.Equal(["replica-1"], orders.Servers.Replicas.Select(r => r.Name));
        Assert.Equal(["billing-replica"], billing.Servers.Replicas.Select(r => r.Name));
        Assert.Contains("orders", orders.ReadDataSource.ConnectionString, StringComparison.Ordinal);
        Assert.Contains("billing", billing.ReadDataSource.ConnectionString, StringComparison.Ordinal);
        Assert.Null(scope.ServiceProvider.GetService<IConnectionRouter>());
    }

    [Fact]
    public void A_keyed_primarys_invalid_options_name_the_primary()
    {
        var services = new ServiceCollection();
        services.AddKeyedOrmPerf("orders", o => o.ConnectionString = Orders).AddReadReplicas(o => o.MaxReplicaLag = TimeSpan.Zero);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<ReadReplicaOptions>>().Get("orders"));

        Assert.Contains("ReadReplicaOptions['orders'].MaxReplicaLag must be positive, but was 00:00:00.", error.Failures);
    }

    [Fact]
    public void A_second_AddReadReplicas_for_the_same_primary_throws_instead_of_merging()
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = Orders).AddReadReplicas(Orders);

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddReadReplicas(Billing));

        Assert.Contains("AddKeyedOrmPerf", error.Message, StringComparison.Ordinal);
    }
}
