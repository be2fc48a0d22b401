using Microsoft.Extensions.DependencyInjection;
using OrmPerf.Caching;
using OrmPerf.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace OrmPerf.IntegrationTests.Redis;

/// <summary>Two keyed caches in one container, each with its own Redis options, against the real Redis.</summary>
public sealed class RedisKeyedCacheTests(TestServers servers)
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";

    [Fact]
    public async Task Each_keyed_cache_keeps_its_own_entries_in_Redis_and_its_own_invalidations()
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = servers.Primary)
            .AddKeyedQueryCache("catalog", o => o.Name = "catalog")
            .AddKeyedRedisCache("catalog", o => { o.Configuration = servers.Redis; o.KeyPrefix = _prefix + "catalog:"; o.OperationTimeout = TimeSpan.FromSeconds(5); })
            .AddKeyedRedisCache("reports", o => { o.Configuration = servers.Redis; o.KeyPrefix = _prefix + "reports:"; o.OperationTimeout = TimeSpan.FromSeconds(5); });
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var catalog = provider.GetRequiredKeyedService<IQueryCache>("catalog");
        var reports = provider.GetRequiredKeyedService<IQueryCache>("reports");
        var key = QueryKey.Create<int>("SELECT count(*) FROM items");
        var tagged = new QueryCacheEntryOptions { Duration = TimeSpan.FromMinutes(5), Tags = [QueryCacheTags.ForTable("items")] };
        await catalog.SetAsync(key, 1, tagged, _cancellation);
        await reports.SetAsync(key, 2, tagged, _cancellation);

        await catalog.InvalidateTablesAsync(["items"], _cancellation);

        await using var direct = await ConnectionMultiplexer.ConnectAsync(servers.Redis);
        var server = direct.GetServers()[0];
        Assert.False(catalog.TryGet<int>(key, out _));
        Assert.True(reports.TryGet<int>(key, out var kept));
        Assert.Equal(2, kept);
        Assert.True(await direct.GetDatabase().KeyExistsAsync($"{_prefix}catalog:tag:{QueryCacheTags.ForTable("items")}"));
        Assert.False(await direct.GetDatabase().KeyExistsAsync($"{_prefix}reports:tag:{QueryCacheTags.ForTable("items")}"));
        Assert.Single(server.Keys(pattern: _prefix + "reports:q:*"));
        Assert.Null(provider.GetService<IQueryCache>());
    }
}
