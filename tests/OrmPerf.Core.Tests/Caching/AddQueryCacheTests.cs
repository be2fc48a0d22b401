using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrmPerf.Caching;

namespace OrmPerf.Core.Tests.Caching;

public sealed class AddQueryCacheTests
{
    [Fact]
    public async Task Registers_one_query_cache_with_the_configured_defaults()
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1").AddQueryCache(o => o.DefaultEntryOptions = new QueryCacheEntryOptions { Duration = TimeSpan.FromSeconds(30) });
        await using var provider = services.BuildServiceProvider();

        var cache = provider.GetRequiredService<IQueryCache>();

        Assert.Same(cache, provider.GetRequiredService<IQueryCache>());
        Assert.Same(cache, provider.GetRequiredService<QueryCache>());
        Assert.Equal(TimeSpan.FromSeconds(30), cache.DefaultEntryOptions.Duration);
    }

    [Fact]
    public async Task Invalid_options_are_rejected_naming_the_bad_value()
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
    }

    [Fact]
    public void Invalid_entry_options_are_rejected_naming_the_bad_value()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new QueryCacheEntryOptions { FailSafeWindow = TimeSpan.FromSeconds(-1) }.Validate());

        Assert.Equal(nameof(QueryCacheEntryOptions.FailSafeWindow), error.ParamName);
    }
}
