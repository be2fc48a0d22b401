using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

public sealed class AddQueryCacheTests
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Registers_one_query_cache_with_the_configured_defaults()
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1").AddQueryCache(o => o.DefaultEntryOptions = new QueryCacheEntryOptions { Duration = TimeSpan.FromSeconds(30) });
        await using var provider = services.BuildServiceProvider();

        var cache = provider.GetRequiredService<IQueryCache>();

        Assert.Same(cache, provider.GetRequiredService<IQueryCache>());
        Assert.Equal(TimeSpan.FromSeconds(30), cache.DefaultEntryOptions.Duration);
    }

    [Fact]
    public void A_second_unkeyed_cache_is_refused_naming_AddKeyedQueryCache()
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1").AddQueryCache();

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddQueryCache());

        Assert.Contains("AddKeyedQueryCache", error.Message);
    }

    [Fact]
    public async Task Two_keyed_caches_keep_their_own_options_entries_and_invalidations()
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1")
            .AddKeyedQueryCache("short", o => { o.Name = "short"; o.DefaultEntryOptions = new QueryCacheEntryOptions { Duration = TimeSpan.FromSeconds(5) }; })
            .AddKeyedQueryCache("long", o => { o.Name = "long"; o.DefaultEntryOptions = new QueryCacheEntryOptions { Duration = TimeSpan.FromHours(1) }; });
        await using var provider = services.BuildServiceProvider();
        var shortCache = provider.GetRequiredKeyedService<IQueryCache>("short");
        var longCache = provider.GetRequiredKeyedService<IQueryCache>("long");
        var key = QueryKey.Create<int>("SELECT count(*) FROM orders");
        var tagged = new QueryCacheEntryOptions { Tags = [QueryCacheTags.ForTable("orders")] };

        await shortCache.SetAsync(key, 1, tagged, _cancellation);
        await longCache.SetAsync(key, 2, tagged, _cancellation);
        await shortCache.InvalidateTablesAsync(["orders"], _cancellation);

        Assert.NotSame(shortCache, longCache);
        Assert.Null(provider.GetService<IQueryCache>());
        Assert.Equal(TimeSpan.FromSeconds(5), shortCache.DefaultEntryOptions.Duration);
        Assert.Equal(TimeSpan.FromHours(1), longCache.DefaultEntryOptions.Duration);
        Assert.False(shortCache.TryGet<int>(key, out _));
        Assert.True(longCache.TryGet<int>(key, out var kept));
        Assert.Equal(2, kept);
    }

    [Fact]
    public void The_same_key_twice_is_refused()
    {
        var builder = new ServiceCollection().AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1").AddKeyedQueryCache("a");

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddKeyedQueryCache("a"));

        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public async Task Invalid_options_are_rejected_naming_every_bad_value()
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1").AddQueryCache(o =>
        {
            o.SizeLimit = 0;
            o.DefaultEntryOptions = new QueryCacheEntryOptions { Duration = TimeSpan.FromSeconds(-1) };
        });
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IQueryCache>());

        Assert.Contains("SizeLimit is 0", error.Message);
        Assert.Contains("QueryCacheOptions.DefaultEntryOptions.Duration is -00:00:01", error.Message);
    }

    [Fact]
    public async Task Invalid_entry_options_passed_to_a_call_are_rejected_naming_the_bad_value()
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1").AddQueryCache();
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IQueryCache>();

        var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await cache.SetAsync(QueryKey.Create<int>("SELECT 1"), 1, new QueryCacheEntryOptions { FailSafeWindow = TimeSpan.FromSeconds(-1) }, _cancellation));

        Assert.Equal("options", error.ParamName);
        Assert.Contains("FailSafeWindow is -00:00:01", error.Message);
    }

    [Fact]
    public async Task Options_bind_from_configuration_by_the_caches_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Caches:reports:Name"] = "reports",
            ["Caches:reports:SizeLimit"] = "500",
            ["Caches:reports:DefaultEntryOptions:Duration"] = "00:02:00",
            ["Caches:reports:DefaultEntryOptions:FailSafeWindow"] = "00:10:00",
            ["Caches:reports:DefaultEntryOptions:Tags:0"] = "reports",
        }).Build();
        var services = new ServiceCollection();
        services.Configure<QueryCacheOptions>("reports", configuration.GetSection("Caches:reports"));
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1").AddKeyedQueryCache("reports");
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<QueryCacheOptions>>().Get("reports");
        var cache = provider.GetRequiredKeyedService<IQueryCache>("reports");

        Assert.Equal(("reports", 500L), (options.Name, options.SizeLimit));
        Assert.Equal(TimeSpan.FromMinutes(2), cache.DefaultEntryOptions.Duration);
        Assert.Equal(TimeSpan.FromMinutes(10), cache.DefaultEntryOptions.FailSafeWindow);
        Assert.Equal(["reports"], cache.DefaultEntryOptions.Tags);
    }
}
