using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using OrmPerf.Caching;
using OrmPerf.Diagnostics;

namespace OrmPerf.Core.Tests.Caching;

[Collection(QueryCacheMeasurementCollection.Name)]
public sealed class QueryCacheFailSafeTests
{
    private static readonly QueryCacheEntryOptions FailSafe = new() { Duration = TimeSpan.FromMinutes(1), FailSafeWindow = TimeSpan.FromMinutes(10) };

    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Within_the_window_a_failing_factory_is_answered_with_the_stale_result_a_warning_and_a_metric()
    {
        using var context = new QueryCacheTestContext();
        using var staleServed = new MetricCollector<long>(null, OrmPerfDiagnostics.MeterName, "ormperf.cache.stale_served");
        var key = QueryKey.Create<string>("SELECT 1");
        await context.Cache.GetOrSetAsync(key, _ => new ValueTask<string>("cached"), FailSafe, _cancellation);
        context.Time.Advance(TimeSpan.FromMinutes(5));

        var value = await context.Cache.GetOrSetAsync<string>(key, _ => throw new TimeoutException("database down"), FailSafe, _cancellation);

        Assert.Equal("cached", value);
        var warning = Assert.Single(context.Logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.IsType<TimeoutException>(warning.Exception);
        Assert.Contains(key.Id, warning.Message);
        Assert.Equal(1, staleServed.GetMeasurementSnapshot().Where(m => Equals(m.Tags["ormperf.cache.name"], context.Name)).Sum(m => m.Value));
    }

    [Fact]
    public async Task Outside_the_window_the_factory_exception_propagates_unchanged()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<string>("SELECT 1");
        await context.Cache.GetOrSetAsync(key, _ => new ValueTask<string>("cached"), FailSafe, _cancellation);
        context.Time.Advance(TimeSpan.FromMinutes(11));
        var failure = new TimeoutException("database down");

        var thrown = await Assert.ThrowsAsync<TimeoutException>(async () => await context.Cache.GetOrSetAsync<string>(key, _ => throw failure, FailSafe, _cancellation));

        Assert.Same(failure, thrown);
        Assert.Empty(context.Logger.Collector.GetSnapshot());
    }

    [Fact]
    public async Task An_invalidated_entry_is_not_served_as_stale()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<string>("SELECT 1");
        var tagged = FailSafe with { Tags = ["t"] };
        await context.Cache.GetOrSetAsync(key, _ => new ValueTask<string>("cached"), tagged, _cancellation);
        context.Time.Advance(TimeSpan.FromMinutes(5));
        await context.Cache.InvalidateTagsAsync(["t"], _cancellation);

        await Assert.ThrowsAsync<TimeoutException>(async () => await context.Cache.GetOrSetAsync<string>(key, _ => throw new TimeoutException(), tagged, _cancellation));
    }

    [Fact]
    public async Task A_stale_result_is_not_served_as_a_hit()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<string>("SELECT 1");
        await context.Cache.GetOrSetAsync(key, _ => new ValueTask<string>("cached"), FailSafe, _cancellation);
        context.Time.Advance(TimeSpan.FromMinutes(2));

        Assert.False(context.Cache.TryGet<string>(key, out _));
        Assert.Equal("fresh", await context.Cache.GetOrSetAsync(key, _ => new ValueTask<string>("fresh"), FailSafe, _cancellation));
    }

    [Fact]
    public async Task After_serving_a_stale_result_the_factory_is_retried_once_per_throttle_period()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<string>("SELECT 1");
        var throttled = FailSafe with { FailSafeThrottle = TimeSpan.FromSeconds(30) };
        await context.Cache.GetOrSetAsync(key, _ => new ValueTask<string>("cached"), throttled, _cancellation);
        context.Time.Advance(TimeSpan.FromMinutes(2));
        var runs = 0;
        Func<CancellationToken, ValueTask<string>> failing = _ =>
        {
            runs++;
            throw new TimeoutException("database down");
        };

        await context.Cache.GetOrSetAsync(key, failing, throttled, _cancellation);
        context.Time.Advance(TimeSpan.FromSeconds(29));
        var duringThrottle = await context.Cache.GetOrSetAsync(key, failing, throttled, _cancellation);
        Assert.Equal(1, runs);
        context.Time.Advance(TimeSpan.FromSeconds(1));
        var afterThrottle = await context.Cache.GetOrSetAsync(key, failing, throttled, _cancellation);

        Assert.Equal("cached", duringThrottle);
        Assert.Equal("cached", afterThrottle);
        Assert.Equal(2, runs);
    }
}
