using System.Transactions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrmPerf.IntegrationTests.Infrastructure;
using OrmPerf.Routing;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>Routing on the real primary and replica while both are up.</summary>
public sealed class RoutingTests(TestServers servers)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Reads_land_on_the_replica_and_writes_on_the_primary()
    {
        await using var host = await RoutingHost.StartAsync(servers.Primary, o => o.Replicas.Add(new() { Name = "replica-a", ConnectionString = servers.Replica }));
        await using var scope = host.NewScope();
        var router = scope.Router;

        await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(router, onReplica: true, Deadline);
        Assert.True((await router.QueryAsync<bool>("SELECT pg_is_in_recovery()", cancellationToken: TestContext.Current.CancellationToken)).Single());

        await using var write = await router.OpenConnectionAsync(Intent.Write, TestContext.Current.CancellationToken);
        Assert.False(await write.ExecuteScalarAsync<bool>("SELECT pg_is_in_recovery()"));
        Assert.False((await router.QueryAsync<bool>("SELECT pg_is_in_recovery()", intent: Intent.Write, cancellationToken: TestContext.Current.CancellationToken)).Single());
    }

    [Fact]
    public async Task In_time_window_mode_reads_after_a_write_go_to_the_primary_until_the_window_has_passed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await RoutingHost.StartAsync(
            servers.Primary,
            o =>
            {
                o.Replicas.Add(new() { Name = "replica-window", ConnectionString = servers.Replica });
                o.ReadYourWrites = ReadYourWritesMode.TimeWindow;
                o.ReadYourWritesWindow = TimeSpan.FromSeconds(2);
            },
            clock);
        await using var scope = host.NewScope();
        var router = scope.Router;
        Assert.True(await RoutingProbe.ReadLandsOnReplicaAsync(router));

        await router.ExecuteAsync("SELECT 1", cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(await RoutingProbe.ReadLandsOnReplicaAsync(router));
        clock.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(await RoutingProbe.ReadLandsOnReplicaAsync(router));

        clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.True(await RoutingProbe.ReadLandsOnReplicaAsync(router));
    }

    [Fact]
    public async Task Without_replicas_every_read_goes_to_the_primary()
    {
        await using var host = await RoutingHost.StartAsync(servers.Primary, _ => { });
        await using var scope = host.NewScope();

        Assert.False(await RoutingProbe.ReadLandsOnReplicaAsync(scope.Router));
    }

    [Fact]
    public async Task Locking_reads_data_modifying_ctes_and_transactions_go_to_the_primary()
    {
        await using var schema = await servers.CreateSchemaAsync();
        await schema.ExecuteAsync("CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL); INSERT INTO note VALUES (1, 'one')");
        await servers.WaitForReplicaAsync();
        await using var host = await RoutingHost.StartAsync(schema.Primary, o => o.Replicas.Add(new() { Name = "replica-a", ConnectionString = schema.Replica }));
        await using var scope = host.NewScope();
        var router = scope.Router;
        var cancel = TestContext.Current.CancellationToken;
        await RoutingProbe.WaitUntilReadsLandOnReplicaAsync(router, onReplica: true, Deadline);

        // Each would fail on the replica (read-only transaction), so success proves the primary.
        Assert.False((await router.QueryAsync<bool>("SELECT pg_is_in_recovery() FROM note WHERE id = 1 FOR UPDATE", cancellationToken: cancel)).Single());
        Assert.False((await router.QueryAsync<bool>("/* report */ select pg_is_in_recovery() from note for key share", cancellationToken: cancel)).Single());
        Assert.False((await router.QueryAsync<bool>(
            "WITH added AS (INSERT INTO note VALUES (2, 'two') RETURNING id) SELECT pg_is_in_recovery() FROM added", cancellationToken: cancel)).Single());

        // A keyword inside a literal or a quoted identifier is no reason to leave the replica.
        Assert.True((await router.QueryAsync<bool>("SELECT pg_is_in_recovery() AS \"for update\" WHERE 'for share' <> ''", cancellationToken: cancel)).Single());

        using (new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            Assert.False(await RoutingProbe.ReadLandsOnReplicaAsync(router));
        }
    }

    [Fact]
    public async Task Invalid_options_fail_start_up_naming_the_values()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services
            .AddOrmPerf(o => o.ConnectionString = servers.Primary)
            .AddReadReplicas(o =>
            {
                o.Replicas.Add(new() { Name = "primary", ConnectionString = servers.Replica });
                o.Replicas.Add(new() { Name = "bad name", ConnectionString = "" });
                o.MaxReplicaLag = TimeSpan.Zero;
            });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("ReadReplicaOptions.Replicas[0].Name 'primary' is already taken", error.Message);
        Assert.Contains("ReadReplicaOptions.Replicas[1].Name must be letters, digits, '-', '_' or '.', but was 'bad name'", error.Message);
        Assert.Contains("ReadReplicaOptions.Replicas[1].ConnectionString must not be empty", error.Message);
        Assert.Contains("ReadReplicaOptions.MaxReplicaLag must be positive, but was 00:00:00", error.Message);
    }

    [Fact]
    public async Task Replicas_given_as_connection_strings_are_named_in_order_and_serve_reads()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddOrmPerf(o => o.ConnectionString = servers.Primary).AddReadReplicas(servers.Replica, servers.Replica);
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<ReadReplicaOptions>>().Value;
        Assert.Equal(["replica-1", "replica-2"], options.Replicas.Select(r => r.Name));
        await using var scope = host.Services.CreateAsyncScope();
        Assert.True(await RoutingProbe.ReadLandsOnReplicaAsync(scope.ServiceProvider.GetRequiredService<IConnectionRouter>()));
    }
}
