using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrmPerf.Caching;
using OrmPerf.Redis;

namespace OrmPerf.IntegrationTests.Redis;

public sealed class RedisCacheOptionsTests
{
    [Fact]
    public void Settings_that_cannot_work_are_rejected_naming_each_bad_value()
    {
        var services = new ServiceCollection();
        services.AddRedisCache(o =>
        {
            o.KeyPrefix = "";
            o.OperationTimeout = TimeSpan.Zero;
            o.MaxPayloadBytes = 0;
            o.DisconnectedL1Duration = TimeSpan.FromSeconds(-1);
            o.LeaseDuration = TimeSpan.Zero;
            o.FailureSamplingDuration = TimeSpan.FromMilliseconds(100);
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisCacheOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("RedisCacheOptions.Configuration", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RedisCacheOptions.KeyPrefix", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RedisCacheOptions.OperationTimeout is 00:00:00", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RedisCacheOptions.MaxPayloadBytes is 0", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RedisCacheOptions.DisconnectedL1Duration is -00:00:01", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RedisCacheOptions.LeaseDuration is 00:00:00", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RedisCacheOptions.FailureSamplingDuration is 00:00:00.1000000", StringComparison.Ordinal));
    }

    [Fact]
    public void Default_settings_with_a_configuration_are_valid()
    {
        var services = new ServiceCollection();
        services.AddRedisCache(o => o.Configuration = "127.0.0.1:6379");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RedisCacheOptions>>().Value;

        Assert.Equal(TimeSpan.FromMilliseconds(50), options.OperationTimeout);
        Assert.Equal("ormperf:", options.KeyPrefix);
        Assert.Equal(TimeSpan.FromSeconds(5), options.DisconnectedL1Duration);
        Assert.Null(options.LeaseDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.FailureSamplingDuration);
    }

    [Fact]
    public void Settings_bind_from_configuration_under_the_keyed_caches_name()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = "127.0.0.1:6379",
            ["Redis:KeyPrefix"] = "reports:",
            ["Redis:OperationTimeout"] = "00:00:00.2",
            ["Redis:LeaseDuration"] = "00:00:05",
            ["Redis:MinimumThroughput"] = "20",
        }).Build();
        var services = new ServiceCollection();
        services.Configure<RedisCacheOptions>("reports", configuration.GetSection("Redis"));
        services.AddOrmPerf(o => o.ConnectionString = "Host=127.0.0.1").AddKeyedRedisCache("reports", _ => { });
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<RedisCacheOptions>>().Get("reports");

        Assert.Equal(("127.0.0.1:6379", "reports:", TimeSpan.FromMilliseconds(200)), (options.Configuration, options.KeyPrefix, options.OperationTimeout));
        Assert.Equal((TimeSpan.FromSeconds(5), 20), (options.LeaseDuration, options.MinimumThroughput));
        Assert.NotNull(provider.GetRequiredKeyedService<IQueryCache>("reports"));
    }

    [Fact]
    public void A_second_AddRedisCache_is_refused_naming_AddKeyedRedisCache()
    {
        var services = new ServiceCollection().AddRedisCache(o => o.Configuration = "127.0.0.1:6379");

        var error = Assert.Throws<InvalidOperationException>(() => services.AddRedisCache(o => o.Configuration = "127.0.0.1:6379"));

        Assert.Contains("AddKeyedRedisCache", error.Message);
    }
}
