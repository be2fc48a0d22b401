using BenchmarkDotNet.Attributes;
using OrmPerf.Caching;

namespace OrmPerf.Benchmarks.Consistency;

/// <summary>
/// A miss and its fill through the request's routed read data source (the query runs on the replica): with a cache
/// that knows nothing of replicas (the baseline), against the cache that tracks WAL positions and stamps the entry
/// with the position the router knows the replica to be at. The entry lives one tick, so every call misses and runs the
/// whole fill (the expired result is then not kept).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class StampedFillBenchmarks : ConsistentCacheSetup
{
    private static readonly QueryCacheEntryOptions OneTick = new() { Duration = TimeSpan.FromTicks(1) };

    [GlobalSetup]
    public async Task Setup()
    {
        await StartAsync();
        ExpectTenRowsEach(await MissAndFillUnstamped(), await MissAndFillStamped());
    }

    [GlobalCleanup]
    public Task Cleanup() => StopAsync();

    [Benchmark(Baseline = true, Description = "miss + fill on the replica, no position")]
    public ValueTask<IReadOnlyList<Product>> MissAndFillUnstamped() =>
        Router.ReadDataSource.QueryCachedAsync<Product>(PositionlessCache, Sql, Parameters, OneTick);

    [Benchmark(Description = "miss + fill on the replica, position stamped")]
    public ValueTask<IReadOnlyList<Product>> MissAndFillStamped() =>
        Router.ReadDataSource.QueryCachedAsync<Product>(RoutedCache, Sql, Parameters, OneTick);
}
