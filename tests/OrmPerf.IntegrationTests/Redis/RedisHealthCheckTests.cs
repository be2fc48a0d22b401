using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrmPerf.Caching;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Redis;

/// <summary>The shipped health check reports the real Redis from the connection's and the circuit's own state.</summary>
[Collection(ServerFaultsCollection.Name)]
public sealed class RedisHealthCheckTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";

    [Fact]
    public async Task Healthy_while_Redis_serves_the_cache_degraded_while_it_is_stopped_and_healthy_again_when_it_returns()
    {
        await using var provider = Provider(tags: ["ready"]);
        var health = provider.GetRequiredService<HealthCheckService>();
        var cache = provider.GetRequiredService<IQueryCache>();
        var beforeUse = await CheckAsync(health);
        await cache.SetAsync(QueryKey.Create<int>("SELECT 1"), 1, cancellationToken: _cancellation);
        var connected = await CheckAsync(health);
        HealthReportEntry down;
        try
        {
            await servers.ControlAsync("stop", "redis");
            down = await PollStatusAsync(health, HealthStatus.Degraded);
        }
        finally
        {
            await servers.ControlAsync("start", "redis");
        }

        var back = await PollStatusAsync(health, HealthStatus.Healthy);

        Assert.Equal(HealthStatus.Healthy, beforeUse.Status);
        Assert.Equal((HealthStatus.Healthy, true), (connected.Status, (bool)connected.Data["connected"]));
        Assert.Equal(["ready"], connected.Tags);
        Assert.Equal(HealthStatus.Degraded, down.Status);
        Assert.Contains("goes on in memory", down.Description);
        Assert.Equal(HealthStatus.Healthy, back.Status);
    }

    [Fact]
    public async Task A_failure_reports_the_status_the_caller_chose()
    {
        await using var provider = Provider(failureStatus: HealthStatus.Unhealthy, redis: "127.0.0.1:1,connectTimeout=200");
        var cache = provider.GetRequiredService<IQueryCache>();
        await cache.SetAsync(QueryKey.Create<int>("SELECT 1"), 1, cancellationToken: _cancellation);

        var entry = await CheckAsync(provider.GetRequiredService<HealthCheckService>());

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.False((bool)entry.Data["connected"]);
    }

    private ServiceProvider Provider(HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, string? redis = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOrmPerf(o => o.ConnectionString = servers.Primary).AddRedisCache(o =>
        {
            o.Configuration = redis ?? servers.Redis;
            o.KeyPrefix = _prefix;
            o.OperationTimeout = TimeSpan.FromSeconds(5);
        });
        services.AddHealthChecks().AddOrmPerfRedis(failureStatus: failureStatus, tags: tags);
        return services.BuildServiceProvider();
    }

    private async Task<HealthReportEntry> PollStatusAsync(HealthCheckService health, HealthStatus expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var entry = await CheckAsync(health);
            if (entry.Status == expected || DateTime.UtcNow > deadline)
            {
                return entry;
            }

            await Task.Delay(50, _cancellation);
        }
    }

    private async Task<HealthReportEntry> CheckAsync(HealthCheckService health) =>
        (await health.CheckHealthAsync(_cancellation)).Entries["ormperf-redis"];
}
