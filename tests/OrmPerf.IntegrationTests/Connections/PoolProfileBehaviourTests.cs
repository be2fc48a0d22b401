using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Connections;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Connections;

/// <summary>The pool profiles behave on the real primary as configured.</summary>
public sealed class PoolProfileBehaviourTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Development_opens_a_fresh_physical_connection_each_time()
    {
        await using var provider = Build(PoolProfile.Development);
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();

        var first = await BackendPidAsync(dataSource);
        var second = await BackendPidAsync(dataSource);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Production_reuses_the_physical_connection()
    {
        await using var provider = Build(PoolProfile.Production);
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();

        var first = await BackendPidAsync(dataSource);
        var second = await BackendPidAsync(dataSource);

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task An_exhausted_pool_fails_the_open_within_the_acquire_timeout()
    {
        await using var provider = Build(PoolProfile.Production with { MinPoolSize = 0, MaxPoolSize = 2, AcquireTimeout = TimeSpan.FromSeconds(1) });
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        await using var held1 = await dataSource.OpenConnectionAsync(_cancellation);
        await using var held2 = await dataSource.OpenConnectionAsync(_cancellation);

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<NpgsqlException>(async () => await dataSource.OpenConnectionAsync(_cancellation));
        clock.Stop();

        Assert.Contains("exhausted", error.Message, StringComparison.OrdinalIgnoreCase);
        // Well under Npgsql's default of 15 s, with room for a loaded machine.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_connection_older_than_its_lifetime_is_recycled()
    {
        await using var provider = Build(PoolProfile.Production with { ConnectionLifetime = TimeSpan.FromSeconds(1) });
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();

        int first;
        await using (var connection = await dataSource.OpenConnectionAsync(_cancellation))
        {
            first = connection.ProcessID;
            await Task.Delay(TimeSpan.FromSeconds(1.5), _cancellation);
        }

        var second = await BackendPidAsync(dataSource);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Idle_connections_above_the_minimum_are_pruned()
    {
        var applicationName = "ormperf-prune-" + Guid.NewGuid().ToString("N")[..8];
        await using var provider = Build(
            PoolProfile.Production with { MinPoolSize = 1, IdleLifetime = TimeSpan.FromSeconds(2), PruningInterval = TimeSpan.FromSeconds(1) },
            applicationName);
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();

        var open = new List<NpgsqlConnection>();
        for (var i = 0; i < 4; i++)
        {
            open.Add(await dataSource.OpenConnectionAsync(_cancellation));
        }

        // Counted while held: once returned, they may be pruned before a slow count query runs.
        Assert.Equal(4, await ServerSideConnectionsAsync(applicationName));
        foreach (var connection in open)
        {
            await connection.DisposeAsync();
        }

        var deadline = Stopwatch.StartNew();
        while (await ServerSideConnectionsAsync(applicationName) > 1 && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(250, _cancellation);
        }

        Assert.Equal(1, await ServerSideConnectionsAsync(applicationName));
    }

    private ServiceProvider Build(PoolProfile profile, string? applicationName = null)
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o =>
        {
            o.ConnectionString = new NpgsqlConnectionStringBuilder(servers.Primary) { ApplicationName = applicationName }.ConnectionString;
            o.Pool = profile;
        });
        return services.BuildServiceProvider();
    }

    private async Task<int> BackendPidAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync(_cancellation);
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        return (int)(await command.ExecuteScalarAsync(_cancellation))!;
    }

    private async Task<long> ServerSideConnectionsAsync(string applicationName)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(servers.Primary) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(_cancellation);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = @name", connection);
        command.Parameters.AddWithValue("name", applicationName);
        return (long)(await command.ExecuteScalarAsync(_cancellation))!;
    }
}
