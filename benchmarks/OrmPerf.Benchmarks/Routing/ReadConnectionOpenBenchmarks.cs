using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OrmPerf.Connections;
using OrmPerf.Routing;
using OrmPerf.Routing.Diagnostics;

namespace OrmPerf.Benchmarks.Routing;

/// <summary>
/// Open and close a read connection (pooled, so this is the routing overhead on top of a pool rent): straight from the
/// replica's data source, through OrmPerf's router with its health monitor running (untraced, and with a listener
/// recording every <c>ormperf.routing.open</c> span), and through Npgsql's multi-host data source preferring a standby.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class ReadConnectionOpenBenchmarks
{
    private IHost _host = null!;
    private IServiceScope _scope = null!;
    private IConnectionRouter _router = null!;
    private NpgsqlDataSource _replica = null!;
    private NpgsqlMultiHostDataSource _multiHost = null!;
    private NpgsqlDataSource _preferStandby = null!;
    private ActivityListener? _spans;

    [GlobalSetup]
    public async Task Setup()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddOrmPerf(o => o.ConnectionString = BenchmarkServers.Primary).AddReadReplicas(BenchmarkServers.Replica);
        _host = builder.Build();
        // The router treats a replica it has not probed yet as qualifying; starting the monitor and waiting past a
        // probe interval means the routed opens below go by a real health reading, as in a running service.
        await _host.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        _scope = _host.Services.CreateScope();
        _router = _scope.ServiceProvider.GetRequiredService<IConnectionRouter>();

        // Same pool profile as the router's own replica data source.
        _replica = _host.Services.GetRequiredService<IOrmPerfDataSourceFactory>().Create(BenchmarkServers.Replica, "replica-direct");

        var primary = new NpgsqlConnectionStringBuilder(BenchmarkServers.Primary);
        var bothHosts = new NpgsqlConnectionStringBuilder(BenchmarkServers.Replica);
        bothHosts.Host = $"{primary.Host}:{primary.Port},{bothHosts.Host}:{bothHosts.Port}";
        _multiHost = new NpgsqlDataSourceBuilder(bothHosts.ConnectionString).BuildMultiHost();
        _preferStandby = _multiHost.WithTargetSession(TargetSessionAttributes.PreferStandby);

        await RequireStandbyAsync("the router", await _router.OpenConnectionAsync(Intent.Read));
        await RequireStandbyAsync("the replica data source", await _replica.OpenConnectionAsync());
        await RequireStandbyAsync("the multi-host data source", await _preferStandby.OpenConnectionAsync());
    }

    // BenchmarkDotNet runs each benchmark in a process of its own, so the listener traces RouterTraced only.
    [GlobalSetup(Target = nameof(RouterTraced))]
    public async Task SetupTraced()
    {
        await Setup();
        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RoutingDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_spans);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _spans?.Dispose();
        _scope.Dispose();
        await _multiHost.DisposeAsync();
        await _replica.DisposeAsync();
        await _host.StopAsync();
        _host.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Replica NpgsqlDataSource.OpenConnectionAsync")]
    public async Task Direct()
    {
        await using var connection = await _replica.OpenConnectionAsync();
    }

    [Benchmark(Description = "OrmPerf router OpenConnectionAsync(Intent.Read)")]
    public async Task Router()
    {
        await using var connection = await _router.OpenConnectionAsync(Intent.Read);
    }

    [Benchmark(Description = "OrmPerf router, ormperf.routing.open span recorded")]
    public async Task RouterTraced()
    {
        await using var connection = await _router.OpenConnectionAsync(Intent.Read);
    }

    [Benchmark(Description = "Npgsql multi-host, PreferStandby")]
    public async Task MultiHost()
    {
        await using var connection = await _preferStandby.OpenConnectionAsync();
    }

    private static async Task RequireStandbyAsync(string path, NpgsqlConnection connection)
    {
        await using (connection)
        {
            await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
            if (await command.ExecuteScalarAsync() is not true)
            {
                throw new InvalidOperationException($"A read connection from {path} reached the primary, expected the standby.");
            }
        }
    }
}
