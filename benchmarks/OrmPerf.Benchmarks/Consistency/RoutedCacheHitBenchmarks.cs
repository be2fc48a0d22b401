using BenchmarkDotNet.Attributes;
using OrmPerf.Caching;

namespace OrmPerf.Benchmarks.Consistency;

/// <summary>
/// A warm L1 hit of <c>QueryCachedAsync</c>: on the primary's data source with a cache that knows nothing of replicas
/// (the baseline), against the same call on a request's routed read data source with the cache that tracks WAL
/// positions (the scope's demand is read, the entry's position compared).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class RoutedCacheHitBenchmarks : ConsistentCacheSetup
{
    [GlobalSetup]
    public async Task Setup()
    {
        await StartAsync();
        ExpectTenRowsEach(await PlainL1Hit(), await RoutedL1Hit());
    }

    [GlobalCleanup]
    public Task Cleanup() => StopAsync();

    [Benchmark(Baseline = true, Description = "L1 hit, primary data source, no replicas")]
    public ValueTask<IReadOnlyList<Product>> PlainL1Hit() => Primary.QueryCachedAsync<Product>(PositionlessCache, Sql, Parameters);

    [Benchmark(Description = "L1 hit, routed read data source, positions tracked")]
    public ValueTask<IReadOnlyList<Product>> RoutedL1Hit() => Router.ReadDataSource.QueryCachedAsync<Product>(RoutedCache, Sql, Parameters);
}
