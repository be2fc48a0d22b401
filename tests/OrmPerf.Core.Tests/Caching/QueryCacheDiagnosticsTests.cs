using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OrmPerf.Caching;
using OrmPerf.Diagnostics;

namespace OrmPerf.Core.Tests.Caching;

[Collection(QueryCacheMeasurementCollection.Name)]
public sealed class QueryCacheDiagnosticsTests
{
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Hits_misses_factory_runs_durations_and_invalidations_are_measured()
    {
        using var context = new QueryCacheTestContext();
        using var hits = Collect<long>("ormperf.cache.hits");
        using var misses = Collect<long>("ormperf.cache.misses");
        using var runs = Collect<long>("ormperf.cache.factory_runs");
        using var invalidations = Collect<long>("ormperf.cache.invalidations");
        using var durations = Collect<double>("ormperf.cache.factory.duration");
        var key = QueryKey.Create<int>("SELECT 1");

        await context.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(1), cancellationToken: _cancellation);
        await context.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(1), cancellationToken: _cancellation);
        await context.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(1), cancellationToken: _cancellation);
        await context.Cache.InvalidateTablesAsync(["orders"], _cancellation);

        Assert.Equal(2, Sum(hits, context));
        Assert.Equal(1, Sum(misses, context));
        Assert.Equal(1, Sum(runs, context));
        Assert.Equal(2, Sum(invalidations, context)); // the table's tag and the catch-all tag
        Assert.Single(durations.GetMeasurementSnapshot(), m => Equals(m.Tags["ormperf.cache.name"], context.Name));
    }

    [Fact]
    public async Task A_factory_run_is_traced_as_a_miss_activity()
    {
        using var context = new QueryCacheTestContext();
        var key = QueryKey.Create<int>("SELECT 1");
        var seen = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == OrmPerfDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (seen)
                {
                    seen.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await context.Cache.GetOrSetAsync(key, _ => new ValueTask<int>(1), cancellationToken: _cancellation);

        lock (seen)
        {
            Assert.Contains(seen, a => a.OperationName == "ormperf.cache.fill" && Equals(a.GetTagItem("ormperf.cache.key"), key.Id));
        }
    }

    private static MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(null, OrmPerfDiagnostics.MeterName, instrument);

    private static long Sum(MetricCollector<long> collector, QueryCacheTestContext context) =>
        collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags["ormperf.cache.name"], context.Name)).Sum(m => m.Value);
}
