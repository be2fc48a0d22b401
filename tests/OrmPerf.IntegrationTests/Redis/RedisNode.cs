using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrmPerf.Caching;
using OrmPerf.Redis;

namespace OrmPerf.IntegrationTests.Redis;

/// <summary>One "node" of a service, started: its own service provider, query cache, Redis connection and data source.</summary>
internal sealed class RedisNode : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    public RedisNode(string database, string redis, string keyPrefix, Action<RedisCacheOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = database).AddRedisCache(o =>
        {
            o.Configuration = redis;
            o.KeyPrefix = keyPrefix;
            // A call that times out is dropped silently (fail-open), so on a loaded test machine a tight timeout would
            // make assertions about Redis's content, hits and errors flaky; the outage tests set their own.
            o.OperationTimeout = TimeSpan.FromSeconds(5);
            configure?.Invoke(o);
        });
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        // As a host would: the cache attaches its backplane (connecting to Redis) at start, not on the first read.
        foreach (var service in _provider.GetServices<IHostedService>())
        {
            service.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        Cache = _provider.GetRequiredService<IQueryCache>();
        DataSource = _provider.GetRequiredService<DbDataSource>();
    }

    public IQueryCache Cache { get; }

    public IQueryCacheBackplane Backplane => _provider.GetRequiredService<IQueryCacheBackplane>();

    public DbDataSource DataSource { get; }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
